/* SPDX-License-Identifier: ISC */
/*
 * session_io.h: everything a session does outside its own memory, in one
 * small interface: learn the time, take its worker's channel, send to
 * it, keep its one deadline, and let go of (or kill) the worker.  The
 * session's logic (session.c) does no I/O of its own, so a test can drive
 * every state and message with a recording implementation and its own
 * clock (tests/broker/test_session.c), as client_proto.c is driven.
 */
#ifndef LB_SESSION_IO_H
#define LB_SESSION_IO_H

#include <stdbool.h>
#include <stdint.h>

struct session;
struct spawn_child;

struct session_io {
	/* The monotonic clock, in milliseconds. */
	uint64_t (*now)(void);
	/* Takes a ready worker's channel (child's descriptors now the
	 * session's) and watches it: 0, or -1. */
	int (*attach)(struct session *s, const struct spawn_child *child);
	/* Sends the worker message m of type (m NULL: empty) with peerid
	 * and fd (or -1), as far as the socket takes it: 0, or -1 with errno
	 * ENOBUFS (its queue is full) or EPIPE (it is gone). */
	int (*send)(struct session *s, uint32_t type, uint32_t peerid, int fd,
	    const void *m);
	/* Wakes the session (session_on_deadline) at at_ms; 0: never. */
	int (*arm)(struct session *s, uint64_t at_ms);
	/* From now on takes descriptors from the worker (a session's
	 * stdin, stdout and stderr, at most SESSION_FDS_MAX in flight),
	 * which it refused until then. */
	void (*take_fds)(struct session *s);
	/* SIGKILLs the worker and lets go of it and the timer: a worker
	 * that closed its channel may still be running. */
	void (*release)(struct session *s);
};

/* The event loop's: an ipc channel watched by epoll, a timerfd, the
 * worker's pidfd. */
extern const struct session_io session_io_loop;

#endif
