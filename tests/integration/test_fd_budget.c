/* SPDX-License-Identifier: ISC */
/*
 * test_fd_budget.c: the broker never runs out of descriptors half-way
 * (issue 10, finding 2).  Under a small RLIMIT_NOFILE it serves as many
 * sessions as the limit carries and refuses the next with 511; out of
 * descriptors anyway, it refuses with 511 instead of spinning.  The real
 * loginbrokerd, raw protocol lines.  Needs root.
 */
#include <dirent.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include "broker_fixture.h"
#include "testlib.h"

/* What broker/fd_budget.c sets aside under a limit of SMALL_NOFILE:
 * 48 of its own and 21 spawn_ctls (the launcher, 16 PAM zygotes, the
 * GSSAPI, SCRAM, Duo and groups ones) of 37;
 * 8 per session.  Written out, so that a moved bound fails here. */
#define SMALL_NOFILE	850
#define SMALL_FIT	((SMALL_NOFILE - 48 - 21 * 37) / 8)

static struct broker_fixture broker;


/* The lowest descriptor number pid does not use. */
static int
lowest_free_fd(pid_t pid)
{
	bool used[4096] = { false };
	int n;

	test_proc_fds(pid, used, sizeof(used) / sizeof(used[0]));
	for (n = 0; used[n]; n++)
		;
	return n;
}

/* Started under a hard limit of SMALL_NOFILE, the broker says how many
 * sessions that carries, serves that many at their prompt and refuses the
 * next with 511; nothing fails for want of a descriptor. */
static void
test_small_limit_caps_sessions_and_refuses_with_511(void **state)
{
	char want[160], reply[128];
	int fds[SMALL_FIT], fd, i;

	NEED_ROOT();
	broker.with.nofile = SMALL_NOFILE;
	broker_start(&broker, NULL, NULL);
	snprintf(want, sizeof(want), "max_sessions 256: RLIMIT_NOFILE %d "
	    "carries %d sessions; serving at most %d", SMALL_NOFILE,
	    SMALL_FIT, SMALL_FIT);
	assert_true(broker_log_wait(&broker, want, 2000, NULL, 0));

	for (i = 0; i < SMALL_FIT; i++) {
		fds[i] = raw_connect_greeted(&broker);
		raw_expect(fds[i], "login password alice\r\n", 301, NULL);
	}
	fd = raw_connect(&broker);
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 511);
	close(fd);
	/* The sessions held are whole: each still logs in. */
	for (i = 0; i < SMALL_FIT; i++) {
		raw_expect(fds[i], "pass alice-pw\r\n", 200, NULL);
		close(fds[i]);
	}
	assert_int_equal(broker_log_count(&broker, "Too many open files"), 0);
	assert_int_equal(broker_log_count(&broker, "cannot watch child"), 0);
	broker_login_once(&broker);
	broker_stop(&broker);
}

/* A limit lowered under the running broker (prlimit) leaves it no
 * descriptor for a connection: its spare descriptor makes room to refuse
 * it with 511; when even that cannot (the spare's slot is above the new
 * limit), it rests instead of spinning, and serves the connection once
 * the limit is back. */
static void
test_out_of_descriptors_refuses_with_511(void **state)
{
	struct rlimit saved, none;
	char reply[128] = "";
	int fd;

	NEED_ROOT();
	broker_start(&broker, NULL, NULL);
	broker_login_once(&broker);
	/* Its session gone and every spare child in place: no descriptor
	 * comes free or is needed behind the test's back. */
	assert_true(broker_log_wait(&broker, "session 1: logged-in connection "
	    "closed", 2000, NULL, 0));
	usleep(300000);
	assert_int_equal(prlimit(broker.pid, RLIMIT_NOFILE, NULL, &saved), 0);
	none = saved;
	none.rlim_cur = (rlim_t)lowest_free_fd(broker.pid);
	assert_int_equal(prlimit(broker.pid, RLIMIT_NOFILE, &none, NULL), 0);
	fd = raw_connect(&broker);
	if (poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1, 1000) == 1) {
		assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 511);
		assert_string_equal(reply,
		    "511 \"Too many sessions, try again later\"\r\n");
		assert_true(broker_log_wait(&broker, "accept: out of "
		    "descriptors: connection refused", 2000, NULL, 0));
	} else {
		/* A rest of 100 ms at a time: about 10 lines in that
		 * second, not a spin. */
		assert_in_range(broker_log_count(&broker, "accept: out of "
		    "descriptors and no spare"), 1, 12);
	}
	assert_int_equal(prlimit(broker.pid, RLIMIT_NOFILE, &saved, NULL), 0);
	if (reply[0] != '5')
		assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 201);
	close(fd);
	broker_login_once(&broker);
	broker_stop(&broker);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BROKER_TEST(test_small_limit_caps_sessions_and_refuses_with_511, &broker),
		BROKER_TEST(test_out_of_descriptors_refuses_with_511, &broker),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
