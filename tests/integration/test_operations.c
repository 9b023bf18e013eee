/* SPDX-License-Identifier: ISC */
/*
 * test_operations.c: loginbrokerd as an administrator runs it (issue
 * 17): a start, a reload and a check that refuse what cannot work (a
 * lockout with no file, a missing worker, a socket path too long, a live
 * broker on the socket), errors that reach the terminal and the exit
 * status even when detaching, the log's priorities for the journal,
 * systemd's readiness protocol, loginbrokerctl's failures, and --help
 * and --version.  Needs root.
 */
#include <errno.h>
#include <fcntl.h>
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
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "broker_fixture.h"
#include "testlib.h"

#define LOCKOUT_LINE	"lockout after 3 failures within 10m for 5m\n"
#define NO_DIR_LOCKOUT	"lockout_file /nonexistent-lb/lockout\n"

static struct broker_fixture broker;

/* loginbrokerd with argv[1...] (NULL-ended), its output in out[cap]:
 * its exit status.  with_pam: on the test broker's PAM stacks (through
 * pam_wrapper), for a run that gets as far as starting PAM; a run that
 * ends before has no pam_wrapper to add its own lines to the output. */
static int
run_brokerd(const char *const *args, bool with_pam, char *out, size_t cap)
{
	const char *argv[16] = { "loginbrokerd" };
	char services[128];
	size_t n = 1;

	while (*args != NULL && n + 1 < sizeof(argv) / sizeof(argv[0]))
		argv[n++] = *args++;
	argv[n] = NULL;
	snprintf(services, sizeof(services), "%s/services", broker.dir);
	return run_in_pam_dir(with_pam ? services : NULL, getenv("LB_BROKERD"),
	    argv, NULL, out, cap);
}

/* The broker's configuration file, as the fixture wrote it. */
static const char *
config_path(void)
{
	static char path[160];

	snprintf(path, sizeof(path), "%s/config", broker.dir);
	return path;
}

/* A lockout whose file cannot be made: the check says so, the start
 * stops, and a reload that would add a lockout is refused, the policy in
 * force staying; a lockout whose directory exists starts. */
static void
test_a_lockout_without_its_file_stops_the_start_and_the_reload(void **state)
{
	const char *check[] = { "-n", "-c", NULL, NULL };
	char out[2048];
	int status;

	NEED_ROOT();
	status = broker_start_failing(&broker, NO_DIR_LOCKOUT LOCKOUT_LINE,
	    NULL);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	broker_log_expect(&broker, "lockout_file /nonexistent-lb/lockout: "
	    "directory /nonexistent-lb: No such file or directory (the "
	    "policy's lockout needs it)", 1);
	check[2] = config_path();
	assert_int_equal(run_brokerd(check, false, out, sizeof(out)), 1);
	if (strstr(out, "lockout_file /nonexistent-lb/lockout") == NULL)
		fail_msg("-n said: %s", out);
	broker_stop(&broker);

	/* No lockout, no file needed; adding one by a reload is refused. */
	broker_start(&broker, NO_DIR_LOCKOUT, NULL);
	broker_reload(&broker, NO_DIR_LOCKOUT LOCKOUT_LINE, "reload refused");
	broker_log_expect(&broker, "reload: lockout_file /nonexistent-lb/"
	    "lockout: *", 1);
	broker_login_once(&broker);
	broker_stop(&broker);

	/* The fixture's own file, in its directory: it starts.  A file
	 * whose settings the next restart could not take is refused too. */
	broker_start(&broker, LOCKOUT_LINE, NULL);
	broker_reload(&broker, "worker_path /nonexistent\n" LOCKOUT_LINE,
	    "reload refused");
	broker_log_expect(&broker, "reload: worker_path /nonexistent: No such "
	    "file or directory", 1);
	broker_login_once(&broker);
	broker_stop(&broker);
}

/* Detaching, a start that fails still says why on the terminal and
 * exits non-zero: setup comes first.  With no syslog socket a daemon
 * would lose its audit log: it refuses; with one, it detaches once
 * ready, with its pid file written. */
static void
test_a_detaching_start_reports_its_failure(void **state)
{
	char out[2048], pid_file[160], line[512], text[32];
	const char *bad_worker[] = { "-c", NULL, "-w", "/nonexistent", NULL };
	const char *daemon[] = { "-c", NULL, NULL };
	struct stat st;
	FILE *f;
	pid_t pid;
	int i;

	NEED_ROOT();
	broker_start(&broker, NULL, NULL);
	bad_worker[1] = daemon[1] = config_path();
	assert_int_equal(run_brokerd(bad_worker, false, out, sizeof(out)), 1);
	assert_string_equal(out, "loginbrokerd: worker_path /nonexistent: No "
	    "such file or directory\n");
	/* The daemon on sockets of its own. */
	snprintf(pid_file, sizeof(pid_file), "%s/pid", broker.dir);
	snprintf(line, sizeof(line), "pid_file %s\nsocket %s/d.sock\n"
	    "greetd_socket %s/d-greetd.sock\n", pid_file, broker.dir,
	    broker.dir);
	broker_write_config(&broker, line);
	if (stat("/dev/log", &st) == -1 || !S_ISSOCK(st.st_mode)) {
		assert_int_equal(run_brokerd(daemon, true, out, sizeof(out)), 1);
		if (strstr(out, "no syslog socket at /dev/log") == NULL)
			fail_msg("loginbrokerd said: %s", out);
		broker_stop(&broker);
		return;
	}
	assert_int_equal(run_brokerd(daemon, true, out, sizeof(out)), 0);
	assert_non_null(f = fopen(pid_file, "r"));
	assert_non_null(fgets(text, sizeof(text), f));
	fclose(f);
	assert_true((pid = (pid_t)atoi(text)) > 1);
	assert_int_equal(kill(pid, SIGTERM), 0);
	for (i = 0; i < 500 && kill(pid, 0) == 0; i++)
		usleep(10000);
	assert_int_equal(kill(pid, 0), -1);
	/* Its pid file goes with it. */
	assert_int_equal(access(pid_file, F_OK), -1);
	broker_stop(&broker);
}

/* A second broker on the socket of a live one refuses to start, and the
 * first serves on; a stale socket (no broker) is replaced. */
static void
test_a_second_broker_does_not_take_the_socket(void **state)
{
	const char *args[] = { "-f", "-c", NULL, "-w", getenv("LB_WORKER"),
	    "-p", getenv("LB_PAM"), NULL };
	char out[4096];

	NEED_ROOT();
	broker_start(&broker, NULL, NULL);
	args[2] = config_path();
	assert_int_equal(run_brokerd(args, true, out, sizeof(out)), 1);
	if (strstr(out, "a broker is listening there already") == NULL)
		fail_msg("the second loginbrokerd said: %s", out);
	broker_login_once(&broker);
	/* Killed, the first leaves its socket behind: a stale one. */
	assert_int_equal(kill(broker.pid, SIGKILL), 0);
	(void)waitpid(broker.pid, NULL, 0);
	broker.pid = 0;
	broker_restart(&broker);
	broker_login_once(&broker);
	broker_stop(&broker);
}

/* Paths that cannot work are refused where they are given: a socket
 * path over 107 bytes on the command line and in the file (with its
 * place), a worker that is not there. */
static void
test_paths_that_cannot_work_are_refused(void **state)
{
	char long_path[140], line[200], out[2048], want[256];
	const char *by_option[] = { "-n", "-c", NULL, "-s", long_path, NULL };
	const char *no_worker[] = { "-n", "-c", NULL, "-w", "/nonexistent",
	    NULL };
	const char *check[] = { "-n", "-c", NULL, NULL };

	NEED_ROOT();
	memset(long_path, 'a', sizeof(long_path) - 1);
	long_path[0] = '/';
	long_path[sizeof(long_path) - 1] = '\0';
	broker_start(&broker, NULL, NULL);
	by_option[2] = no_worker[2] = config_path();
	assert_int_equal(run_brokerd(by_option, false, out, sizeof(out)), 1);
	assert_string_equal(out, "loginbrokerd: --socket: longer than 107 "
	    "bytes\n");
	assert_int_equal(run_brokerd(no_worker, false, out, sizeof(out)), 1);
	assert_string_equal(out, "loginbrokerd: worker_path /nonexistent: No "
	    "such file or directory\n");
	snprintf(line, sizeof(line), "socket %s\n", long_path);
	broker_write_config(&broker, line);
	check[2] = config_path();
	assert_int_equal(run_brokerd(check, false, out, sizeof(out)), 1);
	snprintf(want, sizeof(want), "%s:1:8: value too long\n", config_path());
	assert_string_equal(out, want);
	broker_stop(&broker);
}

/* Under systemd (NOTIFY_SOCKET) the broker says READY=1 once it
 * listens, RELOADING=1 and READY=1 around a reload, STOPPING=1 at the
 * end. */
static void
test_systemd_hears_ready_reloading_and_stopping(void **state)
{
	static const char *const want[] = { "READY=1", "RELOADING=1",
	    "READY=1", "STOPPING=1" };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { 10, 0 };
	char got[64], path[96];
	size_t i;
	ssize_t n;
	int fd;

	NEED_ROOT();
	snprintf(path, sizeof(path), "/tmp/lbnotify.%d", (int)getpid());
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_true((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)), 0);
	setenv("NOTIFY_SOCKET", path, 1);
	broker_start(&broker, NULL, NULL);
	unsetenv("NOTIFY_SOCKET");
	for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		if (i == 1)
			broker_reload(&broker, NULL, "reloaded ");
		if (i == 3)
			broker_stop(&broker);
		n = recv(fd, got, sizeof(got) - 1, 0);
		assert_true(n > 0);
		got[n] = '\0';
		assert_string_equal(got, want[i]);
	}
	close(fd);
	unlink(path);
}

/* With stderr the journal's (JOURNAL_STREAM names it), each line carries
 * its syslog priority, so that the journal tells an error from a
 * notice. */
static void
test_the_journal_gets_each_line_s_priority(void **state)
{
	char path[160], stream[64], text[4096] = "";
	struct stat st;
	int fd, status;
	ssize_t n;
	pid_t pid;

	NEED_ROOT();
	/* A socket in a directory that does not exist: the start fails
	 * with an error line. */
	broker_start(&broker, NULL, NULL);
	snprintf(path, sizeof(path), "%s/journal", broker.dir);
	assert_true((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	snprintf(stream, sizeof(stream), "%llu:%llu",
	    (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(fd, 2);
		setenv("JOURNAL_STREAM", stream, 1);
		execl(getenv("LB_BROKERD"), "loginbrokerd", "-f", "-c",
		    config_path(), "-s", "/nonexistent-lb/sock", (char *)NULL);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 1);
	n = pread(fd, text, sizeof(text) - 1, 0);
	assert_true(n > 0);
	text[n] = '\0';
	close(fd);
	if (test_lines_matching(text, "<3>/nonexistent-lb/sock.lock: No such file "
	    "or directory") != 1 ||
	    test_lines_matching(text, "<3>cannot start") != 1 ||
	    test_lines_matching(text, "20*") != 0)
		fail_msg("stderr said: %s", text);
	broker_stop(&broker);
}

/* loginbrokerctl fails loudly: a lockout table with nowhere to be is an
 * error, not an empty list; a user the system does not know is not
 * enrolled by mistake (-u does it). */
static void
test_ctl_fails_loudly(void **state)
{
	const char *list[] = { "lockout", "list", NULL };
	const char *enroll[] = { "totp", "enroll", "nosuchuser", NULL };
	const char *forced[] = { "totp", "enroll", "-u", "nosuchuser", NULL };
	char out[2048];

	NEED_ROOT();
	broker_start(&broker, NULL, NULL);
	assert_int_equal(run_ctl(&broker, list, out, sizeof(out)), 0);
	assert_int_equal(test_lines_matching(out, "USER *FAILURES*"), 1);
	assert_int_equal(run_ctl(&broker, enroll, out, sizeof(out)), 1);
	assert_string_equal(out, "loginbrokerctl: nosuchuser: no such user "
	    "(-u enrolls one the system does not know)\n");
	assert_int_equal(run_ctl(&broker, forced, out, sizeof(out)), 0);
	broker_write_config(&broker, NO_DIR_LOCKOUT);
	assert_int_equal(run_ctl(&broker, list, out, sizeof(out)), 1);
	assert_string_equal(out, "loginbrokerctl: lockout_file /nonexistent-lb/"
	    "lockout: directory /nonexistent-lb: No such file or directory\n");
	broker_stop(&broker);
}

/* The capabilities the hardening drop-in leaves the broker (its
 * CapabilityBoundingSet= line) are enough for it to work: its workers
 * confined, PAM run, a login by password and one by keyboard-interactive
 * completed, with the bounding set in force. */
static void
test_the_hardening_drop_in_s_capabilities_suffice(void **state)
{
	static char caps[1024];
	char path[256], line[1024], status[64];
	FILE *f;
	int fd;

	NEED_ROOT();
	snprintf(path, sizeof(path), "%s/loginbroker-hardening.conf",
	    getenv("LB_DIST"));
	assert_non_null(f = fopen(path, "r"));
	caps[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "CapabilityBoundingSet=%1000[^\n]", caps) == 1)
			break;
	fclose(f);
	assert_true(strstr(caps, "CAP_SETUID") != NULL);
	broker.with.bounding_set = caps;
	broker_start(&broker, NULL, NULL);
	/* CAP_SETUID, 7, kept; CAP_NET_ADMIN, 12, and CAP_SYS_MODULE, 16,
	 * gone: the set in force is the drop-in's. */
	assert_non_null(test_proc_status(broker.pid, "CapBnd", status,
	    sizeof(status)));
	assert_true((strtoull(status, NULL, 16) & (1ULL << 7)) != 0);
	assert_true((strtoull(status, NULL, 16) & (1ULL << 12 | 1ULL << 16))
	    == 0);
	broker_login_once(&broker);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login keyboard-interactive alice\r\n", 305, NULL);
	raw_expect(fd, "pass alice-pw\r\n", 200, NULL);
	close(fd);
	broker_stop(&broker);
}

/* Each program says its version and its usage when asked, on stdout,
 * with status 0, in long options as in short. */
static void
test_every_program_has_help_and_version(void **state)
{
	static const char *const programs[][2] = {
		{ "LB_BROKERD", "loginbrokerd" },
		{ "LB_CLI", "loginbroker" },
		{ "LB_CTL", "loginbrokerctl" },
	};
	char out[4096], want[64];
	size_t i;

	for (i = 0; i < sizeof(programs) / sizeof(programs[0]); i++) {
		const char *version[] = { programs[i][1], "--version", NULL };
		const char *help[] = { programs[i][1], "--help", NULL };
		const char *h[] = { programs[i][1], "-h", NULL };

		assert_int_equal(run_in_pam_dir(NULL, getenv(programs[i][0]),
		    version, NULL, out, sizeof(out)), 0);
		snprintf(want, sizeof(want), "%s %s\n", programs[i][1],
		    LB_VERSION);
		assert_string_equal(out, want);
		assert_int_equal(run_in_pam_dir(NULL, getenv(programs[i][0]),
		    help, NULL, out, sizeof(out)), 0);
		snprintf(want, sizeof(want), "usage: %s ", programs[i][1]);
		assert_ptr_equal(strstr(out, want), out);
		assert_int_equal(run_in_pam_dir(NULL, getenv(programs[i][0]),
		    h, NULL, out, sizeof(out)), 0);
		assert_ptr_equal(strstr(out, want), out);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BROKER_TEST(
		    test_a_lockout_without_its_file_stops_the_start_and_the_reload,
		    &broker),
		BROKER_TEST(test_a_detaching_start_reports_its_failure,
		    &broker),
		BROKER_TEST(test_a_second_broker_does_not_take_the_socket,
		    &broker),
		BROKER_TEST(test_paths_that_cannot_work_are_refused, &broker),
		BROKER_TEST(test_systemd_hears_ready_reloading_and_stopping,
		    &broker),
		BROKER_TEST(test_the_journal_gets_each_line_s_priority,
		    &broker),
		BROKER_TEST(test_ctl_fails_loudly, &broker),
		BROKER_TEST(test_the_hardening_drop_in_s_capabilities_suffice,
		    &broker),
		cmocka_unit_test(test_every_program_has_help_and_version),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
