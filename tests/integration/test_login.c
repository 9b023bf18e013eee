/* SPDX-License-Identifier: ISC */
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
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "broker_fixture.h"
#include "ipc_proto.h"
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

#define FAILED	"506 \"Authentication failed\"\r\n"

/* Waits until the broker has ended session id because its client left. */
static void
wait_closed(unsigned id)
{
	char pattern[64];

	snprintf(pattern, sizeof(pattern), "session %u: *connection closed",
	    id);
	broker_log_expect(&broker, pattern, 1);
}

static void
test_cli_logs_in_with_the_right_password(void **state)
{
	const char *args[] = { "alice", NULL };
	char out[512];

	NEED_ROOT();
	assert_int_equal(run_cli(&broker, args, "alice-pw\n", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "Password: \nLogged in\n");
}

static void
test_cli_wrong_password_exits_denied(void **state)
{
	const char *args[] = { "alice", NULL };
	char out[512];

	NEED_ROOT();
	assert_int_equal(run_cli(&broker, args, "wrong\n", out, sizeof(out)),
	    1);
	assert_string_equal(out, "Password: \nloginbroker: authentication "
	    "failed (506 Authentication failed)\n");
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
	assert_string_equal(out, "loginbroker: request refused (508 Unknown "
	    "mechanism)\n");
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

static void
test_cli_usage_error_exits_2(void **state)
{
	const char *no_user[] = { NULL };
	const char *ruser_alone[] = { "-r", "jdoe", "alice", NULL };
	char out[512];

	NEED_ROOT();
	assert_int_equal(run_cli(&broker, no_user, "", out, sizeof(out)), 2);
	assert_true(strncmp(out, "usage: loginbroker ", 19) == 0);
	assert_int_equal(run_cli(&broker, ruser_alone, "", out, sizeof(out)),
	    2);
	assert_true(strncmp(out, "usage: loginbroker ", 19) == 0);
}

static void
test_cli_without_a_broker_exits_unavailable(void **state)
{
	const char *args[] = { "alice", NULL };
	char out[512], want[512];

	NEED_ROOT();
	/* The broker's socket path with nobody listening. */
	broker_stop(&broker);
	assert_int_equal(run_cli(&broker, args, "", out, sizeof(out)), 3);
	snprintf(want, sizeof(want), "loginbroker: %s: No such file or "
	    "directory\n", broker.sock);
	assert_string_equal(out, want);
}

/* A server that is not a broker: it greets with garbage and hangs up. */
static void
test_cli_unparsable_reply_exits_protocol_error(void **state)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct broker_fixture fake = { .pid = 0 };
	const char *args[] = { "alice", NULL };
	char out[512];
	int lfd, fd, status;
	pid_t pid;

	NEED_ROOT();
	snprintf(fake.sock, sizeof(fake.sock), "/tmp/lbtest-fake.%d",
	    (int)getpid());
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", fake.sock);
	unlink(fake.sock);
	assert_true((lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) >=
	    0);
	assert_int_equal(bind(lfd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(lfd, 1), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(10);
		if ((fd = accept(lfd, NULL, NULL)) == -1)
			_exit(1);
		_exit(write(fd, "hello there\r\n", 13) == 13 ? 0 : 1);
	}
	close(lfd);
	assert_int_equal(run_cli(&fake, args, "", out, sizeof(out)), 4);
	unlink(fake.sock);
	assert_string_equal(out, "loginbroker: protocol error\n");
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
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
 * LB_EAGAIN returns after the answer was given, while the reply waits. */
static int
login_nonblocking(struct lb_conn *c, struct counting_answer *a,
    int *eagains)
{
	int rc, calls = a->calls;
	struct pollfd pfd;

	while ((rc = lb_login(c, "password", "alice", answer_once, a)) ==
	    LB_EAGAIN) {
		if (a->calls > calls)
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

/* One connection, many requests: each row's whole reply in turn. */
static const struct step {
	const char *request;
	int code;
	const char *reply;
} conversation[] = {
	{ "lsauth\r\n", 200, "200-password\r\n200 keyboard-interactive\r\n" },
	{ "bogus\r\n", 500, "500 \"Unknown command\"\r\n" },
	{ "\r\n", 500, "500 \"Empty line\"\r\n" },
	{ "login password\r\n", 501, "501 \"Wrong number of arguments\"\r\n" },
	{ "login password alice extra\r\n", 501,
	    "501 \"Mechanism takes no initial response\"\r\n" },
	{ "login password alice extra more\r\n", 501,
	    "501 \"Wrong number of arguments\"\r\n" },
	{ "lsauth extra\r\n", 501, "501 \"Wrong number of arguments\"\r\n" },
	{ "pass x\r\n", 507, "507 \"No authentication in progress\"\r\n" },
	{ "login nope alice\r\n", 508, "508 \"Unknown mechanism\"\r\n" },
	{ "login password -alice\r\n", 504, "504 \"Invalid user name\"\r\n" },
	{ "login password al:ice\r\n", 504, "504 \"Invalid user name\"\r\n" },
	{ "login password \"\"\r\n", 504, "504 \"Invalid user name\"\r\n" },
	{ "login \"unbalanced\r\n", 500,
	    "500 \"Unbalanced quote or trailing backslash\"\r\n" },
	{ "login trailing\\\r\n", 500,
	    "500 \"Unbalanced quote or trailing backslash\"\r\n" },
	{ "a b c d e f g h i j k l m n o p q\r\n", 500,
	    "500 \"Too many words\"\r\n" },
	{ "login password alice\r\n", 301, "301 \"Password: \"\r\n" },
	{ "pass\r\n", 501, "501 \"Expected 1 answer\"\r\n" }, /* prompt stays */
	{ "pass two words\r\n", 501, "501 \"Expected 1 answer\"\r\n" },
	{ "pass wrong\r\n", 506, FAILED },
	{ "login password alice\r\n", 301, "301 \"Password: \"\r\n" },
	{ "login password bob\r\n", 301, "301 \"Password: \"\r\n" }, /* anew */
	{ "pass bob-pw\r\n", 200, "200 \"Logged in\"\r\n" },
	{ "login password alice\r\n", 503, "503 \"Already logged in\"\r\n" },
	{ "pass x\r\n", 507, "507 \"No authentication in progress\"\r\n" },
	{ "lsauth\r\n", 200, "200-password\r\n200 keyboard-interactive\r\n" },
	{ "quit\r\n", 200, "200 Bye\r\n" },
};

static void
test_protocol_replies_in_one_conversation(void **state)
{
	size_t i;
	int fd;

	NEED_ROOT();
	fd = raw_connect_greeted(&broker);
	for (i = 0; i < sizeof(conversation) / sizeof(conversation[0]); i++)
		raw_expect(fd, conversation[i].request, conversation[i].code,
		    conversation[i].reply);
	raw_expect_closed(fd);
	close(fd);
}

/* A client that half-closes after its request (nc -N) gets its reply and
 * then the end of the stream: the worker tells the broker it leaves, so
 * no 505 follows. */
static void
test_half_closed_client_gets_its_reply_and_no_505(void **state)
{
	char reply[128];
	int fd;

	NEED_ROOT();
	fd = raw_connect_greeted(&broker);
	raw_send(fd, "lsauth\r\n", 8);
	assert_int_equal(shutdown(fd, SHUT_WR), 0);
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 200);
	raw_expect_closed(fd);
	close(fd);
	broker_log_expect(&broker, "session 1: connection closed", 1);
}

static void
test_third_failure_replies_509_and_closes(void **state)
{
	int fd;

	NEED_ROOT();
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "pass a\r\n", 506, FAILED);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "pass b\r\n", 506, FAILED);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "pass c\r\n", 509,
	    "509 \"Authentication failed; too many attempts\"\r\n");
	raw_expect_closed(fd);
	close(fd);
}

/* A login abandoned by another login is an attempt all the same. */
static void
test_abandoned_attempts_count_against_the_limit(void **state)
{
	int fd;

	NEED_ROOT();
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "login password alice\r\n", 509,
	    "509 \"Too many attempts\"\r\n");
	raw_expect_closed(fd);
	close(fd);
	broker_log_expect(&broker, "audit: session=1 * user=alice "
	    "mech=password step=1 rule=default:3 outcome=aborted *", 3);
}

static void
test_quoting_carries_spaces_quotes_and_backslashes(void **state)
{
	int fd;

	NEED_ROOT();
	/* quoter's password is: p a"ss\word */
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "\"login\"   \"pass\"word\tquoter\r\n", 301, NULL);
	raw_expect(fd, "pass \"p a\\\"ss\\\\word\"\r\n", 200, NULL);
	close(fd);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login password quoter\n", 301, NULL);	/* bare LF */
	raw_expect(fd, "pass p\\ a\\\"ss\\\\wo\"rd\"\r\n", 200, NULL);
	close(fd);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login password quoter\r\n", 301, NULL);
	raw_expect(fd, "pass \"p a\\\"ss\\word\"\r\n", 506, FAILED); /* \w */
	close(fd);
}

/* A client that hangs up while its failure's reply is held has one audit
 * line for that attempt: the failure, decided before the delay. */
static void
test_hanging_up_during_the_delay_audits_the_failure_once(void **state)
{
	int fd;

	NEED_ROOT();
	broker_start(&broker, "failure_delay_ms 1000\n", NULL);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_send(fd, "pass wrong\r\n", 12);
	broker_log_expect(&broker, "audit: session=1 * outcome=failure *", 1);
	close(fd);
	wait_closed(1);
	broker_log_expect(&broker, "audit: session=1 *", 1);
	broker_stop(&broker);
}

/* The worker wipes a secret as soon as it is in the IPC message (issue
 * 10, "secrets wiped at parse time"): while its failure's reply is held,
 * the worker's memory, read as root, has its own texts but not the
 * password. */
static void
test_worker_memory_holds_no_secret_while_the_login_is_pending(void **state)
{
	static const char secret[] = "s3cr3t-6e1f0c-never-kept";
	char line[64];
	pid_t pid;
	int fd;

	NEED_ROOT();
	broker_start(&broker, "failure_delay_ms 3000\n", NULL);
	fd = raw_connect_greeted(&broker);
	pid = session_worker_pid(&broker, 1);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	snprintf(line, sizeof(line), "pass %s\r\n", secret);
	raw_send(fd, line, strlen(line));
	/* Decided and audited: the worker has sent the answer and waits. */
	broker_log_expect(&broker, "audit: session=1 * outcome=failure *", 1);
	assert_true(test_memory_holds(pid, "Wrong number of arguments"));
	assert_false(test_memory_holds(pid, secret));
	close(fd);
	broker_stop(&broker);
}

/* Requests written at once are answered in turn, without waiting for
 * more bytes (issue 10, finding 4). */
static void
test_pipelined_requests_are_all_answered(void **state)
{
	static const char three[] = "lsauth\r\nbogus\r\nlsauth\r\n";
	char reply[128];
	int fd;

	NEED_ROOT();
	fd = raw_connect_greeted(&broker);
	raw_send(fd, three, sizeof(three) - 1);
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 200);
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 500);
	assert_string_equal(reply, "500 \"Unknown command\"\r\n");
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 200);
	close(fd);
}

/* "lsauth" padded with blanks to len bytes, CRLF included. */
static const char *
padded_lsauth(char *buf, size_t len)
{
	memset(buf, ' ', len - 2);
	memcpy(buf, "lsauth", 6);
	memcpy(buf + len - 2, "\r\n", 3);
	return buf;
}

/* LINE_MAX_BYTES, written out: a moved bound fails here. */
static void
test_line_of_16384_bytes_passes_and_16385_gets_500(void **state)
{
	static char line[16400];
	int fd;

	NEED_ROOT();
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, padded_lsauth(line, 16384), 200,
	    "200-password\r\n200 keyboard-interactive\r\n");
	raw_expect(fd, padded_lsauth(line, 16385), 500,
	    "500 \"Line too long\"\r\n");
	/* Skipped to its end: the connection goes on. */
	raw_expect(fd, "lsauth\r\n", 200, NULL);
	close(fd);
}

static void
test_overlong_line_gets_500_and_the_connection_goes_on(void **state)
{
	static char line[40000];
	int fd;

	NEED_ROOT();
	fd = raw_connect_greeted(&broker);
	memset(line, 'a', sizeof(line));
	memcpy(line + sizeof(line) - 2, "\r\n", 2);
	raw_send(fd, line, sizeof(line));
	raw_expect(fd, "", 500, "500 \"Line too long\"\r\n");
	raw_expect(fd, "lsauth\r\n", 200, NULL);
	close(fd);
}

static void
test_user_name_of_255_bytes_passes_and_256_gets_504(void **state)
{
	char line[300];
	int fd;

	NEED_ROOT();
	fd = raw_connect_greeted(&broker);
	snprintf(line, sizeof(line), "login password %0255d\r\n", 7);
	raw_expect(fd, line, 301, "301 \"Password: \"\r\n");
	snprintf(line, sizeof(line), "login password %0256d\r\n", 7);
	raw_expect(fd, line, 504, "504 \"Invalid user name\"\r\n");
	close(fd);
}

static void
test_answer_of_511_bytes_is_verified_and_512_gets_514(void **state)
{
	char line[600];
	int fd;

	NEED_ROOT();
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	snprintf(line, sizeof(line), "pass %0511d\r\n", 7);
	raw_expect(fd, line, 506, FAILED);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	snprintf(line, sizeof(line), "pass %0512d\r\n", 7);
	raw_expect(fd, line, 514, "514 \"Answer too long\"\r\n");
	close(fd);
}

static void
test_nul_byte_and_invalid_utf8_get_500_or_504_for_a_user(void **state)
{
	int fd;

	NEED_ROOT();
	fd = raw_connect_greeted(&broker);
	raw_send(fd, "login pass\0word alice\r\n", 23);
	raw_expect(fd, "", 500, "500 \"NUL byte in line\"\r\n");
	/* Not UTF-8 in the user name alone: 504, as the Dolda Connect protocol says; in any
	 * other word: 500. */
	raw_expect(fd, "login password \xc3\x28\r\n", 504,
	    "504 \"Invalid user name\"\r\n");
	raw_expect(fd, "login password \xed\xa0\x80\r\n", 504,
	    "504 \"Invalid user name\"\r\n");
	raw_expect(fd, "login pass\xffword alice\r\n", 500,
	    "500 \"Invalid UTF-8\"\r\n");
	raw_expect(fd, "login password j\xc3\xb6rg\r\n", 301, NULL);
	close(fd);
}

static void
test_audit_line_per_attempt_without_the_password(void **state)
{
	int fd;

	NEED_ROOT();
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "pass SeCrEt-guess\r\n", 506, NULL);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "pass alice-pw\r\n", 200, NULL);
	close(fd);
	/* The built-in policy's service and rule (its line 3) decided. */
	broker_log_expect(&broker, "audit: session=1 peer_uid=0 peer_pid=* "
	    "service=default rhost=- ruser=- user=alice mech=password step=1 "
	    "rule=default:3 outcome=failure duration_ms=* "
	    "detail=auth:PAM_AUTH_ERR", 1);
	broker_log_expect(&broker, "audit: session=1 peer_uid=0 peer_pid=* "
	    "service=default rhost=- ruser=- user=alice mech=password step=1 "
	    "rule=default:3 outcome=success duration_ms=* "
	    "detail=account:PAM_SUCCESS", 1);
	/* Only once the session is over has the broker written all. */
	wait_closed(1);
	assert_int_equal(broker_log_count(&broker, "SeCrEt-guess"), 0);
	assert_int_equal(broker_log_count(&broker, "alice-pw"), 0);
}

/* A line "NAME  SOFT  HARD  UNITS" of /proc/PID/limits: soft and hard. */
static void
assert_limit(pid_t pid, const char *name, const char *soft_hard)
{
	char path[64], line[256], want[128];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	assert_non_null(f = fopen(path, "r"));
	snprintf(want, sizeof(want), "%-26s%s", name, soft_hard);
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, name, strlen(name)) == 0)
			break;
	fclose(f);
	if (strncmp(line, want, strlen(want)) != 0)
		fail_msg("%s: %swanted: %s", path, line, want);
}

static void
test_worker_is_confined_while_a_prompt_is_pending(void **state)
{
	char path[64], line[512];
	struct stat st;
	uid_t uid;
	gid_t gid;
	pid_t pid;
	FILE *maps;
	int fd, mapped_pam = 0;

	NEED_ROOT();
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	pid = session_worker_pid(&broker, 1);
	/* Two filters: the launcher's and, stacked on it, the session's. */
	test_sandbox_ids(&uid, &gid);
	test_assert_confined(pid, 2, uid, gid);
	/* As doc/sandbox.md says: 8 descriptors, no processes, no file
	 * growth, no core. */
	assert_limit(pid, "Max open files", "8                    8");
	assert_limit(pid, "Max processes", "0                    0");
	assert_limit(pid, "Max file size", "0                    0");
	assert_limit(pid, "Max core file size", "0                    0");
	/* Not dumpable: its /proc files belong to root, not to its uid. */
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_uid, 0);
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	maps = fopen(path, "r");
	assert_non_null(maps);
	while (fgets(line, sizeof(line), maps) != NULL)
		mapped_pam |= strstr(line, "libpam") != NULL;
	fclose(maps);
	assert_false(mapped_pam);
	raw_expect(fd, "pass alice-pw\r\n", 200, NULL);
	close(fd);
}

#define CROWD	21

static void
test_killing_one_worker_leaves_twenty_logins_unaffected(void **state)
{
	char reply[128];
	int fds[CROWD], i;
	pid_t victim;

	NEED_ROOT();
	for (i = 0; i < CROWD; i++) {
		fds[i] = raw_connect_greeted(&broker);
		raw_expect(fds[i], "login password alice\r\n", 301, NULL);
	}
	victim = session_worker_pid(&broker, CROWD / 2 + 1);
	assert_int_equal(kill(victim, SIGKILL), 0);
	/* Its client is told by the broker, then hung up on. */
	assert_int_equal(raw_reply(fds[CROWD / 2], reply, sizeof(reply)), 505);
	assert_string_equal(reply, "505 \"System error\"\r\n");
	raw_expect_closed(fds[CROWD / 2]);
	for (i = 0; i < CROWD; i++)
		if (i != CROWD / 2)
			raw_expect(fds[i], "pass alice-pw\r\n", 200,
			    "200 \"Logged in\"\r\n");
	for (i = 0; i < CROWD; i++)
		close(fds[i]);
	broker_log_expect(&broker, "session 11: connection closed", 1);
	broker_log_expect(&broker, "audit: session=11 peer_uid=0 * "
	    "user=alice mech=password step=1 rule=default:3 outcome=aborted "
	    "duration_ms=*", 1);
	broker_log_expect(&broker, "audit: * outcome=success *", CROWD - 1);
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
	assert_string_equal(reply, "502 \"Permission denied\"\r\n");
	raw_expect_closed(fd);
	close(fd);
	broker_log_expect(&broker, "audit: session=- peer_uid=0 peer_pid=* "
	    "rule=no-service outcome=refused-peer", 1);
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
	assert_string_equal(reply,
	    "511 \"Too many sessions, try again later\"\r\n");
	raw_expect_closed(second);
	close(second);
	close(first);
	broker_stop(&broker);
}

/* The pid of the broker's child whose command is the worker launcher. */
static pid_t
launcher_pid(void)
{
	char path[64], line[4096], cmd[256];
	char *tok, *save;
	pid_t found = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children",
	    (int)broker.pid, (int)broker.pid);
	assert_non_null(f = fopen(path, "r"));
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	for (tok = strtok_r(line, " \n", &save); tok != NULL && found == 0;
	    tok = strtok_r(NULL, " \n", &save)) {
		snprintf(path, sizeof(path), "/proc/%s/cmdline", tok);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(cmd, sizeof(cmd), f) != NULL &&
		    strcmp(cmd, "loginbroker-worker") == 0)
			found = (pid_t)atoi(tok);
		fclose(f);
	}
	if (found == 0)
		fail_msg("no worker launcher among the broker's children");
	return found;
}

/* When no worker can be started, the greeting (sent at once, while a
 * worker is being assigned) is followed by 505 and the close: here the
 * launcher dies and its binary is gone. */
static void
test_505_follows_the_greeting_when_no_worker_can_start(void **state)
{
	char link[128], reply[128];
	int fds[3], served = 0, code = 0;

	NEED_ROOT();
	snprintf(link, sizeof(link), "/tmp/lbtest-worker.%d", (int)getpid());
	unlink(link);
	assert_int_equal(symlink(getenv("LB_WORKER"), link), 0);
	broker_start(&broker, "spare_workers 1\n", link);
	assert_int_equal(unlink(link), 0);
	assert_int_equal(kill(launcher_pid(), SIGKILL), 0);
	assert_true(broker_log_wait(&broker, "the worker launcher (pid ", 2000,
	    NULL, 0));
	/* The one spare made before the launcher died may serve one. */
	while (served < 2) {
		struct pollfd pfd = { raw_connect_greeted(&broker), POLLIN, 0 };

		/* Without a worker, 505 comes unasked; with one, lsauth is
		 * answered. */
		fds[served] = pfd.fd;
		if (poll(&pfd, 1, 1000) == 0)
			raw_send(pfd.fd, "lsauth\r\n", 8);
		if ((code = raw_reply(pfd.fd, reply, sizeof(reply))) != 200)
			break;
		served++;
	}
	assert_true(served <= 1);
	assert_int_equal(code, 505);
	assert_string_equal(reply, "505 \"System error\"\r\n");
	raw_expect_closed(fds[served]);
	while (served >= 0)
		close(fds[served--]);
	broker_log_expect(&broker, "session *: no worker can be started", 1);
	broker_stop(&broker);
}

/* A launcher that speaks another version of the internal messages (one
 * re-executed from a newer binary on disk) is refused at the start. */
static void
test_launcher_of_another_protocol_version_stops_the_start(void **state)
{
	char want[160];
	int status;

	NEED_ROOT();
	status = broker_start_failing(&broker, NULL,
	    getenv("LB_OLD_LAUNCHER"));
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) != 0);
	snprintf(want, sizeof(want), "the worker launcher (pid *) speaks "
	    "internal protocol version %u, this broker %u: refused",
	    IPC_PROTO_VERSION - 1, IPC_PROTO_VERSION);
	broker_log_expect(&broker, want, 1);
	broker_log_expect(&broker, "the worker launcher did not start", 1);
	assert_int_equal(broker_log_count(&broker, "listening on"), 0);
	broker_stop(&broker);
}

static void
test_socket_has_the_configured_owner_and_mode(void **state)
{
	struct stat st;

	NEED_ROOT();
	broker_start(&broker, "socket_group lightdm\nsocket_mode 0660\n",
	    NULL);
	assert_int_equal(stat(broker.sock, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
	assert_int_equal(st.st_uid, 0);
	assert_int_equal(st.st_gid, 950);	/* lightdm, tests/fixtures */
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
	raw_expect(fd, "login password alice\r\n", 505,
	    "505 \"System error\"\r\n");
	raw_expect(fd, "lsauth\r\n", 200, "200 password\r\n");
	close(fd);
	broker_log_expect(&broker, "audit: session=1 * user=alice "
	    "mech=password step=1 rule=broken:4 outcome=error *", 1);
	broker_stop(&broker);
}

static void
test_idle_and_prompt_timeouts_close_with_their_own_510(void **state)
{
	char reply[128];
	int fd;

	NEED_ROOT();
	/* Apart, so that neither can stand in for the other. */
	broker_start(&broker, "idle_timeout_ms 300\n" "service default {\n"
	    "\tpeer any\n\tprompt-timeout 1500ms\n\tallow password\n}\n",
	    NULL);
	fd = raw_connect_greeted(&broker);
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 510);
	assert_string_equal(reply, "510 \"Idle timeout\"\r\n");
	raw_expect_closed(fd);
	close(fd);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 510);
	assert_string_equal(reply,
	    "510 \"Timed out waiting for an answer\"\r\n");
	raw_expect_closed(fd);
	close(fd);
	broker_log_expect(&broker, "audit: session=2 * user=alice "
	    "mech=password step=1 rule=default:5 outcome=timeout *", 1);
	broker_stop(&broker);
}

/* A logged-in client that dribbles a byte every 100 ms, never a whole
 * line, is closed at the idle timeout all the same (issue 10, finding 8):
 * only a complete request restarts the clock. */
static void
test_dribbling_client_is_closed_at_the_idle_timeout(void **state)
{
	struct pollfd pfd;
	char reply[128];
	int fd, sent;

	NEED_ROOT();
	broker_start(&broker, "idle_timeout_ms 500\n", NULL);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "pass alice-pw\r\n", 200, NULL);
	pfd = (struct pollfd){ .fd = fd, .events = POLLIN };
	for (sent = 0; sent < 30 && poll(&pfd, 1, 100) == 0; sent++)
		assert_int_equal(send(fd, "x", 1, MSG_NOSIGNAL), 1);
	assert_true(sent < 30);
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 510);
	assert_string_equal(reply, "510 \"Idle timeout\"\r\n");
	close(fd);
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
	assert_string_equal(rest, "message type 12 out of sequence; killed");
	for (i = 0; i < 200 && kill(pid, 0) == 0; i++)
		usleep(10000);
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	broker_stop(&broker);
}

/* A compromised worker that closes its channel but keeps running (and
 * the client's socket) is killed all the same: no process outlives the
 * session the broker counts. */
static void
test_worker_that_hangs_up_its_channel_is_killed(void **state)
{
	char reply[128];
	pid_t pid;
	int fd, i;

	NEED_ROOT();
	broker_start(&broker, NULL, getenv("LB_EVIL_WORKER"));
	fd = raw_connect_greeted(&broker);
	pid = session_worker_pid(&broker, 1);
	raw_send(fd, "hangup\n", 7);
	for (i = 0; i < 200 && kill(pid, 0) == 0; i++)
		usleep(10000);
	assert_int_equal(kill(pid, 0), -1);
	assert_int_equal(errno, ESRCH);
	/* Its client socket went with it. */
	while (recv(fd, reply, sizeof(reply), 0) > 0)
		;
	close(fd);
	broker_stop(&broker);
}

/* A compromised worker that floods the broker with requests and never
 * reads the replies (issue 10, finding 1): the broker's end never blocks,
 * and the second CONTEXT, which no honest worker sends, ends the worker;
 * meanwhile the broker greets a new client at once.  (A queue that fills
 * ends its peer too: tests/ipc/test_msg.c.) */
static void
test_worker_that_never_reads_cannot_stall_the_broker(void **state)
{
	char rest[256];
	int fd, other;

	NEED_ROOT();
	broker_start(&broker, NULL, getenv("LB_EVIL_WORKER"));
	fd = raw_connect_greeted(&broker);
	raw_send(fd, "flood 20000\n", 12);
	assert_true(broker_log_wait(&broker, "broke the protocol in state "
	    "idle: ", 2000, rest, sizeof(rest)));
	assert_string_equal(rest,
	    "CONTEXT more than once or after a login; killed");
	broker_log_expect(&broker, "audit: session=1 * "
	    "outcome=worker-violation*", 1);
	other = raw_connect_greeted(&broker);
	close(other);
	close(fd);
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
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 510);
	assert_string_equal(reply, "510 \"Login time exceeded\"\r\n");
	raw_expect_closed(fd);
	close(fd);
	broker_stop(&broker);
}

/* Started by chroot(8) into a directory that is no mount point (issue 10,
 * finding 7), the broker confines its workers all the same and logs in:
 * the empty root is a detached tmpfs, which needs no mount point. */
static void
test_broker_in_a_plain_chroot_logs_in(void **state)
{
	NEED_ROOT();
	broker.with.plain_chroot = true;
	broker_start(&broker, NULL, NULL);
	broker_login_once(&broker);
	broker_stop(&broker);
}

/* The parent of session id's worker, which waits at a prompt: the
 * launcher that made it. */
static pid_t
launcher_of_session(unsigned id)
{
	char v[32];

	assert_non_null(test_proc_status(session_worker_pid(&broker, id),
	    "PPid", v, sizeof(v)));
	return (pid_t)atoi(v);
}

static void
test_launcher_is_replaced_after_recycle_count(void **state)
{
	char want[128];
	pid_t first;
	int fd;

	NEED_ROOT();
	broker_start(&broker, "launcher_recycle 2\n", NULL);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	first = launcher_of_session(1);
	raw_expect(fd, "pass alice-pw\r\n", 200, NULL);
	close(fd);
	wait_closed(1);
	assert_int_equal(broker_log_count(&broker,
	    "replacing the worker launcher"), 0);
	broker_login_once(&broker);
	snprintf(want, sizeof(want), "replacing the worker launcher (pid %d): "
	    "recycle count reached", (int)first);
	broker_log_expect(&broker, want, 1);
	/* The third session's worker comes from another launcher. */
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	assert_int_not_equal(launcher_of_session(3), first);
	raw_expect(fd, "pass alice-pw\r\n", 200, NULL);
	close(fd);
	broker_stop(&broker);
}

static void
test_worker_crash_replaces_the_launcher(void **state)
{
	char want[128];
	pid_t pid;
	int fd;

	NEED_ROOT();
	broker_start(&broker, NULL, NULL);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	pid = session_worker_pid(&broker, 1);
	/* SIGABRT, not SIGSEGV: AddressSanitizer builds catch the latter. */
	assert_int_equal(kill(pid, SIGABRT), 0);
	snprintf(want, sizeof(want), "worker launcher child %d killed by "
	    "signal 6", (int)pid);
	broker_log_expect(&broker, want, 1);
	broker_log_expect(&broker, "replacing the worker launcher (pid *): "
	    "a child died from a signal", 1);
	close(fd);
	broker_login_once(&broker);	/* a fresh launcher serves the next */
	broker_stop(&broker);
}

#define WITH_BROKER(f)	cmocka_unit_test_prestate_setup_teardown(f, \
    start_default, broker_teardown, &broker)
#define OWN_BROKER(f)	BROKER_TEST(f, &broker)

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
		WITH_BROKER(test_cli_usage_error_exits_2),
		WITH_BROKER(test_cli_without_a_broker_exits_unavailable),
		OWN_BROKER(test_cli_unparsable_reply_exits_protocol_error),
		WITH_BROKER(
		    test_library_nonblocking_login_returns_eagain_then_succeeds),
		WITH_BROKER(test_library_blocking_denied_and_mechanism_list),
		WITH_BROKER(test_protocol_replies_in_one_conversation),
		WITH_BROKER(test_half_closed_client_gets_its_reply_and_no_505),
		WITH_BROKER(test_third_failure_replies_509_and_closes),
		WITH_BROKER(test_abandoned_attempts_count_against_the_limit),
		OWN_BROKER(
		    test_hanging_up_during_the_delay_audits_the_failure_once),
		OWN_BROKER(
		    test_worker_memory_holds_no_secret_while_the_login_is_pending),
		WITH_BROKER(test_quoting_carries_spaces_quotes_and_backslashes),
		WITH_BROKER(test_pipelined_requests_are_all_answered),
		WITH_BROKER(test_line_of_16384_bytes_passes_and_16385_gets_500),
		WITH_BROKER(
		    test_overlong_line_gets_500_and_the_connection_goes_on),
		WITH_BROKER(
		    test_user_name_of_255_bytes_passes_and_256_gets_504),
		WITH_BROKER(
		    test_answer_of_511_bytes_is_verified_and_512_gets_514),
		WITH_BROKER(
		    test_nul_byte_and_invalid_utf8_get_500_or_504_for_a_user),
		WITH_BROKER(test_audit_line_per_attempt_without_the_password),
		WITH_BROKER(test_worker_is_confined_while_a_prompt_is_pending),
		WITH_BROKER(
		    test_killing_one_worker_leaves_twenty_logins_unaffected),
		OWN_BROKER(test_peer_not_allowed_gets_502),
		OWN_BROKER(test_full_broker_gets_511),
		OWN_BROKER(test_505_follows_the_greeting_when_no_worker_can_start),
		OWN_BROKER(
		    test_launcher_of_another_protocol_version_stops_the_start),
		OWN_BROKER(test_socket_has_the_configured_owner_and_mode),
		OWN_BROKER(test_pam_that_cannot_decide_gets_505),
		OWN_BROKER(
		    test_idle_and_prompt_timeouts_close_with_their_own_510),
		OWN_BROKER(test_dribbling_client_is_closed_at_the_idle_timeout),
		OWN_BROKER(test_broker_in_a_plain_chroot_logs_in),
		OWN_BROKER(test_out_of_sequence_worker_is_killed_and_logged),
		OWN_BROKER(test_worker_that_hangs_up_its_channel_is_killed),
		OWN_BROKER(
		    test_worker_that_never_reads_cannot_stall_the_broker),
		OWN_BROKER(test_session_timeout_closes_with_510),
		OWN_BROKER(test_launcher_is_replaced_after_recycle_count),
		OWN_BROKER(test_worker_crash_replaces_the_launcher),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
