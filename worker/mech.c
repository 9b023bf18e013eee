/* mech.c: the worker's table of mechanism dialogs. */
#include "mech.h"

#include <string.h>

extern const struct mech_dialog mech_kbdint;
extern const struct mech_dialog mech_password;
extern const struct mech_dialog mech_totp;

static const struct mech_dialog *const dialogs[] = {
	&mech_password,
	&mech_kbdint,
	&mech_totp,
};

const struct mech_dialog *
mech_dialog_find(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(dialogs) / sizeof(dialogs[0]); i++)
		if (strcmp(dialogs[i]->name, name) == 0)
			return dialogs[i];
	return NULL;
}
