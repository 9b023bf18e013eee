/*
 * test_login.c: the real loginbrokerd, driven by the real CLI, the client
 * library and raw protocol lines.  Needs root (the broker confines its
 * workers); skipped otherwise.
 */
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "broker_fixture.h"
#include "loginbroker.h"
#include "testlib.h"

static struct broker_fixture broker;

static int
start_default(void **state)
{
	if (geteuid() == 0)
		broker_start(&broker, NULL, NULL);
	return 0;
}

/* Also after a test that started its own broker and failed half-way. */
static int
stop(void **state)
{
	if (broker.pid > 0)
		broker_stop(&broker);
	return 0;
}

/* Sends one request line and checks the reply's code (and text, when
 * want_text is not NULL). */
static void
expect(int fd, const char *request, int want_code, const char *want_text)
{
	char reply[2048];
	int code;

	raw_send(fd, request, strlen(request));
	code = raw_reply(fd, reply, sizeof(reply));
	if (code != want_code)
		fail_msg("%s-> %d, wanted %d (reply: %s)", request, code,
		    want_code, code == -1 ? "none" : reply);
	if (want_text != NULL && strstr(reply, want_text) == NULL)
		fail_msg("%s-> %s, wanted text %s", request, reply, want_text);
}

static void
test_cli_logs_in_with_the_right_password(void **state)
{
	const char *args[] = { "alice", NULL };
	char out[512];

	NEED_ROOT();
	assert_int_equal(run_cli(&broker, args, "alice-pw\n", out,
	    sizeof(out)), 0);
	assert_non_null(strstr(out, "Password: "));
	assert_non_null(strstr(out, "Logged in"));
}

static void
test_cli_wrong_password_exits_denied(void **state)
{
	const char *args[] = { "alice", NULL };
	char out[512];

	NEED_ROOT();
	assert_int_equal(run_cli(&broker, args, "wrong\n", out, sizeof(out)),
	    1);
	assert_non_null(strstr(out, "506 Authentication failed"));
}

static void
test_unknown_user_fails_like_a_wrong_password(void **state)
{
	const char *wrong[] = { "alice", NULL };
	const char *unknown[] = { "nosuchuser", NULL };
	char out_wrong[512], out_unknown[512];

	NEED_ROOT();
	assert_int_equal(run_cli(&broker, wrong, "guess\n", out_wrong,
	    sizeof(out_wrong)), 1);
	assert_int_equal(run_cli(&broker, unknown, "guess\n", out_unknown,
	    sizeof(out_unknown)), 1);
	/* Same prompt, same reply: nothing tells the two apart. */
	assert_string_equal(out_wrong, out_unknown);
}

static void
test_cli_unknown_mechanism_exits_refused(void **state)
{
	const char *args[] = { "-m", "telepathy", "alice", NULL };
	char out[512];

	NEED_ROOT();
	assert_int_equal(run_cli(&broker, args, "", out, sizeof(out)), 5);
	assert_non_null(strstr(out, "508"));
}

static void
test_cli_lists_mechanisms(void **state)
{
	const char *args[] = { "-l", NULL };
	char out[512];

	NEED_ROOT();
	assert_int_equal(run_cli(&broker, args, "", out, sizeof(out)), 0);
	assert_string_equal(out, "password\nkeyboard-interactive\n");
}

static void
test_cli_without_answers_exits_aborted(void **state)
{
	const char *args[] = { "alice", NULL };
	char out[512];

	NEED_ROOT();
	assert_int_equal(run_cli(&broker, args, "", out, sizeof(out)), 6);
}

struct counting_answer {
	int calls;
	const char *password;
};

static int
answer_once(const struct lb_prompt *p, char *answer, size_t cap, void *arg)
{
	struct counting_answer *a = arg;

	a->calls++;
	assert_int_equal(p->kind, LB_PROMPT_SECRET);
	assert_false(p->echo);
	snprintf(answer, cap, "%s", a->password);
	return 0;
}

/* Runs a non-blocking login to its end: its status; *eagains counts the
 * LB_EAGAIN returns on the way. */
static int
login_nonblocking(struct lb_conn *c, struct counting_answer *a,
    int *eagains)
{
	struct pollfd pfd;
	int rc;

	while ((rc = lb_login(c, "password", "alice", answer_once, a)) ==
	    LB_EAGAIN) {
		(*eagains)++;
		pfd = (struct pollfd){ lb_fd(c), lb_want(c), 0 };
		assert_int_equal(poll(&pfd, 1, 5000), 1);
	}
	return rc;
}

static void
test_library_nonblocking_login_returns_eagain_then_succeeds(void **state)
{
	struct counting_answer a = { 0, "wrong" };
	struct lb_conn *c;
	int eagains = 0;

	NEED_ROOT();
	c = lb_open(broker.sock, LB_NONBLOCK);
	assert_non_null(c);
	/* A failure's reply is held for the failure delay: the call must
	 * come back with LB_EAGAIN meanwhile, whatever the machine's load. */
	assert_int_equal(login_nonblocking(c, &a, &eagains), LB_DENIED);
	assert_true(eagains > 0);
	a.password = "alice-pw";
	assert_int_equal(login_nonblocking(c, &a, &eagains), LB_OK);
	assert_int_equal(lb_last_code(c), 200);
	assert_int_equal(a.calls, 2);
	lb_close(c);
}

static void
test_library_blocking_denied_and_mechanism_list(void **state)
{
	struct counting_answer a = { 0, "nope" };
	const char *const *names;
	struct lb_conn *c;
	size_t n;

	NEED_ROOT();
	c = lb_open(broker.sock, 0);
	assert_non_null(c);
	assert_int_equal(lb_list_mechanisms(c, &names, &n), LB_OK);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "password");
	assert_string_equal(names[1], "keyboard-interactive");
	assert_int_equal(lb_login(c, "password", "alice", answer_once, &a),
	    LB_DENIED);
	assert_int_equal(lb_last_code(c), 506);
	a.password = "alice-pw";
	assert_int_equal(lb_login(c, "password", "alice", answer_once, &a),
	    LB_OK);
	assert_int_equal(lb_login(c, "password", "alice", answer_once, &a),
	    LB_REFUSED);
	assert_int_equal(lb_last_code(c), 503);
	lb_close(c);
}

/* One connection, many requests: each row's reply code in turn. */
static const struct step {
	const char *request;
	int code;
	const char *text;
} conversation[] = {
	{ "lsauth\r\n", 200, "200-password\r\n200 keyboard-interactive" },
	{ "bogus\r\n", 500, "Unknown command" },
	{ "\r\n", 500, "Empty line" },
	{ "login password\r\n", 501, NULL },
	{ "login password alice extra\r\n", 501, NULL },
	{ "lsauth extra\r\n", 501, NULL },
	{ "pass x\r\n", 507, NULL },
	{ "login nope alice\r\n", 508, NULL },
	{ "login password -alice\r\n", 504, NULL },
	{ "login password al:ice\r\n", 504, NULL },
	{ "login password \"\"\r\n", 504, NULL },
	{ "login \"unbalanced\r\n", 500, "Unbalanced" },
	{ "login trailing\\\r\n", 500, "Unbalanced" },
	{ "a b c d e f g h i j k l m n o p q\r\n", 500, "Too many words" },
	{ "login password alice\r\n", 301, "Password: " },
	{ "pass\r\n", 501, "Expected 1 answer" },	/* prompt stays */
	{ "pass two words\r\n", 501, NULL },
	{ "pass wrong\r\n", 506, "Authentication failed" },
	{ "login password alice\r\n", 301, NULL },
	{ "login password bob\r\n", 301, NULL },	/* starts over */
	{ "pass bob-pw\r\n", 200, "Logged in" },
	{ "login password alice\r\n", 503, NULL },
	{ "pass x\r\n", 507, NULL },
	{ "lsauth\r\n", 200, NULL },
	{ "quit\r\n", 200, "Bye" },
};

static void
test_protocol_replies_in_one_conversation(void **state)
{
	char reply[64];
	size_t i;
	int fd;

	NEED_ROOT();
	fd = raw_connect_greeted(&broker);
	for (i = 0; i < sizeof(conversation) / sizeof(conversation[0]); i++)
		expect(fd, conversation[i].request, conversation[i].code,
		    conversation[i].text);
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), -1); /* closed */
	close(fd);
}

static void
test_third_failure_replies_509_and_closes(void **state)
{
	char reply[64];
	int fd;

	NEED_ROOT();
	fd = raw_connect_greeted(&broker);
	expect(fd, "login password alice\r\n", 301, NULL);
	expect(fd, "pass a\r\n", 506, NULL);
	expect(fd, "login password alice\r\n", 301, NULL);
	expect(fd, "pass b\r\n", 506, NULL);
	expect(fd, "login password alice\r\n", 301, NULL);
	expect(fd, "pass c\r\n", 509, "too many attempts");
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), -1);
	close(fd);
}

static void
test_quoting_carries_spaces_quotes_and_backslashes(void **state)
{
	int fd;

	NEED_ROOT();
	/* quoter's password is: p a"ss\word */
	fd = raw_connect_greeted(&broker);
	expect(fd, "\"login\"   \"pass\"word\tquoter\r\n", 301, NULL);
	expect(fd, "pass \"p a\\\"ss\\\\word\"\r\n", 200, NULL);
	close(fd);
	fd = raw_connect_greeted(&broker);
	expect(fd, "login password quoter\n", 301, NULL);	/* bare LF */
	expect(fd, "pass p\\ a\\\"ss\\\\wo\"rd\"\r\n", 200, NULL);
	close(fd);
	fd = raw_connect_greeted(&broker);
	expect(fd, "login password quoter\r\n", 301, NULL);
	expect(fd, "pass \"p a\\\"ss\\word\"\r\n", 506, NULL); /* \w is w */
	close(fd);
}

static void
test_overlong_line_gets_500_and_the_connection_goes_on(void **state)
{
	static char line[10000];
	int fd;

	NEED_ROOT();
	fd = raw_connect_greeted(&broker);
	memset(line, 'a', sizeof(line));
	memcpy(line + sizeof(line) - 2, "\r\n", 2);
	raw_send(fd, line, sizeof(line));
	expect(fd, "", 500, "Line too long");
	expect(fd, "lsauth\r\n", 200, NULL);
	close(fd);
}

static void
test_nul_byte_and_invalid_utf8_get_500(void **state)
{
	int fd;

	NEED_ROOT();
	fd = raw_connect_greeted(&broker);
	raw_send(fd, "login pass\0word alice\r\n", 23);
	expect(fd, "", 500, "NUL byte");
	expect(fd, "login password \xc3\x28\r\n", 500, "Invalid UTF-8");
	expect(fd, "login password \xed\xa0\x80\r\n", 500, "Invalid UTF-8");
	expect(fd, "login password j\xc3\xb6rg\r\n", 301, NULL);
	close(fd);
}

static void
test_audit_line_per_attempt_without_the_password(void **state)
{
	char rest[512];
	int fd;

	NEED_ROOT();
	fd = raw_connect_greeted(&broker);
	expect(fd, "login password alice\r\n", 301, NULL);
	expect(fd, "pass SeCrEt-guess\r\n", 506, NULL);
	expect(fd, "login password alice\r\n", 301, NULL);
	expect(fd, "pass alice-pw\r\n", 200, NULL);
	close(fd);
	assert_true(broker_log_wait(&broker, "audit: session=1 peer_uid=0 ",
	    2000, rest, sizeof(rest)));
	/* The built-in policy's service and rule (its line 3) decided. */
	assert_non_null(strstr(rest, "service=default rhost=- ruser=- "
	    "user=alice mech=password step=1 rule=default:3 outcome=failure "
	    "duration_ms="));
	assert_true(broker_log_wait(&broker, "mech=password step=1 "
	    "rule=default:3 outcome=success", 2000, NULL, 0));
	assert_false(broker_log_wait(&broker, "SeCrEt-guess", 0, NULL, 0));
	assert_false(broker_log_wait(&broker, "alice-pw", 0, NULL, 0));
}

static void
test_worker_is_confined_while_a_prompt_is_pending(void **state)
{
	char path[64], line[512];
	pid_t pid;
	FILE *maps;
	int fd, mapped_pam = 0;

	NEED_ROOT();
	fd = raw_connect_greeted(&broker);
	expect(fd, "login password alice\r\n", 301, NULL);
	pid = session_worker_pid(&broker, 1);
	test_assert_confined(pid);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = fopen(path, "r");
	assert_non_null(maps);
	while (fgets(line, sizeof(line), maps) != NULL)
		mapped_pam |= strstr(line, "libpam") != NULL;
	fclose(maps);
	assert_false(mapped_pam);
	expect(fd, "pass alice-pw\r\n", 200, NULL);
	close(fd);
}

#define CROWD	21

static void
test_killing_one_worker_leaves_twenty_logins_unaffected(void **state)
{
	int fds[CROWD], i;
	char reply[64], rest[256];
	pid_t victim;

	NEED_ROOT();
	for (i = 0; i < CROWD; i++) {
		fds[i] = raw_connect_greeted(&broker);
		expect(fds[i], "login password alice\r\n", 301, NULL);
	}
	victim = session_worker_pid(&broker, CROWD / 2 + 1);
	assert_int_equal(kill(victim, SIGKILL), 0);
	assert_int_equal(raw_reply(fds[CROWD / 2], reply, sizeof(reply)), -1);
	for (i = 0; i < CROWD; i++)
		if (i != CROWD / 2)
			expect(fds[i], "pass alice-pw\r\n", 200, "Logged in");
	for (i = 0; i < CROWD; i++)
		close(fds[i]);
	assert_true(broker_log_wait(&broker, "session 11: connection closed",
	    2000, NULL, 0));
	assert_true(broker_log_wait(&broker, "session=11 peer_uid=0", 2000,
	    rest, sizeof(rest)));
	assert_non_null(strstr(rest, "outcome=aborted"));
}

static void
test_peer_not_allowed_gets_502(void **state)
{
	char reply[128];
	int fd;

	NEED_ROOT();
	broker_start(&broker, "service only-4242 {\n\tpeer uid 4242\n"
	    "\tallow password\n}\n", NULL);
	fd = raw_connect(&broker);
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 502);
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), -1);
	close(fd);
	assert_true(broker_log_wait(&broker, "outcome=refused-peer", 2000,
	    NULL, 0));
	broker_stop(&broker);
}

static void
test_full_broker_gets_511(void **state)
{
	char reply[128];
	int first, second;

	NEED_ROOT();
	broker_start(&broker, "max_sessions 1\n", NULL);
	first = raw_connect_greeted(&broker);
	second = raw_connect(&broker);
	assert_int_equal(raw_reply(second, reply, sizeof(reply)), 511);
	close(second);
	close(first);
	broker_stop(&broker);
}

static void
test_pam_that_cannot_decide_gets_505(void **state)
{
	int fd;

	NEED_ROOT();
	broker_start(&broker, broker_service("broken", "broken",
	    "\tallow password\n"), NULL);
	fd = raw_connect_greeted(&broker);
	expect(fd, "login password alice\r\n", 505, "System error");
	expect(fd, "lsauth\r\n", 200, NULL);
	close(fd);
	assert_true(broker_log_wait(&broker, "outcome=error", 2000, NULL, 0));
	broker_stop(&broker);
}

static void
test_silent_client_and_unanswered_prompt_get_510(void **state)
{
	char reply[128];
	int fd;

	NEED_ROOT();
	broker_start(&broker, "idle_timeout_ms 300\n" "service default {\n"
	    "\tpeer any\n\tprompt-timeout 300ms\n\tallow password\n}\n",
	    NULL);
	fd = raw_connect_greeted(&broker);
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 510);
	assert_non_null(strstr(reply, "Idle timeout"));
	close(fd);
	fd = raw_connect_greeted(&broker);
	expect(fd, "login password alice\r\n", 301, NULL);
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 510);
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), -1);
	close(fd);
	assert_true(broker_log_wait(&broker, "outcome=timeout", 2000, NULL,
	    0));
	broker_stop(&broker);
}

static void
test_out_of_sequence_worker_is_killed_and_logged(void **state)
{
	char reply[128], rest[256];
	pid_t pid;
	int fd, i;

	NEED_ROOT();
	broker_start(&broker, NULL, getenv("LB_EVIL_WORKER"));
	fd = raw_connect_greeted(&broker);
	raw_send(fd, "answer\n", 7);
	/* The broker kills it, maybe before it says "done". */
	while (recv(fd, reply, sizeof(reply), 0) > 0)
		;
	close(fd);
	pid = session_worker_pid(&broker, 1);
	assert_true(broker_log_wait(&broker, "broke the protocol in state "
	    "idle: ", 2000, rest, sizeof(rest)));
	assert_non_null(strstr(rest, "out of sequence; killed"));
	for (i = 0; i < 200 && kill(pid, 0) == 0; i++)
		usleep(10000);
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	broker_stop(&broker);
}

static void
test_session_timeout_closes_with_510(void **state)
{
	char reply[128];
	int fd;

	NEED_ROOT();
	broker_start(&broker, broker_service("default", "loginbroker",
	    "\tsession-timeout 300ms\n\tallow password\n"), NULL);
	fd = raw_connect_greeted(&broker);
	expect(fd, "login password alice\r\n", 301, NULL);
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 510);
	assert_non_null(strstr(reply, "Login time exceeded"));
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), -1);
	close(fd);
	broker_stop(&broker);
}

/* Logs alice in on a fresh connection. */
static void
login_once(void)
{
	int fd = raw_connect_greeted(&broker);

	expect(fd, "login password alice\r\n", 301, NULL);
	expect(fd, "pass alice-pw\r\n", 200, NULL);
	close(fd);
}

static void
test_launcher_is_replaced_after_recycle_count(void **state)
{
	NEED_ROOT();
	broker_start(&broker, "launcher_recycle 2\n", NULL);
	login_once();
	assert_false(broker_log_wait(&broker, "replacing the worker launcher",
	    0, NULL, 0));
	login_once();
	assert_true(broker_log_wait(&broker, "replacing the worker launcher",
	    2000, NULL, 0));
	login_once();	/* served by the new launcher */
	broker_stop(&broker);
}

static void
test_worker_crash_replaces_the_launcher(void **state)
{
	char rest[256];
	pid_t pid;
	int fd;

	NEED_ROOT();
	broker_start(&broker, NULL, NULL);
	fd = raw_connect_greeted(&broker);
	expect(fd, "login password alice\r\n", 301, NULL);
	pid = session_worker_pid(&broker, 1);
	/* SIGABRT, not SIGSEGV: AddressSanitizer builds catch the latter. */
	assert_int_equal(kill(pid, SIGABRT), 0);
	assert_true(broker_log_wait(&broker, "replacing the worker launcher",
	    2000, rest, sizeof(rest)));
	assert_non_null(strstr(rest, "a child died from a signal"));
	assert_true(broker_log_wait(&broker, "killed by signal 6", 0, NULL,
	    0));
	close(fd);
	login_once();	/* a fresh launcher serves the next */
	broker_stop(&broker);
}

#define WITH_BROKER(f)	cmocka_unit_test_setup_teardown(f, start_default, stop)
#define OWN_BROKER(f)	cmocka_unit_test_teardown(f, stop)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		WITH_BROKER(test_cli_logs_in_with_the_right_password),
		WITH_BROKER(test_cli_wrong_password_exits_denied),
		WITH_BROKER(test_unknown_user_fails_like_a_wrong_password),
		WITH_BROKER(test_cli_unknown_mechanism_exits_refused),
		WITH_BROKER(test_cli_lists_mechanisms),
		WITH_BROKER(test_cli_without_answers_exits_aborted),
		WITH_BROKER(
		    test_library_nonblocking_login_returns_eagain_then_succeeds),
		WITH_BROKER(test_library_blocking_denied_and_mechanism_list),
		WITH_BROKER(test_protocol_replies_in_one_conversation),
		WITH_BROKER(test_third_failure_replies_509_and_closes),
		WITH_BROKER(test_quoting_carries_spaces_quotes_and_backslashes),
		WITH_BROKER(
		    test_overlong_line_gets_500_and_the_connection_goes_on),
		WITH_BROKER(test_nul_byte_and_invalid_utf8_get_500),
		WITH_BROKER(test_audit_line_per_attempt_without_the_password),
		WITH_BROKER(test_worker_is_confined_while_a_prompt_is_pending),
		WITH_BROKER(
		    test_killing_one_worker_leaves_twenty_logins_unaffected),
		OWN_BROKER(test_peer_not_allowed_gets_502),
		OWN_BROKER(test_full_broker_gets_511),
		OWN_BROKER(test_pam_that_cannot_decide_gets_505),
		OWN_BROKER(test_silent_client_and_unanswered_prompt_get_510),
		OWN_BROKER(test_out_of_sequence_worker_is_killed_and_logged),
		OWN_BROKER(test_session_timeout_closes_with_510),
		OWN_BROKER(test_launcher_is_replaced_after_recycle_count),
		OWN_BROKER(test_worker_crash_replaces_the_launcher),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
