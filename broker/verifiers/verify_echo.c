/* SPDX-License-Identifier: ISC */
/*
 * verify_echo.c: the verifier of echo-test, a mechanism built only into
 * test builds (-Dtest_mechanisms=true).  It sends 16 random bytes; the
 * client proves it saw them by sending them back reversed, and the
 * success carries them inverted as final data for the client to check.
 * It has no secret: it exists to test the mechanism-data path.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include "msg.h"
#include "attempt.h"
#include "verify.h"

#define CHALLENGE_LEN	16

struct echo {
	uint8_t challenge[CHALLENGE_LEN];
};

static int
echo_begin(struct attempt *a)
{
	struct echo *e;

	if ((e = calloc(1, sizeof(*e))) == NULL ||
	    getrandom(e->challenge, sizeof(e->challenge), 0) !=
	    (ssize_t)sizeof(e->challenge)) {
		free(e);
		return -1;
	}
	a->vstate = e;
	attempt_data(a, e->challenge, sizeof(e->challenge));
	return 0;
}

static int
echo_data(struct attempt *a, const struct msg_data *d)
{
	struct echo *e = a->vstate;
	uint8_t final[CHALLENGE_LEN];
	size_t i;

	if (d->len != CHALLENGE_LEN) {
		attempt_verified(a, VERDICT_FAILED, "wrong-echo");
		return 0;
	}
	for (i = 0; i < CHALLENGE_LEN; i++) {
		if (d->bytes[i] != e->challenge[CHALLENGE_LEN - 1 - i]) {
			attempt_verified(a, VERDICT_FAILED, "wrong-echo");
			return 0;
		}
		final[i] = (uint8_t)~e->challenge[i];
	}
	attempt_verified_data(a, VERDICT_OK, "echo", final, sizeof(final));
	return 0;
}

static void
echo_cancel(struct attempt *a)
{
	free(a->vstate);
	a->vstate = NULL;
}

const struct verifier verify_echo = {
	.begin = echo_begin,
	.data = echo_data,
	.cancel = echo_cancel,
};
