/* verify.c: the broker's table of verifiers. */
#include "verify.h"

#include <string.h>

#include "config.h"
#include "policy.h"

extern const struct verifier verify_kbdint;
extern const struct verifier verify_password;
extern const struct verifier verify_totp;

static const struct verifier *const verifiers[] = {
	&verify_password,
	&verify_kbdint,
	&verify_totp,
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

bool
verifier_exists(const char *mech)
{
	return verifier_find(mech) != NULL;
}

int
verifiers_prepare(const struct config *conf, const struct policy *p)
{
	policy_mechs named = 0;
	size_t i, j, k;

	for (i = 0; i < p->nservices; i++)
		for (j = 0; j < p->services[i].nrules; j++)
			for (k = 0; k < p->services[i].rules[j].nsteps; k++)
				named |= p->services[i].rules[j].steps[k];
	for (i = 0; i < sizeof(verifiers) / sizeof(verifiers[0]); i++)
		if ((named & (1u << policy_mech_index(verifiers[i]->mech))) &&
		    verifiers[i]->prepare(conf, p) == -1)
			return -1;
	return 0;
}
