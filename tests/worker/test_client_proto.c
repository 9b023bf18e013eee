/* SPDX-License-Identifier: ISC */
/*
 * test_client_proto.c: the worker's protocol state machine, driven line by
 * line, with the broker's side of its channel played by the test through
 * the real message codecs (ipc/msg.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "client_proto.h"
#include "front.h"
#include "ipc_payload.h"
#include "mech.h"
#include "msg.h"
#include "reply.h"
#include "testlib.h"

struct fixture {
	struct wsession ws;
	struct ipc_chan *worker_end;
	struct ipc_chan *broker_end;
};

static struct fixture fx;

/* The next whole message on to's end of the pair after from flushed, or
 * NULL. */
static const struct ipc_msg *
carried(struct ipc_chan *from, struct ipc_chan *to)
{
	static struct ipc_msg m;

	assert_true(ipc_chan_flush(from) >= 0);
	if (ipc_chan_get(to, &m) == 1)
		return &m;
	(void)ipc_chan_read(to);
	return ipc_chan_get(to, &m) == 1 ? &m : NULL;
}

/* A message from the broker (m NULL: empty), as the worker receives it. */
static const struct ipc_msg *
from_broker_for(uint32_t attempt, uint32_t type, const void *m)
{
	assert_int_equal(msg_send(fx.broker_end, type, attempt, -1, m), 0);
	return carried(fx.broker_end, fx.worker_end);
}

/* As the broker sends it: for the attempt in progress. */
static const struct ipc_msg *
from_broker(uint32_t type, const void *m)
{
	return from_broker_for(fx.ws.attempt, type, m);
}

/* The same with a payload of data[len] as it is, however wrong. */
static const struct ipc_msg *
raw_from_broker(uint32_t type, const void *data, size_t len)
{
	assert_int_equal(ipc_chan_compose(fx.broker_end, type, fx.ws.attempt,
	    -1, data, len), 0);
	return carried(fx.broker_end, fx.worker_end);
}

/* A session assigned "password" and "otp", idle timeout 1000 ms. */
static int
setup(void **state)
{
	struct msg_assign a = { 1000, { 2, { "password", "otp" } }, FRONT_LINE };
	int sv[2];

	test_socketpair(sv);
	/* Descriptors pass, as a session's stdio does. */
	fx.worker_end = ipc_chan_new(sv[0], true);
	fx.broker_end = ipc_chan_new(sv[1], true);
	ws_init(&fx.ws, fx.worker_end);
	assert_int_equal(ws_start(&fx.ws, from_broker(MSG_ASSIGN, &a)), 0);
	return 0;
}

static int
teardown(void **state)
{
	ipc_chan_free(fx.worker_end);
	ipc_chan_free(fx.broker_end);
	return 0;
}

/* Feeds one request line; returns the reply text and clears it. */
static const char *
request(const char *line)
{
	static char out[WS_OUT_MAX + 1];

	fx.ws.outlen = 0;
	ws_on_line(&fx.ws, line, strlen(line));
	memcpy(out, fx.ws.out, fx.ws.outlen);
	out[fx.ws.outlen] = '\0';
	return out;
}

/* The broker's view: the type of the next message the worker sent, or -1
 * if none; *m holds it. */
static int
broker_gets(const struct ipc_msg **m)
{
	*m = carried(fx.worker_end, fx.broker_end);
	return *m != NULL ? (int)(*m)->hdr.type : -1;
}

/* The broker sends m, and the worker must reply want to the client. */
static void
broker_says(uint32_t type, const void *m, const char *want)
{
	const struct ipc_msg *in = from_broker(type, m);

	fx.ws.outlen = 0;
	assert_non_null(in);
	assert_int_equal(ws_on_broker(&fx.ws, in), 0);
	assert_int_equal(fx.ws.outlen, strlen(want));
	assert_memory_equal(fx.ws.out, want, fx.ws.outlen);
}

/* The longest round the broker may send: a name and 15 prompts of 511
 * quotes each (each doubles when quoted) and an instruction of 2047 line
 * breaks (a line each).  It must go out whole. */
static void
test_longest_round_fits_the_output(void **state)
{
	static struct msg_round r;
	size_t i, last_len;
	const char *last;

	memset(r.name, '"', sizeof(r.name) - 1);
	memset(r.instruction, '\n', sizeof(r.instruction) - 1);
	r.n = ROUND_MAX_PROMPTS;
	for (i = 0; i < ROUND_MAX_PROMPTS; i++)
		memset(r.prompt[i], '"', sizeof(r.prompt[i]) - 1);
	fx.ws.dialog = mech_dialog_find("keyboard-interactive");
	fx.ws.state = WS_WAIT_BROKER;
	fx.ws.outlen = 0;
	assert_int_equal(ws_on_broker(&fx.ws, from_broker(MSG_ROUND, &r)), 0);
	assert_int_equal(fx.ws.state, WS_DIALOG);
	assert_false(fx.ws.out_full);
	/* The reply ends with the last prompt, whole: "305 noecho", then
	 * 511 escaped quotes within quotes. */
	last_len = 11 + 2 + 2 * (CONV_MAX_TEXT - 1) + 2;
	assert_true(fx.ws.outlen > last_len);
	last = fx.ws.out + fx.ws.outlen - last_len;
	assert_memory_equal(last, "305 noecho \"\\\"", 14);
	assert_memory_equal(fx.ws.out + fx.ws.outlen - 5, "\\\"\"\r\n", 5);
}

static const struct exchange {
	const char *request;
	const char *reply;
} idle_table[] = {
	{ "lsauth", "200-password\r\n200 otp\r\n" },
	{ "pass x", "507 \"No authentication in progress\"\r\n" },
	{ "login nope alice", "508 \"Unknown mechanism\"\r\n" },
	{ "login otp alice", "508 \"Unknown mechanism\"\r\n" },	/* no dialog */
	{ "login password", "501 \"Wrong number of arguments\"\r\n" },
	{ "login password \"a\tb\"", "504 \"Invalid user name\"\r\n" },
	/* Not UTF-8: in the user name 504, anywhere else 500. */
	{ "login password al\xc3\x28" "ce", "504 \"Invalid user name\"\r\n" },
	{ "login pass\xffword alice", "500 \"Invalid UTF-8\"\r\n" },
	{ "login pass\xffword al\xff" "ce", "500 \"Invalid UTF-8\"\r\n" },
	{ "login password al\xff" "ce extra more",
	    "500 \"Invalid UTF-8\"\r\n" },
	{ "context 10.0.0.1 j\xff" "doe",
	    "504 \"Invalid remote user name\"\r\n" },
	{ "lsauth \xff", "500 \"Invalid UTF-8\"\r\n" },
	{ "frobnicate", "500 \"Unknown command\"\r\n" },
	{ "", "500 \"Empty line\"\r\n" },
};

static void
test_idle_requests_table(void **state)
{
	const struct ipc_msg *m;
	size_t i;

	for (i = 0; i < sizeof(idle_table) / sizeof(idle_table[0]); i++) {
		fx.ws.state = WS_IDLE;
		assert_string_equal(request(idle_table[i].request),
		    idle_table[i].reply);
	}
	/* None of these reached the broker. */
	assert_int_equal(broker_gets(&m), -1);
}

/* quit says bye and tells the broker the worker is leaving, so that its
 * going is no failure. */
static void
test_quit_says_bye_and_tells_the_broker(void **state)
{
	const struct ipc_msg *m;

	assert_string_equal(request("quit"), "200 Bye\r\n");
	assert_int_equal(fx.ws.state, WS_CLOSING);
	assert_int_equal(broker_gets(&m), MSG_LEAVING);
}

static void
test_login_prompt_answer_and_result(void **state)
{
	struct msg_prompt prompt = { PROMPT_SECRET, "Password: " };
	struct msg_reply ok = { .code = REPLY_OK, .text = "Logged in" };
	static struct msg_answers a;
	struct msg_auth_begin b;
	const struct ipc_msg *m;

	assert_string_equal(request("login password alice"), "");
	assert_int_equal(fx.ws.state, WS_WAIT_BROKER);
	assert_false(ws_wants_request(&fx.ws));
	assert_int_equal(broker_gets(&m), MSG_AUTH_BEGIN);
	assert_int_equal(msg_read_auth_begin(m, &b), 0);
	assert_string_equal(b.mech, "password");
	assert_string_equal(b.user, "alice");

	broker_says(MSG_PROMPT, &prompt, "301 \"Password: \"\r\n");
	assert_int_equal(fx.ws.state, WS_DIALOG);

	assert_string_equal(request("pass"),
	    "501 \"Expected 1 answer\"\r\n");
	assert_string_equal(request("pass a b"),
	    "501 \"Expected 1 answer\"\r\n");
	assert_string_equal(request("pass \"s3 cr\\\"t\""), "");
	assert_int_equal(broker_gets(&m), MSG_AUTH_ANSWER);
	assert_int_equal(msg_read_auth_answer(m, &a), 0);
	assert_int_equal(a.n, 1);
	assert_string_equal(a.text[0], "s3 cr\"t");

	broker_says(MSG_RESULT, &ok, "200 \"Logged in\"\r\n");
	assert_int_equal(fx.ws.state, WS_LOGGED_IN);
	assert_string_equal(request("login password alice"),
	    "503 \"Already logged in\"\r\n");
}

static void
test_message_text_is_split_and_sanitised(void **state)
{
	struct msg_prompt info = { PROMPT_INFO, "Welcome\n\x1b[2Jback" };
	static struct msg_answers a;
	const struct ipc_msg *m;

	request("login password alice");
	assert_int_equal(broker_gets(&m), MSG_AUTH_BEGIN);
	broker_says(MSG_PROMPT, &info, "303-Welcome\r\n303 ?[2Jback\r\n");
	/* A message is acknowledged with a bare pass: no answer. */
	assert_string_equal(request("pass"), "");
	assert_int_equal(broker_gets(&m), MSG_AUTH_ANSWER);
	assert_int_equal(msg_read_auth_answer(m, &a), 0);
	assert_int_equal(a.n, 0);
}

/* login password alice, its AUTH_BEGIN taken and its prompt shown. */
static void
at_password_prompt(void)
{
	struct msg_prompt prompt = { PROMPT_SECRET, "Password: " };
	const struct ipc_msg *m;

	request("login password alice");
	assert_int_equal(broker_gets(&m), MSG_AUTH_BEGIN);
	broker_says(MSG_PROMPT, &prompt, "301 \"Password: \"\r\n");
}

static void
test_new_login_during_a_prompt_aborts_first(void **state)
{
	const struct ipc_msg *m;

	at_password_prompt();
	request("login password bob");
	assert_int_equal(broker_gets(&m), MSG_AUTH_ABORT);
	assert_int_equal(broker_gets(&m), MSG_AUTH_BEGIN);
}

/* The attempt may end while a prompt is out (its PAM helper died, or
 * broke its protocol): the client gets the result, not a dropped
 * connection, and its late answer finds no login in progress. */
static void
test_result_while_a_prompt_is_out_ends_the_attempt(void **state)
{
	struct msg_reply error = { .code = REPLY_SYSTEM_ERROR,
	    .text = "System error" };

	at_password_prompt();
	broker_says(MSG_RESULT, &error, "505 \"System error\"\r\n");
	assert_int_equal(fx.ws.state, WS_IDLE);
	assert_string_equal(request("pass secret"),
	    "507 \"No authentication in progress\"\r\n");
}

/* A new login crosses the broker's result of the one it abandons: that
 * result is for an attempt the client has left, and is dropped; the new
 * attempt's prompt is shown. */
static void
test_reply_to_an_abandoned_attempt_is_dropped(void **state)
{
	struct msg_prompt prompt = { PROMPT_SECRET, "Password: " };
	struct msg_reply error = { .code = REPLY_SYSTEM_ERROR,
	    .text = "System error" };
	const struct ipc_msg *m;

	at_password_prompt();
	assert_string_equal(request("login password bob"), "");
	assert_int_equal(broker_gets(&m), MSG_AUTH_ABORT);
	assert_int_equal(broker_gets(&m), MSG_AUTH_BEGIN);
	fx.ws.outlen = 0;
	assert_int_equal(ws_on_broker(&fx.ws, from_broker_for(1, MSG_RESULT,
	    &error)), 0);
	assert_int_equal(fx.ws.outlen, 0);
	assert_int_equal(fx.ws.state, WS_WAIT_BROKER);
	broker_says(MSG_PROMPT, &prompt, "301 \"Password: \"\r\n");
}

static void
test_broker_message_out_of_state_is_refused(void **state)
{
	struct msg_prompt prompt = { PROMPT_SECRET, "Password: " };
	struct msg_assign again = { 1000, { 0, { "" } }, FRONT_LINE };

	/* No login asked for a prompt; ASSIGN never comes after the start. */
	assert_int_equal(ws_on_broker(&fx.ws, from_broker(MSG_PROMPT,
	    &prompt)), -1);
	assert_int_equal(ws_on_broker(&fx.ws, from_broker(MSG_ASSIGN,
	    &again)), -1);
}

static void
test_malformed_broker_messages_are_refused(void **state)
{
	static const uint8_t bad_kind[] = { 9, 0, 0, 0, 1, 'x' };
	static const uint8_t code_199[] = { 0, 0, 0, 199, 0, 0, 0, 0 };
	static const uint8_t trailing[] = { 3, 0, 0, 0, 1, 'x', '!' };

	request("login password alice");
	assert_int_equal(ws_on_broker(&fx.ws, raw_from_broker(MSG_PROMPT,
	    bad_kind, sizeof(bad_kind))), -1);
	assert_int_equal(ws_on_broker(&fx.ws, raw_from_broker(MSG_RESULT,
	    code_199, sizeof(code_199))), -1);
	assert_int_equal(ws_on_broker(&fx.ws, raw_from_broker(MSG_PROMPT,
	    trailing, sizeof(trailing))), -1);
}

static void
test_close_replies_then_closes(void **state)
{
	struct msg_reply bye = { .code = REPLY_TIMED_OUT,
	    .text = "Login time exceeded" };

	broker_says(MSG_CLOSE, &bye, "510 \"Login time exceeded\"\r\n");
	assert_int_equal(fx.ws.state, WS_CLOSING);
	assert_false(ws_wants_request(&fx.ws));
}

static void
test_malformed_start_is_refused(void **state)
{
	uint8_t buf[64];
	struct ipc_writer w;
	struct wsession ws;

	ws_init(&ws, fx.worker_end);
	ipc_writer_init(&w, buf, sizeof(buf));
	ipc_put_u32(&w, 1000);
	ipc_put_u32(&w, MECH_MAX + 1);
	assert_int_equal(ws_start(&ws, raw_from_broker(MSG_ASSIGN, w.buf,
	    w.len)), -1);
	ipc_writer_init(&w, buf, sizeof(buf));
	ipc_put_u32(&w, 1000);
	ipc_put_u32(&w, 1);		/* one name announced, none sent */
	assert_int_equal(ws_start(&ws, raw_from_broker(MSG_ASSIGN, w.buf,
	    w.len)), -1);
}

/* The broker's OFFER: the chain's user and what may begin now. */
static void
offer(const char *user, const char *mech)
{
	struct msg_offer m = { .mechs = { 1, { "" } } };

	snprintf(m.user, sizeof(m.user), "%s", user);
	snprintf(m.mechs.name[0], sizeof(m.mechs.name[0]), "%s", mech);
	broker_says(MSG_OFFER, &m, "");
}

static void
result(uint32_t code, const char *text, const char *want)
{
	struct msg_reply m = { .code = code };

	snprintf(m.text, sizeof(m.text), "%s", text);
	broker_says(MSG_RESULT, &m, want);
}

static void
test_partial_success_holds_the_chain(void **state)
{
	const struct ipc_msg *m;

	assert_string_equal(request("login password alice"), "");
	assert_int_equal(broker_gets(&m), MSG_AUTH_BEGIN);
	/* The next step, as the broker words it (it may be any mechanism;
	 * "password" has a dialog here). */
	offer("alice", "password");
	result(REPLY_PARTIAL, "password", "306 password\r\n");
	assert_int_equal(fx.ws.state, WS_IDLE);
	assert_string_equal(request("lsauth"), "200 password\r\n");
	assert_string_equal(request("login keyboard-interactive alice"),
	    "502 \"Mechanism not permitted at this step of the login\"\r\n");
	assert_string_equal(request("login password bob"), "502 \"This "
	    "login continues as the user who began it\"\r\n");
	assert_int_equal(broker_gets(&m), -1);
	assert_string_equal(request("login password alice"), "");
	assert_int_equal(broker_gets(&m), MSG_AUTH_BEGIN);
}

static void
test_context_goes_to_the_broker_and_does_not_log_in(void **state)
{
	const struct ipc_msg *m;
	struct msg_context c;

	assert_string_equal(request("context 10.0.0.1/8"),
	    "501 \"Invalid address\"\r\n");
	assert_string_equal(request("context fd00::1 \"a\tb\""),
	    "504 \"Invalid remote user name\"\r\n");
	/* A command is shown in a Duo push: no control character. */
	assert_string_equal(request("context fd00::1 \"\" \"rm\x1b[2J\""),
	    "501 \"Invalid command\"\r\n");
	assert_int_equal(broker_gets(&m), -1);
	assert_string_equal(request("context fd00::1 \"\" \"sudo -i\""), "");
	assert_int_equal(broker_gets(&m), MSG_CONTEXT);
	assert_int_equal(msg_read_context(m, &c), 0);
	assert_string_equal(c.host, "fd00::1");
	assert_string_equal(c.user, "");
	assert_string_equal(c.command, "sudo -i");
	offer("", "password");
	result(REPLY_OK, "Context set", "200 \"Context set\"\r\n");
	assert_int_equal(fx.ws.state, WS_IDLE);
	assert_string_equal(request("lsauth"), "200 password\r\n");
}

/* Logs alice in with password, as the broker would answer. */
static void
log_in(void)
{
	struct msg_prompt prompt = { PROMPT_SECRET, "Password: " };
	struct msg_reply ok = { .code = REPLY_OK, .text = "Logged in" };
	const struct ipc_msg *m;

	assert_string_equal(request("login password alice"), "");
	assert_int_equal(broker_gets(&m), MSG_AUTH_BEGIN);
	broker_says(MSG_PROMPT, &prompt, "301 \"Password: \"\r\n");
	assert_string_equal(request("pass pw"), "");
	assert_int_equal(broker_gets(&m), MSG_AUTH_ANSWER);
	broker_says(MSG_RESULT, &ok, "200 \"Logged in\"\r\n");
	assert_int_equal(fx.ws.state, WS_LOGGED_IN);
}

/* Whether fd is open. */
static bool
fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

/* Session requests: after the login only, checked here for their form
 * (which variables and commands is the broker's word), each answered by
 * the broker with the connection still logged in. */
static void
test_session_requests_come_after_the_login_and_are_checked(void **state)
{
	struct msg_reply set = { .code = REPLY_OK, .text = "Set" };
	struct msg_session_env env;
	const struct ipc_msg *m;

	assert_string_equal(request("session open"),
	    "502 \"Not logged in\"\r\n");
	assert_int_equal(broker_gets(&m), -1);
	log_in();
	assert_string_equal(request("session env NAME"),
	    "501 \"Expected NAME=VALUE\"\r\n");
	assert_string_equal(request("session env 1X=y"),
	    "501 \"Invalid variable\"\r\n");
	assert_string_equal(request("session env X=\"a\x01\""),
	    "501 \"Invalid variable\"\r\n");
	assert_string_equal(request("session start sh"),
	    "501 \"The command must be an absolute path\"\r\n");
	assert_string_equal(request("session wait now"),
	    "501 \"Wrong number of arguments\"\r\n");
	assert_string_equal(request("session open \"tty 1\""),
	    "501 \"Invalid terminal name\"\r\n");
	assert_string_equal(request("session dance"),
	    "500 \"Unknown session request\"\r\n");
	assert_int_equal(broker_gets(&m), -1);
	assert_string_equal(request("session env XDG_SEAT=seat0"), "");
	assert_int_equal(fx.ws.state, WS_WAIT_BROKER);
	assert_int_equal(broker_gets(&m), MSG_SESSION_ENV);
	assert_int_equal(msg_read_session_env(m, &env), 0);
	assert_string_equal(env.name, "XDG_SEAT");
	assert_string_equal(env.value, "seat0");
	broker_says(MSG_RESULT, &set, "200 Set\r\n");
	assert_int_equal(fx.ws.state, WS_LOGGED_IN);
}

/* Descriptors go with "session start" alone, at most three, each in a
 * SESSION_FD before the start; with anything else they are closed. */
static void
test_descriptors_go_with_session_start_only(void **state)
{
	static struct msg_session_start start;
	const struct ipc_msg *m;
	int p[2], q[2], i;

	log_in();
	assert_int_equal(pipe(p), 0);
	ws_on_fds(&fx.ws, p, 2, false);
	assert_string_equal(request("lsauth"),
	    "500 \"Descriptors come only with session start\"\r\n");
	assert_false(fd_open(p[0]) || fd_open(p[1]));

	assert_int_equal(pipe(p), 0);
	assert_int_equal(pipe(q), 0);
	ws_on_fds(&fx.ws, p, 2, false);
	ws_on_fds(&fx.ws, q, 2, false);
	assert_string_equal(request("session start"),
	    "501 \"At most 3 descriptors\"\r\n");
	for (i = 0; i < 2; i++)
		assert_false(fd_open(p[i]) || fd_open(q[i]));
	assert_int_equal(broker_gets(&m), -1);

	assert_int_equal(pipe(p), 0);
	ws_on_fds(&fx.ws, p, 2, false);
	assert_string_equal(request("session start /bin/sh -c \"id -u\""),
	    "");
	for (i = 0; i < 2; i++) {
		assert_int_equal(broker_gets(&m), MSG_SESSION_FD);
		assert_true(m->fd >= 0);
		close(m->fd);
	}
	assert_int_equal(broker_gets(&m), MSG_SESSION_START);
	assert_int_equal(msg_read_session_start(m, &start), 0);
	assert_int_equal(start.argc, 3);
	assert_string_equal(start.arg[2], "id -u");
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

/* --- greetd's front end, over the same session ---------------------- */

/* As setup, for a greeter: its front end takes the session's replies. */
static int
setup_greeter(void **state)
{
	setup(state);
	front_greetd.start(&fx.ws);
	return 0;
}

static int
teardown_greeter(void **state)
{
	front_greetd.reset();
	return teardown(state);
}

/* What the front end does now, as the session loop runs it: what is due,
 * or the buffered request.  The reply's JSON ("": none), cleared. */
static const char *
greeter_reply(void)
{
	static char out[WS_OUT_MAX + 1];
	uint32_t len;

	while (fx.ws.outlen == 0 && ws_wants_request(&fx.ws) &&
	    front_greetd.handle(&fx.ws))
		continue;
	if (fx.ws.outlen == 0)
		return "";
	memcpy(&len, fx.ws.out, sizeof(len));
	assert_int_equal(fx.ws.outlen, sizeof(len) + len);
	memcpy(out, fx.ws.out + sizeof(len), len);
	out[len] = '\0';
	fx.ws.outlen = 0;
	return out;
}

/* A greeter's request frame; the reply. */
static const char *
greeter_says(const char *json)
{
	uint32_t len = (uint32_t)strlen(json);
	size_t room;
	char *space = front_greetd.space(&room);

	assert_true(room >= sizeof(len) + len);
	memcpy(space, &len, sizeof(len));
	memcpy(space + sizeof(len), json, len);
	front_greetd.added(sizeof(len) + len);
	return greeter_reply();
}

/* A broker message; the reply to the greeter. */
static const char *
broker_tells_greeter(uint32_t type, const void *m)
{
	assert_int_equal(ws_on_broker(&fx.ws, from_broker(type, m)), 0);
	return greeter_reply();
}

/* The broker gets AUTH_BEGIN of mech for user. */
static void
broker_gets_begin(const char *mech, const char *user)
{
	struct msg_auth_begin b;
	const struct ipc_msg *m;

	assert_int_equal(broker_gets(&m), MSG_AUTH_BEGIN);
	assert_int_equal(msg_read_auth_begin(m, &b), 0);
	assert_string_equal(b.mech, mech);
	assert_string_equal(b.user, user);
}

/* The broker gets AUTH_ANSWER with n answers, the first first. */
static void
broker_gets_answers(uint32_t n, const char *first)
{
	static struct msg_answers a;
	const struct ipc_msg *m;

	assert_int_equal(broker_gets(&m), MSG_AUTH_ANSWER);
	assert_int_equal(msg_read_auth_answer(m, &a), 0);
	assert_int_equal(a.n, n);
	if (n > 0)
		assert_string_equal(a.text[0], first);
}

#define G_CREATE	"{\"type\":\"create_session\",\"username\":\"alice\"}"
#define G_ACK		"{\"type\":\"post_auth_message_response\"}"
#define G_ANSWER(a)	"{\"type\":\"post_auth_message_response\"," \
	"\"response\":\"" a "\"}"
#define G_MESSAGE(kind, text) "{\"type\":\"auth_message\"," \
	"\"auth_message_type\":\"" kind "\",\"auth_message\":\"" text "\"}"
#define G_ERROR(type, text) "{\"type\":\"error\",\"error_type\":\"" \
	type "\",\"description\":\"" text "\"}"
#define G_SUCCESS	"{\"type\":\"success\"}"

/* create_session for alice: the broker gets its login, and its password
 * prompt is shown. */
static void
greeter_at_password_prompt(void)
{
	struct msg_prompt pw = { PROMPT_SECRET, "Password: " };

	assert_string_equal(greeter_says(G_CREATE), "");
	broker_gets_begin("password", "alice");
	assert_string_equal(broker_tells_greeter(MSG_PROMPT, &pw),
	    G_MESSAGE("secret", "Password: "));
}

/* The first factor proven, the broker's partial success: the next
 * factor's login goes unasked, and its code prompt is shown. */
static void
greeter_at_second_factor(void)
{
	struct msg_prompt code = { PROMPT_VISIBLE, "Verification code: " };
	struct msg_offer next = { "alice", { 1, { "password" } } };
	struct msg_reply partial = { .code = REPLY_PARTIAL, .text = "password" };

	assert_int_equal(ws_on_broker(&fx.ws, from_broker(MSG_OFFER, &next)),
	    0);
	assert_string_equal(broker_tells_greeter(MSG_RESULT, &partial), "");
	broker_gets_begin("password", "alice");
	assert_string_equal(broker_tells_greeter(MSG_PROMPT, &code),
	    G_MESSAGE("visible", "Verification code: "));
}

/* create_session is a login of the first mechanism that prompts; each
 * prompt an auth_message, each response a pass; a partial success goes on
 * to the next factor's login unasked; 200 is success. */
static void
test_greeter_login_maps_onto_the_session(void **state)
{
	struct msg_reply ok = { .code = REPLY_OK, .text = "Logged in" };

	greeter_at_password_prompt();
	assert_string_equal(greeter_says(G_ANSWER("pw")), "");
	broker_gets_answers(1, "pw");
	greeter_at_second_factor();
	assert_string_equal(greeter_says(G_ANSWER("123456")), "");
	broker_gets_answers(1, "123456");
	assert_string_equal(broker_tells_greeter(MSG_RESULT, &ok),
	    G_SUCCESS);
	assert_string_equal(greeter_says(G_CREATE),
	    G_ERROR("error", "Already logged in"));
}

/* A round's instruction is an info message and each prompt one of its
 * own; the answers go to the broker together, after the last.  A round
 * with nothing to show is answered at once, with nothing. */
static void
test_a_round_is_one_message_at_a_time(void **state)
{
	static struct msg_round r = { "", "Read this\nand this", 2,
	    { false, true }, { "Password: ", "Code: " } };
	static struct msg_round none = { "", "", 0, { false }, { "" } };

	fx.ws.offer = (struct msg_mechs){ 1, { "keyboard-interactive" } };
	assert_string_equal(greeter_says(G_CREATE), "");
	broker_gets_begin("keyboard-interactive", "alice");
	assert_string_equal(broker_tells_greeter(MSG_ROUND, &r),
	    G_MESSAGE("info", "Read this\\nand this"));
	assert_string_equal(greeter_says(G_ACK),
	    G_MESSAGE("secret", "Password: "));
	assert_string_equal(greeter_says(G_ANSWER("pw")),
	    G_MESSAGE("visible", "Code: "));
	assert_string_equal(greeter_says(G_ANSWER("123456")), "");
	{
		static struct msg_answers a;
		const struct ipc_msg *m;

		assert_int_equal(broker_gets(&m), MSG_AUTH_ANSWER);
		assert_int_equal(msg_read_auth_answer(m, &a), 0);
		assert_int_equal(a.n, 2);
		assert_string_equal(a.text[0], "pw");
		assert_string_equal(a.text[1], "123456");
	}
	assert_string_equal(broker_tells_greeter(MSG_ROUND, &none), "");
	broker_gets_answers(0, NULL);
}

/* An outcome while a prompt is out (its verifier failed) is held: the
 * greeter's answer gets it, and goes nowhere, so request and reply stay
 * in step. */
static void
test_an_outcome_during_a_prompt_answers_the_next_request(void **state)
{
	struct msg_reply failed = { .code = REPLY_AUTH_FAILED,
	    .text = "Authentication failed" };
	const struct ipc_msg *m;

	greeter_at_password_prompt();
	assert_string_equal(broker_tells_greeter(MSG_RESULT, &failed), "");
	assert_string_equal(greeter_says(G_ANSWER("pw")),
	    G_ERROR("auth_error", "Authentication failed"));
	assert_int_equal(broker_gets(&m), -1);
}

/* A held outcome waits through a request that does not parse; a result
 * that crosses cancel_session is for the attempt abandoned and is
 * dropped, not taken for the broker breaking the protocol. */
static void
test_held_and_crossed_outcomes_keep_request_and_reply_in_step(void **state)
{
	struct msg_reply failed = { .code = REPLY_SYSTEM_ERROR,
	    .text = "System error" };
	const struct ipc_msg *m;

	greeter_at_password_prompt();
	assert_string_equal(broker_tells_greeter(MSG_RESULT, &failed), "");
	assert_string_equal(greeter_says("{"),
	    G_ERROR("error", "Invalid JSON"));
	assert_string_equal(greeter_says(G_ANSWER("pw")),
	    G_ERROR("error", "System error"));

	greeter_at_password_prompt();
	assert_string_equal(greeter_says("{\"type\":\"cancel_session\"}"),
	    G_SUCCESS);
	assert_int_equal(broker_gets(&m), MSG_AUTH_ABORT);
	assert_string_equal(broker_tells_greeter(MSG_RESULT, &failed), "");
	assert_int_equal(fx.ws.state, WS_IDLE);
}

/* A factor after the first that fails ends the connection: the chain
 * cannot begin again on it, and the next person at the greeter starts
 * afresh on a new one. */
static void
test_a_failure_after_the_first_factor_ends_the_connection(void **state)
{
	struct msg_reply failed = { .code = REPLY_AUTH_FAILED,
	    .text = "Authentication failed" };
	const struct ipc_msg *m;

	assert_string_equal(greeter_says(G_CREATE), "");
	broker_gets_begin("password", "alice");
	greeter_at_second_factor();
	assert_string_equal(greeter_says(G_ANSWER("000000")), "");
	broker_gets_answers(1, "000000");
	assert_string_equal(broker_tells_greeter(MSG_RESULT, &failed),
	    G_ERROR("auth_error", "Authentication failed"));
	assert_int_equal(fx.ws.state, WS_CLOSING);
	assert_int_equal(broker_gets(&m), MSG_LEAVING);
}

/* start_session: each variable, the open, the start; after a refused
 * start, another goes straight to the start (the session is open). */
static void
test_start_session_opens_once_and_may_start_again(void **state)
{
	struct msg_reply ok = { .code = REPLY_OK, .text = "OK" };
	struct msg_reply refused = { .code = REPLY_NOT_PERMITTED,
	    .text = "Command not permitted" };
	const char *start = "{\"type\":\"start_session\",\"cmd\":"
	    "[\"/usr/bin/sway --debug\"],\"env\":[\"XDG_SESSION_TYPE=wayland\"]}";
	static struct msg_session_start s;
	const struct ipc_msg *m;

	greeter_at_password_prompt();
	assert_string_equal(greeter_says(G_ANSWER("pw")), "");
	broker_gets_answers(1, "pw");
	assert_string_equal(broker_tells_greeter(MSG_RESULT, &ok),
	    G_SUCCESS);
	assert_string_equal(greeter_says(start), "");
	assert_int_equal(broker_gets(&m), MSG_SESSION_ENV);
	assert_string_equal(broker_tells_greeter(MSG_RESULT, &ok), "");
	assert_int_equal(broker_gets(&m), MSG_SESSION_OPEN);
	assert_string_equal(broker_tells_greeter(MSG_RESULT, &ok), "");
	assert_int_equal(broker_gets(&m), MSG_SESSION_START);
	assert_int_equal(msg_read_session_start(m, &s), 0);
	assert_int_equal(s.argc, 2);
	assert_string_equal(s.arg[0], "/usr/bin/sway");
	assert_string_equal(s.arg[1], "--debug");
	assert_string_equal(broker_tells_greeter(MSG_RESULT, &refused),
	    G_ERROR("error", "Command not permitted"));
	assert_string_equal(greeter_says(start), "");
	assert_int_equal(broker_gets(&m), MSG_SESSION_START);
	assert_string_equal(broker_tells_greeter(MSG_RESULT, &ok),
	    G_SUCCESS);
}

/* Mechanisms of data steps cannot be shown to a person: a greeter is
 * told, and nothing reaches the broker. */
static void
test_no_mechanism_a_greeter_can_answer(void **state)
{
	const struct ipc_msg *m;

	fx.ws.offer = (struct msg_mechs){ 1, { "scram-sha-256" } };
	assert_string_equal(greeter_says(G_CREATE),
	    G_ERROR("error", "No mechanism a greeter can answer"));
	assert_int_equal(broker_gets(&m), -1);
}

#define G(f)	cmocka_unit_test_setup_teardown(f, setup_greeter, \
	teardown_greeter)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_idle_requests_table),
		T(test_quit_says_bye_and_tells_the_broker),
		T(test_login_prompt_answer_and_result),
		T(test_message_text_is_split_and_sanitised),
		T(test_new_login_during_a_prompt_aborts_first),
		T(test_result_while_a_prompt_is_out_ends_the_attempt),
		T(test_reply_to_an_abandoned_attempt_is_dropped),
		T(test_broker_message_out_of_state_is_refused),
		T(test_malformed_broker_messages_are_refused),
		T(test_close_replies_then_closes),
		T(test_malformed_start_is_refused),
		T(test_partial_success_holds_the_chain),
		T(test_context_goes_to_the_broker_and_does_not_log_in),
		T(test_longest_round_fits_the_output),
		T(test_session_requests_come_after_the_login_and_are_checked),
		T(test_descriptors_go_with_session_start_only),
		G(test_greeter_login_maps_onto_the_session),
		G(test_a_round_is_one_message_at_a_time),
		G(test_an_outcome_during_a_prompt_answers_the_next_request),
		G(test_no_mechanism_a_greeter_can_answer),
		G(test_held_and_crossed_outcomes_keep_request_and_reply_in_step),
		G(test_a_failure_after_the_first_factor_ends_the_connection),
		G(test_start_session_opens_once_and_may_start_again),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
