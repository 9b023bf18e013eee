/* SPDX-License-Identifier: ISC */
/*
 * session_requests.h: a logged-in front end's session requests (the
 * worker's SESSION_* messages), legal in SS_LOGGED_IN: checked against
 * the service's sessions policy and handed to the login's keeper
 * (keeper.h).  Each is answered once, with the session back in
 * SS_LOGGED_IN.
 */
#ifndef LB_SESSION_REQUESTS_H
#define LB_SESSION_REQUESTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "session.h"

struct session_request {
	uint32_t type;
	void (*handle)(struct session *s, const struct ipc_msg *in);
};

/* One row per SESSION_* message. */
extern const struct session_request session_requests[];
extern const size_t session_nrequests;

/* The PAM helper that proved this login's user waits to keep its
 * session: the session holds it (channel and pidfd now its) until a
 * session is opened or the connection ends. */
void session_keep_helper(struct session *s, struct ipc_chan *chan,
    int pidfd);

/* The connection ends: its keeper is let go of, and a running session
 * hung up unless the service's sessions outlive their front end or the
 * broker is stopping. */
void session_requests_end(struct session *s, bool stopping);

#endif
