/* SPDX-License-Identifier: ISC */
/*
 * test_groups.c: a user's groups are looked up outside the broker's event
 * loop (broker/verifiers/groups_lookup.c, broker/groups/).  With NSS that
 * takes a minute for one user (tests/fixtures/nss_lbslow.c, as a
 * directory server that is gone), everyone else logs in meanwhile; the
 * session timeout ends the wait, a client that leaves ends it too, and a
 * compromised worker cannot slip answers in while it lasts.  The real
 * loginbrokerd, raw protocol lines.  Needs root.
 */
#include <poll.h>
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
#include "testlib.h"

static struct broker_fixture broker;

/* Rules that name a group (line 4 of the configuration), and one for
 * everyone (line 5). */
#define GROUP_RULES \
	"\tallow password or plain group admins\n" \
	"\tallow password or plain\n"

/* The broker, with ghost's lookup taking a minute, on one service whose
 * rules name a group, with more lines. */
static void
start_slow(const char *more, const char *worker)
{
	char lines[256];

	snprintf(lines, sizeof(lines), "%s" GROUP_RULES, more);
	broker.with.slow_user = "ghost";
	broker_start(&broker, broker_service("grouped", "loginbroker", lines),
	    worker);
}

static void
expect_audit(const char *pattern, unsigned count)
{
	char full[512];

	snprintf(full, sizeof(full), "audit: session=* service=grouped "
	    "rhost=- ruser=- %s", pattern);
	broker_log_expect(&broker, full, count);
}

/* While ghost's groups are looked up, alice logs in (her groups come from
 * the files at once, and name her rule), and ghost's client, which has
 * sent its password before any prompt, is still waiting; it hangs up, and
 * its attempt is audited as aborted. */
static void
test_a_slow_directory_stalls_only_its_own_login(void **state)
{
	static const char early[] = "login password ghost\r\npass guess\r\n";
	struct pollfd pfd;
	int slow, fd;

	NEED_ROOT();
	start_slow("", NULL);
	slow = raw_connect_greeted(&broker);
	raw_send(slow, early, sizeof(early) - 1);
	/* Lets ghost's begin reach the broker first: order, not time, is
	 * what is checked. */
	(void)poll(NULL, 0, 200);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "pass alice-pw\r\n", 200, NULL);
	close(fd);
	expect_audit("user=alice mech=password step=1 rule=grouped:4 "
	    "outcome=success *", 1);
	pfd = (struct pollfd){ .fd = slow, .events = POLLIN };
	assert_int_equal(poll(&pfd, 1, 0), 0);
	close(slow);
	expect_audit("user=ghost mech=password step=1 rule=grouped:groups "
	    "outcome=aborted *", 1);
	broker_stop(&broker);
}

/* A lookup that never ends meets the session timeout: 510, the
 * connection closed, and the audit line says what it waited for. */
static void
test_a_lookup_that_never_ends_meets_the_session_timeout(void **state)
{
	char reply[128];
	int fd;

	NEED_ROOT();
	start_slow("\tsession-timeout 300ms\n", NULL);
	fd = raw_connect_greeted(&broker);
	raw_send(fd, "login password ghost\r\n", 22);
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 510);
	assert_string_equal(reply, "510 \"Login time exceeded\"\r\n");
	raw_expect_closed(fd);
	close(fd);
	expect_audit("user=ghost mech=password step=1 rule=grouped:groups "
	    "outcome=timeout * detail=groups:timeout*", 1);
	/* Nothing else waits on it. */
	broker_login_once(&broker);
	broker_stop(&broker);
}

/* A compromised worker gets no answer in while the lookup lasts: one
 * initial response, and only after a begin that announced it. */
static void
test_a_compromised_worker_cannot_answer_during_the_lookup(void **state)
{
	static const struct violation_case cases[] = {
		{ "initial plain ghost\npass a\npass b\n",
		    "AUTH_ANSWER before its prompt", "resolving" },
		{ "begin password ghost\ndata x\n",
		    "AUTH_DATA before its prompt", "resolving" },
		{ "begin password ghost\nbegin password ghost\n",
		    "message type 11 out of sequence", "resolving" },
	};

	NEED_ROOT();
	start_slow("", getenv("LB_EVIL_WORKER"));
	broker_expect_violations(&broker, cases,
	    sizeof(cases) / sizeof(cases[0]));
	expect_audit("user=ghost * rule=grouped:groups "
	    "outcome=worker-violation *", 3);
	broker_stop(&broker);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BROKER_TEST(test_a_slow_directory_stalls_only_its_own_login,
		    &broker),
		BROKER_TEST(
		    test_a_lookup_that_never_ends_meets_the_session_timeout,
		    &broker),
		BROKER_TEST(
		    test_a_compromised_worker_cannot_answer_during_the_lookup,
		    &broker),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
