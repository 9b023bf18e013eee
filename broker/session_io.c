/* SPDX-License-Identifier: ISC */
/* session_io.c: a session's I/O in the broker's event loop. */
#include "session_io.h"

#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "clock.h"
#include "event.h"
#include "msg.h"
#include "session.h"
#include "spawn_ctl.h"

/* The worker's channel is readable (or writable again, or gone). */
static void
on_worker(struct event *ev, uint32_t events)
{
	struct session *s = ev->ctx;
	struct ipc_msg m;
	int rc;

	if (s->dead || (rc = event_chan_ready(ev, s->worker, events)) == 0)
		return;
	if (rc == -1) {
		session_on_worker_gone(s);
		return;
	}
	while (!s->dead && (rc = ipc_chan_get(s->worker, &m)) == 1)
		session_on_message(s, &m);
	if (!s->dead && rc == -1)
		session_on_frame_error(s, errno);
}

static void
on_timer(struct event *ev, uint32_t events)
{
	struct session *s = ev->ctx;
	uint64_t expirations;

	(void)!read(ev->fd, &expirations, sizeof(expirations));
	if (!s->dead)
		session_on_deadline(s);
}

static int
loop_attach(struct session *s, const struct spawn_child *c)
{
	s->worker_pid = c->pid;
	s->worker_pidfd = c->pidfd;
	if ((s->worker = ipc_chan_new(c->fd, true)) == NULL) {
		close(c->fd);
		return -1;
	}
	/* It is given the client; it gives us nothing. */
	ipc_chan_take_fds(s->worker, 0);
	s->worker_ev = (struct event){ .fd = c->fd, .cb = on_worker,
	    .ctx = s };
	return event_add(&s->worker_ev, EPOLLIN);
}

static int
loop_send(struct session *s, uint32_t type, uint32_t peerid, int fd,
    const void *m)
{
	if (msg_send(s->worker, type, peerid, fd, m) == -1)
		return -1;
	if (event_chan_flush(&s->worker_ev, s->worker) == -1) {
		errno = EPIPE;
		return -1;
	}
	return 0;
}

static int
loop_arm(struct session *s, uint64_t at_ms)
{
	struct itimerspec its;
	int fd;

	if (s->timer_ev.fd == -1) {
		if ((fd = timerfd_create(CLOCK_MONOTONIC,
		    TFD_NONBLOCK | TFD_CLOEXEC)) == -1)
			return -1;
		s->timer_ev = (struct event){ .fd = fd, .cb = on_timer,
		    .ctx = s };
		if (event_add(&s->timer_ev, EPOLLIN) == -1)
			return -1;
	}
	memset(&its, 0, sizeof(its));
	if (at_ms != 0) {
		/* timerfd treats all-zero as "disarm": never send 0. */
		its.it_value.tv_sec = (time_t)(at_ms / 1000);
		its.it_value.tv_nsec = (long)(at_ms % 1000) * 1000000 + 1;
	}
	return timerfd_settime(s->timer_ev.fd, TFD_TIMER_ABSTIME, &its,
	    NULL);
}

static void
loop_take_fds(struct session *s)
{
	ipc_chan_take_fds(s->worker, SESSION_FDS_MAX);
}

static void
loop_release(struct session *s)
{
	/* Harmless when it already exited: the pidfd is that process. */
	if (s->worker_pidfd != -1) {
		syscall(SYS_pidfd_send_signal, s->worker_pidfd, SIGKILL, NULL,
		    0);
		close(s->worker_pidfd);
	}
	s->worker_pidfd = -1;
	event_del(&s->worker_ev);
	ipc_chan_free(s->worker);
	s->worker = NULL;
	if (s->timer_ev.fd != -1) {
		event_del(&s->timer_ev);
		close(s->timer_ev.fd);
		s->timer_ev.fd = -1;
	}
}

const struct session_io session_io_loop = {
	.now = clock_now_ms,
	.attach = loop_attach,
	.send = loop_send,
	.arm = loop_arm,
	.take_fds = loop_take_fds,
	.release = loop_release,
};
