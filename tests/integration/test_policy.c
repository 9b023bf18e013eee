/*
 * test_policy.c: policies through the real broker: the three examples of
 * policies/examples/, factor chains with TOTP codes computed here from
 * the enrolled secret, the chain's order and user held, a front end's
 * context, lockout across a restart, and reload under load.
 */
#include <liboath/oath.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
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

/* Enrolls user with the administrator's command; the URI it prints. */
static void
enroll(const char *user, char *uri, size_t cap)
{
	const char *args[] = { "totp", "enroll", user, NULL };

	assert_int_equal(run_ctl(&broker, args, uri, cap), 0);
	assert_non_null(strstr(uri, "otpauth://totp/loginbroker:"));
}

/* The code an authenticator app shows now (offset in time steps), from
 * the secret in the broker's users file. */
static void
totp_code(const char *user, int offset, char code[7])
{
	char path[256], line[256], hex[64], name[64];
	char secret[32];
	size_t len = sizeof(secret);
	FILE *f;

	snprintf(path, sizeof(path), "%s/totp", broker.dir);
	assert_non_null(f = fopen(path, "r"));
	hex[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%*s %63s - %63s", name, hex) == 2 &&
		    strcmp(name, user) == 0)
			break;
	fclose(f);
	assert_int_equal(oath_hex2bin(hex, secret, &len), OATH_OK);
	assert_int_equal(oath_totp_generate(secret, len, time(NULL) +
	    offset * 30, 30, 0, 6, code), OATH_OK);
}

/* "pass CODE\r\n" for user's current code. */
static const char *
pass_code(const char *user, int offset)
{
	static char line[32];
	char code[7];

	totp_code(user, offset, code);
	snprintf(line, sizeof(line), "pass %s\r\n", code);
	return line;
}

static int
teardown(void **state)
{
	broker_stop(&broker);
	return 0;
}

#define RELOAD_A	"service s {\n\tpeer any\n\tallow password\n}\n"
#define RELOAD_B	"# B\nservice s {\n\tpeer any\n\tallow password\n}\n"
#define TWO_FACTORS	"service s {\n\tpeer any\n" \
	"\tallow password then totp user alice\n\tallow password\n}\n"

/* --- checking ----------------------------------------------------- */

static void
test_check_accepts_the_examples_and_locates_errors(void **state)
{
	static const char *const names[] = { "greeter", "remote-shell",
	    "console" };
	char path[512], out[2048], want[2048];
	size_t i;
	FILE *f;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s.conf",
		    getenv("LB_EXAMPLES"), names[i]);
		assert_int_equal(run_check(path, out, sizeof(out)), 0);
		snprintf(want, sizeof(want), "%s: OK, 1 service\n", path);
		assert_string_equal(out, want);
	}
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
	char reply[128];
	int fd;

	NEED_ROOT();
	start_example("greeter", "");
	fd = raw_connect_as(&broker, 0, 0);
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 502);
	close(fd);
	assert_true(broker_log_wait(&broker, "rule=no-service "
	    "outcome=refused-peer", 2000, NULL, 0));

	fd = raw_connect_greeted_as(&broker, LIGHTDM, LIGHTDM);
	raw_expect(fd, "lsauth\r\n", 200,
	    "200-password\r\n200 keyboard-interactive\r\n");
	raw_expect(fd, "login password bob\r\n", 301, NULL);
	raw_expect(fd, "pass bob-pw\r\n", 200, "200 \"Logged in\"\r\n");
	hang_up(fd);
	assert_true(broker_log_wait(&broker, "user=bob mech=password step=1 "
	    "rule=greeter:28 outcome=success", 2000, NULL, 0));
}

static void
test_greeter_admin_needs_password_then_totp(void **state)
{
	char uri[512];
	int fd;

	NEED_ROOT();
	start_example("greeter", "");
	enroll("alice", uri, sizeof(uri));
	fd = raw_connect_greeted_as(&broker, LIGHTDM, LIGHTDM);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	/* Partial success: the only mechanism that may come next. */
	raw_expect(fd, "pass alice-pw\r\n", 306, "306 totp\r\n");
	raw_expect(fd, "lsauth\r\n", 200, "200 totp\r\n");
	raw_expect(fd, "login totp alice\r\n", 302,
	    "302 \"Verification code: \"\r\n");
	raw_expect(fd, pass_code("alice", 0), 200, "200 \"Logged in\"\r\n");
	hang_up(fd);
	assert_true(broker_log_wait(&broker, "user=alice mech=password step=1 "
	    "rule=greeter:27 outcome=partial", 2000, NULL, 0));
	assert_true(broker_log_wait(&broker, "user=alice mech=totp step=2 "
	    "rule=greeter:27 outcome=success", 2000, NULL, 0));
}

/* A deny rule runs the dialog and fails it like a wrong password, even
 * with the right one: nothing tells the client it was the rule. */
static void
test_greeter_deny_rule_looks_like_a_failure(void **state)
{
	char rest[256];
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
	assert_true(broker_log_wait(&broker, "user=root mech=password step=1 "
	    "rule=greeter:26 outcome=denied duration_ms=", 2000, rest,
	    sizeof(rest)));
	assert_non_null(strstr(rest, "detail=account:PAM_SUCCESS"));
}

/* --- the chain: order, user, replay ------------------------------- */

static void
test_chain_cannot_be_skipped_or_reordered(void **state)
{
	char uri[512];
	int fd;

	NEED_ROOT();
	start_example("console", "");
	enroll("alice", uri, sizeof(uri));
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
	enroll("alice", uri, sizeof(uri));
	enroll("bob", uri, sizeof(uri));
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

static void
test_totp_code_is_accepted_once_and_skew_is_bounded(void **state)
{
	char uri[512], line[32];
	int fd;

	NEED_ROOT();
	start_example("console", "");
	enroll("alice", uri, sizeof(uri));
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "pass alice-pw\r\n", 306, NULL);
	/* Three steps off the clock: outside the one-step window. */
	raw_expect(fd, "login totp alice\r\n", 302, NULL);
	raw_expect(fd, pass_code("alice", -3), 506, NULL);
	/* One step behind: inside it. */
	raw_expect(fd, "login totp alice\r\n", 302, NULL);
	snprintf(line, sizeof(line), "%s", pass_code("alice", -1));
	raw_expect(fd, line, 200, NULL);
	hang_up(fd);

	/* The same code once more, in a new login: refused. */
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "pass alice-pw\r\n", 306, NULL);
	raw_expect(fd, "login totp alice\r\n", 302, NULL);
	raw_expect(fd, line, 506, NULL);
	hang_up(fd);
	assert_true(broker_log_wait(&broker, "mech=totp step=2 "
	    "rule=console:24 outcome=failure duration_ms=", 2000, NULL, 0));
	assert_true(broker_log_wait(&broker, "detail=replayed-code", 2000,
	    NULL, 0));
}

/* --- remote-shell.conf: the front end's context -------------------- */

static void
test_remote_shell_context_picks_the_rule(void **state)
{
	char uri[512];
	int fd;

	NEED_ROOT();
	start_example("remote-shell", "");
	enroll("bob", uri, sizeof(uri));
	/* From the management network: one factor. */
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd, "context 10.1.2.3 jdoe\r\n", 200,
	    "200 \"Context set\"\r\n");
	raw_expect(fd, "context 10.1.2.4\r\n", 502,
	    "502 \"Context comes once, before any login\"\r\n");
	assert_true(broker_log_wait(&broker, "service=remote-shell "
	    "rule=remote-shell:context-once outcome=context-refused", 2000,
	    NULL, 0));
	raw_expect(fd, "login keyboard-interactive bob\r\n", 305, NULL);
	raw_expect(fd, "pass bob-pw\r\n", 200, NULL);
	hang_up(fd);
	assert_true(broker_log_wait(&broker, "service=remote-shell "
	    "rhost=10.1.2.3 ruser=jdoe user=bob mech=keyboard-interactive "
	    "step=1 rule=remote-shell:23 outcome=success", 2000, NULL, 0));

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
	assert_true(broker_log_wait(&broker, "rhost=2001:db8::5 ruser=- "
	    "user=bob mech=totp step=2 rule=remote-shell:24 outcome=success",
	    2000, NULL, 0));
	/* The root account never logs in here. */
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd, "context 10.0.0.9\r\n", 200, NULL);
	raw_expect(fd, "login password root\r\n", 301, NULL);
	raw_expect(fd, "pass root-pw\r\n", 506, NULL);
	hang_up(fd);
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
	raw_expect(fd, "context 10.0.0.1\r\n", 502,
	    "502 \"Not permitted: not a trusted front end\"\r\n");
	raw_expect(fd, "context not-an-address\r\n", 501,
	    "501 \"Invalid address\"\r\n");
	raw_expect(fd, "lsauth\r\n", 200, "200 totp\r\n");
	raw_expect(fd, "login password bob\r\n", 502,
	    "502 \"Mechanism not permitted\"\r\n");
	hang_up(fd);
	assert_true(broker_log_wait(&broker, "peer_uid=1001 ", 2000, NULL, 0));
	assert_true(broker_log_wait(&broker, "service=s rule=s:trusted-peer "
	    "outcome=context-refused", 2000, NULL, 0));
	/* The trusted peer's context widens what may begin. */
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd, "context 10.9.8.7\r\n", 200, NULL);
	raw_expect(fd, "lsauth\r\n", 200, "200-password\r\n200 totp\r\n");
	raw_expect(fd, "login password bob\r\n", 301, NULL);
	raw_expect(fd, "pass bob-pw\r\n", 200, NULL);
	hang_up(fd);
}

static void
test_library_and_cli_follow_a_chain(void **state)
{
	const char *args[] = { "-a", "192.0.2.1", "-r", "jdoe", "bob", NULL };
	char uri[512], out[1024], input[64], code[7];

	NEED_ROOT();
	start_example("remote-shell", "");
	enroll("bob", uri, sizeof(uri));
	totp_code("bob", 0, code);
	snprintf(input, sizeof(input), "bob-pw\n%s\n", code);
	assert_int_equal(run_cli(&broker, args, input, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "Partial success; next: totp"));
	assert_non_null(strstr(out, "Logged in"));
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
	assert_true(broker_log_wait(&broker, "user=alice mech=password step=1 "
	    "rule=s:3 outcome=partial", 0, NULL, 0));
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
	close(fd2);
	hang_up(fd);
	assert_true(broker_log_wait(&broker, "rule=console:connections-per-"
	    "peer outcome=refused-busy", 2000, NULL, 0));
}

/* Three failures lock alice out for 30 minutes (console.conf), across a
 * restart, until the administrator clears it. */
static void
test_lockout_after_failures_survives_restart(void **state)
{
	const char *list[] = { "lockout", "list", NULL };
	const char *clear[] = { "lockout", "clear", "alice", NULL };
	char out[1024];
	int fd, i;

	NEED_ROOT();
	start_example("console", "");
	for (i = 0; i < 3; i++) {
		fd = raw_connect_greeted_as(&broker, 0, 0);
		raw_expect(fd, "login password alice\r\n", 301, NULL);
		raw_expect(fd, "pass wrong\r\n", 506, NULL);
		hang_up(fd);
	}
	assert_true(broker_log_wait(&broker, "user alice locked out for "
	    "1800s after 3 failures (rule console:24)", 2000, NULL, 0));
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
	assert_true(broker_log_wait(&broker, "user=alice mech=password step=1 "
	    "rule=lockout outcome=locked-out", 2000, NULL, 0));
	assert_int_equal(run_ctl(&broker, list, out, sizeof(out)), 0);
	assert_non_null(strstr(out, "alice"));
	assert_non_null(strstr(out, "s more"));

	/* The administrator clears it while the broker runs. */
	assert_int_equal(run_ctl(&broker, clear, out, sizeof(out)), 0);
	assert_string_equal(out, "cleared 1 entry\n");
	fd = raw_connect_greeted_as(&broker, 0, 0);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "pass alice-pw\r\n", 306, NULL);
	hang_up(fd);
}

/* --- reload -------------------------------------------------------- */

static void
test_reload_keeps_sessions_on_their_policy(void **state)
{
	char uri[512];
	int fd, fd2;

	NEED_ROOT();
	broker_start(&broker, TWO_FACTORS, NULL);
	enroll("alice", uri, sizeof(uri));
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
		while (running > 0 &&
		    (pid = waitpid(-1, &status, WNOHANG)) > 0) {
			assert_true(WIFEXITED(status));
			failed += WEXITSTATUS(status);
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
#define T(f)	cmocka_unit_test_teardown(f, teardown)
		cmocka_unit_test(
		    test_check_accepts_the_examples_and_locates_errors),
		T(test_greeter_admits_only_its_peer_and_offers_one_factor),
		T(test_greeter_admin_needs_password_then_totp),
		T(test_greeter_deny_rule_looks_like_a_failure),
		T(test_chain_cannot_be_skipped_or_reordered),
		T(test_chain_cannot_switch_user),
		T(test_totp_code_is_accepted_once_and_skew_is_bounded),
		T(test_remote_shell_context_picks_the_rule),
		T(test_untrusted_peer_cannot_set_context),
		T(test_library_and_cli_follow_a_chain),
		T(test_broker_kills_a_worker_that_breaks_the_chain),
		T(test_console_allows_one_connection_per_peer),
		T(test_lockout_after_failures_survives_restart),
		T(test_reload_keeps_sessions_on_their_policy),
		T(test_reload_under_load_fails_no_login),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
