/* SPDX-License-Identifier: ISC */
/* mechs.c: the mechanisms' protocol names, and who answers them. */
#include "mechs.h"

#include <string.h>

#include "ipc_proto.h"

static const struct {
	const char *name;
	bool person;		/* prompts a person answers */
} mechs[MECH_COUNT] = {
	[MECH_PASSWORD] = { "password", true },
	[MECH_KBDINT] = { "keyboard-interactive", true },
	[MECH_GSSAPI] = { "gssapi-with-mic", false },
	[MECH_SCRAM_SHA_256] = { "scram-sha-256", false },
	[MECH_PLAIN] = { "plain", false },
	[MECH_TOTP] = { "totp", true },
	[MECH_DUO] = { "duo", true },
	[MECH_UNIX] = { "unix", false },
#ifdef LB_TEST_MECHANISMS
	[MECH_ECHO_TEST] = { "echo-test", false },
#endif
};

/* A session may be offered every mechanism at once. */
_Static_assert(MECH_COUNT <= MECH_MAX, "MECH_MAX below the mechanisms");

const char *
mech_name(int m)
{
	return m >= 0 && m < MECH_COUNT ? mechs[m].name : NULL;
}

bool
mech_name_prompts_person(const char *name)
{
	int m = mech_by_name(name);

	return m != -1 && mechs[m].person;
}

int
mech_by_name(const char *name)
{
	int m;

	for (m = 0; m < MECH_COUNT; m++)
		if (strcmp(mechs[m].name, name) == 0)
			return m;
	return -1;
}
