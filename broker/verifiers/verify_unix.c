/* SPDX-License-Identifier: ISC */
/*
 * verify_unix.c: the unix mechanism: the connecting process's own uid
 * (SO_PEERCRED, taken by the listener) logs in as the user of that uid,
 * with no secret, as the daemon the protocol comes from offers it.  The
 * policy decides where that is allowed (a service for local peers).  A
 * failure is not counted toward the lockout: it guessed nothing, and a
 * local user must not be able to lock others out with it.
 */
#include <pwd.h>
#include <stdbool.h>
#include <string.h>

#include "attempt.h"
#include "verify.h"

/* The peer's own name, looked up by its uid (the same lookup each time,
 * whatever name a client sends), must be the user's.  A front end that
 * set a context serves someone else: its uid proves nothing of them. */
static int
unix_begin(struct attempt *a)
{
	struct passwd *pw;
	const char *why = NULL;

	if (a->remote_host[0] != '\0')
		why = "front-end-context";
	else if ((pw = getpwuid(a->peer_uid)) == NULL ||
	    strcmp(pw->pw_name, a->user) != 0)
		why = "not-the-peer";
	attempt_verified(a, why == NULL ? VERDICT_OK : VERDICT_FAILED,
	    why == NULL ? "peer-uid" : why);
	return 0;
}

const struct verifier verify_unix = {
	.begin = unix_begin,
	.no_secret = true,
};
