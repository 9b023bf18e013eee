/*
 * event.h: the broker's event loop, a thin layer over epoll.  Each source
 * is an embedded struct event whose callback gets the ready events.  The
 * loop never blocks anywhere but in epoll_wait.
 */
#ifndef LB_EVENT_H
#define LB_EVENT_H

#include <stdint.h>

struct event {
	int fd;
	void (*cb)(struct event *ev, uint32_t events);
	void *ctx;
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

/* Waits up to timeout_ms (-1: forever) and runs the ready callbacks. */
int event_dispatch(int timeout_ms);

#endif
