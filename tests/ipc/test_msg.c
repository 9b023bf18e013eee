/* SPDX-License-Identifier: ISC */
/*
 * test_msg.c: every message's one encoder and one decoder (ipc/msg.h):
 * each round-trips through a real channel, every cut or padded payload is
 * refused, the layout's bounds hold, composing in place fails cleanly, and
 * doc/architecture.md's message table names every message by its number.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ipc_chan.h"
#include "msg.h"
#include "testlib.h"

static const struct msg_spawner_ready ready = { IPC_PROTO_VERSION };
static const struct msg_spare spare = { 4242 };
static const struct msg_child_exit child_exit = { 4242, 0x0900 };
static const struct msg_assign assign = { 60000,
    { 3, { "password", "keyboard-interactive", "totp" } }, FRONT_GREETD };
static const struct msg_prompt prompt = { PROMPT_VISIBLE, "Code: " };
static const struct msg_round kbd_round = { "name", "one\ntwo", 2,
    { true, false }, { "Code: ", "Password: " } };
static const struct msg_offer offer = { "alice", { 1, { "totp" } } };
static const struct msg_reply reply = { 306, "totp", { 0, { 0 } } };
static const struct msg_reply success = { 200, "Logged in",
    { 3, { 0, 0xff, '\n' } } };
static const struct msg_data mech_data = { 4, { 'a', 0, 'b', 0xfe } };
static const struct msg_auth_begin begin = { "plain", "alice", true };
static const struct msg_answers answers = { 2, { "s3cret", "" } };
static const struct msg_context context = { "2001:db8::7", "jdoe",
    "sudo systemctl restart nginx" };
static const struct msg_pam_begin pam_begin = { "alice", true, true,
    "192.0.2.1", "jdoe" };
static const struct msg_pam_conv pam_conv = { 2,
    { PROMPT_INFO, PROMPT_SECRET }, { "Welcome", "Password: " } };
static const struct msg_pam_result pam_result = { 7, PAM_STAGE_AUTHENTICATE };
static const struct msg_gss_begin gss_begin = { "alice",
    "/etc/krb5.keytab", "host/localhost", 3, { 0, 7, 0xff },
    "/run/loginbroker/ccache/krb5cc_1001_x" };
static const struct msg_gss_result gss_result = { MECH_OUTCOME_OK,
    "principal:alice@EXAMPLE.ORG", "alice@EXAMPLE.ORG", "EXAMPLE.ORG",
    true };
static const struct msg_scram_begin scram_begin = { "alice",
    "/etc/loginbroker/scram" };
static const struct msg_scram_result scram_result = { MECH_OUTCOME_OK, "",
    "bob", { 3, { 'v', '=', 'x' } } };
static const struct msg_duo_begin duo_begin = { "alice",
    "/etc/loginbroker/duo.conf", "127.0.0.1:8443", "/etc/ssl/duo.pem",
    "192.0.2.7", "sudo -i", DUO_BEGIN_AUTO | DUO_BEGIN_SYNC, true, 60000 };
static const struct msg_duo_result duo_result = { MECH_OUTCOME_FAILOPEN,
    "duo:failopen:unreachable" };
static const struct msg_session_env session_env = { "XDG_SEAT", "seat0" };
static const struct msg_session_open session_open = { "tty1" };
static const struct msg_groups_begin groups_begin = { "alice" };
static const struct msg_groups groups = { 2, { "alice", "admins" } };
static const struct msg_session_start session_start = { 3,
    { "/bin/sh", "-c", "id -u" } };
static const struct msg_keeper_open keeper_open = { 7, 1000, "console",
    "tty1",
    "", "/run/loginbroker/sessions", "/var/run/utmp", "/var/log/wtmp", 2,
    { "TERM=linux", "LANG=C.UTF-8" } };
static const struct msg_keeper_result keeper_result = { KEEPER_STEP_START,
    0, "", 4242 };
static const struct msg_keeper_exit keeper_exit = { 0x100, "pts/3" };

/* One sample of every message, as its sender fills it (NULL: empty). */
static const struct sample {
	uint32_t type;
	const void *m;
	size_t size;
} samples[] = {
	{ MSG_SPAWNER_READY, &ready, sizeof(ready) },
	{ MSG_SPARE, &spare, sizeof(spare) },
	{ MSG_SPAWN, NULL, 0 },
	{ MSG_CHILD_EXIT, &child_exit, sizeof(child_exit) },
	{ MSG_ASSIGN, &assign, sizeof(assign) },
	{ MSG_PROMPT, &prompt, sizeof(prompt) },
	{ MSG_ROUND, &kbd_round, sizeof(kbd_round) },
	{ MSG_OFFER, &offer, sizeof(offer) },
	{ MSG_RESULT, &reply, sizeof(reply) },
	{ MSG_CLOSE, &reply, sizeof(reply) },
	{ MSG_AUTH_BEGIN, &begin, sizeof(begin) },
	{ MSG_AUTH_ANSWER, &answers, sizeof(answers) },
	{ MSG_AUTH_ABORT, NULL, 0 },
	{ MSG_CONTEXT, &context, sizeof(context) },
	{ MSG_PAM_BEGIN, &pam_begin, sizeof(pam_begin) },
	{ MSG_PAM_CONV, &pam_conv, sizeof(pam_conv) },
	{ MSG_PAM_RESULT, &pam_result, sizeof(pam_result) },
	{ MSG_PAM_CONV_REPLY, &answers, sizeof(answers) },
	{ MSG_RESULT, &success, sizeof(success) },
	{ MSG_DATA, &mech_data, sizeof(mech_data) },
	{ MSG_AUTH_DATA, &mech_data, sizeof(mech_data) },
	{ MSG_GSS_BEGIN, &gss_begin, sizeof(gss_begin) },
	{ MSG_GSS_RESULT, &gss_result, sizeof(gss_result) },
	{ MSG_SCRAM_BEGIN, &scram_begin, sizeof(scram_begin) },
	{ MSG_SCRAM_RESULT, &scram_result, sizeof(scram_result) },
	{ MSG_DUO_BEGIN, &duo_begin, sizeof(duo_begin) },
	{ MSG_DUO_RESULT, &duo_result, sizeof(duo_result) },
	{ MSG_GROUPS_BEGIN, &groups_begin, sizeof(groups_begin) },
	{ MSG_GROUPS_RESULT, &groups, sizeof(groups) },
	{ MSG_SESSION_ENV, &session_env, sizeof(session_env) },
	{ MSG_SESSION_OPEN, &session_open, sizeof(session_open) },
	{ MSG_SESSION_FD, NULL, 0 },
	{ MSG_SESSION_START, &session_start, sizeof(session_start) },
	{ MSG_SESSION_WAIT, NULL, 0 },
	{ MSG_SESSION_CLOSE, NULL, 0 },
	{ MSG_KEEPER_BEGIN, &pam_begin, sizeof(pam_begin) },
	{ MSG_KEEPER_OPEN, &keeper_open, sizeof(keeper_open) },
	{ MSG_KEEPER_RESULT, &keeper_result, sizeof(keeper_result) },
	{ MSG_KEEPER_EXIT, &keeper_exit, sizeof(keeper_exit) },
};

#define NSAMPLES	(sizeof(samples) / sizeof(samples[0]))

static struct ipc_chan *a, *b;
/* Whether type's layout is empty (its sample is NULL). */
static bool
msg_encoded_empty(uint32_t type)
{
	size_t i;

	for (i = 0; i < NSAMPLES; i++)
		if (samples[i].type == type)
			return samples[i].m == NULL;
	return false;
}

static uint8_t decoded[sizeof(struct msg_pam_conv) +
    sizeof(struct msg_answers)];

static int
setup(void **state)
{
	int sv[2];

	test_socketpair(sv);
	a = ipc_chan_new(sv[0], true);
	b = ipc_chan_new(sv[1], true);
	return a == NULL || b == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	ipc_chan_free(a);
	ipc_chan_free(b);
	return 0;
}

/* The next message b receives. */
static const struct ipc_msg *
receive(void)
{
	static struct ipc_msg m;

	assert_int_equal(ipc_chan_flush(a), 1);
	if (ipc_chan_get(b, &m) != 1) {
		assert_true(ipc_chan_read(b) > 0);
		assert_int_equal(ipc_chan_get(b, &m), 1);
	}
	return &m;
}

/* A payload of type decoded from data[len] as it is. */
static int
read_raw(uint32_t type, const uint8_t *data, size_t len)
{
	struct ipc_msg in = { .hdr = { .type = type }, .data = data,
	    .len = len, .fd = -1 };

	memset(decoded, 0, sizeof(decoded));
	/* The empty ones decode into nothing. */
	return msg_read(&in, type, msg_encoded_empty(type) ? NULL : decoded);
}

static void
test_every_message_round_trips_through_a_channel(void **state)
{
	const struct ipc_msg *in;
	size_t i;

	for (i = 0; i < NSAMPLES; i++) {
		assert_int_equal(msg_send(a, samples[i].type, 77, -1,
		    samples[i].m), 0);
		in = receive();
		assert_int_equal(in->hdr.type, samples[i].type);
		assert_int_equal(in->hdr.peerid, 77);
		memset(decoded, 0, sizeof(decoded));
		if (msg_read(in, samples[i].type, samples[i].m != NULL ?
		    decoded : NULL) != 0)
			fail_msg("%s does not decode", msg_name(samples[i].type));
		if (samples[i].m != NULL &&
		    memcmp(decoded, samples[i].m, samples[i].size) != 0)
			fail_msg("%s changed on the way",
			    msg_name(samples[i].type));
	}
}

/* Every proper prefix of each payload, and the payload with one byte
 * more, is refused. */
static void
test_cut_or_padded_payloads_are_refused(void **state)
{
	static uint8_t buf[IPC_PAYLOAD_MAX + 1];
	struct ipc_writer w;
	size_t i, len;

	for (i = 0; i < NSAMPLES; i++) {
		ipc_writer_init(&w, buf, IPC_PAYLOAD_MAX);
		msg_encode(&w, samples[i].type, samples[i].m);
		assert_true(ipc_writer_ok(&w));
		if (read_raw(samples[i].type, buf, w.len) != 0)
			fail_msg("%s whole was refused",
			    msg_name(samples[i].type));
		for (len = 0; len < w.len; len++)
			if (read_raw(samples[i].type, buf, len) != -1)
				fail_msg("%s cut to %zu bytes was taken",
				    msg_name(samples[i].type), len);
		buf[w.len] = 0;
		if (read_raw(samples[i].type, buf, w.len + 1) != -1)
			fail_msg("%s with a byte more was taken",
			    msg_name(samples[i].type));
	}
}

/* A payload written field by field, however wrong. */
static struct ipc_writer raw;
static uint8_t raw_buf[IPC_PAYLOAD_MAX];

/* Bytes to put in a field, never raw_buf itself. */
static uint8_t filler[MECH_DATA_MAX + 1];

static void
raw_start(void)
{
	ipc_writer_init(&raw, raw_buf, sizeof(raw_buf));
}

static void
test_the_layouts_bounds_hold(void **state)
{
	uint32_t i;

	/* MECH_MAX mechanisms, CONV_MAX_MESSAGES answers: one more is
	 * refused (ASSIGN: timeout, then the count). */
	raw_start();
	ipc_put_u32(&raw, 1000);
	ipc_put_u32(&raw, MECH_MAX + 1);
	for (i = 0; i < MECH_MAX + 1; i++)
		ipc_put_str(&raw, "m");
	assert_int_equal(read_raw(MSG_ASSIGN, raw.buf, raw.len), -1);
	raw_start();
	ipc_put_u32(&raw, CONV_MAX_MESSAGES + 1);
	for (i = 0; i < CONV_MAX_MESSAGES + 1; i++)
		ipc_put_str(&raw, "a");
	assert_int_equal(read_raw(MSG_AUTH_ANSWER, raw.buf, raw.len), -1);
	/* GROUPS_MAX + 1 groups, and a group name with no room for its
	 * end: a name cut short could be another group's. */
	raw_start();
	ipc_put_u32(&raw, GROUPS_MAX + 1);
	for (i = 0; i < GROUPS_MAX + 1; i++)
		ipc_put_str(&raw, "g");
	assert_int_equal(read_raw(MSG_GROUPS_RESULT, raw.buf, raw.len), -1);
	raw_start();
	ipc_put_u32(&raw, 1);
	memset(filler, 'g', GROUP_NAME_MAX);
	ipc_put_bytes(&raw, filler, GROUP_NAME_MAX);
	assert_int_equal(read_raw(MSG_GROUPS_RESULT, raw.buf, raw.len), -1);
	/* A round of ROUND_MAX_PROMPTS + 1 prompts. */
	raw_start();
	ipc_put_str(&raw, "");
	ipc_put_str(&raw, "");
	ipc_put_u32(&raw, ROUND_MAX_PROMPTS + 1);
	for (i = 0; i < ROUND_MAX_PROMPTS + 1; i++) {
		ipc_put_u8(&raw, 0);
		ipc_put_str(&raw, "p");
	}
	assert_int_equal(read_raw(MSG_ROUND, raw.buf, raw.len), -1);
	/* A conversation call of no message. */
	raw_start();
	ipc_put_u32(&raw, 0);
	assert_int_equal(read_raw(MSG_PAM_CONV, raw.buf, raw.len), -1);
	/* Prompt kinds, PAM stages and reply codes out of their ranges. */
	raw_start();
	ipc_put_u8(&raw, PROMPT_ERROR + 1);
	ipc_put_str(&raw, "x");
	assert_int_equal(read_raw(MSG_PROMPT, raw.buf, raw.len), -1);
	raw_start();
	ipc_put_u32(&raw, 0);
	ipc_put_u8(&raw, PAM_STAGE_CHAUTHTOK + 1);
	assert_int_equal(read_raw(MSG_PAM_RESULT, raw.buf, raw.len), -1);
	raw_start();
	ipc_put_u32(&raw, 600);
	ipc_put_str(&raw, "x");
	assert_int_equal(read_raw(MSG_RESULT, raw.buf, raw.len), -1);
	/* Mechanism data over its bound, and final data with a failure. */
	raw_start();
	memset(filler, 'd', MECH_DATA_MAX + 1);
	ipc_put_bytes(&raw, filler, MECH_DATA_MAX + 1);
	assert_int_equal(read_raw(MSG_DATA, raw.buf, raw.len), -1);
	raw_start();
	ipc_put_u32(&raw, 506);
	ipc_put_str(&raw, "Authentication failed");
	ipc_put_bytes(&raw, "x", 1);
	assert_int_equal(read_raw(MSG_RESULT, raw.buf, raw.len), -1);
	/* A string with a NUL inside. */
	raw_start();
	ipc_put_bytes(&raw, "pass\0word", 9);
	ipc_put_str(&raw, "alice");
	assert_int_equal(read_raw(MSG_AUTH_BEGIN, raw.buf, raw.len), -1);
	/* A user name of USER_NAME_MAX bytes has no room for its end. */
	raw_start();
	ipc_put_str(&raw, "password");
	memset(filler, 'u', USER_NAME_MAX);
	ipc_put_bytes(&raw, filler, USER_NAME_MAX);
	assert_int_equal(read_raw(MSG_AUTH_BEGIN, raw.buf, raw.len), -1);
}

static void
test_a_message_is_read_only_as_its_own_type(void **state)
{
	const struct ipc_msg *in;
	struct msg_reply r;

	assert_int_equal(msg_send_result(a, 0, -1, &reply), 0);
	in = receive();
	assert_int_equal(msg_read_close(in, &r), -1);
	assert_int_equal(msg_read_result(in, &r), 0);
	assert_int_equal(r.code, 306);
	assert_null(msg_name(0));
	assert_null(msg_name(MSG_TYPE_END));
}

static bool
fd_open(int fd)
{
	return fcntl(fd, F_GETFD) != -1;
}

/* A message composed in place either is queued whole or leaves nothing,
 * and its descriptor is closed. */
static void
test_composing_in_place_fails_cleanly(void **state)
{
	static struct msg_answers big;
	size_t i, before;
	int fds[2];

	/* 32 answers of 511 bytes do not fit one message. */
	big.n = CONV_MAX_MESSAGES;
	for (i = 0; i < CONV_MAX_MESSAGES; i++)
		memset(big.text[i], 'a', CONV_MAX_ANSWER - 1);
	assert_int_equal(pipe(fds), 0);
	before = ipc_chan_queued(a);
	assert_int_equal(msg_send(a, MSG_PAM_CONV_REPLY, 0, fds[0], &big), -1);
	assert_int_equal(errno, ERANGE);
	assert_false(fd_open(fds[0]));
	assert_int_equal(ipc_chan_queued(a), before);
	/* A struct for an empty message, or none for a full one. */
	assert_int_equal(msg_send(a, MSG_ROUND, 0, -1, NULL), -1);
	assert_int_equal(msg_send(a, MSG_SPAWN, 0, -1, &reply), -1);
	assert_int_equal(ipc_chan_queued(a), before);
	/* Fill the queue (nobody reads): the next one does not fit. */
	while (msg_send(a, MSG_SPARE, 0, -1, &spare) == 0)
		;
	assert_int_equal(errno, ENOBUFS);
	before = ipc_chan_queued(a);
	assert_int_equal(msg_send(a, MSG_SPARE, 0, fds[1], &spare), -1);
	assert_int_equal(errno, ENOBUFS);
	assert_false(fd_open(fds[1]));
	assert_int_equal(ipc_chan_queued(a), before);
}

/* doc/architecture.md's table: a row "| `NAME` | NUMBER | ..." for every
 * message, and no other. */
static void
test_the_documented_table_names_every_message(void **state)
{
	char path[512], line[512], name[64];
	bool seen[MSG_TYPE_END] = { false };
	unsigned number;
	uint32_t t;
	FILE *f;

	snprintf(path, sizeof(path), "%s/architecture.md",
	    getenv("LB_DOC") != NULL ? getenv("LB_DOC") : "doc");
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "| `%63[A-Z_]` | %u |", name, &number) != 2)
			continue;
		if (number >= MSG_TYPE_END || msg_name(number) == NULL ||
		    strcmp(msg_name(number), name) != 0)
			fail_msg("%s: %s is not message %u", path, name,
			    number);
		seen[number] = true;
	}
	fclose(f);
	for (t = 1; t < MSG_TYPE_END; t++)
		if (!seen[t])
			fail_msg("%s: no row for %s (%u)", path, msg_name(t), t);
}

/* The rows an answer count names are wiped, whatever it says (a read
 * that failed may leave any count); rows past it are not touched. */
static void
test_answers_wipe_takes_the_counted_rows(void **state)
{
	static struct msg_answers ans;
	static const char zero[sizeof(ans.text)];
	const uint32_t counts[] = { 2, CONV_MAX_MESSAGES, UINT32_MAX };
	size_t i, j;

	for (i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		for (j = 0; j < CONV_MAX_MESSAGES; j++)
			memset(ans.text[j], 's', CONV_MAX_ANSWER - 1);
		ans.n = counts[i];
		msg_answers_wipe(&ans);
		assert_int_equal(ans.n, 0);
		j = counts[i] < CONV_MAX_MESSAGES ? counts[i] :
		    CONV_MAX_MESSAGES;
		assert_memory_equal(ans.text, zero, j * sizeof(ans.text[0]));
		if (j < CONV_MAX_MESSAGES)
			assert_int_equal(ans.text[j][0], 's');
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	cmocka_unit_test_setup_teardown(f, setup, teardown)
		T(test_every_message_round_trips_through_a_channel),
		T(test_cut_or_padded_payloads_are_refused),
		T(test_the_layouts_bounds_hold),
		T(test_a_message_is_read_only_as_its_own_type),
		T(test_composing_in_place_fails_cleanly),
		T(test_the_documented_table_names_every_message),
		T(test_answers_wipe_takes_the_counted_rows),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
