/* event.c: epoll dispatch. */
#include "event.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

/* Callbacks per wakeup; more wait for the next round. */
#define EVENT_BATCH	64

static int epfd = -1;

int
event_init(void)
{
	epfd = epoll_create1(EPOLL_CLOEXEC);
	return epfd == -1 ? -1 : 0;
}

int
event_add(struct event *ev, uint32_t events)
{
	struct epoll_event ee = { .events = events, .data.ptr = ev };

	return epoll_ctl(epfd, EPOLL_CTL_ADD, ev->fd, &ee);
}

int
event_mod(struct event *ev, uint32_t events)
{
	struct epoll_event ee = { .events = events, .data.ptr = ev };

	return epoll_ctl(epfd, EPOLL_CTL_MOD, ev->fd, &ee);
}

void
event_del(struct event *ev)
{
	if (ev->fd != -1)
		(void)epoll_ctl(epfd, EPOLL_CTL_DEL, ev->fd, NULL);
}

int
event_dispatch(int timeout_ms)
{
	struct epoll_event ready[EVENT_BATCH];
	struct event *ev;
	int i, n;

	n = epoll_wait(epfd, ready, EVENT_BATCH, timeout_ms);
	if (n == -1)
		return errno == EINTR ? 0 : -1;
	/* A callback may end a session whose events are later in this
	 * batch: sessions are freed only after the round (session_reap). */
	for (i = 0; i < n; i++) {
		ev = ready[i].data.ptr;
		ev->cb(ev, ready[i].events);
	}
	return 0;
}
