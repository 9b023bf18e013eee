/* SPDX-License-Identifier: ISC */
/*
 * pending_bench: sessions held at their password prompt, for measuring
 * what many pending logins cost (memory per session, a fresh login's
 * latency beside them, the broker's event loop).
 *   pending_bench SOCKET COUNT USER
 *       opens COUNT connections to loginbrokerd, one after another; on
 *       each reads the greeting, sends "login password USER" and reads
 *       up to its prompt (301).  Then prints "pending=COUNT" and holds
 *       them all until its standard input ends, and closes them.
 * A session that gets anything but the greeting and a prompt ends the
 * program with status 1, after saying which one and what it read.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define LINE_CAP	1024
#define IO_TIMEOUT_S	30

/* One line from fd into buf (its end cut), byte by byte: the broker
 * sends nothing past the line read. */
static int
read_line(int fd, char *buf, size_t cap)
{
	size_t n = 0;
	ssize_t r;
	char c;

	while ((r = read(fd, &c, 1)) == 1 && c != '\n')
		if (n + 1 < cap)
			buf[n++] = c;
	if (r != 1)
		return -1;
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return 0;
}

/* A session at its prompt: its socket, or -1 after saying why. */
static int
open_pending(const char *path, const char *user, long i)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { IO_TIMEOUT_S, 0 };
	char line[LINE_CAP], req[LINE_CAP];
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	snprintf(req, sizeof(req), "login password %s\r\n", user);
	line[0] = '\0';
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    read_line(fd, line, sizeof(line)) == -1 ||
	    strncmp(line, "201 ", 4) != 0 ||
	    write(fd, req, strlen(req)) != (ssize_t)strlen(req) ||
	    read_line(fd, line, sizeof(line)) == -1 ||
	    strncmp(line, "301 ", 4) != 0) {
		fprintf(stderr, "pending_bench: session %ld: %s (read \"%s\")\n",
		    i, errno != 0 ? strerror(errno) : "unexpected reply", line);
		return -1;
	}
	return fd;
}

int
main(int argc, char **argv)
{
	struct rlimit nofile;
	long count, i;
	int *fds;
	char c;

	if (argc != 4 || (count = atol(argv[2])) <= 0) {
		fprintf(stderr, "usage: pending_bench SOCKET COUNT USER\n");
		return 2;
	}
	/* A socket each: Debian's soft limit of 1,024 is too few. */
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 &&
	    nofile.rlim_cur < nofile.rlim_max) {
		nofile.rlim_cur = nofile.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &nofile);
	}
	if ((fds = calloc((size_t)count, sizeof(*fds))) == NULL)
		return 1;
	for (i = 0; i < count; i++) {
		errno = 0;
		if ((fds[i] = open_pending(argv[1], argv[3], i)) == -1)
			return 1;
	}
	printf("pending=%ld\n", count);
	fflush(stdout);
	while (read(0, &c, 1) > 0)
		;
	for (i = 0; i < count; i++)
		close(fds[i]);
	free(fds);
	return 0;
}
