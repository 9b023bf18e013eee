/* SPDX-License-Identifier: ISC */
/* mech.c: the worker's table of mechanism dialogs. */
#include "mech.h"

#include <string.h>

extern const struct mech_dialog mech_data_steps;
extern const struct mech_dialog mech_kbdint;
extern const struct mech_dialog mech_password;
extern const struct mech_dialog mech_plain;
extern const struct mech_dialog mech_sasl_steps;

/* unix shows nothing: the broker knows the peer's uid. */
static const struct mech_dialog mech_unix = { 0 };

/* One row per mechanism this build has a dialog for (ipc/mechs.h). */
static const struct mech_dialog *const dialogs[MECH_COUNT] = {
	[MECH_PASSWORD] = &mech_password,
	[MECH_KBDINT] = &mech_kbdint,
	[MECH_GSSAPI] = &mech_data_steps,
	[MECH_SCRAM_SHA_256] = &mech_sasl_steps,
	[MECH_PLAIN] = &mech_plain,
	[MECH_TOTP] = &mech_password,
	[MECH_DUO] = &mech_password,
	[MECH_UNIX] = &mech_unix,
#ifdef LB_TEST_MECHANISMS
	[MECH_ECHO_TEST] = &mech_data_steps,
#endif
};

const struct mech_dialog *
mech_dialog_of(int m)
{
	return m >= 0 && m < MECH_COUNT ? dialogs[m] : NULL;
}

const struct mech_dialog *
mech_dialog_find(const char *name)
{
	return mech_dialog_of(mech_by_name(name));
}
