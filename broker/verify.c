/* verify.c: the broker's table of verifiers. */
#include "verify.h"

#include "config.h"
#include "policy.h"

extern const struct verifier verify_kbdint;
extern const struct verifier verify_password;
extern const struct verifier verify_totp;
#ifdef LB_TEST_MECHANISMS
extern const struct verifier verify_echo;
#endif

/* One row per mechanism this build verifies (ipc/mechs.h). */
static const struct verifier *const verifiers[MECH_COUNT] = {
	[MECH_PASSWORD] = &verify_password,
	[MECH_KBDINT] = &verify_kbdint,
	[MECH_TOTP] = &verify_totp,
#ifdef LB_TEST_MECHANISMS
	[MECH_ECHO_TEST] = &verify_echo,
#endif
};

const struct verifier *
verifier_of(int m)
{
	return m >= 0 && m < MECH_COUNT ? verifiers[m] : NULL;
}

bool
verifier_exists(const char *mech)
{
	return verifier_of(mech_by_name(mech)) != NULL;
}

int
verifiers_prepare(const struct config *conf, const struct policy *p)
{
	policy_mechs named = 0;
	size_t i, j, k;
	int m;

	for (i = 0; i < p->nservices; i++)
		for (j = 0; j < p->services[i].nrules; j++)
			for (k = 0; k < p->services[i].rules[j].nsteps; k++)
				named |= p->services[i].rules[j].steps[k];
	for (m = 0; m < MECH_COUNT; m++)
		if (verifiers[m] != NULL && verifiers[m]->prepare != NULL &&
		    (named & (1u << m)) && verifiers[m]->prepare(conf, p) == -1)
			return -1;
	return 0;
}
