/* SPDX-License-Identifier: ISC */
/* spawner.c: fork children, hand their channels over, report their exits. */
#include "spawner.h"

#include <errno.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipc_proto.h"
#include "msg.h"

static struct ipc_chan *broker;

static _Noreturn void
fatal(const char *why)
{
	fprintf(stderr, "spawner %d: %s\n", (int)getpid(), why);
	_exit(1);
}

int
spawner_prepare(void)
{
	sigset_t chld;

	/* Every heap page a child touches is a copy-on-write fault.  Its
	 * large buffers (its channel's) come from fresh mappings, and no
	 * free chunk is left in fast bins, which a child's first larger
	 * allocation would otherwise walk and merge all over the heap.
	 * Only a cost: an allocator that refuses (a sanitizer's) is fine. */
	(void)mallopt(M_MMAP_THRESHOLD, SPAWNER_MMAP_THRESHOLD);
	(void)mallopt(M_MXFAST, 0);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &chld, NULL) == -1)
		return -1;
	return signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
}

/* Queues a report (m NULL for an empty one), with a descriptor or -1. */
static void
report(uint32_t type, int fd, const void *m)
{
	if (msg_send(broker, type, 0, fd, m) == -1)
		fatal("broker channel full");
}

int
spawner_keep_only(int keep)
{
	if (keep > 3 && close_range(3, (unsigned)keep - 1, 0) == -1)
		return -1;
	return close_range((unsigned)keep + 1, ~0u, 0);
}

/* In the child: only stdio and its channel stay, signals as by default. */
static _Noreturn void
child_start(int sock, spawner_child_fn child, void *arg)
{
	sigset_t none;

	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1 ||
	    spawner_keep_only(sock) == -1)
		_exit(1);
	child(sock, arg);
	_exit(1);
}

int
spawner_zygote_check(const char *prog)
{
	struct stat st;

	if (fstat(SPAWNER_ZYGOTE_FD, &st) == -1 || !S_ISSOCK(st.st_mode)) {
		fprintf(stderr, "%s: fd %d is not the broker's channel\n", prog,
		    SPAWNER_ZYGOTE_FD);
		return -1;
	}
	return 0;
}

struct ipc_chan *
spawner_child_first(int sock, struct ipc_msg *m)
{
	struct ipc_chan *chan;
	int rc;

	/* The broker may pass descriptors (a session keeper's stdio). */
	if ((chan = ipc_chan_new(sock, true)) == NULL)
		_exit(1);
	if ((rc = ipc_chan_wait(chan, m, -1)) == 0)
		_exit(0);
	if (rc != 1 || m->fd != -1)
		_exit(1);
	return chan;
}

void
spawner_child_read(struct ipc_chan *chan, uint32_t type, void *m)
{
	struct ipc_msg in;
	int rc;

	if ((rc = ipc_chan_wait(chan, &in, -1)) == 0)
		_exit(0);
	if (rc != 1 || in.fd != -1 || msg_read(&in, type, m) == -1)
		_exit(1);
}

static void
spawn(spawner_child_fn child, void *arg)
{
	int sv[2];
	pid_t pid;

	/* A burst of SPAWN requests would queue a descriptor per child: hand
	 * each over before making the next (the broker reads at once). */
	if (ipc_chan_flush_wait(broker, -1) == -1)
		fatal("cannot hand a child over");
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		fatal("socketpair");
	if ((pid = fork()) == -1)
		fatal("fork");
	if (pid == 0) {
		close(sv[0]);
		child_start(sv[1], child, arg);
	}
	close(sv[1]);
	report(MSG_SPARE, sv[0], &(struct msg_spare){ (uint32_t)pid });
}

static void
reap(int sigfd)
{
	struct signalfd_siginfo si;
	pid_t pid;
	int status;

	while (read(sigfd, &si, sizeof(si)) == sizeof(si))
		;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		report(MSG_CHILD_EXIT, -1, &(struct msg_child_exit){
		    (uint32_t)pid, (uint32_t)status });
}

static void
serve(spawner_child_fn child, void *arg)
{
	struct ipc_msg m;
	ssize_t n;
	int rc;

	n = ipc_chan_read(broker);
	if (n == 0)
		_exit(0);	/* retired, or the broker is gone */
	if (n == -1 && errno != EAGAIN)
		fatal("broker channel read failed");
	while ((rc = ipc_chan_get(broker, &m)) == 1) {
		if (m.fd != -1 || msg_read(&m, MSG_SPAWN, NULL) == -1)
			fatal("unexpected message from the broker");
		spawn(child, arg);
	}
	if (rc == -1)
		fatal("malformed message from the broker");
}

_Noreturn void
spawner_run(struct ipc_chan *chan, int sigfd, unsigned initial,
    spawner_child_fn child, void *arg)
{
	struct pollfd pfd[2];
	void *volatile settle;

	broker = chan;
	/* What setup freed waits on the allocator's unsorted list, which the
	 * next large allocation sorts into bins, writing to every chunk: done
	 * here once, not by each child on pages it would then copy. */
	settle = malloc(SPAWNER_MMAP_THRESHOLD);
	free(settle);
	report(MSG_SPAWNER_READY, -1,
	    &(struct msg_spawner_ready){ IPC_PROTO_VERSION });
	while (initial-- > 0)
		spawn(child, arg);
	for (;;) {
		if (ipc_chan_flush(broker) == -1)
			_exit(0);
		pfd[0].fd = ipc_chan_fd(broker);
		pfd[0].events = POLLIN |
		    (ipc_chan_queued(broker) > 0 ? POLLOUT : 0);
		pfd[1].fd = sigfd;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[1].revents & POLLIN)
			reap(sigfd);
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
			serve(child, arg);
	}
}
