/*
 * test_policy_parse.c: broken policies give exact "FILE:LINE:COLUMN:
 * message" errors, every one in a file, and nothing half-parsed is
 * returned; good ones parse into the tables the evaluator reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "policy.h"

/* The mechanisms this "build" provides: duo is known but missing. */
static bool
available(const char *mech)
{
	return strcmp(mech, "duo") != 0;
}

static const char *
setting(void *ctx, const char *key, const char *value, bool *bad_key)
{
	if (strcmp(key, "socket") != 0) {
		*bad_key = true;
		return "unknown keyword";
	}
	return value != NULL && value[0] != '/' ? "must be an absolute path" :
	    NULL;
}

static const struct policy_hooks hooks = { setting, available, NULL };

/* A valid service around a line under test. */
#define SERVICE(line)	"service s {\npeer any\n" line "\nallow password\n}\n"

static const struct {
	const char *text;
	const char *errors;	/* each ending in '\n' */
} broken[] = {
	{ SERVICE("allow pasword"),
	    "p:3:7: unknown mechanism 'pasword'\n" },
	{ SERVICE("allow duo"),
	    "p:3:7: mechanism 'duo' is not available in this build\n" },
	{ SERVICE("allow password then password"),
	    "p:3:21: mechanism 'password' appears twice in the chain\n" },
	{ SERVICE("allow password then"),
	    "p:3:16: expected a mechanism after 'then'\n" },
	{ SERVICE("allow totp then totp or password then plain then "
	    "keyboard-interactive then gssapi-with-mic"),
	    "p:3:17: mechanism 'totp' appears twice in the chain\n" },
	{ SERVICE("allow password then totp then plain then "
	    "keyboard-interactive then gssapi-with-mic"),
	    "p:3:63: more than 4 factors in a chain\n" },
	{ SERVICE("allow password for alice"),
	    "p:3:16: expected 'user', 'group', 'from' or 'remote-user', got "
	    "'for'\n" },
	{ SERVICE("deny user a user b"),
	    "p:3:13: condition 'user' given twice\n" },
	{ SERVICE("deny group"),
	    "p:3:6: expected a list after 'group'\n" },
	{ SERVICE("deny user alice,,bob"),
	    "p:3:17: expected a name of 1 to 63 bytes\n" },
	{ SERVICE("allow totp from 10.0.0.0/8,300.1.1.1"),
	    "p:3:28: expected an address or ADDRESS/PREFIX, got '300.1.1.1'\n" },
	{ SERVICE("allow totp from fd00::/129"),
	    "p:3:17: expected an address or ADDRESS/PREFIX, got 'fd00::/129'\n" },
	{ SERVICE("peer uid -1"),
	    "p:3:10: expected a number from 0 to 4294967294, got '-1'\n" },
	{ SERVICE("peer usr 5"),
	    "p:3:6: expected 'any', 'uid', 'gid', 'user' or 'group', got "
	    "'usr'\n" },
	{ SERVICE("peer user no-such-user-here"),
	    "p:3:11: unknown user 'no-such-user-here'\n" },
	{ SERVICE("attempts 0"),
	    "p:3:10: expected a number from 1 to 100, got '0'\n" },
	{ SERVICE("prompt-timeout 5x"),
	    "p:3:16: expected a duration from 100ms to 1h (like 500ms, 90s, "
	    "15m or 1h), got '5x'\n" },
	{ SERVICE("session-timeout 2d"),
	    "p:3:17: expected a duration from 100ms to 24h (like 500ms, 90s, "
	    "15m or 1h), got '2d'\n" },
	{ SERVICE("password-change maybe"),
	    "p:3:17: expected 'yes' or 'no', got 'maybe'\n" },
	{ SERVICE("pam-service ../../etc/shadow"),
	    "p:3:13: invalid PAM service name '../../etc/shadow'\n" },
	{ SERVICE("pam-service"),
	    "p:3:1: 'pam-service' takes one value\n" },
	{ SERVICE("colour blue"),
	    "p:3:1: unknown service setting 'colour'\n" },
	{ "lockout after 5 failures within 15m\n",
	    "p:1:33: expected 'for' after '15m'\n" },
	{ "lockout after five failures within 15m for 1h\n",
	    "p:1:15: expected a number from 1 to 1000, got 'five'\n" },
	{ "lockout after 5 failures in 15m for 1h\n",
	    "p:1:26: expected 'within', got 'in'\n" },
	{ "socket relative/path\nsocket\nsockets /x\n",
	    "p:1:8: must be an absolute path\n"
	    "p:2:1: 'socket' takes one value\n"
	    "p:3:1: unknown keyword\n" },
	{ "service s\n",
	    "p:1:9: expected '{' after 's'\n" },
	{ "service s {\nallow password\n}\n",
	    "p:3:1: service 's' admits no peer: add a peer line\n" },
	{ "service s {\npeer any\ndeny user root\n}\n",
	    "p:4:1: service 's' allows no one: add an allow line\n" },
	{ "service s {\npeer any\nallow password\n",
	    "p:3:1: service 's' (line 1) is not closed with '}'\n" },
	{ SERVICE("") SERVICE(""),
	    "p:6:9: service 's' already defined on line 1\n" },
	{ "}\n",
	    "p:1:1: unknown keyword\n" },
	{ SERVICE("allow password\x01"),
	    "p:3:15: control character\n" },
	/* Several mistakes: every one is reported, in order. */
	{ "service s {\npeer any\nallow pasword\nattempts 1000\n"
	    "allow password\n}\nservice t {\n}\n",
	    "p:3:7: unknown mechanism 'pasword'\n"
	    "p:4:10: expected a number from 1 to 100, got '1000'\n"
	    "p:8:1: service 't' admits no peer: add a peer line\n" },
};

static void
test_broken_policies_report_exact_errors(void **state)
{
	struct policy_errors errs;
	char got[2048];
	size_t i, j, len;

	for (i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		assert_null(policy_parse("p", broken[i].text,
		    strlen(broken[i].text), &hooks, &errs));
		for (j = 0, len = 0, got[0] = '\0'; j < errs.n; j++)
			len += (size_t)snprintf(got + len, sizeof(got) - len,
			    "%s\n", errs.text[j]);
		if (strcmp(got, broken[i].errors) != 0)
			fail_msg("case %zu:\n%s\nwant:\n%s\ngot:\n%s", i,
			    broken[i].text, broken[i].errors, got);
	}
}

static void
test_a_line_too_long_is_an_error(void **state)
{
	static char text[2048];
	struct policy_errors errs;

	memset(text, 'x', sizeof(text) - 1);
	assert_null(policy_parse("p", text, strlen(text), &hooks, &errs));
	assert_int_equal(errs.n, 1);
	assert_string_equal(errs.text[0], "p:1:1025: line longer than 1024 "
	    "bytes");
}

static void
test_a_good_policy_fills_the_tables(void **state)
{
	static const char text[] =
	    "# comment\n"
	    "socket /run/x   # trailing comment\n"
	    "lockout after 5 failures within 15m for 1h\n"
	    "service greeter{\n"
	    "\tpeer uid 950\n"
	    "\tpeer gid 951\n"
	    "\ttrusted-peer any\n"
	    "\tpam-service login\n"
	    "\tattempts 5\n"
	    "\tprompt-timeout 90s\n"
	    "\tsession-timeout 500ms\n"
	    "\tconnections-per-peer 2\n"
	    "\tpassword-change no\n"
	    "\tdeny user backup,root\n"
	    "\tallow password or keyboard-interactive then totp group admins "
	    "from 10.0.0.0/8,fd00::/8 remote-user jump\n"
	    "}\n";
	struct policy_errors errs;
	struct policy *p = policy_parse("p", text, sizeof(text) - 1, &hooks,
	    &errs);
	const struct policy_service *s;
	const struct policy_rule *r;

	assert_non_null(p);
	assert_int_equal(p->lockout_failures, 5);
	assert_int_equal(p->lockout_window_s, 900);
	assert_int_equal(p->lockout_duration_s, 3600);
	assert_int_equal(p->nservices, 1);
	s = &p->services[0];
	assert_string_equal(s->name, "greeter");
	assert_string_equal(s->pam_service, "login");
	assert_int_equal(s->npeers, 2);
	assert_int_equal(s->peers[1].kind, PEER_GID);
	assert_int_equal(s->peers[1].id, 951);
	assert_int_equal(s->ntrusted, 1);
	assert_int_equal(s->attempts, 5);
	assert_int_equal(s->prompt_timeout_ms, 90000);
	assert_int_equal(s->session_timeout_ms, 500);
	assert_int_equal(s->connections_per_peer, 2);
	assert_false(s->password_change);
	assert_int_equal(s->nrules, 2);
	assert_true(s->rules[0].deny);
	assert_int_equal(s->rules[0].users.n, 2);
	assert_string_equal(s->rules[0].users.name[1], "root");
	r = &s->rules[1];
	assert_int_equal(r->line, 15);
	assert_int_equal(r->nsteps, 2);
	assert_int_equal(r->steps[0], (1u << PM_PASSWORD) | (1u << PM_KBDINT));
	assert_int_equal(r->steps[1], 1u << PM_TOTP);
	assert_int_equal(r->nfrom, 2);
	assert_int_equal(r->from[1].family, AF_INET6);
	assert_int_equal(r->from[1].prefix, 8);
	assert_string_equal(r->remote_users.name[0], "jump");
	policy_unref(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_broken_policies_report_exact_errors),
		cmocka_unit_test(test_a_line_too_long_is_an_error),
		cmocka_unit_test(test_a_good_policy_fills_the_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
