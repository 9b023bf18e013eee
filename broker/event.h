/* SPDX-License-Identifier: ISC */
/*
 * event.h: the broker's event loop, a thin layer over epoll.  Each source
 * is an embedded struct event whose callback gets the ready events.  The
 * loop never blocks anywhere but in epoll_wait.
 */
#ifndef LB_EVENT_H
#define LB_EVENT_H

#include <stdint.h>

struct ipc_chan;

struct event {
	int fd;
	void (*cb)(struct event *ev, uint32_t events);
	void *ctx;
	uint32_t watching;	/* what epoll has for it now */
};

/* Creates the epoll set: 0 or -1. */
int event_init(void);

/* Watches ev->fd for events (EPOLLIN, EPOLLOUT): 0 or -1. */
int event_add(struct event *ev, uint32_t events);

/* Changes what ev waits for: 0 or -1. */
int event_mod(struct event *ev, uint32_t events);

/* Stops watching ev (before its fd is closed); its owner may free it at
 * once, even from a callback of the same round. */
void event_del(struct event *ev);

/* Writes what chan (whose socket ev watches) has queued, and watches for
 * EPOLLOUT only while some remains: 0, or -1 when the peer is gone. */
int event_chan_flush(struct event *ev, struct ipc_chan *chan);

/* Serves a channel's event: flushes on EPOLLOUT, reads on EPOLLIN.  1 when
 * messages may be waiting (take them with ipc_chan_get), 0 when there is
 * nothing to read, -1 when the peer is gone. */
int event_chan_ready(struct event *ev, struct ipc_chan *chan,
    uint32_t events);

/* Waits up to timeout_ms (-1: forever) and runs the ready callbacks. */
int event_dispatch(int timeout_ms);

#endif
