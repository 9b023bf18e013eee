/*
 * test_client_proto.c: the worker's protocol state machine, driven line by
 * line, with the broker's side of its channel played by the test.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "client_proto.h"
#include "mech.h"
#include "ipc_payload.h"
#include "reply.h"
#include "testlib.h"

struct fixture {
	struct wsession ws;
	struct ipc_chan *worker_end;
	struct ipc_chan *broker_end;
};

static struct fixture fx;

/* A session assigned "password" and "otp", idle timeout 1000 ms. */
static int
setup(void **state)
{
	struct ipc_writer w;
	int sv[2];

	test_socketpair(sv);
	fx.worker_end = ipc_chan_new(sv[0], false);
	fx.broker_end = ipc_chan_new(sv[1], false);
	ws_init(&fx.ws, fx.worker_end);
	ipc_writer_init(&w);
	ipc_put_u32(&w, 1000);
	ipc_put_u32(&w, 2);
	ipc_put_str(&w, "password");
	ipc_put_str(&w, "otp");
	assert_int_equal(ws_start(&fx.ws, w.buf, w.len), 0);
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

/* The broker's view: the next message the worker sent, or -1 if none. */
static int
broker_gets(struct ipc_msg *m)
{
	assert_true(ipc_chan_flush(fx.worker_end) >= 0);
	if (ipc_chan_get(fx.broker_end, m) == 1)
		return (int)m->hdr.type;
	(void)ipc_chan_read(fx.broker_end);
	return ipc_chan_get(fx.broker_end, m) == 1 ? (int)m->hdr.type : -1;
}

static void
broker_says(uint32_t type, const struct ipc_writer *w, const char *want)
{
	struct ipc_msg m = { .fd = -1 };

	fx.ws.outlen = 0;
	m.hdr.type = type;
	m.data = w->buf;
	m.len = w->len;
	assert_int_equal(ws_on_broker(&fx.ws, &m), 0);
	assert_int_equal(fx.ws.outlen, strlen(want));
	assert_memory_equal(fx.ws.out, want, fx.ws.outlen);
}

/* The longest round the broker may send: a name and 15 prompts of 511
 * quotes each (each doubles when quoted) and an instruction of 2047 line
 * breaks (a line each).  It must go out whole. */
static void
test_longest_round_fits_the_output(void **state)
{
	static char quotes[CONV_MAX_TEXT], breaks[ROUND_INSTRUCTION_MAX];
	static struct ipc_writer w;
	struct ipc_msg m = { .fd = -1 };
	size_t i, last_len;
	const char *last;

	memset(quotes, '"', sizeof(quotes) - 1);
	memset(breaks, '\n', sizeof(breaks) - 1);
	fx.ws.dialog = mech_dialog_find("keyboard-interactive");
	fx.ws.state = WS_WAIT_BROKER;
	ipc_writer_init(&w);
	ipc_put_str(&w, quotes);
	ipc_put_str(&w, breaks);
	ipc_put_u32(&w, ROUND_MAX_PROMPTS);
	for (i = 0; i < ROUND_MAX_PROMPTS; i++) {
		ipc_put_u8(&w, 0);
		ipc_put_str(&w, quotes);
	}
	assert_true(ipc_writer_ok(&w));
	fx.ws.outlen = 0;
	m.hdr.type = MSG_ROUND;
	m.data = w.buf;
	m.len = w.len;
	assert_int_equal(ws_on_broker(&fx.ws, &m), 0);
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
	{ "frobnicate", "500 \"Unknown command\"\r\n" },
	{ "", "500 \"Empty line\"\r\n" },
	{ "quit", "200 Bye\r\n" },
};

static void
test_idle_requests_table(void **state)
{
	struct ipc_msg m;
	size_t i;

	for (i = 0; i < sizeof(idle_table) / sizeof(idle_table[0]); i++) {
		fx.ws.state = WS_IDLE;
		assert_string_equal(request(idle_table[i].request),
		    idle_table[i].reply);
	}
	/* None of these reached the broker. */
	assert_int_equal(broker_gets(&m), -1);
}

static void
test_login_prompt_answer_and_result(void **state)
{
	struct ipc_writer w;
	struct ipc_reader r;
	struct ipc_msg m;
	char text[64];

	assert_string_equal(request("login password alice"), "");
	assert_int_equal(fx.ws.state, WS_WAIT_BROKER);
	assert_false(ws_wants_request(&fx.ws));
	assert_int_equal(broker_gets(&m), MSG_AUTH_BEGIN);
	ipc_reader_init(&r, m.data, m.len);
	ipc_get_str(&r, text, sizeof(text));
	assert_string_equal(text, "password");
	ipc_get_str(&r, text, sizeof(text));
	assert_string_equal(text, "alice");
	assert_int_equal(ipc_reader_end(&r), 0);

	ipc_writer_init(&w);
	ipc_put_u8(&w, PROMPT_SECRET);
	ipc_put_str(&w, "Password: ");
	broker_says(MSG_PROMPT, &w, "301 \"Password: \"\r\n");
	assert_int_equal(fx.ws.state, WS_DIALOG);

	assert_string_equal(request("pass"),
	    "501 \"Expected 1 answer\"\r\n");
	assert_string_equal(request("pass a b"),
	    "501 \"Expected 1 answer\"\r\n");
	assert_string_equal(request("pass \"s3 cr\\\"t\""), "");
	assert_int_equal(broker_gets(&m), MSG_AUTH_ANSWER);
	ipc_reader_init(&r, m.data, m.len);
	ipc_get_str(&r, text, sizeof(text));
	assert_string_equal(text, "s3 cr\"t");

	ipc_writer_init(&w);
	ipc_put_u32(&w, REPLY_OK);
	ipc_put_str(&w, "Logged in");
	broker_says(MSG_RESULT, &w, "200 \"Logged in\"\r\n");
	assert_int_equal(fx.ws.state, WS_LOGGED_IN);
	assert_string_equal(request("login password alice"),
	    "503 \"Already logged in\"\r\n");
}

static void
test_message_text_is_split_and_sanitised(void **state)
{
	struct ipc_writer w;
	struct ipc_msg m;

	request("login password alice");
	assert_int_equal(broker_gets(&m), MSG_AUTH_BEGIN);
	ipc_writer_init(&w);
	ipc_put_u8(&w, PROMPT_INFO);
	ipc_put_str(&w, "Welcome\n\x1b[2Jback");
	broker_says(MSG_PROMPT, &w, "303-Welcome\r\n303 ?[2Jback\r\n");
	/* A message is acknowledged with a bare pass. */
	assert_string_equal(request("pass"), "");
	assert_int_equal(broker_gets(&m), MSG_AUTH_ANSWER);
}

static void
test_new_login_during_a_prompt_aborts_first(void **state)
{
	struct ipc_writer w;
	struct ipc_msg m;

	request("login password alice");
	assert_int_equal(broker_gets(&m), MSG_AUTH_BEGIN);
	ipc_writer_init(&w);
	ipc_put_u8(&w, PROMPT_SECRET);
	ipc_put_str(&w, "Password: ");
	broker_says(MSG_PROMPT, &w, "301 \"Password: \"\r\n");
	request("login password bob");
	assert_int_equal(broker_gets(&m), MSG_AUTH_ABORT);
	assert_int_equal(broker_gets(&m), MSG_AUTH_BEGIN);
}

static void
test_broker_message_out_of_state_is_refused(void **state)
{
	struct ipc_writer w;
	struct ipc_msg m = { .fd = -1 };

	ipc_writer_init(&w);
	ipc_put_u8(&w, PROMPT_SECRET);
	ipc_put_str(&w, "Password: ");
	m.hdr.type = MSG_PROMPT;	/* no login asked for one */
	m.data = w.buf;
	m.len = w.len;
	assert_int_equal(ws_on_broker(&fx.ws, &m), -1);
	m.hdr.type = MSG_ASSIGN;	/* never after the start */
	assert_int_equal(ws_on_broker(&fx.ws, &m), -1);
}

static void
test_close_replies_then_closes(void **state)
{
	struct ipc_writer w;

	ipc_writer_init(&w);
	ipc_put_u32(&w, REPLY_TIMED_OUT);
	ipc_put_str(&w, "Login time exceeded");
	broker_says(MSG_CLOSE, &w, "510 \"Login time exceeded\"\r\n");
	assert_int_equal(fx.ws.state, WS_CLOSING);
	assert_false(ws_wants_request(&fx.ws));
}

static void
test_malformed_start_is_refused(void **state)
{
	struct wsession ws;
	struct ipc_writer w;

	ws_init(&ws, fx.worker_end);
	ipc_writer_init(&w);
	ipc_put_u32(&w, 1000);
	ipc_put_u32(&w, MECH_MAX + 1);
	assert_int_equal(ws_start(&ws, w.buf, w.len), -1);
	ipc_writer_init(&w);
	ipc_put_u32(&w, 1000);
	ipc_put_u32(&w, 1);		/* one name announced, none sent */
	assert_int_equal(ws_start(&ws, w.buf, w.len), -1);
}

/* The broker's OFFER: the chain's user and what may begin now. */
static void
offer(const char *user, const char *mech)
{
	struct ipc_writer w;

	ipc_writer_init(&w);
	ipc_put_str(&w, user);
	ipc_put_u32(&w, 1);
	ipc_put_str(&w, mech);
	broker_says(MSG_OFFER, &w, "");
}

static void
result(uint32_t code, const char *text, const char *want)
{
	struct ipc_writer w;

	ipc_writer_init(&w);
	ipc_put_u32(&w, code);
	ipc_put_str(&w, text);
	broker_says(MSG_RESULT, &w, want);
}

static void
test_partial_success_holds_the_chain(void **state)
{
	struct ipc_msg m;

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
	struct ipc_reader r;
	struct ipc_msg m;
	char text[64];

	assert_string_equal(request("context 10.0.0.1/8"),
	    "501 \"Invalid address\"\r\n");
	assert_string_equal(request("context fd00::1 \"a\tb\""),
	    "504 \"Invalid remote user name\"\r\n");
	assert_int_equal(broker_gets(&m), -1);
	assert_string_equal(request("context fd00::1 jdoe"), "");
	assert_int_equal(broker_gets(&m), MSG_CONTEXT);
	ipc_reader_init(&r, m.data, m.len);
	ipc_get_str(&r, text, sizeof(text));
	assert_string_equal(text, "fd00::1");
	ipc_get_str(&r, text, sizeof(text));
	assert_string_equal(text, "jdoe");
	assert_int_equal(ipc_reader_end(&r), 0);
	offer("", "password");
	result(REPLY_OK, "Context set", "200 \"Context set\"\r\n");
	assert_int_equal(fx.ws.state, WS_IDLE);
	assert_string_equal(request("lsauth"), "200 password\r\n");
}

#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_idle_requests_table),
		T(test_login_prompt_answer_and_result),
		T(test_message_text_is_split_and_sanitised),
		T(test_new_login_during_a_prompt_aborts_first),
		T(test_broker_message_out_of_state_is_refused),
		T(test_close_replies_then_closes),
		T(test_malformed_start_is_refused),
		T(test_partial_success_holds_the_chain),
		T(test_context_goes_to_the_broker_and_does_not_log_in),
		T(test_longest_round_fits_the_output),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
