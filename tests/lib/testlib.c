/* SPDX-License-Identifier: ISC */
/* testlib.c: small helpers shared by the unit tests. */
#include "testlib.h"

#include <dirent.h>
#include <fnmatch.h>
#include <poll.h>
#include <pwd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <fcntl.h>
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

size_t
test_proc_fds(pid_t pid, bool *used, size_t cap)
{
	char path[64];
	struct dirent *d;
	size_t n = 0, fd;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	assert_non_null(dir = opendir(path));
	while ((d = readdir(dir)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		n++;
		if (used != NULL && (fd = strtoul(d->d_name, NULL, 10)) < cap)
			used[fd] = true;
	}
	closedir(dir);
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
test_assert_confined(pid_t pid, unsigned filters, uid_t uid, gid_t gid)
{
	static const char *const caps[] = { "CapInh", "CapPrm", "CapEff",
	    "CapBnd", "CapAmb" };
	char v[128], want[128];
	size_t i;

	assert_true(uid != 0 && gid != 0);
	assert_non_null(test_proc_status(pid, "Seccomp", v, sizeof(v)));
	assert_string_equal(v, "2");
	snprintf(want, sizeof(want), "%u", filters);
	assert_non_null(test_proc_status(pid, "Seccomp_filters", v,
	    sizeof(v)));
	assert_string_equal(v, want);
	assert_non_null(test_proc_status(pid, "NoNewPrivs", v, sizeof(v)));
	assert_string_equal(v, "1");
	for (i = 0; i < sizeof(caps) / sizeof(caps[0]); i++) {
		if (test_proc_status(pid, caps[i], v, sizeof(v)) == NULL)
			fail_msg("no %s for pid %d", caps[i], (int)pid);
		if (strcmp(v, "0000000000000000") != 0)
			fail_msg("%s of pid %d is %s", caps[i], (int)pid, v);
	}
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", (unsigned)uid,
	    (unsigned)uid, (unsigned)uid, (unsigned)uid);
	assert_non_null(test_proc_status(pid, "Uid", v, sizeof(v)));
	assert_string_equal(v, want);
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", (unsigned)gid,
	    (unsigned)gid, (unsigned)gid, (unsigned)gid);
	assert_non_null(test_proc_status(pid, "Gid", v, sizeof(v)));
	assert_string_equal(v, want);
	assert_non_null(test_proc_status(pid, "Groups", v, sizeof(v)));
	assert_string_equal(v, "");
}

void
test_sandbox_ids(uid_t *uid, gid_t *gid)
{
	struct passwd *pw = getpwnam("loginbroker");

	*uid = pw != NULL ? pw->pw_uid : 64999;
	*gid = pw != NULL ? pw->pw_gid : 64999;
}

unsigned
test_lines_matching(const char *text, const char *pattern)
{
	char line[1024];
	unsigned n = 0;
	size_t len;

	while (*text != '\0') {
		len = strcspn(text, "\n");
		snprintf(line, sizeof(line), "%.*s", (int)len, text);
		n += fnmatch(pattern, line, 0) == 0;
		text += len + (text[len] == '\n');
	}
	return n;
}

unsigned
test_example_line(const char *name, const char *text)
{
	char path[512], line[512], *p;
	const char *dir = getenv("LB_EXAMPLES");
	unsigned n = 0;
	size_t len;
	FILE *f;

	if (dir == NULL)
		fail_msg("LB_EXAMPLES is not set: run through meson test");
	snprintf(path, sizeof(path), "%s/%s.conf", dir, name);
	if ((f = fopen(path, "r")) == NULL)
		fail_msg("cannot read %s", path);
	while (fgets(line, sizeof(line), f) != NULL) {
		n++;
		p = line + strspn(line, " \t");
		len = strcspn(p, "\n");
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len == strlen(text) && memcmp(p, text, len) == 0) {
			fclose(f);
			return n;
		}
	}
	fclose(f);
	fail_msg("no line \"%s\" in %s", text, path);
	return 0;
}

/* Whether [start, end) of the process behind mem holds needle; regions
 * that cannot be read ([vvar], guard pages) hold nothing. */
static bool
region_holds(int mem, unsigned long start, unsigned long end,
    const char *needle)
{
	static char buf[1 << 16];
	size_t nlen = strlen(needle), keep = 0, total, want;
	unsigned long at = start;
	ssize_t n;

	while (at < end) {
		want = sizeof(buf) - keep;
		if (want > end - at)
			want = end - at;
		if ((n = pread(mem, buf + keep, want, (off_t)at)) <= 0)
			return false;
		total = keep + (size_t)n;
		if (memmem(buf, total, needle, nlen) != NULL)
			return true;
		at += (unsigned long)n;
		/* A needle may straddle two reads: carry the tail over. */
		keep = total < nlen - 1 ? total : nlen - 1;
		memmove(buf, buf + total - keep, keep);
	}
	return false;
}

bool
test_memory_holds(pid_t pid, const char *needle)
{
	char path[64], line[512], perms[8];
	unsigned long start, end;
	bool found = false;
	FILE *maps;
	int mem;

	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	assert_non_null(maps = fopen(path, "r"));
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)pid);
	assert_true((mem = open(path, O_RDONLY | O_CLOEXEC)) != -1);
	while (!found && fgets(line, sizeof(line), maps) != NULL)
		/* Past 1 GiB it is a sanitizer's shadow, which holds no
		 * copy of anything. */
		if (sscanf(line, "%lx-%lx %7s", &start, &end, perms) == 3 &&
		    perms[0] == 'r' && end - start <= 1ul << 30)
			found = region_holds(mem, start, end, needle);
	close(mem);
	fclose(maps);
	return found;
}

pid_t
test_spawn_on_pty(const char *const *argv, const char *const *env,
    int *master, char *name, size_t cap)
{
	int slave, held, started[2];
	char byte;
	pid_t pid;

	assert_true((*master = posix_openpt(O_RDWR | O_NOCTTY)) >= 0);
	assert_int_equal(grantpt(*master), 0);
	assert_int_equal(unlockpt(*master), 0);
	snprintf(name, cap, "%s", ptsname(*master));
	/* A master whose terminal nobody holds reads as hung up: the test
	 * holds it until the program has it (its exec closes the pipe). */
	assert_true((held = open(name, O_RDWR | O_NOCTTY)) >= 0);
	assert_int_equal(pipe2(started, O_CLOEXEC), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid > 0) {
		close(started[1]);
		(void)!read(started[0], &byte, 1);
		close(started[0]);
		close(held);
		return pid;
	}
	close(held);
	if (setsid() == -1 || (slave = open(name, O_RDWR)) == -1)
		_exit(126);
	dup2(slave, 0);
	dup2(slave, 1);
	dup2(slave, 2);
	for (; env != NULL && *env != NULL; env++)
		putenv((char *)*env);
	execv(argv[0], (char *const *)argv);
	_exit(127);
}

void
test_expect_pty(int master, char *buf, size_t cap, size_t *len,
    const char *want)
{
	struct pollfd pfd = { master, POLLIN, 0 };
	ssize_t n = 0;

	while (strstr(buf, want) == NULL) {
		if (*len + 1 >= cap || poll(&pfd, 1, 10000) != 1 ||
		    (n = read(master, buf + *len, cap - 1 - *len)) <= 0)
			fail_msg("no \"%s\" on the terminal; it said: %s",
			    want, buf);
		*len += (size_t)n;
		buf[*len] = '\0';
	}
}
