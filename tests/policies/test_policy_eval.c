/* SPDX-License-Identifier: ISC */
/*
 * test_policy_eval.c: the example policies (policies/examples/) decide as
 * their comments say: each row is a peer, a user with groups, a remote
 * address, and the chain (or refusal) expected.  The peers' names come
 * from tests/fixtures/passwd through nss_wrapper (tests/meson.build).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "policy.h"
#include "testlib.h"

#define ROOT	0
#define LIGHTDM	950
#define ALICE	1001

struct row {
	const char *example;
	uid_t peer_uid;
	gid_t peer_gid;
	const char *service;		/* expected; NULL: no service (502) */
	const char *user;
	const char *groups;		/* comma-separated */
	const char *from;		/* NULL: no context */
	const char *chain;		/* "a|b > c", "deny" or "no-rule" */
	const char *rule;		/* the deciding rule as written in
					 * the example; NULL: no rule */
};

static const struct row rows[] = {
	/* The greeter: only lightdm's uid; admins need a second factor. */
	{ "greeter", LIGHTDM, LIGHTDM, "greeter", "bob", "bob", NULL,
	    "password|keyboard-interactive",
	    "allow password or keyboard-interactive" },
	{ "greeter", LIGHTDM, LIGHTDM, "greeter", "alice", "alice,admins",
	    NULL, "password > totp", "allow password then totp group admins" },
	{ "greeter", LIGHTDM, LIGHTDM, "greeter", "carol", "admins", NULL,
	    "password > totp", "allow password then totp group admins" },
	{ "greeter", LIGHTDM, LIGHTDM, "greeter", "backup", "backup", NULL,
	    "deny", "deny user backup,root" },
	{ "greeter", LIGHTDM, LIGHTDM, "greeter", "root", "root,admins", NULL,
	    "deny", "deny user backup,root" },
	/* A context the greeter may not send changes nothing here. */
	{ "greeter", LIGHTDM, LIGHTDM, "greeter", "bob", "", "10.1.2.3",
	    "password|keyboard-interactive",
	    "allow password or keyboard-interactive" },
	{ "greeter", ROOT, ROOT, NULL, "bob", "", NULL, NULL, NULL },
	{ "greeter", ALICE, LIGHTDM, NULL, "bob", "", NULL, NULL, NULL },

	/* The remote shell: one factor from the management network. */
	{ "remote-shell", ROOT, ROOT, "remote-shell", "alice", "admins",
	    "10.20.30.40", "password|keyboard-interactive",
	    "allow keyboard-interactive or password from 10.0.0.0/8,fd00::/8" },
	{ "remote-shell", ROOT, ROOT, "remote-shell", "bob", "", "fd00::7",
	    "password|keyboard-interactive",
	    "allow keyboard-interactive or password from 10.0.0.0/8,fd00::/8" },
	{ "remote-shell", ROOT, ROOT, "remote-shell", "bob", "",
	    "::ffff:10.0.0.1", "password|keyboard-interactive",
	    "allow keyboard-interactive or password from 10.0.0.0/8,fd00::/8" },
	{ "remote-shell", ROOT, ROOT, "remote-shell", "bob", "",
	    "192.0.2.10", "password|keyboard-interactive > totp",
	    "allow keyboard-interactive or password then totp" },
	{ "remote-shell", ROOT, ROOT, "remote-shell", "bob", "", "11.0.0.1",
	    "password|keyboard-interactive > totp",
	    "allow keyboard-interactive or password then totp" },
	{ "remote-shell", ROOT, ROOT, "remote-shell", "bob", "", "2001:db8::1",
	    "password|keyboard-interactive > totp",
	    "allow keyboard-interactive or password then totp" },
	{ "remote-shell", ROOT, ROOT, "remote-shell", "bob", "", NULL,
	    "password|keyboard-interactive > totp",
	    "allow keyboard-interactive or password then totp" },
	{ "remote-shell", ROOT, ROOT, "remote-shell", "root", "root",
	    "10.0.0.1", "deny", "deny user root" },
	{ "remote-shell", LIGHTDM, LIGHTDM, NULL, "bob", "", NULL, NULL, NULL },

	/* The console: always two factors, never root. */
	{ "console", ROOT, ROOT, "console", "alice", "admins", NULL,
	    "password > totp", "allow password then totp" },
	{ "console", ROOT, ROOT, "console", "bob", "", "10.0.0.1",
	    "password > totp", "allow password then totp" },
	{ "console", ROOT, ROOT, "console", "root", "root", NULL, "deny",
	    "deny user root" },
	{ "console", ALICE, ALICE, NULL, "alice", "", NULL, NULL, NULL },
};

static struct policy *
load_example(const char *name)
{
	static const struct policy_hooks hooks = { NULL, NULL, NULL };
	struct policy_errors errs;
	struct policy *p;
	char path[512];
	size_t i;

	snprintf(path, sizeof(path), "%s/%s.conf", getenv("LB_EXAMPLES"),
	    name);
	p = policy_load(path, &hooks, &errs);
	for (i = 0; i < errs.n; i++)
		print_error("%s\n", errs.text[i]);
	assert_non_null(p);
	return p;
}

/* A rule's chain in the rows' notation. */
static void
chain_text(const struct policy_rule *r, char *buf, size_t cap)
{
	size_t len = 0, step;
	int m;

	if (r == NULL || r->deny) {
		snprintf(buf, cap, "%s", r == NULL ? "no-rule" : "deny");
		return;
	}
	buf[0] = '\0';
	for (step = 0; step < r->nsteps; step++) {
		bool first = true;

		if (step > 0)
			len += (size_t)snprintf(buf + len, cap - len, " > ");
		for (m = 0; m < MECH_COUNT; m++) {
			if (!(r->steps[step] & (1u << m)))
				continue;
			len += (size_t)snprintf(buf + len, cap - len, "%s%s",
			    first ? "" : "|", mech_name(m));
			first = false;
		}
	}
}

static void
test_examples_decide_as_documented(void **state)
{
	const char *groups[POLICY_GROUPS_MAX];
	char gbuf[256], got[128], *g, *save;
	const struct policy_service *svc;
	const struct policy_rule *r;
	struct policy_net from;
	struct policy *p;
	unsigned want_line;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *row = &rows[i];
		struct policy_query q = { .user = row->user, .groups = groups };

		p = load_example(row->example);
		svc = policy_service_for_peer(p, row->peer_uid, row->peer_gid);
		if (row->service == NULL) {
			if (svc != NULL)
				fail_msg("row %zu: peer %u got service %s", i,
				    (unsigned)row->peer_uid, svc->name);
			policy_unref(p);
			continue;
		}
		assert_non_null(svc);
		assert_string_equal(svc->name, row->service);
		snprintf(gbuf, sizeof(gbuf), "%s", row->groups);
		for (g = strtok_r(gbuf, ",", &save); g != NULL;
		    g = strtok_r(NULL, ",", &save))
			groups[q.ngroups++] = g;
		if (row->from != NULL) {
			assert_int_equal(policy_net_parse(row->from, &from), 0);
			q.from = &from;
		}
		r = policy_match(svc, &q);
		chain_text(r, got, sizeof(got));
		want_line = row->rule != NULL ?
		    test_example_line(row->example, row->rule) : 0;
		if (strcmp(got, row->chain) != 0 ||
		    (r != NULL ? r->line : 0) != want_line)
			fail_msg("row %zu (%s, %s from %s): got %s by line %u, "
			    "want %s by line %u (%s)", i, row->example,
			    row->user, row->from != NULL ? row->from : "-",
			    got, r != NULL ? r->line : 0, row->chain,
			    want_line, row->rule != NULL ? row->rule : "-");
		policy_unref(p);
	}
}

/* lsauth before a user is known: the first steps of the allow rules
 * whose context can hold, and nothing of the steps after them. */
static void
test_first_mechanisms_follow_the_context(void **state)
{
	static const char text[] =
	    "service s {\n"
	    "\tpeer any\n"
	    "\tallow gssapi-with-mic from 192.0.2.0/24\n"
	    "\tallow keyboard-interactive then duo remote-user jump\n"
	    "\tallow totp then scram-sha-256 from 198.51.100.0/24 "
	    "remote-user ops\n"
	    "\tdeny from 203.0.113.0/24\n"
	    "\tallow password\n"
	    "}\n";
	static const struct policy_hooks hooks = { NULL, NULL, NULL };
	const policy_mechs pw = 1u << MECH_PASSWORD, gss = 1u << MECH_GSSAPI,
	    kbd = 1u << MECH_KBDINT, totp = 1u << MECH_TOTP;
	struct policy_errors errs;
	struct policy_net in, out, ops_net, denied;
	struct policy *p = policy_parse("t", text, sizeof(text) - 1, &hooks,
	    &errs);
	const struct policy_service *svc;

	assert_non_null(p);
	svc = &p->services[0];
	assert_int_equal(policy_net_parse("192.0.2.77", &in), 0);
	assert_int_equal(policy_net_parse("10.9.9.9", &out), 0);
	assert_int_equal(policy_net_parse("198.51.100.7", &ops_net), 0);
	assert_int_equal(policy_net_parse("203.0.113.1", &denied), 0);

	/* Without a context only the rule without conditions is left. */
	assert_int_equal(policy_first_mechs(svc, NULL, NULL), pw);
	/* from: an address inside the network adds its rule, outside not. */
	assert_int_equal(policy_first_mechs(svc, &in, NULL), pw | gss);
	assert_int_equal(policy_first_mechs(svc, &out, NULL), pw);
	/* remote-user: the named user adds its rule, another one not. */
	assert_int_equal(policy_first_mechs(svc, NULL, "jump"), pw | kbd);
	assert_int_equal(policy_first_mechs(svc, NULL, "other"), pw);
	assert_int_equal(policy_first_mechs(svc, &out, "jump"), pw | kbd);
	assert_int_equal(policy_first_mechs(svc, &in, "jump"),
	    pw | gss | kbd);
	/* Both conditions of one rule must hold. */
	assert_int_equal(policy_first_mechs(svc, &ops_net, "ops"), pw | totp);
	assert_int_equal(policy_first_mechs(svc, &ops_net, NULL), pw);
	assert_int_equal(policy_first_mechs(svc, &in, "ops"), pw | gss);
	/* A deny rule takes nothing away: denials are not announced. */
	assert_int_equal(policy_first_mechs(svc, &denied, NULL), pw);
	/* What the service names at all, later steps included: what its
	 * verifiers must prepare for. */
	assert_true(policy_service_uses(svc, 1u << MECH_DUO));
	assert_true(policy_service_uses(svc, 1u << MECH_SCRAM_SHA_256));
	assert_true(policy_service_uses(svc, pw | gss));
	assert_false(policy_service_uses(svc, 1u << MECH_PLAIN));
	policy_unref(p);
}

/* act-for grants the names it lists, and a rule without it nobody. */
static void
test_act_for_grants_only_the_named_users(void **state)
{
	static const char text[] =
	    "service s {\n"
	    "\tpeer any\n"
	    "\tallow plain user admin act-for alice,bob\n"
	    "\tallow plain\n"
	    "}\n";
	static const struct policy_hooks hooks = { NULL, NULL, NULL };
	struct policy_errors errs;
	struct policy *p = policy_parse("t", text, sizeof(text) - 1, &hooks,
	    &errs);

	assert_non_null(p);
	assert_true(policy_rule_acts_for(&p->services[0].rules[0], "alice"));
	assert_true(policy_rule_acts_for(&p->services[0].rules[0], "bob"));
	assert_false(policy_rule_acts_for(&p->services[0].rules[0], "carol"));
	assert_false(policy_rule_acts_for(&p->services[0].rules[1], "alice"));
	policy_unref(p);
}

/* Sessions: off unless "sessions yes"; the default variables, or only
 * those session-env names; the login shell always (the broker's), other
 * commands only by their exact path; the limits' defaults. */
static void
test_sessions_allow_only_what_the_policy_names(void **state)
{
	static const char text[] =
	    "service plain {\n"
	    "\tpeer uid 1\n"
	    "\tallow password\n"
	    "}\n"
	    "service greeter {\n"
	    "\tpeer any\n"
	    "\tallow password\n"
	    "\tsessions yes\n"
	    "\tsession-outlives-client yes\n"
	    "\tsession-env XDG_SESSION_TYPE,LANG\n"
	    "\tsession-command /usr/bin/startplasma-wayland\n"
	    "\tsession-command /usr/bin/sway\n"
	    "\tsessions-per-user 2\n"
	    "}\n";
	static const struct policy_hooks hooks = { NULL, NULL, NULL };
	struct policy_errors errs;
	struct policy *p = policy_parse("t", text, sizeof(text) - 1, &hooks,
	    &errs);
	const struct policy_service *plain, *greeter;

	assert_non_null(p);
	plain = &p->services[0];
	greeter = &p->services[1];
	assert_false(plain->sessions.enabled);
	assert_false(plain->sessions.outlive_client);
	assert_int_equal(plain->sessions.per_user, 8);
	assert_int_equal(plain->sessions.max, 256);
	assert_true(policy_session_env_allowed(plain, "XDG_SEAT"));
	assert_true(policy_session_env_allowed(plain, "TERM"));
	assert_false(policy_session_env_allowed(plain, "LD_PRELOAD"));
	assert_false(policy_session_command_allowed(plain, "/bin/sh"));

	assert_true(greeter->sessions.enabled);
	assert_true(greeter->sessions.outlive_client);
	assert_int_equal(greeter->sessions.per_user, 2);
	assert_true(policy_session_env_allowed(greeter, "LANG"));
	assert_false(policy_session_env_allowed(greeter, "TERM"));
	assert_true(policy_session_command_allowed(greeter,
	    "/usr/bin/sway"));
	assert_false(policy_session_command_allowed(greeter,
	    "/usr/bin/sway2"));
	assert_false(policy_session_command_allowed(greeter, "/usr/bin"));
	policy_unref(p);
}

/* Conditions together must all hold; remote-user needs a context. */
static void
test_conditions_combine_and_remote_user_matches(void **state)
{
	static const char text[] =
	    "service s {\n"
	    "\tpeer gid 7\n"
	    "\ttrusted-peer uid 5\n"
	    "\tallow totp user alice group ops from 192.0.2.0/24\n"
	    "\tallow keyboard-interactive remote-user jump\n"
	    "\tallow password\n"
	    "}\n";
	static const struct policy_hooks hooks = { NULL, NULL, NULL };
	const char *ops[] = { "ops" };
	struct policy_errors errs;
	struct policy_net in, out;
	struct policy *p = policy_parse("t", text, sizeof(text) - 1, &hooks,
	    &errs);
	const struct policy_service *svc;
	struct policy_query q = { "alice", ops, 1, &in, NULL };

	assert_non_null(p);
	assert_int_equal(policy_net_parse("192.0.2.77", &in), 0);
	assert_int_equal(policy_net_parse("192.0.3.1", &out), 0);
	assert_null(policy_service_for_peer(p, 5, 5));
	assert_non_null(svc = policy_service_for_peer(p, 5, 7));
	assert_true(policy_peer_trusted(svc, 5, 7));
	assert_false(policy_peer_trusted(svc, 6, 7));
	assert_int_equal(policy_match(svc, &q)->line, 4);
	q.ngroups = 0;
	assert_int_equal(policy_match(svc, &q)->line, 6);
	q.ngroups = 1;
	q.from = &out;
	assert_int_equal(policy_match(svc, &q)->line, 6);
	q.remote_user = "jump";
	assert_int_equal(policy_match(svc, &q)->line, 5);
	q.from = NULL;
	q.user = "bob";
	assert_int_equal(policy_match(svc, &q)->line, 5);
	policy_unref(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_examples_decide_as_documented),
		cmocka_unit_test(test_first_mechanisms_follow_the_context),
		cmocka_unit_test(test_conditions_combine_and_remote_user_matches),
		cmocka_unit_test(test_act_for_grants_only_the_named_users),
		cmocka_unit_test(
		    test_sessions_allow_only_what_the_policy_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
