/* SPDX-License-Identifier: ISC */
/* verify.c: the broker's table of verifiers. */
#include "verify.h"

#include "chain.h"
#include "config.h"
#include "policy.h"

extern const struct verifier verify_duo;
extern const struct verifier verify_gss;
extern const struct verifier verify_kbdint;
extern const struct verifier verify_password;
extern const struct verifier verify_plain;
extern const struct verifier verify_scram;
extern const struct verifier verify_totp;
extern const struct verifier verify_unix;
#ifdef LB_TEST_MECHANISMS
extern const struct verifier verify_echo;
#endif

/* One row per mechanism this build verifies (ipc/mechs.h). */
static const struct verifier *const verifiers[MECH_COUNT] = {
	[MECH_PASSWORD] = &verify_password,
	[MECH_KBDINT] = &verify_kbdint,
	[MECH_GSSAPI] = &verify_gss,
	[MECH_SCRAM_SHA_256] = &verify_scram,
	[MECH_PLAIN] = &verify_plain,
	[MECH_TOTP] = &verify_totp,
	[MECH_UNIX] = &verify_unix,
	[MECH_DUO] = &verify_duo,
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

/* The mechanisms p names anywhere; a service with sessions needs the
 * PAM verifier too (its keepers come from the PAM zygote). */
static policy_mechs
named(const struct policy *p)
{
	policy_mechs all = 0;
	size_t i, j, k;

	for (i = 0; i < p->nservices; i++)
		if (p->services[i].sessions.enabled)
			all |= 1u << MECH_PASSWORD;
	for (i = 0; i < p->nservices; i++)
		for (j = 0; j < p->services[i].nrules; j++)
			for (k = 0; k < p->services[i].rules[j].nsteps; k++)
				all |= p->services[i].rules[j].steps[k];
	return all;
}

/* Every verifier p needs into out[MECH_COUNT + 1]: its mechanisms', and
 * the groups lookup when a rule names groups.  Returns how many. */
static size_t
needed(const struct policy *p, const struct verifier **out)
{
	policy_mechs all = named(p);
	size_t n = 0, i;
	int m;

	for (m = 0; m < MECH_COUNT; m++)
		if (verifiers[m] != NULL && (all & (1u << m)))
			out[n++] = verifiers[m];
	for (i = 0; i < p->nservices; i++)
		if (chain_needs_groups(&p->services[i])) {
			out[n++] = &groups_lookup;
			break;
		}
	return n;
}

/* Runs check, or check_keys, of every verifier the policy needs: every
 * problem told at once, as a policy's errors are. */
static int
check_all(const struct config *conf, const struct policy *p, bool keys)
{
	const struct verifier *v[MECH_COUNT + 1];
	int (*check)(const struct config *, const struct policy *);
	size_t n = needed(p, v), i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		check = keys ? v[i]->check_keys : v[i]->check;
		if (check != NULL && check(conf, p) == -1)
			rc = -1;
	}
	return rc;
}

int
verifiers_check(const struct config *conf, const struct policy *p)
{
	return check_all(conf, p, false);
}

int
verifiers_check_keys(const struct config *conf, const struct policy *p)
{
	return check_all(conf, p, true);
}

int
verifiers_prepare(const struct config *conf, const struct policy *p)
{
	const struct verifier *v[MECH_COUNT + 1];
	size_t n = needed(p, v), i;

	if (verifiers_check(conf, p) == -1)
		return -1;
	for (i = 0; i < n; i++)
		if (v[i]->prepare != NULL && v[i]->prepare(conf, p) == -1)
			return -1;
	return 0;
}

int
verifiers_prepared(const struct policy *p)
{
	const struct verifier *v[MECH_COUNT + 1];
	size_t n = needed(p, v), i;
	int state = 0, one;

	for (i = 0; i < n; i++) {
		if (v[i]->prepared == NULL)
			continue;
		if ((one = v[i]->prepared(p)) == -1)
			return -1;
		if (one == 1)
			state = 1;
	}
	return state;
}

static void (*on_settled)(void);

void
verifiers_on_settled(void (*fn)(void))
{
	on_settled = fn;
}

void
verifiers_settled(void)
{
	if (on_settled != NULL)
		on_settled();
}
