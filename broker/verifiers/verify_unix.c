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

#include "attempt.h"
#include "verify.h"

static int
unix_begin(struct attempt *a)
{
	struct passwd *pw = getpwnam(a->user);
	bool self = pw != NULL && pw->pw_uid == a->peer_uid;

	attempt_verified(a, self ? VERDICT_OK : VERDICT_FAILED,
	    self ? "peer-uid" : "not-the-peer");
	return 0;
}

const struct verifier verify_unix = {
	.begin = unix_begin,
	.no_secret = true,
};
