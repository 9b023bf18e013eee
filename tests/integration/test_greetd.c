/* SPDX-License-Identifier: ISC */
/*
 * test_greetd.c: greetd's IPC front end (issue 16, B).  The real greeter
 * agreety (package greetd; never the greetd daemon) on a pty, pointed at
 * the broker's greetd socket by GREETD_SOCK, and a greeter of the test's
 * own for the exact JSON: prompts and rounds as auth_messages, a chain of
 * two factors, start_session through the session keeper, cancel,
 * malformed frames, refusals in greetd's words, and a compromised worker
 * on that socket.  Needs root.
 */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
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
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "broker_fixture.h"
#include "testlib.h"

#define AGREETY		"/usr/sbin/agreety"

/* greetd's replies as this broker words them (json-c, no blanks). */
#define MESSAGE(kind, text) "{\"type\":\"auth_message\",\"auth_message_type\"" \
	":\"" kind "\",\"auth_message\":\"" text "\"}"
#define SUCCESS		"{\"type\":\"success\"}"
#define ERROR(type, text) "{\"type\":\"error\",\"error_type\":\"" type "\"," \
	"\"description\":\"" text "\"}"
/* A greeter's requests, as agreety sends them. */
#define CREATE(user)	"{\"type\": \"create_session\", \"username\": \"" \
	user "\"}"
#define RESPONSE(text)	"{\"type\": \"post_auth_message_response\", " \
	"\"response\": \"" text "\"}"
#define ACK		"{\"type\": \"post_auth_message_response\", " \
	"\"response\": null}"
#define CANCEL		"{\"type\": \"cancel_session\"}"

static struct broker_fixture broker;
static pid_t agreety_pid;
/* The session command's directory: its script and what it wrote. */
static char work[64];

/* A greeter's connection to the broker's greetd socket, as root. */
static int
greeter_connect(void)
{
	return raw_connect_path_as(broker.greetd_sock, 0, 0);
}

/* One frame: the length in native byte order, then the JSON. */
static void
greetd_send(int fd, const char *json)
{
	uint32_t len = (uint32_t)strlen(json);

	test_write_all(fd, &len, sizeof(len));
	test_write_all(fd, json, len);
}

/* Reads len bytes (the socket times out after 5 s): false at the end. */
static bool
read_full(int fd, void *buf, size_t len)
{
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		n = read(fd, (char *)buf + got, len - got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		got += (size_t)n;
	}
	return true;
}

/* The next reply's JSON, NUL-ended, in buf[cap]: false at the end. */
static bool
greetd_recv(int fd, char *buf, size_t cap)
{
	uint32_t len;

	if (!read_full(fd, &len, sizeof(len)))
		return false;
	if (len >= cap)
		fail_msg("a reply of %u bytes", (unsigned)len);
	if (!read_full(fd, buf, len))
		return false;
	buf[len] = '\0';
	return true;
}

/* Sends request; the reply must match want (fnmatch(3), no escapes). */
static void
greetd_expect(int fd, const char *request, const char *want)
{
	char got[8192];

	greetd_send(fd, request);
	if (!greetd_recv(fd, got, sizeof(got)))
		fail_msg("%s: no reply", request);
	if (fnmatch(want, got, FNM_NOESCAPE) != 0)
		fail_msg("%s:\n got: %s\n wanted: %s", request, got, want);
}

/* The connection ends with no other reply. */
static void
greetd_expect_end(int fd)
{
	char got[8192];

	if (greetd_recv(fd, got, sizeof(got)))
		fail_msg("a reply where the end was due: %s", got);
}

/* A service for greeters (peer root, a trusted front end): allow rule,
 * PAM service, more lines. */
static const char *
greeter_policy(const char *allow, const char *pam_service, const char *more)
{
	static char text[2048];
	char lines[1024];

	snprintf(lines, sizeof(lines), "\ttrusted-peer any\n\tallow %s\n%s",
	    allow, more);
	snprintf(text, sizeof(text), "%s", broker_service("greeter",
	    pam_service, lines));
	return text;
}

/* A session command the user can run: DIR/whoami writes its uid to
 * DIR/out/uid.  Its policy lines, for greeter_policy. */
static const char *
make_session_command(void)
{
	static char lines[256];
	char path[128], text[256];
	FILE *f;

	snprintf(work, sizeof(work), "/tmp/lbgreet.XXXXXX");
	assert_non_null(mkdtemp(work));
	assert_int_equal(chmod(work, 0755), 0);
	snprintf(path, sizeof(path), "%s/out", work);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(chmod(path, 01777), 0);
	snprintf(path, sizeof(path), "%s/whoami", work);
	snprintf(text, sizeof(text), "#!/bin/sh\nid -u > %s/out/uid\n", work);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
	assert_int_equal(chmod(path, 0755), 0);
	snprintf(lines, sizeof(lines), "\tsessions yes\n\tsession-command %s\n"
	    "\tsession-outlives-client yes\n", path);
	return lines;
}

/* What the session command wrote, once it has (5 s at most). */
static void
expect_session_uid(const char *want)
{
	char path[128], got[32] = "";
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/out/uid", work);
	for (i = 0; i < 500; i++) {
		if ((f = fopen(path, "r")) != NULL) {
			if (fgets(got, sizeof(got), f) == NULL)
				got[0] = '\0';
			fclose(f);
			if (strchr(got, '\n') != NULL)
				break;
		}
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	assert_string_equal(got, want);
}

/* agreety on a pty of its own, on the broker's greetd socket, starting
 * the session command; master is where the person types. */
static int
start_agreety(void)
{
	char cmd[128], sock_env[128], name[64];
	const char *argv[] = { AGREETY, "--cmd", cmd, "--max-failures", "3",
	    NULL };
	const char *env[] = { sock_env, NULL };
	int master;

	snprintf(cmd, sizeof(cmd), "%s/whoami", work);
	snprintf(sock_env, sizeof(sock_env), "GREETD_SOCK=%s",
	    broker.greetd_sock);
	agreety_pid = test_spawn_on_pty(argv, env, &master, name,
	    sizeof(name));
	return master;
}

/* agreety's exit status, once it exits (10 s at most). */
static int
agreety_status(void)
{
	int i, status;

	for (i = 0; i < 1000; i++) {
		if (waitpid(agreety_pid, &status, WNOHANG) == agreety_pid) {
			agreety_pid = 0;
			return status;
		}
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	}
	fail_msg("agreety did not exit");
	return -1;
}

/* agreety ends well (0), having started the session: the session
 * command ran as alice.  out: what the terminal showed, for the failure
 * message. */
static void
expect_agreety_started_the_session(int master, const char *out)
{
	int status = agreety_status();

	close(master);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("agreety ended with 0x%x: %s", status, out);
	expect_session_uid("1001\n");
}

/* agreety and the session command's directory go, whatever the test
 * did. */
static int
teardown(void **state)
{
	char cmd[96];

	if (agreety_pid > 0) {
		kill(agreety_pid, SIGKILL);
		(void)waitpid(agreety_pid, NULL, 0);
		agreety_pid = 0;
	}
	if (work[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", work);
		if (system(cmd) != 0)
			print_message("could not remove %s\n", work);
		work[0] = '\0';
	}
	return broker_teardown(state);
}

#define GREETD_TEST(f) \
	cmocka_unit_test_prestate_setup_teardown(f, NULL, teardown, &broker)

/* A person at agreety: a wrong password is "Login incorrect" and a new
 * try; the right one logs in, and start_session runs the greeter's
 * command as the user, outliving agreety, which exits 0. */
static void
test_agreety_retries_a_failure_then_starts_the_session(void **state)
{
	char out[16384] = "";
	size_t len = 0, at, rest;
	int master;

	NEED_ROOT();
	broker_start(&broker, greeter_policy("password", "lbtest-session",
	    make_session_command()), NULL);
	master = start_agreety();
	test_expect_pty(master, out, sizeof(out), &len, "login: ");
	test_write_all(master, "alice\n", 6);
	test_expect_pty(master, out, sizeof(out), &len, "Password: ");
	test_write_all(master, "wrong\n", 6);
	test_expect_pty(master, out, sizeof(out), &len, "Login incorrect");
	/* The second prompt, after that line (maybe read with it). */
	at = (size_t)(strstr(out, "Login incorrect") - out);
	rest = len - at;
	test_expect_pty(master, out + at, sizeof(out) - at, &rest, "login: ");
	len = at + rest;
	test_write_all(master, "alice\n", 6);
	test_expect_pty(master, out, sizeof(out), &len, "Password: ");
	test_write_all(master, "pw\n", 3);
	expect_agreety_started_the_session(master, out);
	broker_log_expect(&broker, "audit: * service=greeter * user=alice "
	    "mech=password * outcome=failure *", 1);
	broker_log_expect(&broker, "audit: * service=greeter * user=alice "
	    "mech=password * outcome=success *", 1);
	assert_true(broker_log_wait(&broker, "outcome=session-ended status="
	    "\"exit 0\"", 5000, NULL, 0));
	broker_stop(&broker);
}

/* Two factors: the password's partial success goes on to the code's
 * prompt in the same create_session, which agreety shows as the visible
 * prompt it is. */
static void
test_agreety_answers_password_then_totp(void **state)
{
	char out[16384] = "", uri[512], code[8];
	size_t len = 0;
	int master;

	NEED_ROOT();
	broker_start(&broker, greeter_policy("password then totp",
	    "lbtest-session", make_session_command()), NULL);
	broker_totp_enroll(&broker, "alice", uri, sizeof(uri));
	master = start_agreety();
	test_expect_pty(master, out, sizeof(out), &len, "login: ");
	test_write_all(master, "alice\n", 6);
	test_expect_pty(master, out, sizeof(out), &len, "Password: ");
	test_write_all(master, "pw\n", 3);
	test_expect_pty(master, out, sizeof(out), &len,
	    "Verification code: ");
	broker_totp_code(&broker, "alice", 0, code);
	strcat(code, "\n");
	test_write_all(master, code, strlen(code));
	expect_agreety_started_the_session(master, out);
	broker_log_expect(&broker, "audit: * mech=password step=1 * "
	    "outcome=partial *", 1);
	broker_log_expect(&broker, "audit: * mech=totp step=2 * "
	    "outcome=success *", 1);
	broker_stop(&broker);
}

/* The exact replies: a keyboard-interactive round of two prompts is two
 * auth_messages and one answer to the broker; a PAM error message is an
 * "error" auth_message acknowledged with null; a refused start_session
 * is an error; cancel_session after the login ends the connection. */
static void
test_greeter_sees_each_prompt_as_an_auth_message(void **state)
{
	int fd;

	NEED_ROOT();
	broker_start(&broker, greeter_policy("keyboard-interactive",
	    "lbtest-two", ""), NULL);
	fd = greeter_connect();
	greetd_expect(fd, CREATE("alice"), MESSAGE("secret", "Password: "));
	greetd_expect(fd, RESPONSE("pw"), MESSAGE("visible", "Code: "));
	greetd_expect(fd, RESPONSE("123456"), SUCCESS);
	greetd_expect(fd, RESPONSE("again"), ERROR("error",
	    "No authentication message is pending"));
	/* No "sessions yes": the broker's refusal, in greetd's words. */
	greetd_expect(fd, "{\"type\":\"start_session\",\"cmd\":[\"/bin/true\"],"
	    "\"env\":[]}", ERROR("error", "*"));
	greetd_expect(fd, CANCEL, SUCCESS);
	greetd_expect_end(fd);
	close(fd);
	broker_log_expect(&broker, "audit: * mech=keyboard-interactive * "
	    "outcome=success *", 1);
	broker_stop(&broker);

	broker_start(&broker, greeter_policy("password", "lbtest-error", ""),
	    NULL);
	fd = greeter_connect();
	greetd_expect(fd, CREATE("alice"), MESSAGE("error", "Caps Lock is on"));
	greetd_expect(fd, ACK, MESSAGE("secret", "Password: "));
	greetd_expect(fd, RESPONSE("wrong"), ERROR("auth_error",
	    "Authentication failed"));
	/* The same connection tries again. */
	greetd_expect(fd, CREATE("alice"), MESSAGE("error", "Caps Lock is on"));
	greetd_expect(fd, ACK, MESSAGE("secret", "Password: "));
	greetd_expect(fd, RESPONSE("pw"), SUCCESS);
	close(fd);
	broker_stop(&broker);
}

/* cancel_session while a prompt is out abandons the attempt (audited),
 * and the connection begins again; a prompt left unanswered past the
 * service's prompt-timeout ends the connection with greetd's error, which
 * a greeter reads where it looks for the answer's reply. */
static void
test_cancel_and_timeout_keep_request_and_reply_in_step(void **state)
{
	char got[256];
	int fd;

	NEED_ROOT();
	broker_start(&broker, greeter_policy("password", "lbtest-plain",
	    "\tprompt-timeout 300ms\n"), NULL);
	fd = greeter_connect();
	greetd_expect(fd, CREATE("alice"), MESSAGE("secret", "Password: "));
	greetd_expect(fd, CANCEL, SUCCESS);
	broker_log_expect(&broker, "audit: * user=alice * outcome=aborted *",
	    1);
	greetd_expect(fd, CREATE("alice"), MESSAGE("secret", "Password: "));
	assert_true(greetd_recv(fd, got, sizeof(got)));
	assert_string_equal(got, ERROR("error",
	    "Timed out waiting for an answer"));
	greetd_expect_end(fd);
	close(fd);
	broker_stop(&broker);
}

/* A greeter waits at its screen for as long as nobody comes, past the
 * idle timeout and the service's session-timeout, and again after a
 * failed first factor; once a login begins, that login has the
 * session-timeout. */
static void
test_a_greeter_waits_without_a_clock_until_a_login_begins(void **state)
{
	char got[256], config[4096];
	int fd;

	NEED_ROOT();
	snprintf(config, sizeof(config), "idle_timeout_ms 200\n%s",
	    greeter_policy("password", "lbtest-plain",
	    "\tsession-timeout 400ms\n\tprompt-timeout 5s\n"));
	broker_start(&broker, config, NULL);
	fd = greeter_connect();
	nanosleep(&(struct timespec){ 0, 900000000 }, NULL);
	greetd_expect(fd, CREATE("alice"), MESSAGE("secret", "Password: "));
	greetd_expect(fd, RESPONSE("wrong"), ERROR("auth_error",
	    "Authentication failed"));
	nanosleep(&(struct timespec){ 0, 900000000 }, NULL);
	greetd_expect(fd, CREATE("alice"), MESSAGE("secret", "Password: "));
	assert_true(greetd_recv(fd, got, sizeof(got)));
	assert_string_equal(got, ERROR("error", "Login time exceeded"));
	greetd_expect_end(fd);
	close(fd);
	broker_stop(&broker);
}

/* Frames no greeter sends: each gets an error reply and the connection
 * goes on (a length over the bound: an error, then the end); descriptors
 * sent along are closed, not kept; the broker serves on, with no worker
 * killed. */
static void
test_malformed_frames_get_errors_and_the_broker_serves_on(void **state)
{
	static const struct {
		const char *json, *want;
	} cases[] = {
		{ "{\"type\": \"create_session\"", "Invalid JSON" },
		{ "not json", "Invalid JSON" },
		{ "[\"create_session\"]", "Invalid JSON: expected one object" },
		{ "{\"type\":\"a\"} {\"type\":\"b\"}", "Invalid JSON" },
		{ "{\"type\": \"start_sessions\"}", "Unknown request type" },
		{ "{\"username\": \"alice\"}", "type: missing" },
		{ "{\"type\": 7}", "type: missing" },
		{ "{\"type\": \"create_session\", \"username\": 7}",
		    "username: expected a string" },
		{ "{\"type\": \"create_session\", \"username\": \"a\\u0000b\"}",
		    "username: holds a NUL" },
		{ "{\"type\": \"create_session\", \"username\": \"\xff\"}",
		    "Invalid JSON" },
		{ "{\"type\": \"create_session\", \"username\": [\"alice\"]}",
		    "username: expected a string" },
		{ "{\"type\": \"start_session\", \"cmd\": \"/bin/sh\"}",
		    "cmd: expected an array of strings" },
		{ "{\"type\": \"create_session\", \"username\": \"\"}",
		    "Invalid user name" },
		{ RESPONSE("pw"), "No authentication message is pending" },
		{ "{\"type\": \"start_session\", \"cmd\": []}", "Not logged in" },
	};
	static char nested[24000], line[24100];
	uint32_t over = 32769;
	char got[256];
	size_t i;
	int fd, pfd[2];

	NEED_ROOT();
	broker_start(&broker, greeter_policy("password", "loginbroker", ""),
	    NULL);
	fd = greeter_connect();
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(line, sizeof(line), "%s", cases[i].want);
		greetd_send(fd, cases[i].json);
		if (!greetd_recv(fd, got, sizeof(got)) ||
		    strstr(got, "\"error_type\":\"error\"") == NULL ||
		    strstr(got, line) == NULL)
			fail_msg("%s: got %s, wanted an error \"%s\"",
			    cases[i].json, got, cases[i].want);
	}
	/* 10,000 nested arrays: the depth bound, before any recursion. */
	memset(nested, '[', 10000);
	memset(nested + 10000, ']', 10000);
	snprintf(line, sizeof(line), "{\"type\": \"create_session\", "
	    "\"username\": %.20000s}", nested);
	greetd_expect(fd, line, ERROR("error", "Invalid JSON: nested too "
	    "deep"));
	/* Descriptors with a request are closed by the worker: the pipe's
	 * last reader goes, and writing to it fails. */
	assert_int_equal(pipe(pfd), 0);
	{
		char req[] = CREATE("alice");
		uint32_t len = (uint32_t)strlen(req);
		char frame[128];
		union {
			struct cmsghdr align;
			char buf[CMSG_SPACE(sizeof(int))];
		} cmsg;
		struct iovec iov = { frame, sizeof(len) + len };
		struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
		    .msg_control = cmsg.buf, .msg_controllen = sizeof(cmsg.buf) };
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

		memcpy(frame, &len, sizeof(len));
		memcpy(frame + sizeof(len), req, len);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &pfd[0], sizeof(int));
		assert_int_equal(sendmsg(fd, &mh, 0), (ssize_t)iov.iov_len);
	}
	close(pfd[0]);
	assert_true(greetd_recv(fd, got, sizeof(got)));
	assert_string_equal(got, MESSAGE("secret", "Password: "));
	assert_int_equal(write(pfd[1], "x", 1), -1);
	assert_int_equal(errno, EPIPE);
	close(pfd[1]);
	greetd_expect(fd, RESPONSE("alice-pw"), SUCCESS);
	/* A length over the bound: the stream cannot be followed. */
	test_write_all(fd, &over, sizeof(over));
	assert_true(greetd_recv(fd, got, sizeof(got)));
	assert_string_equal(got, ERROR("error", "Message too long"));
	greetd_expect_end(fd);
	close(fd);
	/* The broker serves on. */
	fd = greeter_connect();
	greetd_expect(fd, CREATE("bob"), MESSAGE("secret", "Password: "));
	greetd_expect(fd, RESPONSE("bob-pw"), SUCCESS);
	close(fd);
	broker_log_expect(&broker, "*broke the protocol*", 0);
	broker_stop(&broker);
}

/* The broker's own refusals on the greetd socket are greetd's errors: a
 * greeter no service admits. */
static void
test_a_refused_greeter_gets_a_greetd_error(void **state)
{
	char got[256];
	int fd;

	NEED_ROOT();
	broker_start(&broker, "service only4242 {\n\tpeer uid 4242\n"
	    "\tallow password\n}\n", NULL);
	fd = greeter_connect();
	assert_true(greetd_recv(fd, got, sizeof(got)));
	assert_string_equal(got, ERROR("error", "Permission denied"));
	greetd_expect_end(fd);
	close(fd);
	broker_log_expect(&broker, "audit: * outcome=refused-peer", 1);
	broker_stop(&broker);
}

/* A compromised worker serving a greeter gets no more than on the line
 * protocol: a session start before any login ends it as a violation,
 * and the greeter's connection with it (after what the worker wrote). */
static void
test_a_compromised_worker_on_the_greetd_socket_is_stopped(void **state)
{
	static const char orders[] = "start /bin/sh\n";
	char got[256];
	ssize_t n;
	int fd;

	NEED_ROOT();
	broker_start(&broker, greeter_policy("password", "lbtest-session",
	    "\tsessions yes\n"), getenv("LB_EVIL_WORKER"));
	fd = greeter_connect();
	test_write_all(fd, orders, strlen(orders));
	broker_expect_violation(&broker, 1, "idle",
	    "message type 31 out of sequence");
	while ((n = read(fd, got, sizeof(got))) > 0)
		continue;
	assert_int_equal(n, 0);
	close(fd);
	broker_stop(&broker);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		GREETD_TEST(
		    test_agreety_retries_a_failure_then_starts_the_session),
		GREETD_TEST(test_agreety_answers_password_then_totp),
		GREETD_TEST(test_greeter_sees_each_prompt_as_an_auth_message),
		GREETD_TEST(
		    test_cancel_and_timeout_keep_request_and_reply_in_step),
		GREETD_TEST(
		    test_a_greeter_waits_without_a_clock_until_a_login_begins),
		GREETD_TEST(
		    test_malformed_frames_get_errors_and_the_broker_serves_on),
		GREETD_TEST(test_a_refused_greeter_gets_a_greetd_error),
		GREETD_TEST(
		    test_a_compromised_worker_on_the_greetd_socket_is_stopped),
	};

	/* A write to a connection the broker ended fails, not kills. */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
