/* verify.c: the broker's table of verifiers. */
#include "verify.h"

#include <string.h>

#include "config.h"

extern const struct verifier verify_kbdint;
extern const struct verifier verify_password;

static const struct verifier *const verifiers[] = {
	&verify_password,
	&verify_kbdint,
};

const struct verifier *
verifier_find(const char *mech)
{
	size_t i;

	for (i = 0; i < sizeof(verifiers) / sizeof(verifiers[0]); i++)
		if (strcmp(verifiers[i]->mech, mech) == 0)
			return verifiers[i];
	return NULL;
}

int
verifiers_setup(const struct config *conf)
{
	size_t i;

	for (i = 0; i < conf->nmechanisms; i++)
		if (verifier_find(conf->mechanisms[i])->setup(conf) == -1)
			return -1;
	return 0;
}
