/* SPDX-License-Identifier: ISC */
/* daemon.c: detach once ready, pid file, systemd notification. */
#include "daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"

static int ready_fd = -1;	/* to the waiting parent */
static bool detached;
static char pid_path[256];
static int pid_fd = -1;		/* locked while we run */

int
daemon_start(bool detach)
{
	int fds[2];
	char byte;
	pid_t pid;

	if (!detach)
		return 0;
	if (pipe2(fds, O_CLOEXEC) == -1 || (pid = fork()) == -1)
		return -1;
	if (pid > 0) {
		/* 'R' from a child that is ready; nothing from one that
		 * failed (it has said why). */
		close(fds[1]);
		_exit(read(fds[0], &byte, 1) == 1 && byte == 'R' ? 0 : 1);
	}
	close(fds[0]);
	ready_fd = fds[1];
	detached = true;
	if (setsid() == -1 || chdir("/") == -1)
		return -1;
	return 0;
}

/* Writes our pid into path, locked for as long as we run: a broker
 * whose pid file another one holds does not start (its pid file would
 * be taken, and removed under the other at the first stop). */
static int
write_pid_file(const char *path)
{
	char text[24];
	int n;

	n = snprintf(text, sizeof(text), "%d\n", (int)getpid());
	if ((pid_fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0644)) == -1)
		goto fail;
	if (flock(pid_fd, LOCK_EX | LOCK_NB) == -1) {
		log_msg(LOG_ERR, "pid file %s: held by a broker that runs",
		    path);
		close(pid_fd);
		pid_fd = -1;
		return -1;
	}
	if (ftruncate(pid_fd, 0) == -1 ||
	    write(pid_fd, text, (size_t)n) != n)
		goto fail;
	snprintf(pid_path, sizeof(pid_path), "%s", path);
	return 0;
fail:
	log_msg(LOG_ERR, "pid file %s: %s", path, strerror(errno));
	if (pid_fd != -1)
		close(pid_fd);
	pid_fd = -1;
	return -1;
}

int
daemon_ready(const char *pid_file)
{
	int null;

	if (detached) {
		if (pid_file[0] != '\0' && write_pid_file(pid_file) == -1)
			return -1;
		if ((null = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1 ||
		    dup2(null, 0) == -1 || dup2(null, 1) == -1 ||
		    dup2(null, 2) == -1) {
			log_msg(LOG_ERR, "/dev/null: %s", strerror(errno));
			return -1;
		}
		close(null);
		(void)!write(ready_fd, "R", 1);
		close(ready_fd);
		ready_fd = -1;
	}
	daemon_notify("READY=1");
	return 0;
}

void
daemon_notify(const char *state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	const char *path = getenv("NOTIFY_SOCKET");
	socklen_t len;
	int fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof(sun.sun_path))
		return;
	memcpy(sun.sun_path, path, strlen(path));
	/* '@': an abstract socket, its name after a NUL. */
	if (path[0] == '@')
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return;
	if (sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, len) == -1)
		log_msg(LOG_WARNING, "NOTIFY_SOCKET %s: %s", path,
		    strerror(errno));
	close(fd);
}

void
daemon_stop(void)
{
	/* Ours while we hold its lock: removed before it is let go. */
	if (pid_path[0] != '\0')
		(void)unlink(pid_path);
	if (pid_fd != -1)
		close(pid_fd);
	pid_fd = -1;
	pid_path[0] = '\0';
}
