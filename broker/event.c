/* SPDX-License-Identifier: ISC */
/* event.c: epoll dispatch. */
#include "event.h"

#include <errno.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "ipc_chan.h"

/* Callbacks per wakeup; more wait for the next round. */
#define EVENT_BATCH	64

static int epfd = -1;
/* The batch being dispatched: event_del removes its event from the rest of
 * it, so that an owner may free an event right after event_del. */
static struct epoll_event ready[EVENT_BATCH];
static int nready, next_ready;

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

	ev->watching = events;
	return epoll_ctl(epfd, EPOLL_CTL_ADD, ev->fd, &ee);
}

int
event_mod(struct event *ev, uint32_t events)
{
	struct epoll_event ee = { .events = events, .data.ptr = ev };

	if (events == ev->watching)
		return 0;
	ev->watching = events;
	return epoll_ctl(epfd, EPOLL_CTL_MOD, ev->fd, &ee);
}

int
event_chan_flush(struct event *ev, struct ipc_chan *chan)
{
	int rc = ipc_chan_flush(chan);

	if (rc == -1)
		return -1;
	event_mod(ev, rc == 0 ? EPOLLIN | EPOLLOUT : EPOLLIN);
	return 0;
}

int
event_chan_ready(struct event *ev, struct ipc_chan *chan, uint32_t events)
{
	ssize_t n;

	if ((events & EPOLLOUT) && event_chan_flush(ev, chan) == -1)
		return -1;
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return 0;
	n = ipc_chan_read(chan);
	if (n == 0 || (n == -1 && errno != EAGAIN))
		return -1;
	return 1;
}

void
event_del(struct event *ev)
{
	int i;

	if (ev->fd != -1)
		(void)epoll_ctl(epfd, EPOLL_CTL_DEL, ev->fd, NULL);
	for (i = next_ready; i < nready; i++)
		if (ready[i].data.ptr == ev)
			ready[i].data.ptr = NULL;
}

int
event_dispatch(int timeout_ms)
{
	struct event *ev;

	nready = epoll_wait(epfd, ready, EVENT_BATCH, timeout_ms);
	if (nready == -1) {
		nready = 0;
		return errno == EINTR ? 0 : -1;
	}
	for (next_ready = 0; next_ready < nready; ) {
		ev = ready[next_ready].data.ptr;
		next_ready++;
		if (ev != NULL)
			ev->cb(ev, ready[next_ready - 1].events);
	}
	nready = 0;
	return 0;
}
