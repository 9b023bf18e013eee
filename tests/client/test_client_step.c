/* SPDX-License-Identifier: ISC */
/*
 * test_client_step.c: the step API (lb_client_start, lb_client_step)
 * against a fake broker that the test forks on a UNIX socket in a
 * temporary directory.  It greets, then plays a script of the request
 * lines it expects and the replies it sends, or for scram-sha-256 runs a
 * real GNU SASL server that knows the password "pencil".  A child that
 * reads a line it did not expect reports it and hangs up.
 */
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <gsasl.h>

#include "base64.h"
#include "broker_fixture.h"
#include "line.h"
#include "loginbroker.h"

#define PASSWORD	"pencil"

/* Exit statuses of the fake broker. */
enum {
	FAKE_DONE = 0,		/* every line as expected */
	FAKE_UNEXPECTED = 1,	/* a line it did not expect: reported */
	FAKE_REFUSED = 2,	/* the SCRAM server refused the client's proof */
};

static struct {
	char dir[32];
	char path[64];
	pid_t pid;
	bool gated;		/* holds its first reply until the gate opens */
	int gate[2];
	int report[2];		/* what it got wrong, or SCRAM's server-final */
} fake = { .gate = { -1, -1 }, .report = { -1, -1 } };

/* --- the fake broker (in the child: no cmocka here) -------------------- */

static int
put(int fd, const char *text)
{
	return write(fd, text, strlen(text)) == (ssize_t)strlen(text) ? 0 : -1;
}

/* Reads the next request line, CRLF left out, into line[cap], and checks
 * it against expect (a trailing '*' matches any rest): 0, or -1 when it
 * is another, reported. */
static int
expect_line(int fd, const char *expect, char *line, size_t cap)
{
	size_t n = 0, len = strlen(expect);
	char ch;

	while (n + 1 < cap && read(fd, &ch, 1) == 1 && ch != '\n')
		line[n++] = ch;
	if (n > 0 && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	if (len > 0 && expect[len - 1] == '*' ? strncmp(line, expect, len - 1)
	    == 0 : strcmp(line, expect) == 0)
		return 0;
	(void)!write(fake.report[1], line, n);
	return -1;
}

/* Before the first reply of a gated fake: the test's go. */
static void
hold(void)
{
	char ch;

	if (fake.gated)
		(void)!read(fake.gate[0], &ch, 1);
	fake.gated = false;
}

/* One line of a script: the request expected, the whole reply. */
struct line {
	const char *expect;
	const char *reply;
};

static int
serve_script(int fd, const void *arg)
{
	static char line[LINE_MAX_BYTES];
	const struct line *l;

	for (l = arg; l->expect != NULL; l++) {
		if (expect_line(fd, l->expect, line, sizeof(line)) == -1)
			return FAKE_UNEXPECTED;
		hold();
		if (put(fd, l->reply) == -1)
			return FAKE_UNEXPECTED;
	}
	return FAKE_DONE;
}

/* How the SCRAM server's success goes out. */
enum scram_end {
	SCRAM_PROVEN,		/* 200 "Logged in" B64(server-final) */
	SCRAM_FORGED,		/* the signature's first character changed */
	SCRAM_NO_DATA,		/* 200 "Logged in" */
	SCRAM_NOT_BASE64,	/* 200 "Logged in" v=!! */
	SCRAM_PARTIAL,		/* 306 totp, no server-final before it */
	SCRAM_FINAL_AS_DATA,	/* 300 B64(server-final), pass =, 306 totp */
};

static int
server_password(Gsasl *ctx, Gsasl_session *s, Gsasl_property prop)
{
	if (prop != GSASL_PASSWORD)
		return GSASL_NO_CALLBACK;
	return gsasl_property_set(s, GSASL_PASSWORD, PASSWORD);
}

/* Feeds the base64 word after prefix in line to the server; rc of
 * gsasl_step, its output in *out. */
static int
server_step(Gsasl_session *s, const char *line, size_t prefix, char **out,
    size_t *outlen)
{
	static uint8_t in[LB_DATA_MAX];
	ssize_t n = base64_decode(line + prefix, in, sizeof(in));

	if (n == -1)
		return GSASL_MECHANISM_PARSE_ERROR;
	return gsasl_step(s, (const char *)in, (size_t)n, out, outlen);
}

/* "300 B64" or "200 "Logged in" B64" of bytes into reply[cap]. */
static void
data_reply(char *reply, size_t cap, const char *head, const char *bytes,
    size_t len)
{
	size_t n = (size_t)snprintf(reply, cap, "%s", head);

	(void)base64_encode(bytes, len, reply + n, cap - n - 2);
	strcat(reply, "\r\n");
}

static int
serve_scram(int fd, const void *arg)
{
	static char line[LINE_MAX_BYTES], reply[LINE_MAX_BYTES];
	const enum scram_end *end = arg;
	Gsasl_session *s;
	size_t outlen;
	Gsasl *ctx;
	char *out;

	if (gsasl_init(&ctx) != GSASL_OK)
		return FAKE_UNEXPECTED;
	gsasl_callback_set(ctx, server_password);
	if (gsasl_server_start(ctx, "SCRAM-SHA-256", &s) != GSASL_OK ||
	    expect_line(fd, "login scram-sha-256 alice *", line,
	    sizeof(line)) == -1 ||
	    server_step(s, line, 26, &out, &outlen) != GSASL_NEEDS_MORE)
		return FAKE_UNEXPECTED;
	data_reply(reply, sizeof(reply), "300 ", out, outlen);
	hold();
	if (put(fd, reply) == -1 ||
	    expect_line(fd, "pass *", line, sizeof(line)) == -1)
		return FAKE_UNEXPECTED;
	if (server_step(s, line, 5, &out, &outlen) != GSASL_OK)
		return put(fd, "506 \"Authentication failed\"\r\n") == -1 ?
		    FAKE_UNEXPECTED : FAKE_REFUSED;
	(void)!write(fake.report[1], out, outlen);
	/* Not the last character: it may hold only padding bits. */
	if (*end == SCRAM_FORGED)
		out[2] = out[2] == 'A' ? 'B' : 'A';
	data_reply(reply, sizeof(reply), "200 \"Logged in\" ", out, outlen);
	if (*end == SCRAM_NO_DATA)
		snprintf(reply, sizeof(reply), "200 \"Logged in\"\r\n");
	if (*end == SCRAM_NOT_BASE64)
		snprintf(reply, sizeof(reply), "200 \"Logged in\" v=!!\r\n");
	if (*end == SCRAM_PARTIAL)
		snprintf(reply, sizeof(reply), "306 totp\r\n");
	if (*end == SCRAM_FINAL_AS_DATA) {
		data_reply(reply, sizeof(reply), "300 ", out, outlen);
		if (put(fd, reply) == -1 ||
		    expect_line(fd, "pass =", line, sizeof(line)) == -1)
			return FAKE_UNEXPECTED;
		snprintf(reply, sizeof(reply), "306 totp\r\n");
	}
	return put(fd, reply) == -1 ? FAKE_UNEXPECTED : FAKE_DONE;
}

/* --- the test's side ---------------------------------------------------- */

static int
setup(void **state)
{
	snprintf(fake.dir, sizeof(fake.dir), "/tmp/lbstep.XXXXXX");
	if (mkdtemp(fake.dir) == NULL)
		return -1;
	snprintf(fake.path, sizeof(fake.path), "%s/socket", fake.dir);
	return 0;
}

static void
close_fd(int *fd)
{
	if (*fd != -1)
		close(*fd);
	*fd = -1;
}

/* Makes way for the next fake. */
static void
fake_clean(void)
{
	close_fd(&fake.gate[0]);
	close_fd(&fake.gate[1]);
	close_fd(&fake.report[0]);
	close_fd(&fake.report[1]);
	unlink(fake.path);
}

/* Stops a fake the test left running, and cleans up. */
static int
teardown(void **state)
{
	if (fake.pid > 0) {
		kill(fake.pid, SIGKILL);
		waitpid(fake.pid, NULL, 0);
	}
	fake.pid = 0;
	fake_clean();
	rmdir(fake.dir);
	return 0;
}

/* Forks the fake broker for one connection, served by serve(arg) after
 * the greeting; it listens before this returns. */
static void
fake_start(int (*serve)(int fd, const void *arg), const void *arg,
    bool gated)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int l, fd, rc;
	char ch;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", fake.path);
	assert_int_equal(pipe2(fake.gate, O_CLOEXEC), 0);
	assert_int_equal(pipe2(fake.report, O_CLOEXEC), 0);
	assert_true((l = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) !=
	    -1);
	assert_int_equal(bind(l, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(l, 1), 0);
	fake.gated = gated;
	assert_true((fake.pid = fork()) != -1);
	if (fake.pid == 0) {
		alarm(20);	/* never outlive a test that failed */
		if ((fd = accept(l, NULL, NULL)) == -1 ||
		    put(fd, "201 1 1\r\n") == -1)
			_exit(FAKE_UNEXPECTED);
		/* Served: until the client hangs up, so that it reads every
		 * reply.  Not: hang up at once. */
		if ((rc = serve(fd, arg)) != FAKE_UNEXPECTED)
			while (read(fd, &ch, 1) > 0)
				;
		_exit(rc);
	}
	close(l);
	close_fd(&fake.gate[0]);
	close_fd(&fake.report[1]);
}

/* Waits for the fake to exit: its exit status, and what it reported in
 * report[cap] (*len bytes, a NUL after them). */
static int
fake_wait(char *report, size_t cap, size_t *len)
{
	ssize_t n;
	int status;

	assert_int_equal(waitpid(fake.pid, &status, 0), fake.pid);
	fake.pid = 0;
	*len = 0;
	while (*len + 1 < cap && (n = read(fake.report[0], report + *len,
	    cap - 1 - *len)) > 0)
		*len += (size_t)n;
	report[*len] = '\0';
	fake_clean();
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* Closes the client (if any) and asserts that the fake got every line it
 * expected. */
static void
fake_done(struct lb_conn *c)
{
	char report[LINE_MAX_BYTES];
	size_t len;
	int status;

	lb_close(c);
	status = fake_wait(report, sizeof(report), &len);

	if (status != FAKE_DONE)
		fail_msg("the fake broker exited %d; it got \"%s\"", status,
		    report);
}

/* Waits until c's socket is ready for what the pending call wants. */
static void
wait_ready(struct lb_conn *c)
{
	struct pollfd pfd = { lb_fd(c), lb_want(c), 0 };

	assert_int_equal(poll(&pfd, 1, 5000), 1);
}

/* A connection to the fake and what the step calls hand back. */
struct client {
	struct lb_conn *c;
	struct lb_interact *need;
	const void *out;
	size_t outlen;
};

/* Connects to the fake (flags for lb_open) and begins mech as alice:
 * lb_client_start's status, once it does not block. */
static int
start(struct client *k, int flags, const char *mech)
{
	int rc;

	assert_non_null(k->c = lb_open(fake.path, flags));
	while ((rc = lb_client_start(k->c, mech, "alice", &k->need, &k->out,
	    &k->outlen)) == LB_EAGAIN)
		wait_ready(k->c);
	return rc;
}

static int
step(struct client *k, const void *in, size_t inlen)
{
	return lb_client_step(k->c, in, inlen, &k->need, &k->out, &k->outlen);
}

/* Gives text as the result of entry i of the list. */
static void
answer(struct client *k, size_t i, const char *text)
{
	k->need[i].result = text;
	k->need[i].len = (unsigned)strlen(text);
}

/* The fake plays script; mech begins on a blocking connection. */
static int
start_scripted(struct client *k, const struct line *script,
    const char *mech)
{
	fake_start(serve_script, script, false);
	return start(k, 0, mech);
}

/* scram-sha-256 against the fake's SCRAM server ending as end: the
 * password asked first, then the step's status with password. */
static int
scram_login(struct client *k, enum scram_end end, const char *password)
{
	fake_start(serve_scram, &end, false);
	assert_int_equal(start(k, 0, "scram-sha-256"), LB_INTERACT);
	assert_int_equal(k->need[0].id, LB_INTERACT_PASS);
	assert_string_equal(k->need[0].prompt, "Password: ");
	assert_int_equal(k->need[1].id, LB_INTERACT_LIST_END);
	answer(k, 0, password);
	return step(k, NULL, 0);
}

static void
test_scram_asks_the_password_then_returns_the_verified_final_data(
    void **state)
{
	char report[256], final[256];
	struct client k;
	size_t len;

	assert_int_equal(scram_login(&k, SCRAM_PROVEN, PASSWORD), LB_OK);
	assert_null(k.need);
	assert_string_equal(lb_last_text(k.c), "Logged in");
	assert_true(k.outlen > 2 && k.outlen < sizeof(final));
	memcpy(final, k.out, k.outlen);
	lb_close(k.c);
	assert_int_equal(fake_wait(report, sizeof(report), &len), FAKE_DONE);
	/* The server-final, as the server made it. */
	assert_int_equal(k.outlen, len);
	assert_memory_equal(final, report, len);
	assert_memory_equal(final, "v=", 2);
}

/* A success, or a partial one, is believed only with the server
 * signature verified. */
static void
test_a_scram_success_without_a_valid_signature_is_a_protocol_error(
    void **state)
{
	static const struct {
		enum scram_end end;
		int code;
		const char *why;
	} rows[] = {
		{ SCRAM_FORGED, 200, "The broker did not prove itself: "
		    "SCRAM-SHA-256: *" },
		{ SCRAM_NO_DATA, 200, "The broker did not prove itself: a "
		    "success without the mechanism's final data" },
		{ SCRAM_NOT_BASE64, 200, "Mechanism data that is not base64*" },
		{ SCRAM_PARTIAL, 306, "The broker did not prove itself: a "
		    "success without the mechanism's final data" },
	};
	struct client k;
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		assert_int_equal(scram_login(&k, rows[i].end, PASSWORD),
		    LB_PROTOCOL_ERROR);
		assert_null(k.out);
		assert_int_equal(lb_last_code(k.c), rows[i].code);
		if (strncmp(lb_last_text(k.c), rows[i].why,
		    strcspn(rows[i].why, "*")) != 0)
			fail_msg("row %zu: \"%s\"", i, lb_last_text(k.c));
		fake_done(k.c);
	}
}

/* The server-final may come as a last data step: a partial success
 * after it is believed. */
static void
test_a_scram_partial_success_after_the_final_data_is_believed(void **state)
{
	const char *const *next;
	struct client k;
	size_t n;

	assert_int_equal(scram_login(&k, SCRAM_FINAL_AS_DATA, PASSWORD),
	    LB_PARTIAL);
	assert_int_equal(lb_next_mechanisms(k.c, &next, &n), LB_OK);
	assert_int_equal(n, 1);
	assert_string_equal(next[0], "totp");
	fake_done(k.c);
}

static void
test_a_scram_login_the_broker_refuses_is_denied(void **state)
{
	char report[256];
	struct client k;
	size_t len;

	assert_int_equal(scram_login(&k, SCRAM_PROVEN, "not-" PASSWORD),
	    LB_DENIED);
	assert_int_equal(lb_last_code(k.c), 506);
	lb_close(k.c);
	assert_int_equal(fake_wait(report, sizeof(report), &len),
	    FAKE_REFUSED);
}

/* The mechanisms the library runs take no prompt from the broker: after
 * SCRAM's or PLAIN's password, the person would type it into the prompt. */
static void
test_a_mechanism_the_library_runs_takes_no_prompt(void **state)
{
	static const struct line scram[] = {
		{ "login scram-sha-256 alice *", "301 \"Password: \"\r\n" },
		{ NULL, NULL },
	}, plain[] = {
		{ "login plain alice *", "302 \"Password: \"\r\n" },
		{ NULL, NULL },
	}, unix_[] = {
		{ "login unix alice", "305 noecho \"Password: \"\r\n" },
		{ NULL, NULL },
	};
	static const struct {
		const char *mech;
		const struct line *script;
	} rows[] = {
		{ "scram-sha-256", scram },
		{ "plain", plain },
		{ "unix", unix_ },
	};
	struct client k;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		rc = start_scripted(&k, rows[i].script, rows[i].mech);
		if (rc == LB_INTERACT && k.need[0].id == LB_INTERACT_PASS) {
			answer(&k, 0, PASSWORD);
			rc = step(&k, NULL, 0);
		}
		assert_int_equal(rc, LB_PROTOCOL_ERROR);
		fake_done(k.c);
	}
}

/* RFC 4616: authzid (none), NUL, authcid, NUL, password, with the login. */
static void
test_plain_sends_the_rfc4616_message_with_the_login(void **state)
{
	static const struct line script[] = {
		/* base64 of "\0alice\0pw" */
		{ "login plain alice AGFsaWNlAHB3", "200 \"Logged in\"\r\n" },
		{ NULL, NULL },
	};
	struct client k;

	assert_int_equal(start_scripted(&k, script, "plain"), LB_INTERACT);
	assert_int_equal(k.need[0].id, LB_INTERACT_PASS);
	answer(&k, 0, "pw");
	assert_int_equal(step(&k, NULL, 0), LB_OK);
	assert_null(k.out);
	assert_int_equal(k.outlen, 0);
	fake_done(k.c);
}

static void
test_unix_logs_in_with_nothing_asked(void **state)
{
	static const struct line script[] = {
		{ "login unix alice", "200 \"Logged in\"\r\n" },
		{ NULL, NULL },
	};
	struct client k;

	assert_int_equal(start_scripted(&k, script, "unix"), LB_OK);
	assert_null(k.need);
	/* Nothing waits for the caller now. */
	assert_int_equal(step(&k, NULL, 0), LB_REFUSED);
	fake_done(k.c);
}

static void
test_a_301_prompt_is_a_noecho_entry_and_its_answer_goes_out(void **state)
{
	static const struct line script[] = {
		{ "login password alice", "301 \"Password: \"\r\n" },
		{ "pass \"correct horse\"", "200 \"Logged in\"\r\n" },
		{ NULL, NULL },
	};
	struct client k;

	assert_int_equal(start_scripted(&k, script, "password"),
	    LB_INTERACT);
	assert_int_equal(k.need[0].id, LB_INTERACT_NOECHOPROMPT);
	assert_string_equal(k.need[0].prompt, "Password: ");
	assert_int_equal(k.need[1].id, LB_INTERACT_LIST_END);
	answer(&k, 0, "correct horse");
	assert_int_equal(step(&k, NULL, 0), LB_OK);
	fake_done(k.c);
}

/* A round: its name and each instruction line to show, then its prompts;
 * a message after it is acknowledged with a bare pass. */
static void
test_a_round_is_its_lines_then_its_prompts(void **state)
{
	static const struct line script[] = {
		{ "login keyboard-interactive alice",
		    "305-name Realm\r\n305-instruction \"Line one\"\r\n"
		    "305-instruction \"Line two\"\r\n"
		    "305-noecho \"Password: \"\r\n305 echo \"Code: \"\r\n" },
		{ "pass pw 123456", "303 Welcome\r\n" },
		{ "pass", "200 \"Logged in\"\r\n" },
		{ NULL, NULL },
	};
	static const struct {
		unsigned long id;
		const char *prompt;
	} want[] = {
		{ LB_INTERACT_INFO, "Realm" },
		{ LB_INTERACT_INFO, "Line one" },
		{ LB_INTERACT_INFO, "Line two" },
		{ LB_INTERACT_NOECHOPROMPT, "Password: " },
		{ LB_INTERACT_ECHOPROMPT, "Code: " },
		{ LB_INTERACT_LIST_END, NULL },
	};
	struct client k;
	size_t i;

	assert_int_equal(start_scripted(&k, script, "keyboard-interactive"),
	    LB_INTERACT);
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		assert_int_equal(k.need[i].id, want[i].id);
		if (want[i].prompt != NULL)
			assert_string_equal(k.need[i].prompt, want[i].prompt);
	}
	answer(&k, 3, "pw");
	answer(&k, 4, "123456");
	assert_int_equal(step(&k, NULL, 0), LB_INTERACT);
	assert_int_equal(k.need[0].id, LB_INTERACT_INFO);
	assert_string_equal(k.need[0].prompt, "Welcome");
	assert_int_equal(k.need[1].id, LB_INTERACT_LIST_END);
	assert_int_equal(step(&k, NULL, 0), LB_OK);
	fake_done(k.c);
}

/* A mechanism the library does not run: the broker's bytes out, the
 * caller's in, the final data as it came. */
static void
test_an_unknown_data_mechanism_continues_with_the_brokers_bytes(
    void **state)
{
	static const struct line script[] = {
		/* "hello", then "olleh" back, and "final" */
		{ "login echo-test alice", "300 aGVsbG8=\r\n" },
		{ "pass b2xsZWg=", "200 \"Logged in\" ZmluYWw=\r\n" },
		{ NULL, NULL },
	};
	struct client k;

	assert_int_equal(start_scripted(&k, script, "echo-test"),
	    LB_CONTINUE);
	assert_null(k.need);
	assert_int_equal(k.outlen, 5);
	assert_memory_equal(k.out, "hello", 5);
	assert_int_equal(step(&k, "olleh", 5), LB_OK);
	assert_int_equal(k.outlen, 5);
	assert_memory_equal(k.out, "final", 5);
	fake_done(k.c);
}

/* The fake holds its first reply until the test opens the gate: the
 * step must come back with LB_EAGAIN meanwhile, then complete when called
 * again with the same arguments. */
static void
test_nonblocking_scram_returns_eagain_then_completes(void **state)
{
	static const enum scram_end end = SCRAM_PROVEN;
	struct client k;
	int rc;

	fake_start(serve_scram, &end, true);
	assert_int_equal(start(&k, LB_NONBLOCK, "scram-sha-256"),
	    LB_INTERACT);
	answer(&k, 0, PASSWORD);
	assert_int_equal(step(&k, NULL, 0), LB_EAGAIN);
	assert_int_equal(write(fake.gate[1], "g", 1), 1);
	do
		wait_ready(k.c);
	while ((rc = step(&k, NULL, 0)) == LB_EAGAIN);
	assert_int_equal(rc, LB_OK);
	assert_true(k.outlen > 2);
	assert_memory_equal(k.out, "v=", 2);
	fake_done(k.c);
}

/* lb_login runs on the same engine: SCRAM's password is one secret
 * prompt of its callback. */
static int
give_password(const struct lb_prompt *p, char *answer, size_t cap,
    void *arg)
{
	int *calls = arg;

	(*calls)++;
	assert_int_equal(p->kind, LB_PROMPT_SECRET);
	snprintf(answer, cap, "%s", PASSWORD);
	return 0;
}

static void
test_lb_login_asks_the_scram_password_through_its_callback(void **state)
{
	static const enum scram_end end = SCRAM_PROVEN;
	struct lb_conn *c;
	int calls = 0;

	fake_start(serve_scram, &end, false);
	assert_non_null(c = lb_open(fake.path, 0));
	assert_int_equal(lb_login(c, "scram-sha-256", "alice", give_password,
	    &calls), LB_OK);
	assert_int_equal(calls, 1);
	fake_done(c);
}

/* The command-line client on the step API: the password read from stdin
 * (no terminal), a SCRAM success believed only with its signature. */
static void
test_the_cli_logs_in_with_scram_and_plain(void **state)
{
	static const enum scram_end proven = SCRAM_PROVEN,
	    forged = SCRAM_FORGED;
	static const struct line plain[] = {
		{ "login plain alice AGFsaWNlAHB3", "200 \"Logged in\"\r\n" },
		{ NULL, NULL },
	};
	static const struct {
		int (*serve)(int fd, const void *arg);
		const void *arg;
		const char *mech, *input;
		int exit;
		const char *out;
	} rows[] = {
		{ serve_scram, &proven, "scram-sha-256", PASSWORD "\n", 0,
		    "Password: \nLogged in\n" },
		{ serve_scram, &forged, "scram-sha-256", PASSWORD "\n", 4,
		    "Password: \nloginbroker: protocol error\n" },
		{ serve_script, plain, "plain", "pw\n", 0,
		    "Password: \nLogged in\n" },
	};
	struct broker_fixture b = { 0 };
	char out[512];
	size_t i;

	snprintf(b.sock, sizeof(b.sock), "%s", fake.path);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const char *args[] = { "-m", rows[i].mech, "alice", NULL };

		fake_start(rows[i].serve, rows[i].arg, false);
		assert_int_equal(run_cli(&b, args, rows[i].input, out,
		    sizeof(out)), rows[i].exit);
		assert_string_equal(out, rows[i].out);
		fake_done(NULL);
	}
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_scram_asks_the_password_then_returns_the_verified_final_data),
		T(test_a_scram_success_without_a_valid_signature_is_a_protocol_error),
		T(test_a_scram_partial_success_after_the_final_data_is_believed),
		T(test_a_scram_login_the_broker_refuses_is_denied),
		T(test_a_mechanism_the_library_runs_takes_no_prompt),
		T(test_plain_sends_the_rfc4616_message_with_the_login),
		T(test_unix_logs_in_with_nothing_asked),
		T(test_a_301_prompt_is_a_noecho_entry_and_its_answer_goes_out),
		T(test_a_round_is_its_lines_then_its_prompts),
		T(test_an_unknown_data_mechanism_continues_with_the_brokers_bytes),
		T(test_nonblocking_scram_returns_eagain_then_completes),
		T(test_lb_login_asks_the_scram_password_through_its_callback),
		T(test_the_cli_logs_in_with_scram_and_plain),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
