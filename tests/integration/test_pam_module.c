/*
 * test_pam_module.c: pam_loginbroker.so (issue 16, A) driven by the real
 * pamtester, through pam_wrapper on a private PAM directory, against the
 * real loginbrokerd: prompts relayed through the application's
 * conversation, a chain of two factors in one pam_authenticate, failures
 * mapped to PAM's codes, the broker's own stack refusing the module.
 * Needs root.
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
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "broker_fixture.h"
#include "testlib.h"

/* A reply line over the protocol's 16 KiB. */
#define LONG_LINE	(16384 + 64)

static struct broker_fixture broker;

/* A PAM directory of the test's own with service "lbmod": the module for
 * auth and account, on socket, with more arguments. */
static void
write_app_service(const char *dir, const char *socket, const char *args)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/lbmod", dir);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "auth     required %s socket=%s %s\n"
	    "account  required %s socket=%s\n", getenv("LB_PAM_MODULE"),
	    socket, args, getenv("LB_PAM_MODULE"), socket);
	assert_int_equal(fclose(f), 0);
}

/* pamtester -v lbmod USER authenticate acct_mgmt, answering from input,
 * must end with status and say want (NULL: anything). */
static void
expect_pamtester(const char *dir, const char *user, const char *input,
    int status, const char *want)
{
	const char *argv[] = { "pamtester", "-v", "lbmod", user,
	    "authenticate", "acct_mgmt", NULL };
	char out[4096];
	int got = run_in_pam_dir(dir, "pamtester", argv, input, out,
	    sizeof(out));

	if (got != status || (want != NULL && strstr(out, want) == NULL))
		fail_msg("pamtester ended with %d (wanted %d), saying: %s",
		    got, status, out);
}

/* The application's directory, beside the broker's. */
static const char *
app_dir(void)
{
	static char dir[128];

	snprintf(dir, sizeof(dir), "%s/app-pam", broker.dir);
	(void)mkdir(dir, 0755);
	return dir;
}

/* pamtester's own words for its outcome. */
#define PAMTESTER_OK	"successfully authenticated"

/* The right password logs in, the wrong one fails as PAM_AUTH_ERR, and
 * the broker's prompt is the one pamtester shows. */
static void
test_password_right_and_wrong(void **state)
{
	NEED_ROOT();
	broker_start(&broker, NULL, NULL);
	write_app_service(app_dir(), broker.sock, "");
	expect_pamtester(app_dir(), "alice", "alice-pw\n", 0,
	    PAMTESTER_OK);
	expect_pamtester(app_dir(), "alice", "wrong\n", 1,
	    "Authentication failure");
	broker_log_expect(&broker, "audit: * user=alice mech=password * "
	    "outcome=success *", 1);
	broker_log_expect(&broker, "audit: * user=alice mech=password * "
	    "outcome=failure *", 1);
	broker_stop(&broker);
}

/* Two factors (password then keyboard-interactive): the 306 leads to the
 * next mechanism in the same pam_authenticate, its round one more
 * conversation call; mech= names them when the broker offers several. */
static void
test_two_factors_in_one_authenticate(void **state)
{
	NEED_ROOT();
	broker_start(&broker, broker_service("s", "loginbroker",
	    "\tallow password then keyboard-interactive\n"), NULL);
	write_app_service(app_dir(), broker.sock, "");
	expect_pamtester(app_dir(), "alice", "alice-pw\nalice-pw\n", 0,
	    PAMTESTER_OK);
	broker_log_expect(&broker, "audit: * mech=password step=1 * "
	    "outcome=partial *", 1);
	broker_log_expect(&broker, "audit: * mech=keyboard-interactive step=2 "
	    "* outcome=success *", 1);
	/* The second factor wrong: the whole authentication fails. */
	expect_pamtester(app_dir(), "alice", "alice-pw\nwrong\n", 1, NULL);
	broker_stop(&broker);

	/* mech= picks each factor's mechanism. */
	broker_start(&broker, broker_service("s", "loginbroker",
	    "\tallow password or keyboard-interactive\n"), NULL);
	write_app_service(app_dir(), broker.sock, "mech=keyboard-interactive");
	expect_pamtester(app_dir(), "alice", "alice-pw\n", 0, NULL);
	broker_log_expect(&broker, "audit: * mech=keyboard-interactive * "
	    "outcome=success *", 1);
	broker_stop(&broker);
}

/* No broker: PAM_AUTHINFO_UNAVAIL, at once. */
static void
test_no_broker_is_authinfo_unavailable(void **state)
{
	NEED_ROOT();
	broker_start(&broker, NULL, NULL);
	write_app_service(app_dir(), "/nonexistent/socket", "timeout=5");
	expect_pamtester(app_dir(), "alice", "alice-pw\n", 1,
	    "Authentication service cannot retrieve authentication info");
	broker_stop(&broker);
}

/* A listening socket at path that a child serves: each connection gets
 * reply (NULL: nothing, the connection held open); the child's pid. */
static pid_t
fake_broker(const char *path, const char *reply)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd, c;
	pid_t pid;

	assert_true(strlen(path) < sizeof(sun.sun_path));
	memcpy(sun.sun_path, path, strlen(path) + 1);
	assert_true((fd = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(fd, 8), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		while ((c = accept(fd, NULL, NULL)) != -1) {
			if (reply != NULL)
				(void)!write(c, reply, strlen(reply));
			pause();
		}
		_exit(0);
	}
	close(fd);
	return pid;
}

/* A broker that says nothing (the per-reply timeout ends the wait), or
 * garbage, or a line over the protocol's bound: PAM_AUTHINFO_UNAVAIL,
 * nothing believed. */
static void
test_a_silent_or_garbled_broker_fails_cleanly(void **state)
{
	static char long_line[LONG_LINE];
	const char *replies[] = { NULL, "999 what\r\n", "201 1 1\r\n200 "
	    "\"unbalanced\r\n", long_line };
	char path[160];
	size_t i;
	pid_t pid;

	NEED_ROOT();
	broker_start(&broker, NULL, NULL);
	memset(long_line, 'x', sizeof(long_line) - 3);
	memcpy(long_line, "201 ", 4);
	memcpy(long_line + sizeof(long_line) - 3, "\r\n", 3);
	for (i = 0; i < sizeof(replies) / sizeof(replies[0]); i++) {
		snprintf(path, sizeof(path), "%s/fake%zu", broker.dir, i);
		pid = fake_broker(path, replies[i]);
		write_app_service(app_dir(), path, "timeout=1");
		expect_pamtester(app_dir(), "alice", "alice-pw\n", 1,
		    "Authentication service cannot retrieve authentication "
		    "info");
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	broker_stop(&broker);
}

/* An account the broker calls expired: authenticate succeeds (the secret
 * was proven), acct_mgmt says PAM_ACCT_EXPIRED. */
static void
test_an_expired_account_fails_acct_mgmt(void **state)
{
	NEED_ROOT();
	broker_start(&broker, broker_service("s", "lbtest-acctexpired",
	    "\tallow password\n"), NULL);
	write_app_service(app_dir(), broker.sock, "");
	expect_pamtester(app_dir(), "alice", "pw\n", 1,
	    PAMTESTER_OK);
	expect_pamtester(app_dir(), "alice", "pw\n", 1,
	    "User account has expired");
	broker_stop(&broker);
}

/* The broker's own PAM service must not use the module: inside its
 * helpers the module refuses, and the login is a system error, not a
 * loop. */
static void
test_the_broker_s_own_stack_refuses_the_module(void **state)
{
	char stack[512], config[160], services[160], out[4096];
	int fd;

	NEED_ROOT();
	broker_start(&broker, broker_service("s", "loop",
	    "\tallow password\n"), NULL);
	snprintf(stack, sizeof(stack), "auth required %s socket=%s\n"
	    "account required %s\n", getenv("LB_PAM_MODULE"), broker.sock,
	    getenv("LB_PAM_MODULE"));
	broker_pam_service(&broker, "loop", stack);
	broker_restart(&broker);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login password alice\r\n", 505, NULL);
	close(fd);
	broker_log_expect(&broker, "* used inside loginbrokerd's own PAM "
	    "service: refused *", 1);
	broker_log_expect(&broker, "audit: * outcome=error * "
	    "detail=auth:PAM_AUTHINFO_UNAVAIL", 1);
	/* Said at the start, once, and by loginbrokerd -n. */
	broker_log_expect(&broker, "service s: its PAM service loop names "
	    "pam_loginbroker, *", 1);
	snprintf(config, sizeof(config), "%s/config", broker.dir);
	snprintf(services, sizeof(services), "%s/services", broker.dir);
	{
		const char *argv[] = { "loginbrokerd", "-n", "-c", config,
		    NULL };

		assert_int_equal(run_in_pam_dir(services, getenv("LB_BROKERD"),
		    argv, "", out, sizeof(out)), 0);
	}
	if (strstr(out, "names pam_loginbroker") == NULL)
		fail_msg("loginbrokerd -n said: %s", out);
	broker_stop(&broker);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BROKER_TEST(test_password_right_and_wrong, &broker),
		BROKER_TEST(test_two_factors_in_one_authenticate, &broker),
		BROKER_TEST(test_no_broker_is_authinfo_unavailable, &broker),
		BROKER_TEST(test_an_expired_account_fails_acct_mgmt, &broker),
		BROKER_TEST(test_a_silent_or_garbled_broker_fails_cleanly,
		    &broker),
		BROKER_TEST(test_the_broker_s_own_stack_refuses_the_module,
		    &broker),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
