/* testlib.c: small helpers shared by the unit tests. */
#include "testlib.h"

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

void
test_socketpair(int sv[2])
{
	assert_int_equal(socketpair(AF_UNIX,
	    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv), 0);
}

int
test_open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

void
test_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	while (len > 0) {
		n = write(fd, p, len);
		assert_true(n > 0);
		p += n;
		len -= (size_t)n;
	}
}

char *
test_proc_status(pid_t pid, const char *key, char *out, size_t cap)
{
	char path[64], line[256];
	size_t klen = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return NULL;
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, key, klen) == 0 && line[klen] == ':') {
			snprintf(out, cap, "%s", line + klen + 1 +
			    strspn(line + klen + 1, " \t"));
			out[strcspn(out, "\n")] = '\0';
			fclose(f);
			return out;
		}
	}
	fclose(f);
	return NULL;
}

void
test_assert_confined(pid_t pid)
{
	char v[128];

	assert_string_equal(test_proc_status(pid, "Seccomp", v, sizeof(v)),
	    "2");
	assert_string_equal(test_proc_status(pid, "NoNewPrivs", v, sizeof(v)),
	    "1");
	assert_string_equal(test_proc_status(pid, "CapEff", v, sizeof(v)),
	    "0000000000000000");
	assert_non_null(test_proc_status(pid, "Uid", v, sizeof(v)));
	assert_true(strncmp(v, "0\t", 2) != 0);
}
