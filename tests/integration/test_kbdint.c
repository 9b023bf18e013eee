/* SPDX-License-Identifier: ISC */
/*
 * test_kbdint.c: keyboard-interactive rounds and expired passwords through
 * the real loginbrokerd, with PAM conversations scripted by
 * tests/fixtures/pam_lbtest.c.  Needs root; skipped otherwise.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "broker_fixture.h"
#include "loginbroker.h"
#include "testlib.h"

static struct broker_fixture broker;

/* The round of service lbtest-two: a secret and an echoed prompt. */
#define TWO_PROMPT_ROUND	"305-name \"\"\r\n305-instruction \"\"\r\n" \
	"305-noecho \"Password: \"\r\n305 echo \"Code: \"\r\n"

/* A broker on PAM service lbtest-NAME, plus extra service lines. */
static void
start(const char *service, const char *extra)
{
	char pam_service[64], lines[256];

	snprintf(pam_service, sizeof(pam_service), "lbtest-%s", service);
	snprintf(lines, sizeof(lines), "\tallow password or "
	    "keyboard-interactive\n%s", extra != NULL ? extra : "");
	broker_start(&broker, broker_service("test", pam_service, lines),
	    NULL);
}

static void
test_two_prompts_in_one_round(void **state)
{
	int fd;

	NEED_ROOT();
	start("two", NULL);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login keyboard-interactive alice\r\n", 305,
	    "305-name \"\"\r\n"
	    "305-instruction \"\"\r\n"
	    "305-noecho \"Password: \"\r\n"
	    "305 echo \"Code: \"\r\n");
	raw_expect(fd, "pass pw 123456\r\n", 200, "200 \"Logged in\"\r\n");
	close(fd);
	broker_stop(&broker);
}

static void
test_answer_count_must_match_the_prompts(void **state)
{
	int fd;

	NEED_ROOT();
	start("two", NULL);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login keyboard-interactive alice\r\n", 305,
	    TWO_PROMPT_ROUND);
	raw_expect(fd, "pass pw\r\n", 501, "501 \"Expected 2 answers\"\r\n");
	raw_expect(fd, "pass pw 123456 extra\r\n", 501,
	    "501 \"Expected 2 answers\"\r\n");
	raw_expect(fd, "pass pw 654321\r\n", 506,
	    "506 \"Authentication failed\"\r\n");
	close(fd);
	broker_stop(&broker);
}

static void
test_info_before_the_prompt_becomes_the_instruction(void **state)
{
	int fd;

	NEED_ROOT();
	start("info", NULL);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login keyboard-interactive alice\r\n", 305,
	    "305-name \"\"\r\n"
	    "305-instruction \"Welcome to the test realm\"\r\n"
	    "305 noecho \"Password: \"\r\n");
	raw_expect(fd, "pass pw\r\n", 200, "200 \"Logged in\"\r\n");
	close(fd);
	broker_stop(&broker);
}

static void
test_three_rounds_in_a_row(void **state)
{
	int fd;

	NEED_ROOT();
	start("rounds", NULL);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login keyboard-interactive alice\r\n", 305,
	    "305-name \"\"\r\n305-instruction \"\"\r\n"
	    "305 noecho \"Round 1: \"\r\n");
	raw_expect(fd, "pass r1\r\n", 305,
	    "305-name \"\"\r\n305-instruction \"\"\r\n"
	    "305 noecho \"Round 2: \"\r\n");
	raw_expect(fd, "pass r2\r\n", 305,
	    "305-name \"\"\r\n305-instruction \"\"\r\n"
	    "305 noecho \"Round 3: \"\r\n");
	raw_expect(fd, "pass r3\r\n", 200, "200 \"Logged in\"\r\n");
	close(fd);
	broker_stop(&broker);
}

static void
test_zero_prompt_round_is_answered_empty(void **state)
{
	int fd;

	NEED_ROOT();
	start("empty", NULL);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login keyboard-interactive alice\r\n", 305,
	    "305-name \"\"\r\n305 instruction \"Read this first\"\r\n");
	raw_expect(fd, "pass x\r\n", 501, "501 \"Expected 0 answers\"\r\n");
	raw_expect(fd, "pass\r\n", 305,
	    "305-name \"\"\r\n305-instruction \"\"\r\n"
	    "305 noecho \"Password: \"\r\n");
	raw_expect(fd, "pass pw\r\n", 200, "200 \"Logged in\"\r\n");
	close(fd);
	broker_stop(&broker);
}

/* A round of n prompts "1".."n", as service lbtest-promptsN sends it. */
static const char *
numbered_round(int n)
{
	static char text[1024];
	size_t len;
	int i;

	len = (size_t)snprintf(text, sizeof(text),
	    "305-name \"\"\r\n305-instruction \"\"\r\n");
	for (i = 1; i <= n; i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len,
		    "305%cnoecho %d\r\n", i < n ? '-' : ' ', i);
	return text;
}

static void
test_round_of_15_prompts_passes_and_16_end_the_login_with_514(void **state)
{
	int fd;

	NEED_ROOT();
	start("prompts15", NULL);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login keyboard-interactive alice\r\n", 305,
	    numbered_round(15));
	raw_expect(fd, "pass pw 2 3 4 5 6 7 8 9 10 11 12 13 14 15\r\n", 200,
	    "200 \"Logged in\"\r\n");
	close(fd);
	broker_stop(&broker);

	start("prompts16", NULL);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login keyboard-interactive alice\r\n", 514,
	    "514 \"Too many prompts or rounds\"\r\n");
	close(fd);
	broker_log_expect(&broker, "audit: session=1 * "
	    "mech=keyboard-interactive step=1 rule=test:4 "
	    "outcome=dialog-limit duration_ms=* "
	    "detail=\"too many prompts in a round\"", 1);
	broker_stop(&broker);
}

/* PAM_MAX_NUM_MSG: a call of 32 messages is relayed, 33 fail the PAM
 * call and the attempt with 505. */
static void
test_call_of_32_messages_passes_and_33_get_505(void **state)
{
	char want[2048];
	size_t len;
	int fd, i;

	NEED_ROOT();
	start("messages32", NULL);
	fd = raw_connect_greeted(&broker);
	len = (size_t)snprintf(want, sizeof(want), "305-name \"\"\r\n");
	for (i = 0; i < 31; i++)
		len += (size_t)snprintf(want + len, sizeof(want) - len,
		    "305-instruction i\r\n");
	snprintf(want + len, sizeof(want) - len,
	    "305 noecho \"Password: \"\r\n");
	raw_expect(fd, "login keyboard-interactive alice\r\n", 305, want);
	raw_expect(fd, "pass pw\r\n", 200, "200 \"Logged in\"\r\n");
	close(fd);
	broker_stop(&broker);

	start("messages33", NULL);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login keyboard-interactive alice\r\n", 505,
	    "505 \"System error\"\r\n");
	close(fd);
	broker_log_expect(&broker, "audit: session=1 * outcome=error "
	    "duration_ms=* detail=auth:PAM_CONV_ERR", 1);
	broker_stop(&broker);
}

/* n bytes of c (a word that needs no quotes in a reply). */
static const char *
run_of(char c, size_t n)
{
	static char text[4][600];
	static int next;
	char *t = text[next++ % 4];

	memset(t, c, n);
	t[n] = '\0';
	return t;
}

/* PAM_MAX_MSG_SIZE: a message and a prompt of 600 bytes reach the client
 * cut to exactly 511; a round's instruction to exactly 2047. */
static void
test_texts_are_cut_at_511_and_instructions_at_2047_bytes(void **state)
{
	char want[2600];
	int fd;

	NEED_ROOT();
	start("long", NULL);
	fd = raw_connect_greeted(&broker);
	snprintf(want, sizeof(want), "303 %s\r\n", run_of('i', 511));
	raw_expect(fd, "login password alice\r\n", 303, want);
	snprintf(want, sizeof(want), "301 %s\r\n", run_of('p', 511));
	raw_expect(fd, "pass\r\n", 301, want);
	raw_expect(fd, "pass pw\r\n", 200, "200 \"Logged in\"\r\n");
	close(fd);
	broker_stop(&broker);

	/* 100 + 4 x 600 bytes in five lines: 100, 511, 511, 511 and what
	 * is left of 2047 for the last, 410. */
	start("instruction", NULL);
	fd = raw_connect_greeted(&broker);
	snprintf(want, sizeof(want), "305-name \"\"\r\n"
	    "305-instruction %s\r\n305-instruction %s\r\n"
	    "305-instruction %s\r\n305-instruction %s\r\n",
	    run_of('a', 100), run_of('b', 511), run_of('c', 511),
	    run_of('d', 511));
	snprintf(want + strlen(want), sizeof(want) - strlen(want),
	    "305-instruction %s\r\n305 noecho \"Password: \"\r\n",
	    run_of('e', 410));
	raw_expect(fd, "login keyboard-interactive alice\r\n", 305, want);
	raw_expect(fd, "pass pw\r\n", 200, "200 \"Logged in\"\r\n");
	close(fd);
	broker_stop(&broker);
}

/* The password mechanism relays a PAM message as 303 and an error as
 * 304; each is acknowledged with an empty pass. */
static void
test_password_mechanism_relays_info_as_303_and_errors_as_304(void **state)
{
	int fd;

	NEED_ROOT();
	start("info", NULL);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login password alice\r\n", 303,
	    "303 \"Welcome to the test realm\"\r\n");
	raw_expect(fd, "pass\r\n", 301, "301 \"Password: \"\r\n");
	raw_expect(fd, "pass pw\r\n", 200, "200 \"Logged in\"\r\n");
	close(fd);
	broker_stop(&broker);

	start("error", NULL);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login password alice\r\n", 304,
	    "304 \"Caps Lock is on\"\r\n");
	raw_expect(fd, "pass x\r\n", 501, "501 \"Expected 0 answers\"\r\n");
	raw_expect(fd, "pass\r\n", 301, "301 \"Password: \"\r\n");
	raw_expect(fd, "pass wrong\r\n", 506,
	    "506 \"Authentication failed\"\r\n");
	close(fd);
	broker_stop(&broker);
}

static void
test_too_many_rounds_end_the_login_with_514(void **state)
{
	int fd, i;

	NEED_ROOT();
	start("endless", NULL);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login keyboard-interactive alice\r\n", 305,
	    "305-name \"\"\r\n305-instruction \"\"\r\n"
	    "305 noecho \"Again: \"\r\n");
	for (i = 1; i < 16; i++)
		raw_expect(fd, "pass x\r\n", 305, "305-name \"\"\r\n"
		    "305-instruction \"\"\r\n305 noecho \"Again: \"\r\n");
	raw_expect(fd, "pass x\r\n", 514,
	    "514 \"Too many prompts or rounds\"\r\n");
	close(fd);
	broker_stop(&broker);
}

static void
test_overlong_answer_ends_the_login_with_514(void **state)
{
	char line[700];
	int fd;

	NEED_ROOT();
	start("two", NULL);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login keyboard-interactive alice\r\n", 305,
	    TWO_PROMPT_ROUND);
	/* 600 bytes: over PAM's 511, well under a line's bound. */
	snprintf(line, sizeof(line), "pass %0600d 123456\r\n", 7);
	raw_expect(fd, line, 514, "514 \"Answer too long\"\r\n");
	/* The attempt ended; the connection goes on. */
	raw_expect(fd, "pass pw 123456\r\n", 507,
	    "507 \"No authentication in progress\"\r\n");
	close(fd);
	broker_log_expect(&broker, "audit: session=1 * user=alice "
	    "mech=keyboard-interactive step=1 rule=test:4 outcome=aborted *",
	    1);
	broker_stop(&broker);
}

/* 32 answers of PAM's 511 bytes do not fit one IPC message: the attempt
 * ends with 514, not with the helper's loss (nor a freed answer wiped). */
static void
test_answers_too_long_for_one_call_end_the_login_with_514(void **state)
{
	char line[600], want[32];
	int fd, i;

	NEED_ROOT();
	start("prompts32", NULL);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login password alice\r\n", 301, "301 1\r\n");
	snprintf(line, sizeof(line), "pass %0511d\r\n", 7);
	for (i = 2; i <= 32; i++) {
		snprintf(want, sizeof(want), "301 %d\r\n", i);
		raw_expect(fd, line, 301, want);
	}
	raw_expect(fd, line, 514, "514 \"Too many prompts or rounds\"\r\n");
	close(fd);
	broker_log_expect(&broker, "audit: session=1 * user=alice "
	    "mech=password step=1 rule=test:4 outcome=dialog-limit * "
	    "detail=\"answers too long for one PAM call\"", 1);
	broker_stop(&broker);
}

static void
test_expired_password_is_changed_then_logged_in(void **state)
{
	int fd;

	NEED_ROOT();
	start("expired", NULL);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login keyboard-interactive alice\r\n", 305,
	    "305-name \"\"\r\n305-instruction \"\"\r\n"
	    "305 noecho \"Password: \"\r\n");
	raw_expect(fd, "pass pw\r\n", 305,
	    "305-name \"\"\r\n305-instruction \"\"\r\n"
	    "305 noecho \"Current password: \"\r\n");
	raw_expect(fd, "pass pw\r\n", 305,
	    "305-name \"\"\r\n305-instruction \"\"\r\n"
	    "305 noecho \"New password: \"\r\n");
	raw_expect(fd, "pass n3w\r\n", 305,
	    "305-name \"\"\r\n305-instruction \"\"\r\n"
	    "305 noecho \"Retype new password: \"\r\n");
	raw_expect(fd, "pass n3w\r\n", 200, "200 \"Logged in\"\r\n");
	close(fd);
	broker_stop(&broker);
}

static void
test_expired_password_with_a_bad_change_is_refused(void **state)
{
	int fd;

	NEED_ROOT();
	start("expired", NULL);
	fd = raw_connect_greeted(&broker);
	/* The password mechanism relays the same dialog one prompt at a
	 * time. */
	raw_expect(fd, "login password alice\r\n", 301,
	    "301 \"Password: \"\r\n");
	raw_expect(fd, "pass pw\r\n", 301, "301 \"Current password: \"\r\n");
	raw_expect(fd, "pass pw\r\n", 301, "301 \"New password: \"\r\n");
	raw_expect(fd, "pass one\r\n", 301,
	    "301 \"Retype new password: \"\r\n");
	raw_expect(fd, "pass two\r\n", 512,
	    "512 \"Password expired and not changed\"\r\n");
	close(fd);
	broker_log_expect(&broker, "audit: session=1 * user=alice "
	    "mech=password step=1 rule=test:4 outcome=password-expired "
	    "duration_ms=* detail=chauthtok:PAM_AUTHTOK_ERR", 1);
	broker_stop(&broker);
}

static void
test_expired_password_when_changes_are_forbidden_gets_512(void **state)
{
	int fd;

	NEED_ROOT();
	start("expired", "\tpassword-change no\n");
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login password alice\r\n", 301,
	    "301 \"Password: \"\r\n");
	raw_expect(fd, "pass pw\r\n", 512,
	    "512 \"Password expired and not changed\"\r\n");
	close(fd);
	broker_stop(&broker);
}

static void
test_expired_or_locked_account_gets_513(void **state)
{
	static const char *const services[] = { "acctexpired", "denied" };
	size_t i;
	int fd;

	NEED_ROOT();
	for (i = 0; i < 2; i++) {
		start(services[i], NULL);
		fd = raw_connect_greeted(&broker);
		raw_expect(fd, "login password alice\r\n", 301,
		    "301 \"Password: \"\r\n");
		raw_expect(fd, "pass pw\r\n", 513,
		    "513 \"Account expired or disabled\"\r\n");
		close(fd);
		/* Before the password is proven, nothing is told. */
		fd = raw_connect_greeted(&broker);
		raw_expect(fd, "login password alice\r\n", 301,
		    "301 \"Password: \"\r\n");
		raw_expect(fd, "pass wrong\r\n", 506,
		    "506 \"Authentication failed\"\r\n");
		close(fd);
		broker_stop(&broker);
	}
}

struct round_seen {
	int rounds;
	int prompts;
	bool echo[2];
};

static int
answer_round(const char *name, const char *instruction, int num_prompts,
    const struct lb_kbdint_prompt *prompts,
    struct lb_kbdint_response *responses, void *arg)
{
	struct round_seen *seen = arg;

	seen->rounds++;
	seen->prompts = num_prompts;
	assert_int_equal(num_prompts, 2);
	seen->echo[0] = prompts[0].echo;
	seen->echo[1] = prompts[1].echo;
	assert_string_equal(prompts[0].text, "Password: ");
	assert_string_equal(prompts[1].text, "Code: ");
	responses[0].text = strdup("pw");
	responses[1].text = strdup("123456");
	return 0;
}

static void
test_library_round_callback_gets_both_prompts(void **state)
{
	struct round_seen seen = { 0 };
	struct lb_conn *c;

	NEED_ROOT();
	start("two", NULL);
	c = lb_open(broker.sock, 0);
	assert_non_null(c);
	assert_int_equal(lb_login_kbdint(c, "alice", answer_round, &seen),
	    LB_OK);
	assert_int_equal(seen.rounds, 1);
	assert_false(seen.echo[0]);
	assert_true(seen.echo[1]);
	lb_close(c);
	broker_stop(&broker);
}

static void
test_cli_asks_both_prompts_of_a_round(void **state)
{
	const char *args[] = { "-m", "keyboard-interactive", "alice", NULL };
	char out[1024];

	NEED_ROOT();
	start("two", NULL);
	assert_int_equal(run_cli(&broker, args, "pw\n123456\n", out,
	    sizeof(out)), 0);
	assert_string_equal(out, "Password: \nCode: \nLogged in\n");
	broker_stop(&broker);
}

static void
test_cli_exits_denied_for_an_expired_account(void **state)
{
	const char *args[] = { "alice", NULL };
	char out[1024];

	NEED_ROOT();
	start("acctexpired", NULL);
	assert_int_equal(run_cli(&broker, args, "pw\n", out, sizeof(out)), 1);
	assert_string_equal(out, "Password: \nloginbroker: authentication "
	    "failed (513 Account expired or disabled)\n");
	broker_stop(&broker);
}

static void
test_cli_shows_the_instruction_then_asks_the_prompt(void **state)
{
	const char *args[] = { "-m", "keyboard-interactive", "alice", NULL };
	char out[1024];

	NEED_ROOT();
	start("info", NULL);
	assert_int_equal(run_cli(&broker, args, "pw\n", out, sizeof(out)), 0);
	assert_string_equal(out, "Welcome to the test realm\nPassword: \n"
	    "Logged in\n");
	broker_stop(&broker);
}

/* A test that fails half-way must not leave its broker running. */
#undef cmocka_unit_test
#define cmocka_unit_test(f)	BROKER_TEST(f, &broker)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_prompts_in_one_round),
		cmocka_unit_test(test_answer_count_must_match_the_prompts),
		cmocka_unit_test(
		    test_info_before_the_prompt_becomes_the_instruction),
		cmocka_unit_test(test_three_rounds_in_a_row),
		cmocka_unit_test(test_zero_prompt_round_is_answered_empty),
		cmocka_unit_test(
		    test_round_of_15_prompts_passes_and_16_end_the_login_with_514),
		cmocka_unit_test(test_call_of_32_messages_passes_and_33_get_505),
		cmocka_unit_test(
		    test_texts_are_cut_at_511_and_instructions_at_2047_bytes),
		cmocka_unit_test(
		    test_password_mechanism_relays_info_as_303_and_errors_as_304),
		cmocka_unit_test(test_too_many_rounds_end_the_login_with_514),
		cmocka_unit_test(test_overlong_answer_ends_the_login_with_514),
		cmocka_unit_test(
		    test_answers_too_long_for_one_call_end_the_login_with_514),
		cmocka_unit_test(
		    test_expired_password_is_changed_then_logged_in),
		cmocka_unit_test(
		    test_expired_password_with_a_bad_change_is_refused),
		cmocka_unit_test(
		    test_expired_password_when_changes_are_forbidden_gets_512),
		cmocka_unit_test(test_expired_or_locked_account_gets_513),
		cmocka_unit_test(test_library_round_callback_gets_both_prompts),
		cmocka_unit_test(
		    test_cli_shows_the_instruction_then_asks_the_prompt),
		cmocka_unit_test(test_cli_asks_both_prompts_of_a_round),
		cmocka_unit_test(test_cli_exits_denied_for_an_expired_account),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
