/* SPDX-License-Identifier: ISC */
/*
 * test_mechanisms.c: the one list of mechanisms (ipc/mechs.h) and the
 * tables built on it agree: every mechanism the broker verifies has a
 * worker dialog and the other way round, every name maps back to itself,
 * and a policy may name a mechanism exactly when this build verifies it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "mech.h"
#include "mechs.h"
#include "policy.h"
#include "verify.h"

static void
test_every_name_maps_back_to_its_mechanism(void **state)
{
	int m;

	for (m = 0; m < MECH_COUNT; m++) {
		assert_non_null(mech_name(m));
		assert_int_equal(mech_by_name(mech_name(m)), m);
	}
	assert_null(mech_name(MECH_COUNT));
	assert_null(mech_name(-1));
	assert_int_equal(mech_by_name("telepathy"), -1);
	assert_int_equal(mech_by_name("PASSWORD"), -1);
}

static void
test_verifiers_and_dialogs_come_in_pairs(void **state)
{
	int m, pairs = 0;

	for (m = 0; m < MECH_COUNT; m++) {
		if ((verifier_of(m) != NULL) != (mech_dialog_of(m) != NULL))
			fail_msg("%s has a %s but no %s", mech_name(m),
			    verifier_of(m) != NULL ? "verifier" : "dialog",
			    verifier_of(m) != NULL ? "dialog" : "verifier");
		pairs += verifier_of(m) != NULL;
		if (mech_dialog_of(m) != NULL)
			assert_ptr_equal(mech_dialog_find(mech_name(m)),
			    mech_dialog_of(m));
	}
	/* password, keyboard-interactive and totp at least. */
	assert_true(pairs >= 3);
	assert_null(verifier_of(MECH_COUNT));
	assert_null(mech_dialog_of(MECH_COUNT));
}

/* "allow NAME" parses exactly when the broker has NAME's verifier. */
static void
test_a_policy_names_only_what_the_build_verifies(void **state)
{
	static const struct policy_hooks hooks = { NULL, verifier_exists,
	    NULL };
	char text[256], want[128];
	struct policy_errors errs;
	struct policy *p;
	int m;

	for (m = 0; m < MECH_COUNT; m++) {
		snprintf(text, sizeof(text), "service s {\n\tpeer any\n"
		    "\tallow %s\n}\n", mech_name(m));
		p = policy_parse("p", text, strlen(text), &hooks, &errs);
		if (verifier_of(m) != NULL) {
			assert_non_null(p);
			policy_unref(p);
			continue;
		}
		assert_null(p);
		snprintf(want, sizeof(want), "p:3:8: mechanism '%s' is not "
		    "available in this build", mech_name(m));
		assert_string_equal(errs.text[0], want);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_name_maps_back_to_its_mechanism),
		cmocka_unit_test(test_verifiers_and_dialogs_come_in_pairs),
		cmocka_unit_test(
		    test_a_policy_names_only_what_the_build_verifies),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
