/* SPDX-License-Identifier: ISC */
/*
 * test_audit.c: nothing from outside can forge, flood or hide a line of
 * the broker's log (issue 10, finding 3).  The real loginbrokerd, raw
 * protocol lines, and a compromised worker (evil_worker).  Needs root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "broker_fixture.h"
#include "testlib.h"

static struct broker_fixture broker;


static void
sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Fails if the log holds any byte a terminal would act on. */
static void
assert_log_has_no_controls(void)
{
	FILE *f = fopen(broker.log, "r");
	int c;

	assert_non_null(f);
	while ((c = getc(f)) != EOF)
		if ((c < 0x20 && c != '\n') || c == 0x7f || c >= 0x80)
			fail_msg("byte 0x%02x in the log (%s)", c, broker.log);
	fclose(f);
}

/* A user name with a space and "=" stays one quoted field. */
static void
test_user_name_cannot_add_an_audit_field(void **state)
{
	int fd;

	NEED_ROOT();
	broker_start(&broker, NULL, NULL);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login password \"root outcome=success\"\r\n", 301,
	    NULL);
	raw_expect(fd, "pass x\r\n", 506, NULL);
	close(fd);
	broker_log_expect(&broker, "audit: session=1 * "
	    "user=\"root outcome=success\" mech=password * outcome=failure *",
	    1);
	broker_log_expect(&broker, "* user=root outcome=success*", 0);
	broker_stop(&broker);
}

/* C0 and C1 controls and bidi formatting never reach the log: the
 * protocol refuses them in a user name (504). */
static void
test_controls_and_bidi_in_a_user_name_get_504(void **state)
{
	static const char *const names[] = {
		"a\xc2\x9b" "31mb",		/* U+009B CSI */
		"a\xe2\x80\xae" "b",		/* U+202E right-to-left override */
		"a\xe2\x81\xa6" "b",		/* U+2066 left-to-right isolate */
		"a\xef\xbb\xbf" "b",		/* U+FEFF */
		"a\x1b" "b",			/* ESC */
	};
	char line[64];
	size_t i;
	int fd;

	NEED_ROOT();
	broker_start(&broker, NULL, NULL);
	fd = raw_connect_greeted(&broker);
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(line, sizeof(line), "login password %s\r\n",
		    names[i]);
		raw_expect(fd, line, 504, "504 \"Invalid user name\"\r\n");
	}
	close(fd);
	assert_log_has_no_controls();
	broker_stop(&broker);
}

/* A compromised worker writes terminal controls and a fake audit line to
 * stderr, thousands of times: each line is quoted, prefixed, and at most
 * 20 a second reach the log. */
static void
test_worker_stderr_is_quoted_and_rate_limited(void **state)
{
	static const char order[] = "stderr 5000 .\r\x1b[2Kaudit: session=9 "
	    "peer_uid=0 user=root outcome=success\n";
	char done[8];
	unsigned lines;
	int fd;

	NEED_ROOT();
	broker_start(&broker, NULL, getenv("LB_EVIL_WORKER"));
	fd = raw_connect_greeted(&broker);
	raw_send(fd, order, sizeof(order) - 1);
	assert_int_equal(recv(fd, done, sizeof(done), 0), 5);
	assert_memory_equal(done, "done\n", 5);
	broker_log_expect(&broker, "worker stderr: more than 20 lines a "
	    "second; the rest of this second is dropped", 1);
	sleep_ms(500);
	lines = broker_log_matches(&broker, "worker stderr: "
	    "\".\\\\x0d\\\\x1b[[]2Kaudit: session=9 peer_uid=0 user=root "
	    "outcome=success\"");
	/* The first second's 20; a slow machine may have begun a second. */
	assert_in_range(lines, 20, 40);
	assert_int_equal(broker_log_matches(&broker, "audit: session=9*"), 0);
	assert_log_has_no_controls();
	close(fd);
	broker_stop(&broker);
}

/* Refused contexts are no attempts: past 20 a second the audit log counts
 * them in one line instead of writing each. */
static void
test_refused_contexts_are_rate_limited(void **state)
{
	unsigned lines;
	double start, took;
	int fd, i;

	NEED_ROOT();
	broker_start(&broker, "service s {\n\tpeer any\n\ttrusted-peer uid 0\n"
	    "\tallow totp\n}\n", NULL);
	start = now_s();
	for (i = 0; i < 60; i++) {
		fd = raw_connect_greeted_as(&broker, 1001, 1001);
		raw_expect(fd, "context 10.0.0.1\r\n", 502, NULL);
		close(fd);
	}
	took = now_s() - start;
	sleep_ms(1100);
	fd = raw_connect_greeted_as(&broker, 1001, 1001);
	raw_expect(fd, "context 10.0.0.1\r\n", 502, NULL);
	close(fd);
	broker_log_expect(&broker, "audit: session=- outcome=suppressed "
	    "count=*", 1);
	lines = broker_log_matches(&broker, "audit: * rule=s:trusted-peer "
	    "outcome=context-refused");
	assert_true(lines >= 20);
	assert_true(lines <= 20 * ((unsigned)took + 2));
	broker_stop(&broker);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BROKER_TEST(test_user_name_cannot_add_an_audit_field, &broker),
		BROKER_TEST(test_controls_and_bidi_in_a_user_name_get_504, &broker),
		BROKER_TEST(test_worker_stderr_is_quoted_and_rate_limited, &broker),
		BROKER_TEST(test_refused_contexts_are_rate_limited, &broker),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
