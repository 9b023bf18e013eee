/* SPDX-License-Identifier: ISC */
/*
 * front.h: how a worker takes its client's requests, by the protocol its
 * socket speaks (enum front_end): the line protocol (front_line.c) or
 * greetd's frames (greetd_proto.c).  Each keeps its own bounded input and
 * hands whole requests to the session (client_proto.h); session_loop.c
 * moves the bytes and knows no protocol.
 */
#ifndef LB_FRONT_H
#define LB_FRONT_H

#include <stdbool.h>
#include <stddef.h>

#include "client_proto.h"

struct front {
	/* Takes over the session as ws_start left it (its replies). */
	void (*start)(struct wsession *ws);
	/* Where the client's next bytes go; *room 0: none now. */
	char *(*space)(size_t *room);
	/* n bytes were read into that space. */
	void (*added)(size_t n);
	/* Handles one buffered request, or a step of its own that is due:
	 * true when it did.  Called while ws wants a request and no reply
	 * is unsent. */
	bool (*handle)(struct wsession *ws);
	/* True when the client's silence counts against the idle timeout
	 * now (a greeter waiting for the next person: no). */
	bool (*idle_clock)(const struct wsession *ws);
	/* Wipes what is buffered: it may hold a password. */
	void (*reset)(void);
	/* The protocol passes descriptors (session start's stdio). */
	bool takes_fds;
};

/* The line protocol's, and greetd's. */
extern const struct front front_line;
extern const struct front front_greetd;

#endif
