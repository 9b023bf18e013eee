/* SPDX-License-Identifier: ISC */
/*
 * test_mech_data.c: mechanism data both ways (300 DATA, pass DATA, and
 * the final data of a success) through the real broker and worker, with
 * echo-test, the mechanism built only into test builds: the client sends
 * the broker's 16 bytes back reversed, and the success carries them
 * inverted.  Needs root; skipped otherwise.
 */
#include <errno.h>
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

#include "base64.h"
#include "broker_fixture.h"
#include "ipc_proto.h"
#include "line.h"
#include "testlib.h"

static struct broker_fixture broker;

#define ECHO_POLICY	"service s {\n\tpeer any\n\tattempts 5\n" \
	"\tallow echo-test\n\tallow password\n}\n"


/* Begins echo-test for alice; the 16 bytes the broker sent. */
static void
begin_echo(int fd, uint8_t challenge[16])
{
	char reply[256];

	raw_send(fd, "login echo-test alice\r\n", 23);
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 300);
	assert_true(strncmp(reply, "300 ", 4) == 0);
	reply[strcspn(reply, "\r")] = '\0';
	assert_int_equal(base64_decode(reply + 4, challenge, 16), 16);
}

/* "pass B64\r\n" of n bytes. */
static const char *
pass_data(const uint8_t *bytes, size_t n)
{
	static char line[128];
	char b64[64];

	assert_true(base64_encode(bytes, n, b64, sizeof(b64)) >= 0);
	snprintf(line, sizeof(line), "pass %s\r\n", n > 0 ? b64 : "=");
	return line;
}

static void
test_data_both_ways_and_with_the_success(void **state)
{
	uint8_t challenge[16], echo[16], final[16];
	char reply[256];
	size_t i;
	int fd;

	NEED_ROOT();
	broker_start(&broker, ECHO_POLICY, NULL);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "lsauth\r\n", 200, "200-password\r\n200 echo-test\r\n");
	begin_echo(fd, challenge);
	for (i = 0; i < 16; i++)
		echo[i] = challenge[15 - i];
	raw_send(fd, pass_data(echo, 16), strlen(pass_data(echo, 16)));
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 200);
	/* "200 "Logged in" FINAL": the client checks FINAL. */
	assert_true(strncmp(reply, "200 \"Logged in\" ", 16) == 0);
	reply[strcspn(reply, "\r")] = '\0';
	assert_int_equal(base64_decode(reply + 16, final, sizeof(final)), 16);
	for (i = 0; i < 16; i++)
		assert_int_equal(final[i], (uint8_t)~challenge[i]);
	close(fd);
	broker_log_expect(&broker, "audit: session=1 * mech=echo-test "
	    "step=1 rule=s:4 outcome=success duration_ms=* detail=echo", 1);
}

static void
test_wrong_or_empty_data_fails_like_a_wrong_password(void **state)
{
	uint8_t challenge[16];
	int fd;

	NEED_ROOT();
	broker_start(&broker, ECHO_POLICY, NULL);
	fd = raw_connect_greeted(&broker);
	begin_echo(fd, challenge);
	raw_expect(fd, pass_data(challenge, 16), 506,
	    "506 \"Authentication failed\"\r\n");
	begin_echo(fd, challenge);
	raw_expect(fd, "pass =\r\n", 506, "506 \"Authentication failed\"\r\n");
	close(fd);
	broker_log_expect(&broker, "audit: session=1 * mech=echo-test * "
	    "outcome=failure duration_ms=* detail=wrong-echo", 2);
}

static void
test_data_must_be_one_word_of_canonical_base64(void **state)
{
	uint8_t challenge[16];
	int fd;

	NEED_ROOT();
	broker_start(&broker, ECHO_POLICY, NULL);
	fd = raw_connect_greeted(&broker);
	begin_echo(fd, challenge);
	/* Each refused, and the data prompt stays. */
	raw_expect(fd, "pass\r\n", 501, "501 \"Expected 1 answer\"\r\n");
	raw_expect(fd, "pass YQ== YQ==\r\n", 501,
	    "501 \"Expected 1 answer\"\r\n");
	raw_expect(fd, "pass YQ\r\n", 501, "501 \"Invalid base64\"\r\n");
	raw_expect(fd, "pass YR==\r\n", 501, "501 \"Invalid base64\"\r\n");
	raw_expect(fd, "pass Y*==\r\n", 501, "501 \"Invalid base64\"\r\n");
	/* No data is "=", and only that (found by fuzz_client_proto). */
	raw_expect(fd, "pass \"\"\r\n", 501, "501 \"Invalid base64\"\r\n");
	raw_expect(fd, pass_data((const uint8_t *)"x", 1), 506, NULL);
	close(fd);
}

/* "pass B64\r\n" of n bytes of 'k' into line[cap]. */
static const char *
pass_big(char *line, size_t cap, size_t n)
{
	static uint8_t bytes[MECH_DATA_MAX + 1];

	memset(bytes, 'k', n);
	memcpy(line, "pass ", 5);
	assert_true(base64_encode(bytes, n, line + 5, cap - 7) > 0);
	strcat(line, "\r\n");
	return line;
}

/* MECH_DATA_MAX, written out: 12,282 bytes in one step reach the
 * verifier (echo-test wants 16: a failure, no error), one more byte makes
 * the line too long for the worker and the data prompt stays. */
static void
test_a_step_of_12282_bytes_passes_and_12283_is_too_long(void **state)
{
	static char line[LINE_MAX_BYTES + 16];
	uint8_t challenge[16], echo[16];
	size_t i;
	int fd;

	NEED_ROOT();
	broker_start(&broker, ECHO_POLICY, NULL);
	fd = raw_connect_greeted(&broker);
	begin_echo(fd, challenge);
	raw_expect(fd, pass_big(line, sizeof(line), 12282), 506, NULL);
	begin_echo(fd, challenge);
	raw_expect(fd, pass_big(line, sizeof(line), 12283), 500,
	    "500 \"Line too long\"\r\n");
	for (i = 0; i < 16; i++)
		echo[i] = challenge[15 - i];
	raw_expect(fd, pass_data(echo, 16), 200, NULL);
	close(fd);
	broker_log_expect(&broker, "audit: * outcome=failure * "
	    "detail=wrong-echo", 1);
}

/* A compromised worker that answers data with a prompt's answer, or a
 * prompt with data, is killed. */
static void
test_worker_mixing_answers_and_data_is_killed(void **state)
{
	static const struct {
		const char *mech, *order, *why;
	} cases[] = {
		{ "echo-test", "pass x\n", "AUTH_ANSWER to mechanism data" },
		{ "password", "data x\n", "AUTH_DATA to a prompt" },
	};
	char order[64], done[8];
	size_t i;
	int fd;

	NEED_ROOT();
	broker_start(&broker, ECHO_POLICY, getenv("LB_EVIL_WORKER"));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fd = raw_connect_greeted(&broker);
		snprintf(order, sizeof(order), "begin %s alice\n",
		    cases[i].mech);
		raw_send(fd, order, strlen(order));
		assert_int_equal(recv(fd, done, 5, MSG_WAITALL), 5);
		raw_send(fd, "wait\n", 5);
		assert_int_equal(recv(fd, done, 5, MSG_WAITALL), 5);
		raw_send(fd, cases[i].order, strlen(cases[i].order));
		broker_expect_violation(&broker, (unsigned)i + 1, "prompting",
		    cases[i].why);
		close(fd);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	BROKER_TEST(f, &broker)
		T(test_data_both_ways_and_with_the_success),
		T(test_wrong_or_empty_data_fails_like_a_wrong_password),
		T(test_data_must_be_one_word_of_canonical_base64),
		T(test_a_step_of_12282_bytes_passes_and_12283_is_too_long),
		T(test_worker_mixing_answers_and_data_is_killed),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
