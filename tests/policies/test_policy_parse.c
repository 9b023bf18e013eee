/* SPDX-License-Identifier: ISC */
/*
 * test_policy_parse.c: broken policies give exact "FILE:LINE:COLUMN:
 * message" errors, every one in a file, and nothing half-parsed is
 * returned; good ones parse into the tables the evaluator reads.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "policy.h"
#include "testlib.h"

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
	{ SERVICE("allow password for alice"),
	    "p:3:16: expected 'user', 'group', 'from', 'remote-user' or "
	    "'act-for', got 'for'\n" },
	{ SERVICE("deny user a act-for b"),
	    "p:3:13: 'act-for' grants nothing on a deny rule\n" },
	{ SERVICE("allow plain act-for a act-for b"),
	    "p:3:23: condition 'act-for' given twice\n" },
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
	{ SERVICE("prompt-timeout 5x"),
	    "p:3:16: expected a duration from 100ms to 1h (like 500ms, 90s, "
	    "15m or 1h), got '5x'\n" },
	{ SERVICE("session-timeout 2d"),
	    "p:3:17: expected a duration from 100ms to 24h (like 500ms, 90s, "
	    "15m or 1h), got '2d'\n" },
	{ SERVICE("password-change maybe"),
	    "p:3:17: expected 'yes' or 'no', got 'maybe'\n" },
	{ SERVICE("keytab etc/krb5.keytab"),
	    "p:3:8: expected an absolute path of at most 255 bytes, got "
	    "'etc/krb5.keytab'\n" },
	{ SERVICE("sessions maybe"),
	    "p:3:10: expected 'yes' or 'no', got 'maybe'\n" },
	{ SERVICE("session-command bin/sh"),
	    "p:3:17: expected an absolute path of at most 255 bytes, got "
	    "'bin/sh'\n" },
	{ SERVICE("session-env TERM,ld_preload"),
	    "p:3:13: invalid variable name 'ld_preload' (upper-case letters, "
	    "digits, '_')\n" },
	{ SERVICE("sessions-per-user 0"),
	    "p:3:19: expected a number from 1 to 65536, got '0'\n" },
	{ SERVICE("duo-failmode open"),
	    "p:3:14: expected 'safe' or 'secure', got 'open'\n" },
	{ SERVICE("duo-auto 1"),
	    "p:3:10: expected 'yes' or 'no', got '1'\n" },
	{ SERVICE("duo-config duo.conf"),
	    "p:3:12: expected an absolute path of at most 255 bytes, got "
	    "'duo.conf'\n" },
	{ SERVICE("duo-cafile ca.pem"),
	    "p:3:12: expected an absolute path of at most 255 bytes, got "
	    "'ca.pem'\n" },
	{ SERVICE("duo-host api-x.duosecurity.com/evil"),
	    "p:3:10: invalid host 'api-x.duosecurity.com/evil'\n" },
	{ SERVICE("gss-principal host/a b"),
	    "p:3:1: 'gss-principal' takes one value\n" },
	{ SERVICE("gss-principal host/a;b"),
	    "p:3:15: invalid principal 'host/a;b'\n" },
	{ SERVICE("gss-principal @EXAMPLE.ORG"),
	    "p:3:15: invalid principal '@EXAMPLE.ORG'\n" },
	{ SERVICE("realms A,,B"),
	    "p:3:10: expected a name of 1 to 63 bytes\n" },
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

/* A parse's errors, each ending in '\n', into buf[cap]. */
static const char *
errors_text(const struct policy_errors *errs, char *buf, size_t cap)
{
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < errs->n && len < cap; i++)
		len += (size_t)snprintf(buf + len, cap - len, "%s\n",
		    errs->text[i]);
	return buf;
}

static void
test_broken_policies_report_exact_errors(void **state)
{
	struct policy_errors errs;
	char got[2048];
	size_t i;

	for (i = 0; i < sizeof(broken) / sizeof(broken[0]); i++) {
		assert_null(policy_parse("p", broken[i].text,
		    strlen(broken[i].text), &hooks, &errs));
		errors_text(&errs, got, sizeof(got));
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

/* What a policy that parses is checked for: one value of the result, of
 * the first service and its first rule where it belongs to them. */
enum field {
	F_SERVICES,
	F_PEERS,
	F_TRUSTED,
	F_LAST_PEER_ID,
	F_ATTEMPTS,
	F_PROMPT_MS,
	F_SESSION_MS,
	F_DUO_TIMEOUT_MS,
	F_DUO_FAIL_SAFE,
	F_DUO_AUTO,
	F_CONNECTIONS,
	F_RULES,
	F_STEPS,
	F_USERS,
	F_FIRST_USER_LEN,
	F_GROUPS,
	F_REMOTE_USERS,
	F_NETWORKS,
	F_LOCKOUT_FAILURES,
	F_LOCKOUT_WINDOW_S,
	F_LOCKOUT_FOR_S,
};

static unsigned
field(const struct policy *p, enum field f)
{
	const struct policy_service *s = &p->services[0];
	const struct policy_rule *r = &s->rules[0];

	switch (f) {
	case F_SERVICES:
		return (unsigned)p->nservices;
	case F_PEERS:
		return (unsigned)s->npeers;
	case F_TRUSTED:
		return (unsigned)s->ntrusted;
	case F_LAST_PEER_ID:
		assert_true(s->npeers > 0);
		return s->peers[s->npeers - 1].id;
	case F_ATTEMPTS:
		return s->attempts;
	case F_PROMPT_MS:
		return s->prompt_timeout_ms;
	case F_SESSION_MS:
		return s->session_timeout_ms;
	case F_DUO_TIMEOUT_MS:
		return s->duo.timeout_ms;
	case F_DUO_FAIL_SAFE:
		return s->duo.fail_safe;
	case F_DUO_AUTO:
		return s->duo.autopush;
	case F_CONNECTIONS:
		return s->connections_per_peer;
	case F_RULES:
		return (unsigned)s->nrules;
	case F_STEPS:
		return (unsigned)r->nsteps;
	case F_USERS:
		return (unsigned)r->users.n;
	case F_FIRST_USER_LEN:
		return (unsigned)strlen(r->users.name[0]);
	case F_GROUPS:
		return (unsigned)r->groups.n;
	case F_REMOTE_USERS:
		return (unsigned)r->remote_users.n;
	case F_NETWORKS:
		return (unsigned)r->nfrom;
	case F_LOCKOUT_FAILURES:
		return p->lockout_failures;
	case F_LOCKOUT_WINDOW_S:
		return p->lockout_window_s;
	case F_LOCKOUT_FOR_S:
		return p->lockout_duration_s;
	}
	fail_msg("no field %d", (int)f);
	return 0;
}

/* Parses text: with errors NULL, a policy whose field f is want; else
 * exactly those errors and no policy. */
static void
check(size_t row, const char *text, const char *errors, enum field f,
    unsigned want)
{
	struct policy_errors errs;
	struct policy *p;
	char got[2048];
	unsigned value;

	p = policy_parse("p", text, strlen(text), &hooks, &errs);
	errors_text(&errs, got, sizeof(got));
	if (errors != NULL) {
		if (p != NULL || strcmp(got, errors) != 0)
			fail_msg("row %zu:\n%s\nwant:\n%sgot:\n%s", row, text,
			    errors, p != NULL ? "a policy\n" : got);
		return;
	}
	if (p == NULL)
		fail_msg("row %zu:\n%s\nwant a policy, got:\n%s", row, text,
		    got);
	value = field(p, f);
	policy_unref(p);
	if (value != want)
		fail_msg("row %zu:\n%s\nparsed as %u, want %u", row, text,
		    value, want);
}

#define PARSES(text, f, value)	{ text, NULL, f, value }
#define REFUSED(text, errors)	{ text, errors, 0, 0 }

/* 7 * 9 = 63 bytes, the longest name. */
#define X7	"xxxxxxx"
#define X63	X7 X7 X7 X7 X7 X7 X7 X7 X7

/*
 * Every number and duration at both ends of its range and one past each,
 * a chain's steps and a name's length: the ends parse to the value they
 * say, the values past them are refused with the limit in the message.
 * The limits are written out here, not taken from policy.h, so that a
 * moved bound fails.
 */
static const struct {
	const char *text;
	const char *errors;	/* NULL: parses, and field is value */
	enum field field;
	unsigned value;
} edges[] = {
	PARSES(SERVICE("attempts 1"), F_ATTEMPTS, 1),
	PARSES(SERVICE("attempts 100"), F_ATTEMPTS, 100),
	REFUSED(SERVICE("attempts 0"),
	    "p:3:10: expected a number from 1 to 100, got '0'\n"),
	REFUSED(SERVICE("attempts 101"),
	    "p:3:10: expected a number from 1 to 100, got '101'\n"),

	PARSES(SERVICE("prompt-timeout 100ms"), F_PROMPT_MS, 100),
	PARSES(SERVICE("prompt-timeout 1h"), F_PROMPT_MS, 3600000),
	REFUSED(SERVICE("prompt-timeout 99ms"),
	    "p:3:16: expected a duration from 100ms to 1h (like 500ms, 90s, "
	    "15m or 1h), got '99ms'\n"),
	REFUSED(SERVICE("prompt-timeout 3600001ms"),
	    "p:3:16: expected a duration from 100ms to 1h (like 500ms, 90s, "
	    "15m or 1h), got '3600001ms'\n"),

	PARSES(SERVICE("session-timeout 100ms"), F_SESSION_MS, 100),
	PARSES(SERVICE("session-timeout 24h"), F_SESSION_MS, 86400000),
	REFUSED(SERVICE("session-timeout 99ms"),
	    "p:3:17: expected a duration from 100ms to 24h (like 500ms, 90s, "
	    "15m or 1h), got '99ms'\n"),
	REFUSED(SERVICE("session-timeout 86400001ms"),
	    "p:3:17: expected a duration from 100ms to 24h (like 500ms, 90s, "
	    "15m or 1h), got '86400001ms'\n"),

	PARSES(SERVICE(""), F_DUO_TIMEOUT_MS, 60000),	/* the default */
	PARSES(SERVICE("duo-timeout 1s"), F_DUO_TIMEOUT_MS, 1000),
	PARSES(SERVICE("duo-timeout 10m"), F_DUO_TIMEOUT_MS, 600000),
	REFUSED(SERVICE("duo-timeout 999ms"),
	    "p:3:13: expected a duration from 1s to 10m (like 500ms, 90s, "
	    "15m or 1h), got '999ms'\n"),
	REFUSED(SERVICE("duo-timeout 600001ms"),
	    "p:3:13: expected a duration from 1s to 10m (like 500ms, 90s, "
	    "15m or 1h), got '600001ms'\n"),
	/* Fail secure unless told otherwise. */
	PARSES(SERVICE(""), F_DUO_FAIL_SAFE, 0),
	PARSES(SERVICE("duo-failmode safe"), F_DUO_FAIL_SAFE, 1),
	PARSES(SERVICE("duo-failmode secure"), F_DUO_FAIL_SAFE, 0),
	PARSES(SERVICE(""), F_DUO_AUTO, 0),
	PARSES(SERVICE("duo-auto yes"), F_DUO_AUTO, 1),

	PARSES(SERVICE(""), F_CONNECTIONS, 32),	/* the default */
	PARSES(SERVICE("connections-per-peer 0"), F_CONNECTIONS, 0),
	PARSES(SERVICE("connections-per-peer 65536"), F_CONNECTIONS, 65536),
	REFUSED(SERVICE("connections-per-peer -1"),
	    "p:3:22: expected a number from 0 to 65536, got '-1'\n"),
	REFUSED(SERVICE("connections-per-peer 65537"),
	    "p:3:22: expected a number from 0 to 65536, got '65537'\n"),

	/* (uid_t)-1 is "no uid" to the kernel: never a peer. */
	PARSES(SERVICE("peer uid 0"), F_LAST_PEER_ID, 0),
	PARSES(SERVICE("peer uid 4294967294"), F_LAST_PEER_ID, 4294967294u),
	REFUSED(SERVICE("peer uid 4294967295"),
	    "p:3:10: expected a number from 0 to 4294967294, got "
	    "'4294967295'\n"),
	PARSES(SERVICE("peer gid 4294967294"), F_LAST_PEER_ID, 4294967294u),
	REFUSED(SERVICE("peer gid 4294967295"),
	    "p:3:10: expected a number from 0 to 4294967294, got "
	    "'4294967295'\n"),

	PARSES("lockout after 1 failures within 15m for 1h\n",
	    F_LOCKOUT_FAILURES, 1),
	PARSES("lockout after 1000 failures within 15m for 1h\n",
	    F_LOCKOUT_FAILURES, 1000),
	REFUSED("lockout after 0 failures within 15m for 1h\n",
	    "p:1:15: expected a number from 1 to 1000, got '0'\n"),
	REFUSED("lockout after 1001 failures within 15m for 1h\n",
	    "p:1:15: expected a number from 1 to 1000, got '1001'\n"),
	PARSES("lockout after 5 failures within 1s for 1h\n",
	    F_LOCKOUT_WINDOW_S, 1),
	PARSES("lockout after 5 failures within 24h for 1h\n",
	    F_LOCKOUT_WINDOW_S, 86400),
	REFUSED("lockout after 5 failures within 999ms for 1h\n",
	    "p:1:33: expected a duration from 1s to 24h (like 500ms, 90s, 15m "
	    "or 1h), got '999ms'\n"),
	REFUSED("lockout after 5 failures within 86401s for 1h\n",
	    "p:1:33: expected a duration from 1s to 24h (like 500ms, 90s, 15m "
	    "or 1h), got '86401s'\n"),
	PARSES("lockout after 5 failures within 15m for 1s\n",
	    F_LOCKOUT_FOR_S, 1),
	PARSES("lockout after 5 failures within 15m for 168h\n",
	    F_LOCKOUT_FOR_S, 604800),
	REFUSED("lockout after 5 failures within 15m for 999ms\n",
	    "p:1:41: expected a duration from 1s to 168h (like 500ms, 90s, 15m "
	    "or 1h), got '999ms'\n"),
	REFUSED("lockout after 5 failures within 15m for 604801s\n",
	    "p:1:41: expected a duration from 1s to 168h (like 500ms, 90s, 15m "
	    "or 1h), got '604801s'\n"),

	/* At most 4 steps in a chain; the fifth 'then' is the mistake. */
	PARSES(SERVICE("allow password then totp then plain then "
	    "keyboard-interactive"), F_STEPS, 4),
	REFUSED(SERVICE("allow password then totp then plain then "
	    "keyboard-interactive then gssapi-with-mic"),
	    "p:3:63: more than 4 factors in a chain\n"),

	/* A name in a list is 1 to 63 bytes. */
	PARSES(SERVICE("deny user " X63), F_FIRST_USER_LEN, 63),
	REFUSED(SERVICE("deny user " X63 "x"),
	    "p:3:11: expected a name of 1 to 63 bytes\n"),
};

static void
test_values_parse_at_their_limits_and_not_past_them(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(edges) / sizeof(edges[0]); i++)
		check(i, edges[i].text, edges[i].errors, edges[i].field,
		    edges[i].value);
}

/*
 * The counted limits, at the limit and one past it.  A row's text is its
 * head, then n items "BEFORE<i>AFTER" (i from 1) joined by sep, then its
 * tail; the error names the first line or list that is one too many.
 */
#define SERVICES	"", "service s", " {\npeer any\nallow password\n}", \
			"\n", "\n"
#define PEERS		"service s {\n", "peer uid ", "", "\n", \
			"\nallow password\n}\n"
#define TRUSTED		"service s {\npeer any\n", "trusted-peer uid ", \
			"", "\n", "\nallow password\n}\n"
#define ALLOWS		"service s {\npeer any\n", \
			"allow password user u", "", "\n", "\n}\n"
/* One allow first: a service needs one. */
#define DENIES		"service s {\npeer any\nallow password\n", \
			"deny user u", "", "\n", "\n}\n"
#define LIST(cond)	"service s {\npeer any\nallow password " cond " ", \
			"n", "", ",", "\n}\n"
#define NETWORKS	"service s {\npeer any\nallow password from ", \
			"10.", ".0.0/16", ",", "\n}\n"

static const struct {
	const char *head, *before, *after, *sep, *tail;
	unsigned n;
	const char *errors;	/* NULL: parses, and field is value */
	enum field field;
	unsigned value;
} counts[] = {
	{ SERVICES, 8, NULL, F_SERVICES, 8 },
	{ SERVICES, 9, "p:33:1: more than 8 services\n", 0, 0 },
	{ PEERS, 8, NULL, F_PEERS, 8 },
	{ PEERS, 9, "p:10:1: more than 8 peer lines\n", 0, 0 },
	{ TRUSTED, 8, NULL, F_TRUSTED, 8 },
	{ TRUSTED, 9, "p:11:1: more than 8 trusted-peer lines\n", 0, 0 },
	{ ALLOWS, 32, NULL, F_RULES, 32 },
	{ ALLOWS, 33, "p:35:1: more than 32 rules in a service\n", 0, 0 },
	{ DENIES, 31, NULL, F_RULES, 32 },
	{ DENIES, 32, "p:35:1: more than 32 rules in a service\n", 0, 0 },
	{ LIST("user"), 8, NULL, F_USERS, 8 },
	{ LIST("user"), 9, "p:3:21: more than 8 names\n", 0, 0 },
	{ LIST("group"), 8, NULL, F_GROUPS, 8 },
	{ LIST("group"), 9, "p:3:22: more than 8 names\n", 0, 0 },
	{ LIST("remote-user"), 8, NULL, F_REMOTE_USERS, 8 },
	{ LIST("remote-user"), 9, "p:3:28: more than 8 names\n", 0, 0 },
	{ NETWORKS, 8, NULL, F_NETWORKS, 8 },
	{ NETWORKS, 9, "p:3:21: more than 8 networks\n", 0, 0 },
};

static void
test_counts_parse_at_their_limits_and_not_past_them(void **state)
{
	static char text[8192];
	size_t i, len;
	unsigned j;

	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		len = (size_t)snprintf(text, sizeof(text), "%s",
		    counts[i].head);
		for (j = 1; j <= counts[i].n; j++)
			len += (size_t)snprintf(text + len, sizeof(text) - len,
			    "%s%u%s%s", counts[i].before, j, counts[i].after,
			    j < counts[i].n ? counts[i].sep : counts[i].tail);
		assert_true(len < sizeof(text));
		check(i, text, counts[i].errors, counts[i].field,
		    counts[i].value);
	}
}

/* policy_load reads at most 256 KiB: a good file of exactly that size
 * loads; the same with one more byte, an empty line, is refused whole. */
static void
test_a_file_of_256_kib_loads_and_one_byte_more_does_not(void **state)
{
	static const char head[] = "service s {\npeer any\nallow password\n}\n";
	const size_t max = 256 * 1024, hlen = sizeof(head) - 1;
	struct policy_errors errs;
	struct policy *p;
	char path[] = "/tmp/lb-policy-XXXXXX", want[64], got[2048];
	char *text;
	size_t i;
	int fd;

	/* The service, then comment lines of 512 bytes up to the limit. */
	assert_non_null(text = malloc(max + 1));
	memcpy(text, head, hlen);
	memset(text + hlen, '#', max - hlen);
	for (i = hlen + 511; i < max; i += 512)
		text[i] = '\n';
	text[max - 1] = text[max] = '\n';
	assert_int_not_equal(fd = mkstemp(path), -1);

	test_write_all(fd, text, max);
	if ((p = policy_load(path, &hooks, &errs)) == NULL)
		fail_msg("%s", errors_text(&errs, got, sizeof(got)));
	assert_int_equal(p->nservices, 1);
	policy_unref(p);

	test_write_all(fd, text + max, 1);
	assert_null(policy_load(path, &hooks, &errs));
	snprintf(want, sizeof(want), "%s: file too long\n", path);
	assert_string_equal(errors_text(&errs, got, sizeof(got)), want);

	close(fd);
	unlink(path);
	free(text);
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
	    "\tkeytab /etc/loginbroker/greeter.keytab\n"
	    "\tgss-principal host/login.example.org@EXAMPLE.ORG\n"
	    "\trealms EXAMPLE.ORG,AD.EXAMPLE.ORG\n"
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
	assert_string_equal(s->keytab, "/etc/loginbroker/greeter.keytab");
	assert_string_equal(s->gss_principal,
	    "host/login.example.org@EXAMPLE.ORG");
	assert_int_equal(s->realms.n, 2);
	assert_string_equal(s->realms.name[1], "AD.EXAMPLE.ORG");
	assert_int_equal(s->nrules, 2);
	assert_true(s->rules[0].deny);
	assert_int_equal(s->rules[0].users.n, 2);
	assert_string_equal(s->rules[0].users.name[1], "root");
	r = &s->rules[1];
	assert_int_equal(r->line, 18);
	assert_int_equal(r->nsteps, 2);
	assert_int_equal(r->steps[0], (1u << MECH_PASSWORD) | (1u << MECH_KBDINT));
	assert_int_equal(r->steps[1], 1u << MECH_TOTP);
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
		cmocka_unit_test(
		    test_values_parse_at_their_limits_and_not_past_them),
		cmocka_unit_test(
		    test_counts_parse_at_their_limits_and_not_past_them),
		cmocka_unit_test(
		    test_a_file_of_256_kib_loads_and_one_byte_more_does_not),
		cmocka_unit_test(test_a_good_policy_fills_the_tables),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
