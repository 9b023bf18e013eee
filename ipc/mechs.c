/* mechs.c: the mechanisms' protocol names. */
#include "mechs.h"

#include <string.h>

#include "ipc_proto.h"

static const char *const names[MECH_COUNT] = {
	[MECH_PASSWORD] = "password",
	[MECH_KBDINT] = "keyboard-interactive",
	[MECH_GSSAPI] = "gssapi-with-mic",
	[MECH_SCRAM_SHA_256] = "scram-sha-256",
	[MECH_PLAIN] = "plain",
	[MECH_TOTP] = "totp",
	[MECH_DUO] = "duo",
	[MECH_UNIX] = "unix",
#ifdef LB_TEST_MECHANISMS
	[MECH_ECHO_TEST] = "echo-test",
#endif
};

/* A session may be offered every mechanism at once. */
_Static_assert(MECH_COUNT <= MECH_MAX, "MECH_MAX below the mechanisms");

const char *
mech_name(int m)
{
	return m >= 0 && m < MECH_COUNT ? names[m] : NULL;
}

int
mech_by_name(const char *name)
{
	int m;

	for (m = 0; m < MECH_COUNT; m++)
		if (strcmp(names[m], name) == 0)
			return m;
	return -1;
}
