/* SPDX-License-Identifier: ISC */
/*
 * test_policy.c: policies through the real broker: the three examples of
 * policies/examples/, factor chains with TOTP codes computed here from
 * the enrolled secret, the chain's order and user held, a front end's
 * context, lockout across a restart, and reload under load.
 */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "broker_fixture.h"
#include "loginbroker.h"
#include "testlib.h"

#define LIGHTDM	950

static struct broker_fixture broker;

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The example's text after the fixture's settings. */
static void
start_example(const char *name, const char *extra)
{
	static char text[8192];
	char path[512];
	size_t len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.conf", getenv("LB_EXAMPLES"), name);
	assert_non_null(f = fopen(path, "r"));
	len = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	snprintf(text + len, sizeof(text) - len, "%s", extra);
	broker_start(&broker, text, NULL);
}

/* "rule=EXAMPLE:LINE" for the example's line that reads text. */
static const char *
rule_of(const char *example, const char *text)
{
	static char names[4][128];
	static int next;
	char *name = names[next++ % 4];

	snprintf(name, sizeof(names[0]), "rule=%s:%u", example,
	    test_example_line(example, text));
	return name;
}

/* Fails unless exactly count audit lines match: "audit: session=*"
 * then the fields from service= on (pattern), then anything. */
static void
expect_audit(const char *pattern, unsigned count)
{
	char full[512];

	snprintf(full, sizeof(full), "audit: session=* %s", pattern);
	broker_log_expect(&broker, full, count);
}

/* Hangs up and waits until the broker has ended the session: the console
 * admits one connection at a time. */
static void
hang_up(int fd)
{
	unsigned before = broker_log_count(&broker, "connection closed");
	struct timespec tick = { 0, 10000000 };
	int i;

	close(fd);
	for (i = 0; i < 500; i++) {
		if (broker_log_count(&broker, "connection closed") > before)
			return;
		nanosleep(&tick, NULL);
	}
	fail_msg("the broker did not see the connection close");
}

/* "pass CODE\r\n" for user's current code. */
static const char *
pass_code(const char *user, int offset)
{
	static char line[32];
	char code[7];

	broker_totp_code(&broker, user, offset, code);
	snprintf(line, sizeof(line), "pass %s\r\n", code);
	return line;
}


#define RELOAD_A	"service s {\n\tpeer any\n\tallow password\n}\n"
#define RELOAD_B	"# B\nservice s {\n\tpeer any\n\tallow password\n}\n"
#define TWO_FACTORS	"service s {\n\tpeer any\n" \
	"\tallow password then totp user alice\n\tallow password\n}\n"

/* --- checking ----------------------------------------------------- */

/* An example as an administrator installs it: its lockout's file in a
 * directory that exists (here a temporary one) and the build's groups
 * program, the example after. */
static void
installed_example(const char *name, const char *dir, char *path,
    size_t cap)
{
	char example[512], line[512];
	FILE *in, *out;

	snprintf(example, sizeof(example), "%s/%s.conf", getenv("LB_EXAMPLES"),
	    name);
	snprintf(path, cap, "%s/%s.conf", dir, name);
	assert_non_null(in = fopen(example, "r"));
	assert_non_null(out = fopen(path, "w"));
	fprintf(out, "lockout_file %s/lockout\n", dir);
	/* The greeter's rules name a group: its lookup's program is
	 * checked. */
	fprintf(out, "groups_path %s\n", getenv("LB_GROUPS"));
	while (fgets(line, sizeof(line), in) != NULL)
		fputs(line, out);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static void
test_check_accepts_the_examples_and_locates_errors(void **state)
{
	static const char *const names[] = { "greeter", "remote-shell",
	    "console" };
	char dir[] = "/tmp/lbcheck.XXXXXX", path[512], out[2048], want[2048];
	size_t i;
	FILE *f;

	assert_non_null(mkdtemp(dir));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		installed_example(names[i], dir, path, sizeof(path));
		assert_int_equal(run_check(path, out, sizeof(out)), 0);
		snprintf(want, sizeof(want), "%s: OK, 1 service\n", path);
		assert_string_equal(out, want);
		unlink(path);
	}
	rmdir(dir);
	snprintf(path, sizeof(path), "/tmp/lbcheck.%d.conf", (int)getpid());
	assert_non_null(f = fopen(path, "w"));
	fputs("socket /run/x\nservice s {\n\tpeer user nobody-here\n"
	    "\tallow password then pasword\n}\nmax_sessions lots\n", f);
	fclose(f);
	assert_int_equal(run_check(path, out, sizeof(out)), 1);
	unlink(path);
	snprintf(want, sizeof(want),
	    "%s:3:12: unknown user 'nobody-here'\n"
	    "%s:4:22: unknown mechanism 'pasword'\n"
	    "%s:6:14: number out of range\n", path, path, path);
	assert_string_equal(out, want);
}

/* --- greeter.conf ------------------------------------------------- */

static void
test_greeter_admits_only_its_peer_and_offers_one_factor(void **state)
{
	char reply[128], want[256];
	int fd;

	NEED_ROOT();
	start_example("greeter", "");
	fd = raw_connect_as(&broker, 0, 0);
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 502);
	assert_string_equal(reply, "502 \"Permission denied\"\r\n");
	raw_expect_closed(fd);
	close(fd);
	broker_log_expect(&broker, "audit: session=- peer_uid=0 peer_pid=* "
	    "rule=no-service outcome=refused-peer", 1);

	fd = raw_connect_greeted_as(&broker, LIGHTDM, LIGHTDM);
	raw_expect(fd, "lsauth\r\n", 200,
	    "200-password\r\n200 keyboard-interactive\r\n");
	raw_expect(fd, "login password bob\r\n", 301, NULL);
	raw_expect(fd, "pass bob-pw\r\n", 200, "200 \"Logged in\"\r\n");
	hang_up(fd);
	snprintf(want, sizeof(want), "service=greeter rhost=- ruser=- "
	    "user=bob mech=password step=1 %s outcome=success *",
	    rule_of("greeter", "allow password or keyboard-interactive"));
	expect_audit(want, 1);
}

static void
test_greeter_admin_needs_password_then_totp(void **state)
{
	char uri[512], want[256];
	const char *admins;
	int fd;

	NEED_ROOT();
	start_example("greeter", "");
	broker_totp_enroll(&broker, "alice", uri, sizeof(uri));
	fd = raw_connect_greeted_as(&broker, LIGHTDM, LIGHTDM);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	/* Partial success: the only mechanism that may come next. */
	raw_expect(fd, "pass alice-pw\r\n", 306, "306 totp\r\n");
	raw_expect(fd, "lsauth\r\n", 200, "200 totp\r\n");
	raw_expect(fd, "login totp alice\r\n", 302,
	    "302 \"Verification code: \"\r\n");
	raw_expect(fd, pass_code("alice", 0), 200, "200 \"Logged in\"\r\n");
	hang_up(fd);
	admins = rule_of("greeter", "allow password then totp group admins");
	snprintf(want, sizeof(want), "service=greeter rhost=- ruser=- "
	    "user=alice mech=password step=1 %s outcome=partial *", admins);
	expect_audit(want, 1);
	snprintf(want, sizeof(want), "service=greeter rhost=- ruser=- "
	    "user=alice mech=totp step=2 %s outcome=success *", admins);
	expect_audit(want, 1);
}

/* A deny rule runs the dialog and fails it like a wrong password, even
 * with the right one: nothing tells the client it was the rule. */
static void
test_greeter_deny_rule_looks_like_a_failure(void **state)
{
	char want[256];
	int fd;

	NEED_ROOT();
	start_example("greeter", "");
	fd = raw_connect_greeted_as(&broker, LIGHTDM, LIGHTDM);
	raw_expect(fd, "login password root\r\n", 301,
	    "301 \"Password: \"\r\n");
	raw_expect(fd, "pass root-pw\r\n", 506,
	    "506 \"Authentication failed\"\r\n");
	raw_expect(fd, "login password bob\r\n", 301,
	    "301 \"Password: \"\r\n");
	raw_expect(fd, "pass wrong\r\n", 506,
	    "506 \"Authentication failed\"\r\n");
	hang_up(fd);
	/* The audit tells the administrator what the client was not told. */
	snprintf(want, sizeof(want), "service=greeter rhost=- ruser=- "
	    "user=root mech=password step=1 %s outcome=denied duration_ms=* "
	    "detail=account:PAM_SUCCESS", rule_of("greeter",
	    "deny user backup,root"));
	expect_audit(want, 1);
}

/* --- the chain: order, user, replay ------------------------------- */

static void
test_chain_cannot_be_skipped_or_reordered(void **state)
{
	char uri[512];
	int fd;

	NEED_ROOT();
	start_example("console", "");
	broker_totp_enroll(&broker, "alice", uri, sizeof(uri));
	fd = raw_connect_greeted_as(&broker, 0, 0);
	/* The second factor first: not offered. */
	raw_expect(fd, "lsauth\r\n", 200, "200 password\r\n");
	raw_expect(fd, "login totp alice\r\n", 502,
	    "502 \"Mechanism not permitted\"\r\n");
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "pass alice-pw\r\n", 306, "306 totp\r\n");
	/* The first factor again, instead of the second. */
	raw_expect(fd, "login password alice\r\n", 502,
	    "502 \"Mechanism not permitted at this step of the login\"\r\n");
	raw_expect(fd, "login totp alice\r\n", 302, NULL);
	raw_expect(fd, pass_code("alice", 0), 200, NULL);
	hang_up(fd);
}

static void
test_chain_cannot_switch_user(void **state)
{
	char uri[512];
	int fd;

	NEED_ROOT();
	start_example("console", "");
	broker_totp_enroll(&broker, "alice", uri, sizeof(uri));
	broker_totp_enroll(&broker, "bob", uri, sizeof(uri));
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "pass alice-pw\r\n", 306, "306 totp\r\n");
	/* Bob's valid code cannot finish Alice's login. */
	raw_expect(fd, "login totp bob\r\n", 502,
	    "502 \"This login continues as the user who began it\"\r\n");
	raw_expect(fd, "login totp alice\r\n", 302, NULL);
	raw_expect(fd, "pass 000000\r\n", 506, NULL);
	raw_expect(fd, "login totp alice\r\n", 302, NULL);
	raw_expect(fd, pass_code("alice", 0), 200, NULL);
	hang_up(fd);
}

/* Waits, if need be, for the next 30-second step, so that at least
 * need_s seconds of the current one are left: the codes computed here
 * and the broker's clock then agree on the step. */
static void
wait_for_a_fresh_step(int need_s)
{
	time_t left = 30 - time(NULL) % 30;

	if (left < need_s)
		sleep((unsigned)left + 1);
}

/* "login totp alice" then that code; the reply's code. */
static void
try_code(int fd, const char *pass_line, int code)
{
	raw_expect(fd, "login totp alice\r\n", 302,
	    "302 \"Verification code: \"\r\n");
	raw_expect(fd, pass_line, code, code == 200 ? "200 \"Logged in\"\r\n" :
	    "506 \"Authentication failed\"\r\n");
}

/* totp_window 1: codes one step off the clock either way are accepted,
 * two steps off are not, and an accepted code never again. */
static void
test_totp_window_is_one_step_each_way_and_a_code_is_used_once(void **state)
{
	char uri[512], plus1[32];
	int fd;

	NEED_ROOT();
	broker_start(&broker, "totp_window 1\n"
	    "service s {\n\tpeer any\n\tattempts 10\n\tallow totp\n}\n",
	    NULL);
	broker_totp_enroll(&broker, "alice", uri, sizeof(uri));
	wait_for_a_fresh_step(10);
	fd = raw_connect_greeted_as(&broker, 0, 0);
	try_code(fd, pass_code("alice", -2), 506);
	try_code(fd, pass_code("alice", 2), 506);
	try_code(fd, pass_code("alice", -1), 200);
	hang_up(fd);
	snprintf(plus1, sizeof(plus1), "%s", pass_code("alice", 1));
	fd = raw_connect_greeted_as(&broker, 0, 0);
	try_code(fd, plus1, 200);
	hang_up(fd);
	/* The same code once more, in a new login: refused as a replay. */
	fd = raw_connect_greeted_as(&broker, 0, 0);
	try_code(fd, plus1, 506);
	hang_up(fd);
	expect_audit("service=s rhost=- ruser=- user=alice mech=totp step=1 "
	    "rule=s:5 outcome=failure duration_ms=* detail=wrong-code", 2);
	expect_audit("service=s rhost=- ruser=- user=alice mech=totp step=1 "
	    "rule=s:5 outcome=success duration_ms=*", 2);
	expect_audit("service=s rhost=- ruser=- user=alice mech=totp step=1 "
	    "rule=s:5 outcome=failure duration_ms=* detail=replayed-code", 1);
}

/* --- remote-shell.conf: the front end's context -------------------- */

static void
test_remote_shell_context_picks_the_rule(void **state)
{
	char uri[512], want[256];
	int fd;

	NEED_ROOT();
	start_example("remote-shell", "");
	broker_totp_enroll(&broker, "bob", uri, sizeof(uri));
	/* From the management network: one factor. */
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd, "context 10.1.2.3 jdoe\r\n", 200,
	    "200 \"Context set\"\r\n");
	/* The worker answers a second context itself. */
	raw_expect(fd, "context 10.1.2.4\r\n", 502,
	    "502 \"Context comes once, before any login\"\r\n");
	raw_expect(fd, "login keyboard-interactive bob\r\n", 305, NULL);
	raw_expect(fd, "pass bob-pw\r\n", 200, NULL);
	hang_up(fd);
	snprintf(want, sizeof(want), "service=remote-shell rhost=10.1.2.3 "
	    "ruser=jdoe user=bob mech=keyboard-interactive step=1 %s "
	    "outcome=success *", rule_of("remote-shell", "allow "
	    "keyboard-interactive or password from 10.0.0.0/8,fd00::/8"));
	expect_audit(want, 1);

	/* From elsewhere, and without context: a code must follow. */
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd, "context 2001:db8::5\r\n", 200, NULL);
	raw_expect(fd, "login password bob\r\n", 301, NULL);
	raw_expect(fd, "pass bob-pw\r\n", 306, "306 totp\r\n");
	raw_expect(fd, "login totp bob\r\n", 302, NULL);
	raw_expect(fd, pass_code("bob", 0), 200, NULL);
	hang_up(fd);
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd, "login password bob\r\n", 301, NULL);
	raw_expect(fd, "pass bob-pw\r\n", 306, "306 totp\r\n");
	hang_up(fd);
	snprintf(want, sizeof(want), "service=remote-shell rhost=2001:db8::5 "
	    "ruser=- user=bob mech=totp step=2 %s outcome=success *",
	    rule_of("remote-shell", "allow keyboard-interactive or password "
	    "then totp"));
	expect_audit(want, 1);
	/* The root account never logs in here. */
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd, "context 10.0.0.9\r\n", 200, NULL);
	raw_expect(fd, "login password root\r\n", 301, NULL);
	raw_expect(fd, "pass root-pw\r\n", 506, NULL);
	hang_up(fd);
	snprintf(want, sizeof(want), "service=remote-shell rhost=10.0.0.9 "
	    "ruser=- user=root mech=password step=1 %s outcome=denied *",
	    rule_of("remote-shell", "deny user root"));
	expect_audit(want, 1);
}

/* The front end's remote user is quoted in the audit line: a space and
 * "=" in it cannot add a field (issue 10, finding 3). */
static void
test_remote_user_cannot_add_an_audit_field(void **state)
{
	char want[256];
	int fd;

	NEED_ROOT();
	start_example("remote-shell", "");
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd, "context 10.1.2.3 \"jdoe user=root outcome=success\""
	    "\r\n", 200, NULL);
	raw_expect(fd, "login password bob\r\n", 301, NULL);
	raw_expect(fd, "pass wrong\r\n", 506, NULL);
	hang_up(fd);
	snprintf(want, sizeof(want), "service=remote-shell rhost=10.1.2.3 "
	    "ruser=\"jdoe user=root outcome=success\" user=bob "
	    "mech=password step=1 * outcome=failure *");
	expect_audit(want, 1);
	expect_audit("* ruser=jdoe *", 0);
}

static void
test_untrusted_peer_cannot_set_context(void **state)
{
	int fd;

	NEED_ROOT();
	broker_start(&broker, "service s {\n\tpeer any\n\ttrusted-peer uid 0\n"
	    "\tallow password from 10.0.0.0/8\n\tallow totp\n}\n", NULL);
	/* Without a context the network rule cannot hold: lsauth leaves
	 * its mechanism out, and the peer cannot make it hold. */
	fd = raw_connect_greeted_as(&broker, 1001, 1001);
	raw_expect(fd, "lsauth\r\n", 200, "200 totp\r\n");
	raw_expect(fd, "context not-an-address\r\n", 501,
	    "501 \"Invalid address\"\r\n");
	raw_expect(fd, "context 10.0.0.1\r\n", 502,
	    "502 \"Not permitted: not a trusted front end\"\r\n");
	raw_expect(fd, "lsauth\r\n", 200, "200 totp\r\n");
	raw_expect(fd, "login password bob\r\n", 502,
	    "502 \"Mechanism not permitted\"\r\n");
	hang_up(fd);
	broker_log_expect(&broker, "audit: session=1 peer_uid=1001 peer_pid=* "
	    "service=s rule=s:trusted-peer outcome=context-refused", 1);
	/* The trusted peer's context widens what may begin. */
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd, "context 10.9.8.7\r\n", 200, NULL);
	raw_expect(fd, "lsauth\r\n", 200, "200-password\r\n200 totp\r\n");
	raw_expect(fd, "login password bob\r\n", 301, NULL);
	raw_expect(fd, "pass bob-pw\r\n", 200, NULL);
	hang_up(fd);
}

/* The CLI's context picks the rule: with this remote user a chain, with
 * another one factor, without a context nothing at all. */
#define CONTEXT_POLICY	"service s {\n\tpeer any\n\ttrusted-peer uid 0\n" \
	"\tallow password then totp from 192.0.2.0/24 remote-user jdoe\n" \
	"\tallow password from 192.0.2.0/24\n\tdeny\n}\n"

static void
test_cli_context_picks_the_rule_and_reaches_the_audit(void **state)
{
	const char *chain[] = { "-a", "192.0.2.1", "-r", "jdoe", "bob", NULL };
	const char *one[] = { "-a", "192.0.2.1", "-r", "mary", "bob", NULL };
	const char *none[] = { "bob", NULL };
	char uri[512], out[1024], input[64], code[7];

	NEED_ROOT();
	broker_start(&broker, CONTEXT_POLICY, NULL);
	broker_totp_enroll(&broker, "bob", uri, sizeof(uri));
	wait_for_a_fresh_step(5);
	broker_totp_code(&broker, "bob", 0, code);
	snprintf(input, sizeof(input), "bob-pw\n%s\n", code);
	assert_int_equal(run_cli(&broker, chain, input, out, sizeof(out)), 0);
	assert_string_equal(out, "Password: \nPartial success; next: totp\n"
	    "Verification code: \nLogged in\n");
	assert_int_equal(run_cli(&broker, one, "bob-pw\n", out, sizeof(out)),
	    0);
	assert_string_equal(out, "Password: \nLogged in\n");
	/* Without a context no rule can hold: nothing may begin. */
	assert_int_equal(run_cli(&broker, none, "bob-pw\n", out, sizeof(out)),
	    5);
	assert_string_equal(out, "loginbroker: request refused (502 "
	    "Mechanism not permitted)\n");
	expect_audit("service=s rhost=192.0.2.1 ruser=jdoe user=bob "
	    "mech=password step=1 rule=s:4 outcome=partial *", 1);
	expect_audit("service=s rhost=192.0.2.1 ruser=jdoe user=bob "
	    "mech=totp step=2 rule=s:4 outcome=success *", 1);
	expect_audit("service=s rhost=192.0.2.1 ruser=mary user=bob "
	    "mech=password step=1 rule=s:5 outcome=success *", 1);
	assert_int_equal(broker_log_matches(&broker, "audit: * rhost=- *"),
	    0);
}

/* The front end's context reaches the PAM stack as PAM_RHOST and
 * PAM_RUSER (service lbtest-context shows them in a message). */
static void
test_context_reaches_pam_as_rhost_and_ruser(void **state)
{
	int fd;

	NEED_ROOT();
	broker_start(&broker, broker_service("s", "lbtest-context",
	    "\ttrusted-peer uid 0\n\tallow password\n"), NULL);
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd, "context 2001:db8::7 jdoe\r\n", 200, NULL);
	raw_expect(fd, "login password alice\r\n", 303,
	    "303 \"rhost=2001:db8::7 ruser=jdoe tty=loginbroker\"\r\n");
	raw_expect(fd, "pass\r\n", 301, "301 \"Password: \"\r\n");
	raw_expect(fd, "pass pw\r\n", 200, NULL);
	hang_up(fd);
	/* Without a context, PAM has neither. */
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd, "login password alice\r\n", 303,
	    "303 \"rhost=(none) ruser=(none) tty=loginbroker\"\r\n");
	hang_up(fd);
}

/* Waits up to 2 s for process pid to be gone (and reaped). */
static void
expect_gone(pid_t pid)
{
	struct timespec tick = { 0, 10000000 };
	int i;

	for (i = 0; i < 200 && kill(pid, 0) == 0; i++)
		nanosleep(&tick, NULL);
	if (kill(pid, 0) == 0 || errno != ESRCH)
		fail_msg("worker %d is still there", (int)pid);
}

/* A worker that lets a client skip the chain or switch user is killed:
 * the broker checks what the worker already should have. */
static void
test_broker_kills_a_worker_that_breaks_the_chain(void **state)
{
	static const char *const steps[] = { "begin password alice\n",
	    "wait\n", "pass alice-pw\n", "wait\n", "wait\n",
	    "begin totp bob\n" };
	char done[8];
	size_t i;
	int fd;

	NEED_ROOT();
	broker_start(&broker, TWO_FACTORS, getenv("LB_EVIL_WORKER"));
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_send(fd, "begin totp alice\n", 17);
	assert_true(broker_log_wait(&broker, "broke the protocol in state "
	    "idle: mechanism totp not offered; killed", 2000, NULL, 0));
	expect_gone(session_worker_pid(&broker, 1));
	close(fd);

	/* A real first factor (PROMPT, then OFFER and RESULT 306), then the
	 * second for someone else; each order but the last is done before
	 * the next goes. */
	fd = raw_connect_greeted_as(&broker, 0, 0);
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		raw_send(fd, steps[i], strlen(steps[i]));
		if (i + 1 < sizeof(steps) / sizeof(steps[0]))
			assert_int_equal(recv(fd, done, 5, MSG_WAITALL), 5);
	}
	assert_true(broker_log_wait(&broker, "broke the protocol in state "
	    "idle: user changed in the middle of a chain; killed", 2000, NULL,
	    0));
	expect_gone(session_worker_pid(&broker, 2));
	expect_audit("service=s rhost=- ruser=- user=alice mech=password "
	    "step=1 rule=s:3 outcome=partial *", 1);
	close(fd);
}

/* --- limits -------------------------------------------------------- */

static void
test_console_allows_one_connection_per_peer(void **state)
{
	char reply[128];
	int fd, fd2;

	NEED_ROOT();
	start_example("console", "");
	fd = raw_connect_greeted_as(&broker, 0, 0);
	fd2 = raw_connect_as(&broker, 0, 0);
	assert_int_equal(raw_reply(fd2, reply, sizeof(reply)), 511);
	assert_string_equal(reply, "511 \"Too many sessions for this peer, "
	    "try again later\"\r\n");
	raw_expect_closed(fd2);
	close(fd2);
	hang_up(fd);
	broker_log_expect(&broker, "audit: session=- peer_uid=0 peer_pid=* "
	    "rule=console:connections-per-peer outcome=refused-busy", 1);
}

/* Three failures lock alice out for 30 minutes (console.conf), across a
 * restart, until the administrator clears it. */
static void
test_lockout_after_failures_survives_restart(void **state)
{
	const char *list[] = { "lockout", "list", NULL };
	const char *clear[] = { "lockout", "clear", "alice", NULL };
	char out[1024], want[256];
	int fd, i;

	NEED_ROOT();
	start_example("console", "");
	for (i = 0; i < 3; i++) {
		fd = raw_connect_greeted_as(&broker, 0, 0);
		raw_expect(fd, "login password alice\r\n", 301, NULL);
		raw_expect(fd, "pass wrong\r\n", 506, NULL);
		hang_up(fd);
	}
	snprintf(want, sizeof(want), "session 3: user alice locked out for "
	    "1800s after 3 failures (rule console:%u)", test_example_line(
	    "console", "allow password then totp"));
	broker_log_expect(&broker, want, 1);
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd, "login password alice\r\n", 515, "515 \"Account locked "
	    "after too many failures; try again later\"\r\n");
	/* Others are not affected. */
	raw_expect(fd, "login password bob\r\n", 301, NULL);
	raw_expect(fd, "pass bob-pw\r\n", 306, NULL);
	hang_up(fd);

	broker_restart(&broker);
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd, "login password alice\r\n", 515, NULL);
	hang_up(fd);
	expect_audit("service=console rhost=- ruser=- user=alice "
	    "mech=password step=1 rule=lockout outcome=locked-out *", 2);
	assert_int_equal(run_ctl(&broker, list, out, sizeof(out)), 0);
	assert_int_equal(test_lines_matching(out, "*"), 2);
	assert_int_equal(test_lines_matching(out, "USER * FAILURES *"), 1);
	assert_int_equal(test_lines_matching(out, "alice * 3 *-*-* *:*:* "
	    "1[78][0-9][0-9]s more"), 1);

	/* The administrator clears it while the broker runs. */
	assert_int_equal(run_ctl(&broker, clear, out, sizeof(out)), 0);
	assert_string_equal(out, "cleared 1 entry\n");
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "pass alice-pw\r\n", 306, NULL);
	hang_up(fd);
}

/* --- refusals look alike ------------------------------------------ */

#define DELAY_MS	600
/* After one line of settings: root denied on line 6, alice's rule on
 * line 7 begins with password, everyone else's on line 8. */
#define ALIKE_RULES \
	"service s {\n\tpeer any\n\tpam-service loginbroker\n" \
	"\tattempts 10\n\tdeny user root\n" \
	"\tallow password then totp user alice\n" \
	"\tallow password or keyboard-interactive\n}\n"
#define ALIKE_POLICY	"failure_delay_ms 600\n" ALIKE_RULES

/* Begins mech for user, answers, and checks that the reply is the
 * failure, no earlier than the failure delay after the answer. */
static void
refused_after_the_delay(int fd, const char *mech, const char *user,
    const char *answer)
{
	char line[128];
	uint64_t sent;

	snprintf(line, sizeof(line), "login %s %s\r\n", mech, user);
	raw_send(fd, line, strlen(line));
	assert_true(raw_reply(fd, line, sizeof(line)) > 0);
	snprintf(line, sizeof(line), "pass %s\r\n", answer);
	sent = now_ms();
	raw_expect(fd, line, 506, "506 \"Authentication failed\"\r\n");
	if (now_ms() - sent < DELAY_MS)
		fail_msg("%s for %s refused after %llu ms, before the %d ms "
		    "delay", mech, user, (unsigned long long)(now_ms() - sent),
		    DELAY_MS);
}

/* A wrong password, an unknown user, a deny rule and a mechanism the
 * user's rule does not begin with: the same reply, no earlier than the
 * failure delay after the answer, right password or not. */
static void
test_every_refusal_has_the_same_reply_after_the_delay(void **state)
{
	int fd;

	NEED_ROOT();
	broker_start(&broker, ALIKE_POLICY, NULL);
	fd = raw_connect_greeted_as(&broker, 0, 0);
	refused_after_the_delay(fd, "password", "bob", "wrong");
	refused_after_the_delay(fd, "password", "nosuchuser", "bob-pw");
	refused_after_the_delay(fd, "password", "root", "root-pw");
	refused_after_the_delay(fd, "keyboard-interactive", "alice",
	    "alice-pw");
	/* The client may still begin the mechanism alice's rule wants. */
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "pass alice-pw\r\n", 306, "306 totp\r\n");
	hang_up(fd);
	expect_audit("service=s * user=bob mech=password step=1 rule=s:8 "
	    "outcome=failure *", 1);
	expect_audit("service=s * user=nosuchuser mech=password step=1 "
	    "rule=s:8 outcome=failure *", 1);
	expect_audit("service=s * user=root mech=password step=1 rule=s:6 "
	    "outcome=denied *", 1);
	expect_audit("service=s * user=alice mech=keyboard-interactive step=1 "
	    "rule=s:7 outcome=mechanism-not-permitted *", 1);
}

/* No rule holds (no deny either): refused like a deny. */
static void
test_login_no_rule_holds_for_is_refused(void **state)
{
	int fd;

	NEED_ROOT();
	broker_start(&broker, "service s {\n\tpeer any\n"
	    "\tallow password user bob\n}\n", NULL);
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "pass alice-pw\r\n", 506,
	    "506 \"Authentication failed\"\r\n");
	hang_up(fd);
	expect_audit("service=s * user=alice mech=password step=1 "
	    "rule=s:no-rule outcome=denied *", 1);
}

/* A service whose only rule needs a context offers nothing without one:
 * lsauth answers 201. */
static void
test_lsauth_without_anything_to_offer_replies_201(void **state)
{
	int fd;

	NEED_ROOT();
	broker_start(&broker, "service s {\n\tpeer any\n"
	    "\tallow password from 10.0.0.0/8\n}\n", NULL);
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd, "lsauth\r\n", 201, "201 \"No mechanisms available\"\r\n");
	raw_expect(fd, "login password alice\r\n", 502,
	    "502 \"Mechanism not permitted\"\r\n");
	hang_up(fd);
}

/* --- what the lockout counts ---------------------------------------- */

#define LOCKOUT_POLICY	"lockout after 3 failures within 10m for 10m\n" \
	ALIKE_RULES

/* One connection: login MECH USER and, at a prompt, the answer: the last
 * reply's code. */
static int
try_login(const char *mech, const char *user, const char *answer)
{
	char line[128];
	int code, fd = raw_connect_greeted_as(&broker, 0, 0);

	snprintf(line, sizeof(line), "login %s %s\r\n", mech, user);
	raw_send(fd, line, strlen(line));
	code = raw_reply(fd, line, sizeof(line));
	if (answer != NULL && code >= 301 && code <= 305) {
		snprintf(line, sizeof(line), "pass %s\r\n", answer);
		raw_send(fd, line, strlen(line));
		code = raw_reply(fd, line, sizeof(line));
	}
	hang_up(fd);
	return code;
}

/* The same, for the code expected. */
static void
attempt(const char *mech, const char *user, const char *answer, int code)
{
	assert_int_equal(try_login(mech, user, answer), code);
}

static void
test_complete_login_clears_the_failures(void **state)
{
	NEED_ROOT();
	broker_start(&broker, LOCKOUT_POLICY, NULL);
	attempt("password", "bob", "wrong", 506);
	attempt("password", "bob", "wrong", 506);
	attempt("password", "bob", "bob-pw", 200);
	attempt("password", "bob", "wrong", 506);
	attempt("password", "bob", "wrong", 506);
	assert_int_equal(broker_log_count(&broker, "locked out"), 0);
	attempt("password", "bob", "wrong", 506);
	broker_log_expect(&broker, "session 6: user bob locked out for 600s "
	    "after 3 failures (rule s:8)", 1);
	attempt("password", "bob", NULL, 515);
}

/* Every answered guess counts, whatever refuses it: a wrong password, an
 * unknown name, a deny rule, a mechanism the user's rule does not begin
 * with (issue 11, finding 6: a deny list that never locks shows itself).
 * A login refused at its start (locked out) guesses nothing. */
static void
test_lockout_counts_every_guess_whatever_refuses_it(void **state)
{
	static const char *const users[] = { "root", "nosuchuser", "bob" };
	const char *list[] = { "lockout", "list", NULL };
	const char *clear[] = { "lockout", "clear", NULL };
	char out[1024];
	size_t u;
	int i;

	NEED_ROOT();
	broker_start(&broker, LOCKOUT_POLICY, NULL);
	for (u = 0; u < 3; u++) {
		for (i = 0; i < 3; i++)
			attempt("password", users[u], "wrong", 506);
		attempt("password", users[u], NULL, 515);
	}
	for (i = 0; i < 3; i++)
		attempt("keyboard-interactive", "alice", "wrong", 506);
	attempt("keyboard-interactive", "alice", NULL, 515);
	assert_int_equal(broker_log_matches(&broker, "session *: user * "
	    "locked out *"), 4);
	assert_int_equal(broker_log_matches(&broker, "session *: user "
	    "nosuchuser locked out *"), 1);
	assert_int_equal(run_ctl(&broker, list, out, sizeof(out)), 0);
	assert_int_equal(test_lines_matching(out, "*"), 5);
	assert_int_equal(test_lines_matching(out, "bob * 3 * *s more"), 1);
	assert_int_equal(test_lines_matching(out, "root * 3 * *s more"), 1);
	/* Without a user, every entry goes. */
	assert_int_equal(run_ctl(&broker, clear, out, sizeof(out)), 0);
	assert_string_equal(out, "cleared 4 entries\n");
	assert_int_equal(run_ctl(&broker, list, out, sizeof(out)), 0);
	assert_int_equal(test_lines_matching(out, "*"), 1);
	attempt("password", "bob", "wrong", 506);
}

/* Issue 11, finding 1: with pam_faildelay in the stack a failure is
 * answered only after 2 s; a client that sends its guess and hangs up
 * before that has used the guess all the same (charged when it arrived),
 * so three such guesses lock the user. */
static void
test_hanging_up_during_pam_failure_delay_still_spends_the_guess(void **state)
{
	char config[512];
	int fd, i;

	NEED_ROOT();
	snprintf(config, sizeof(config), "lockout after 3 failures within 10m "
	    "for 10m\n%s", broker_service("s", "faildelay",
	    "\tallow password\n"));
	broker_start(&broker, config, NULL);
	for (i = 0; i < 3; i++) {
		fd = raw_connect_greeted_as(&broker, 0, 0);
		raw_expect(fd, "login password alice\r\n", 301, NULL);
		raw_send(fd, "pass wrong\r\n", 12);
		usleep(300000);	/* PAM waits out its delay */
		hang_up(fd);
	}
	expect_audit("service=s rhost=- ruser=- user=alice mech=password "
	    "step=1 rule=s:* outcome=aborted *", 3);
	broker_log_expect(&broker, "session 3: user alice locked out *", 1);
	attempt("password", "alice", NULL, 515);
}

/* The charge is the broker's: a compromised worker that sends its guess
 * and hangs up its channel while PAM is still in its failure delay has
 * spent it all the same; three such lock the user for everyone. */
static void
test_a_compromised_worker_cannot_escape_the_charge(void **state)
{
	static const char orders[] = "begin password alice\nwait\n"
	    "pass wrong\nhangup\n";
	char config[512], done[32];
	int fd, i;

	NEED_ROOT();
	snprintf(config, sizeof(config), "lockout after 3 failures within 10m "
	    "for 10m\n%s", broker_service("s", "faildelay",
	    "\tallow password\n"));
	broker_start(&broker, config, getenv("LB_EVIL_WORKER"));
	for (i = 0; i < 3; i++) {
		fd = raw_connect_greeted_as(&broker, 0, 0);
		raw_send(fd, orders, sizeof(orders) - 1);
		/* Killed at its hang-up, maybe before the last "done". */
		while (recv(fd, done, sizeof(done), 0) > 0)
			;
		close(fd);
	}
	expect_audit("service=s rhost=- ruser=- user=alice mech=password "
	    "step=1 rule=s:* outcome=aborted *", 3);
	broker_log_expect(&broker, "session 3: user alice locked out *", 1);
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_send(fd, "begin password alice\n", 21);
	expect_audit("service=s rhost=- ruser=- user=alice mech=password "
	    "step=1 rule=lockout outcome=locked-out *", 1);
	close(fd);
}

/* Issue 11, finding 2: 20 connections opened before any failure each
 * reach the password prompt; the lock is checked at every answer, so
 * only the first 3 guesses are verified and the rest, the right password
 * included, get 515. */
static void
test_twenty_connections_opened_before_the_lock_get_3_guesses(void **state)
{
	int fds[20], i;

	NEED_ROOT();
	broker_start(&broker, LOCKOUT_POLICY, NULL);
	for (i = 0; i < 20; i++) {
		fds[i] = raw_connect_greeted_as(&broker, 0, 0);
		raw_expect(fds[i], "login password bob\r\n", 301, NULL);
	}
	for (i = 0; i < 3; i++)
		raw_expect(fds[i], "pass wrong\r\n", 506, NULL);
	for (; i < 19; i++)
		raw_expect(fds[i], "pass wrong\r\n", 515, NULL);
	raw_expect(fds[19], "pass bob-pw\r\n", 515, "515 \"Account locked "
	    "after too many failures; try again later\"\r\n");
	for (i = 0; i < 20; i++)
		hang_up(fds[i]);
	expect_audit("service=s rhost=- ruser=- user=bob mech=password "
	    "step=1 rule=lockout outcome=locked-out *", 17);
	assert_int_equal(broker_log_count(&broker, "outcome=success"), 0);
}

/* Issue 11, finding 2, the chain case: in "password then totp", a
 * connection waiting at its code prompt when other connections' wrong
 * codes lock the user gets 515 for its code, the right one included; one
 * that proved the password and begins its code after the lock gets 515
 * at once. */
static void
test_chain_locked_meanwhile_fails_at_its_next_answer(void **state)
{
	char uri[512];
	int fd, waiting, between, i;

	NEED_ROOT();
	start_example("greeter", "");
	broker_totp_enroll(&broker, "alice", uri, sizeof(uri));
	waiting = raw_connect_greeted_as(&broker, LIGHTDM, LIGHTDM);
	raw_expect(waiting, "login password alice\r\n", 301, NULL);
	raw_expect(waiting, "pass alice-pw\r\n", 306, NULL);
	raw_expect(waiting, "login totp alice\r\n", 302, NULL);
	between = raw_connect_greeted_as(&broker, LIGHTDM, LIGHTDM);
	raw_expect(between, "login password alice\r\n", 301, NULL);
	raw_expect(between, "pass alice-pw\r\n", 306, NULL);
	/* The greeter's lockout: 5 failures.  Each proven password is
	 * given back; each wrong code is not.  (The greeter allows 4
	 * connections: the two waiting, and one at a time here.) */
	for (i = 0; i < 5; i++) {
		fd = raw_connect_greeted_as(&broker, LIGHTDM, LIGHTDM);
		raw_expect(fd, "login password alice\r\n", 301, NULL);
		raw_expect(fd, "pass alice-pw\r\n", 306, NULL);
		raw_expect(fd, "login totp alice\r\n", 302, NULL);
		raw_expect(fd, "pass 000000\r\n", 506, NULL);
		hang_up(fd);
	}
	raw_expect(waiting, pass_code("alice", 0), 515, NULL);
	hang_up(waiting);
	raw_expect(between, "login totp alice\r\n", 515, NULL);
	hang_up(between);
	assert_int_equal(broker_log_count(&broker, "outcome=success"), 0);
}

/* Issue 11, finding 4: names with leading, trailing and inner blanks are
 * kept exactly, across a re-read of the lockout file (a restart): three
 * failures as " bob" lock " bob", not bob, and the other way round. */
static void
test_names_with_blanks_keep_their_own_lock(void **state)
{
	static const char *const names[] = { "\" bob\"", "\"bob \"",
	    "\"b ob\"", "\"b%20ob\"" };
	const char *list[] = { "lockout", "list", NULL };
	char out[2048];
	size_t u;
	int i;

	NEED_ROOT();
	broker_start(&broker, LOCKOUT_POLICY, NULL);
	for (u = 0; u < sizeof(names) / sizeof(names[0]); u++)
		for (i = 0; i < 3; i++)
			attempt("password", names[u], "wrong", 506);
	broker_restart(&broker);
	for (u = 0; u < sizeof(names) / sizeof(names[0]); u++)
		attempt("password", names[u], NULL, 515);
	/* bob himself has no failure at all. */
	attempt("password", "bob", "bob-pw", 200);
	assert_int_equal(run_ctl(&broker, list, out, sizeof(out)), 0);
	assert_int_equal(test_lines_matching(out, "\" bob\" * 3 * *s more"),
	    1);
	assert_int_equal(test_lines_matching(out, "\"b%20ob\" * 3 * *s more"),
	    1);
	assert_int_equal(test_lines_matching(out, "*"), 5);
}

/* Issue 11, finding 7: 40 users send valid codes at the same moment;
 * liboath's try-lock on the users file must not turn any of them into a
 * 505: the broker runs one check at a time, the others queued. */
static void
test_forty_simultaneous_valid_totp_codes_are_all_accepted(void **state)
{
	char uri[512], user[16], line[64], reply[128];
	int fds[40], i;

	NEED_ROOT();
	broker_start(&broker, "service s {\n\tpeer any\n"
	    "\tconnections-per-peer 40\n\tallow totp\n}\n", NULL);
	for (i = 0; i < 40; i++) {
		snprintf(user, sizeof(user), "user%02d", i);
		broker_totp_enroll(&broker, user, uri, sizeof(uri));
	}
	for (i = 0; i < 40; i++) {
		snprintf(line, sizeof(line), "login totp user%02d\r\n", i);
		fds[i] = raw_connect_greeted(&broker);
		raw_expect(fds[i], line, 302, NULL);
	}
	/* All the codes first, then the replies. */
	for (i = 0; i < 40; i++) {
		snprintf(user, sizeof(user), "user%02d", i);
		snprintf(line, sizeof(line), "%s", pass_code(user, 0));
		raw_send(fds[i], line, strlen(line));
	}
	for (i = 0; i < 40; i++) {
		if (raw_reply(fds[i], reply, sizeof(reply)) != 200)
			fail_msg("user%02d: %s", i, reply);
		close(fds[i]);
	}
	assert_int_equal(broker_log_count(&broker, "outcome=success"), 40);
}

/* liboath's lock on the users file is a file made with O_EXCL, which
 * loginbrokerctl (or a crashed writer) may hold for a moment: a valid
 * code waits for it, within a bound, instead of getting 505. */
static void
test_valid_code_waits_for_the_users_file_lock(void **state)
{
	char uri[512], lock[160];
	int fd, lockfd;

	NEED_ROOT();
	broker_start(&broker, "service s {\n\tpeer any\n\tallow totp\n}\n",
	    NULL);
	broker_totp_enroll(&broker, "alice", uri, sizeof(uri));
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login totp alice\r\n", 302, NULL);
	snprintf(lock, sizeof(lock), "%s/totp.lock", broker.dir);
	assert_true((lockfd = open(lock, O_WRONLY | O_CREAT | O_EXCL,
	    0600)) != -1);
	raw_send(fd, pass_code("alice", 0), strlen(pass_code("alice", 0)));
	usleep(300000);
	assert_int_equal(unlink(lock), 0);
	close(lockfd);
	assert_int_equal(raw_reply(fd, uri, sizeof(uri)), 200);
	close(fd);
}

/* Issue 11, finding 3, on a table of 16 users: a flood of new names
 * never evicts a locked user.  Unlocked entries go first, oldest first;
 * a table full of locked users counts nothing more, and says so. */
static void
test_a_flood_of_names_never_evicts_a_locked_user(void **state)
{
	char name[32];
	int i, k;

	NEED_ROOT();
	broker_start(&broker, "lockout_users 16\n" LOCKOUT_POLICY, NULL);
	for (i = 0; i < 3; i++)
		attempt("password", "alice", "wrong", 506);
	/* 15 names with one failure each: the table is full. */
	for (i = 0; i < 15; i++) {
		snprintf(name, sizeof(name), "flood%02d", i);
		attempt("password", name, "wrong", 506);
	}
	/* A new name makes room by forgetting an unlocked one. */
	attempt("password", "newcomer", "wrong", 506);
	broker_log_expect(&broker, "lockout table full (16 users): "
	    "forgetting the unlocked entry of the oldest failure", 1);
	/* Lock every flood name, then try three more names.  Which
	 * unlocked entry went first is the table's business: guess until
	 * locked (a table full of locked users never locks the last). */
	for (i = 0; i < 18; i++) {
		snprintf(name, sizeof(name), "flood%02d", i);
		for (k = 0; k < 3 &&
		    try_login("password", name, "wrong") == 506; k++)
			;
	}
	/* Warned about once a minute: this one came within it. */
	assert_int_equal(broker_log_count(&broker, "lockout table full"), 1);
	attempt("password", "alice", NULL, 515);
}

/* Issue 11, finding 5, with the shipped greeter.conf: admins must use
 * password then totp, but keyboard-interactive for an admin runs its
 * dialog and fails like anyone's wrong password, counted as a guess; the
 * group is not revealed before a factor is proven. */
static void
test_greeter_reveals_no_group_before_the_first_factor(void **state)
{
	static const char *const users[] = { "alice", "bob", "nosuchuser" };
	const char *list[] = { "lockout", "list", NULL };
	char line[128], out[1024];
	size_t u;
	int fd;

	NEED_ROOT();
	start_example("greeter", "");
	for (u = 0; u < 3; u++) {
		fd = raw_connect_greeted_as(&broker, LIGHTDM, LIGHTDM);
		snprintf(line, sizeof(line), "login keyboard-interactive %s\r\n",
		    users[u]);
		raw_expect(fd, line, 305, NULL);
		raw_expect(fd, "pass wrong\r\n", 506,
		    "506 \"Authentication failed\"\r\n");
		hang_up(fd);
	}
	assert_int_equal(run_ctl(&broker, list, out, sizeof(out)), 0);
	assert_int_equal(test_lines_matching(out, "alice * 1 * no"), 1);
}

/* A reload without the lockout line lifts every lock; one that brings it
 * back restores those still running. */
static void
test_reload_lifts_and_restores_the_lockout(void **state)
{
	NEED_ROOT();
	broker_start(&broker, LOCKOUT_POLICY, NULL);
	for (int i = 0; i < 3; i++)
		attempt("password", "bob", "wrong", 506);
	attempt("password", "bob", NULL, 515);
	broker_reload(&broker, "# no lockout\n" ALIKE_RULES, "reloaded ");
	attempt("password", "bob", "wrong", 506);
	broker_reload(&broker, LOCKOUT_POLICY, "reloaded ");
	attempt("password", "bob", NULL, 515);
}

/* --- reload -------------------------------------------------------- */

static void
test_reload_keeps_sessions_on_their_policy(void **state)
{
	char uri[512];
	int fd, fd2;

	NEED_ROOT();
	broker_start(&broker, TWO_FACTORS, NULL);
	broker_totp_enroll(&broker, "alice", uri, sizeof(uri));
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "pass alice-pw\r\n", 306, NULL);

	broker_reload(&broker, RELOAD_A, "reloaded ");
	/* A new session: one factor now. */
	fd2 = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd2, "login password alice\r\n", 301, NULL);
	raw_expect(fd2, "pass alice-pw\r\n", 200, NULL);
	close(fd2);
	/* The old one finishes its chain under the policy it began with. */
	raw_expect(fd, "login totp alice\r\n", 302, NULL);
	raw_expect(fd, pass_code("alice", 0), 200, NULL);
	hang_up(fd);

	/* A broken policy is refused with its line; the old one stays. */
	broker_reload(&broker, "service s {\n\tpeer any\n\tallow pasword\n}\n",
	    "reload refused");
	assert_true(broker_log_wait(&broker, "/config:3:8: unknown mechanism "
	    "'pasword'", 0, NULL, 0));
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "pass alice-pw\r\n", 200, NULL);
	hang_up(fd);
	/* RELOAD_A's rule (line 3), not the built-in policy's. */
	expect_audit("service=s rhost=- ruser=- user=alice mech=password "
	    "step=1 rule=s:3 outcome=success *", 2);
}

/* A reload that needs a new PAM zygote (one that takes a second to
 * load) puts its policy in force only once the zygote is ready; the
 * loop serves logins under the old policy meanwhile. */
static void
test_reload_waits_for_a_new_zygote_and_serves_meanwhile(void **state)
{
	unsigned reloaded;
	int fd;

	NEED_ROOT();
	broker_start(&broker, RELOAD_A, NULL);
	reloaded = broker_log_count(&broker, "reloaded ");
	broker_write_config(&broker, "# B, on the slow PAM stack\n"
	    "service s {\n\tpeer any\n\tpam-service lbtest-slow\n"
	    "\tallow password\n}\n");
	assert_int_equal(kill(broker.pid, SIGHUP), 0);
	/* Served at once, by the policy in force. */
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "pass alice-pw\r\n", 200, NULL);
	hang_up(fd);
	expect_audit("service=s * user=alice mech=password step=1 rule=s:3 "
	    "outcome=success *", 1);
	assert_int_equal(broker_log_count(&broker, "reloaded "), reloaded);
	/* Then the new policy, on its new stack (pam_lbtest: "pw"). */
	assert_true(broker_log_wait(&broker, "reloaded ", 5000, NULL, 0));
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "pass pw\r\n", 200, NULL);
	hang_up(fd);
	expect_audit("service=s * user=alice mech=password step=1 rule=s:5 "
	    "outcome=success *", 1);
}

/* The broker's children that are PAM zygotes. */
static unsigned
count_zygotes(void)
{
	char path[64], line[4096], comm[32];
	char *tok, *save;
	unsigned n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children",
	    (int)broker.pid, (int)broker.pid);
	assert_non_null(f = fopen(path, "r"));
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	for (tok = strtok_r(line, " \n", &save); tok != NULL;
	    tok = strtok_r(NULL, " \n", &save)) {
		snprintf(path, sizeof(path), "/proc/%s/comm", tok);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(comm, sizeof(comm), f) != NULL &&
		    strcmp(comm, "loginbroker-pam\n") == 0)
			n++;
		fclose(f);
	}
	return n;
}

#define FOUR_STACKS \
	"service a {\n\tpeer any\n\tpam-service lbtest-slow\n" \
	"\tallow password\n}\n" \
	"service b {\n\tpeer any\n\tpam-service lbtest-plain\n" \
	"\tallow password\n}\n" \
	"service c {\n\tpeer any\n\tpam-service lbtest-two\n" \
	"\tallow password\n}\n" \
	"service d {\n\tpeer any\n\tpam-service lbtest-info\n" \
	"\tallow password\n}\n"

/* SIGHUPs 2 ms apart while new zygotes start (issue 10, finding 6): one
 * zygote per new PAM service, the last reload put in force, and a later
 * reload is not refused for too many services. */
static void
test_a_burst_of_reloads_starts_each_zygote_once(void **state)
{
	struct timespec two_ms = { 0, 2000000 };
	int i;

	NEED_ROOT();
	broker_start(&broker, RELOAD_A, NULL);
	assert_int_equal(count_zygotes(), 1);
	broker_write_config(&broker, FOUR_STACKS);
	for (i = 0; i < 3; i++) {
		assert_int_equal(kill(broker.pid, SIGHUP), 0);
		nanosleep(&two_ms, NULL);
	}
	assert_true(broker_log_wait(&broker, "reloaded ", 5000, NULL, 0));
	assert_int_equal(count_zygotes(), 5);
	assert_int_equal(broker_log_count(&broker, "refused"), 0);
	broker_reload(&broker, "# again\n" FOUR_STACKS, "reloaded ");
	assert_int_equal(count_zygotes(), 5);
	assert_int_equal(broker_log_count(&broker, "refused"), 0);
}

static int
answer_password(const struct lb_prompt *p, char *answer, size_t cap,
    void *arg)
{
	if (p->kind == LB_PROMPT_SECRET)
		snprintf(answer, cap, "bob-pw");
	return 0;
}

/* 100 logins from 10 processes while the policy is reloaded again and
 * again: none fails, and both policies decide some of them. */
static void
test_reload_under_load_fails_no_login(void **state)
{
	struct timespec pace = { 0, 5000000 };
	int i, j, status, failed = 0, running = 10, reloads = 0;
	pid_t kids[10], pid;

	NEED_ROOT();
	broker_start(&broker, "max_sessions 64\n" RELOAD_A, NULL);
	for (i = 0; i < 10; i++) {
		kids[i] = fork();
		assert_true(kids[i] >= 0);
		if (kids[i] > 0)
			continue;
		for (j = 0; j < 10; j++) {
			struct lb_conn *c = lb_open(broker.sock, 0);

			if (c == NULL || lb_login(c, "password", "bob",
			    answer_password, NULL) != LB_OK)
				failed++;
			lb_close(c);
			nanosleep(&pace, NULL);
		}
		_exit(failed);
	}
	while (running > 0 || reloads < 2) {
		broker_reload(&broker, reloads++ % 2 == 0 ? RELOAD_B : RELOAD_A,
		    "reloaded ");
		for (i = 0; i < 10; i++) {
			if (kids[i] == 0 ||
			    (pid = waitpid(kids[i], &status, WNOHANG)) == 0)
				continue;
			assert_int_equal(pid, kids[i]);
			assert_true(WIFEXITED(status));
			failed += WEXITSTATUS(status);
			kids[i] = 0;
			running--;
		}
	}
	assert_int_equal(failed, 0);
	assert_int_equal(broker_log_count(&broker, "outcome=success"), 100);
	assert_true(broker_log_count(&broker, "rule=s:3 outcome=success") > 0);
	assert_true(broker_log_count(&broker, "rule=s:4 outcome=success") > 0);
	assert_int_equal(broker_log_count(&broker, "rule=s:3 outcome=success") +
	    broker_log_count(&broker, "rule=s:4 outcome=success"), 100);
	print_message("# %d reloads during 100 logins\n", reloads);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	BROKER_TEST(f, &broker)
		cmocka_unit_test(
		    test_check_accepts_the_examples_and_locates_errors),
		T(test_greeter_admits_only_its_peer_and_offers_one_factor),
		T(test_greeter_admin_needs_password_then_totp),
		T(test_greeter_deny_rule_looks_like_a_failure),
		T(test_chain_cannot_be_skipped_or_reordered),
		T(test_chain_cannot_switch_user),
		T(test_totp_window_is_one_step_each_way_and_a_code_is_used_once),
		T(test_remote_shell_context_picks_the_rule),
		T(test_remote_user_cannot_add_an_audit_field),
		T(test_untrusted_peer_cannot_set_context),
		T(test_cli_context_picks_the_rule_and_reaches_the_audit),
		T(test_context_reaches_pam_as_rhost_and_ruser),
		T(test_broker_kills_a_worker_that_breaks_the_chain),
		T(test_console_allows_one_connection_per_peer),
		T(test_lockout_after_failures_survives_restart),
		T(test_every_refusal_has_the_same_reply_after_the_delay),
		T(test_login_no_rule_holds_for_is_refused),
		T(test_lsauth_without_anything_to_offer_replies_201),
		T(test_complete_login_clears_the_failures),
		T(test_lockout_counts_every_guess_whatever_refuses_it),
		T(test_hanging_up_during_pam_failure_delay_still_spends_the_guess),
		T(test_twenty_connections_opened_before_the_lock_get_3_guesses),
		T(test_a_compromised_worker_cannot_escape_the_charge),
		T(test_chain_locked_meanwhile_fails_at_its_next_answer),
		T(test_names_with_blanks_keep_their_own_lock),
		T(test_forty_simultaneous_valid_totp_codes_are_all_accepted),
		T(test_valid_code_waits_for_the_users_file_lock),
		T(test_a_flood_of_names_never_evicts_a_locked_user),
		T(test_greeter_reveals_no_group_before_the_first_factor),
		T(test_reload_lifts_and_restores_the_lockout),
		T(test_reload_keeps_sessions_on_their_policy),
		T(test_reload_waits_for_a_new_zygote_and_serves_meanwhile),
		T(test_a_burst_of_reloads_starts_each_zygote_once),
		T(test_reload_under_load_fails_no_login),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
