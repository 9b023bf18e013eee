/* SPDX-License-Identifier: ISC */
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
#include <arpa/inet.h>
#include <netinet/in.h>
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

/* pamtester -v [-IITEM] lbmod USER OP acct_mgmt (OP: authenticate, with
 * its flags; ITEM: a PAM item as name=value, or NULL), answering from
 * input, must end with status and say want (NULL: anything) and not say
 * unwanted (NULL: nothing). */
static void
expect_pamtester_op(const char *op, const char *item, const char *dir,
    const char *user, const char *input, int status, const char *want,
    const char *unwanted)
{
	char flag[128];
	const char *argv[8] = { "pamtester", "-v" };
	char out[4096];
	size_t n = 2;
	int got;

	if (item != NULL) {
		snprintf(flag, sizeof(flag), "-I%s", item);
		argv[n++] = flag;
	}
	argv[n++] = "lbmod";
	argv[n++] = user;
	argv[n++] = op;
	argv[n++] = "acct_mgmt";
	got = run_in_pam_dir(dir, "pamtester", argv, input, out, sizeof(out));
	if (got != status || (want != NULL && strstr(out, want) == NULL) ||
	    (unwanted != NULL && strstr(out, unwanted) != NULL))
		fail_msg("pamtester ended with %d (wanted %d), saying: %s",
		    got, status, out);
}

static void
expect_pamtester(const char *dir, const char *user, const char *input,
    int status, const char *want)
{
	expect_pamtester_op("authenticate", NULL, dir, user, input, status,
	    want, NULL);
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

/* Two factors (password then totp): the 306 leads to the next mechanism
 * in the same pam_authenticate, its prompt one more conversation call;
 * mech= names them when the broker offers several. */
static void
test_two_factors_in_one_authenticate(void **state)
{
	char uri[512], code[8], input[64];

	NEED_ROOT();
	broker_start(&broker, broker_service("s", "loginbroker",
	    "\tallow password then totp\n"), NULL);
	write_app_service(app_dir(), broker.sock, "");
	broker_totp_enroll(&broker, "alice", uri, sizeof(uri));
	broker_totp_code(&broker, "alice", 0, code);
	snprintf(input, sizeof(input), "alice-pw\n%s\n", code);
	expect_pamtester(app_dir(), "alice", input, 0, "Verification code: ");
	broker_log_expect(&broker, "audit: * mech=password step=1 * "
	    "outcome=partial *", 1);
	broker_log_expect(&broker, "audit: * mech=totp step=2 * "
	    "outcome=success *", 1);
	/* The second factor wrong (the code used): the whole authentication
	 * fails. */
	expect_pamtester(app_dir(), "alice", input, 1, NULL);
	broker_log_expect(&broker, "audit: * mech=totp step=2 * "
	    "outcome=failure * detail=replayed-code*", 1);
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

/* The broker's messages reach the application as PAM_TEXT_INFO, and not
 * at all under PAM_SILENT; its prompts come either way. */
static void
test_messages_are_shown_unless_silent(void **state)
{
	NEED_ROOT();
	broker_start(&broker, broker_service("s", "lbtest-info",
	    "\tallow password\n"), NULL);
	write_app_service(app_dir(), broker.sock, "");
	expect_pamtester_op("authenticate", NULL, app_dir(), "alice", "pw\n",
	    0, "Welcome to the test realm", NULL);
	expect_pamtester_op("authenticate(PAM_SILENT)", NULL, app_dir(),
	    "alice", "pw\n", 0, "Password: ", "Welcome to the test realm");
	broker_stop(&broker);
}

/* PAM_RHOST as the broker takes it: an address is the context (the
 * module's peer must be a trusted-peer), a host name is left out with a
 * notice and the login goes on without one. */
static void
test_rhost_is_passed_only_as_an_address(void **state)
{
	NEED_ROOT();
	broker_start(&broker, broker_service("s", "lbtest-context",
	    "\ttrusted-peer uid 0\n\tallow password\n"), NULL);
	write_app_service(app_dir(), broker.sock, "");
	expect_pamtester_op("authenticate", "rhost=192.0.2.7", app_dir(),
	    "alice", "pw\n", 0, "rhost=192.0.2.7", NULL);
	expect_pamtester_op("authenticate", "rhost=host.example", app_dir(),
	    "alice", "pw\n", 0, "rhost=(none)", NULL);
	broker_log_expect(&broker, "audit: * rhost=192.0.2.7 * "
	    "outcome=success *", 1);
	broker_log_expect(&broker, "audit: * rhost=- * outcome=success *", 1);
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

/* The fake broker running, if any. */
static pid_t fake_pid;

static void
stop_fake(void)
{
	if (fake_pid > 0) {
		kill(fake_pid, SIGKILL);
		(void)waitpid(fake_pid, NULL, 0);
	}
	fake_pid = 0;
}

/* The fake broker goes, whatever the test did. */
static int
stop_fake_broker(void **state)
{
	stop_fake();
	return broker_teardown(state);
}

/* A listening socket at path that a child serves (one at a time: the
 * last is stopped by stop_fake): each connection gets reply (NULL:
 * nothing, the connection held open), then again and again the unit
 * again (NULL: nothing more), pace_ms apart. */
static void
fake_broker(const char *path, const char *reply, const char *again,
    unsigned pace_ms)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char drain[4096];
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
			/* What the module answers is read and dropped, so
			 * that only the module's bounds end this. */
			while (again != NULL && write(c, again,
			    strlen(again)) > 0) {
				(void)!recv(c, drain, sizeof(drain),
				    MSG_DONTWAIT);
				if (pace_ms > 0)
					usleep(pace_ms * 1000);
			}
			pause();
		}
		_exit(0);
	}
	close(fd);
	fake_pid = pid;
}

/* text repeated n times after head, into buf[cap]. */
static const char *
repeated(char *buf, size_t cap, const char *head, const char *text,
    unsigned n)
{
	size_t len = (size_t)snprintf(buf, cap, "%s", head);

	while (n-- > 0 && len + strlen(text) < cap)
		len += (size_t)snprintf(buf + len, cap - len, "%s", text);
	return buf;
}

/* A broker that says nothing (the per-reply timeout ends the wait), or
 * garbage, a line over the protocol's bound, prompts without end, a
 * reply of endless continuation lines (the bound on a reply's lines ends
 * it), a reply dribbled a line every 50 ms (the timeout is the whole
 * reply's), a round of more prompts than the protocol allows:
 * PAM_AUTHINFO_UNAVAIL, nothing believed, nothing hung, nothing
 * overrun. */
static void
test_a_silent_or_garbled_broker_fails_cleanly(void **state)
{
	static char long_line[LONG_LINE], answers[2048], round[1024];
	static const struct {
		const char *reply, *again;
		unsigned pace_ms;
	} cases[] = {
		{ NULL, NULL, 0 },
		{ "999 what\r\n", NULL, 0 },
		{ "201 1 1\r\n200 \"unbalanced\r\n", NULL, 0 },
		{ long_line, NULL, 0 },
		{ "201 1 1\r\n200 password\r\n", "301 x\r\n", 0 },
		{ "201 1 1\r\n", "200-x\r\n", 0 },
		{ "201 1 1\r\n", "200-x\r\n", 50 },
		{ round, NULL, 0 },
	};
	char path[160];
	size_t i;

	NEED_ROOT();
	broker_start(&broker, NULL, NULL);
	memset(long_line, 'x', sizeof(long_line) - 3);
	memcpy(long_line, "201 ", 4);
	memcpy(long_line + sizeof(long_line) - 3, "\r\n", 3);
	repeated(answers, sizeof(answers), "", "x\n", 600);
	/* 17 prompts where 15 are the most. */
	repeated(round, sizeof(round),
	    "201 1 1\r\n200 keyboard-interactive\r\n305-name n\r\n",
	    "305-noecho p\r\n", 16);
	snprintf(round + strlen(round), sizeof(round) - strlen(round),
	    "305 noecho p\r\n");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), "%s/fake%zu", broker.dir, i);
		fake_broker(path, cases[i].reply, cases[i].again,
		    cases[i].pace_ms);
		write_app_service(app_dir(), path, "timeout=1");
		expect_pamtester(app_dir(), "alice", answers, 1,
		    "Authentication service cannot retrieve authentication "
		    "info");
		stop_fake();
	}
	/* A prompt of several lines is one message, whole. */
	snprintf(path, sizeof(path), "%s/fake-lines", broker.dir);
	fake_broker(path, "201 1 1\r\n200 password\r\n"
	    "301-\"Line one\"\r\n301 \"Password: \"\r\n", NULL, 0);
	write_app_service(app_dir(), path, "timeout=1");
	expect_pamtester(app_dir(), "alice", answers, 1,
	    "Line one\nPassword: ");
	stop_fake();
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

/* --- OpenSSH sshd and a libssh2 client -------------------------------- */

static char ssh_user[32];
static pid_t sshd_pid;

/* sshd and the throwaway user go, whatever the test did. */
static int
stop_sshd(void **state)
{
	char cmd[96];

	if (sshd_pid > 0) {
		kill(sshd_pid, SIGTERM);
		(void)waitpid(sshd_pid, NULL, 0);
		sshd_pid = 0;
	}
	if (ssh_user[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "userdel -f %s 2>/dev/null",
		    ssh_user);
		(void)!system(cmd);
		ssh_user[0] = '\0';
	}
	return broker_teardown(state);
}

/* A TCP port on 127.0.0.1 that nothing listens on now. */
static int
free_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	int fd, port;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	port = ntohs(sin.sin_port);
	close(fd);
	return port;
}

/* Whether something accepts on 127.0.0.1:port. */
static bool
listening(int port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
	    .sin_port = htons((uint16_t)port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	bool ok;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	ok = connect(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0;
	close(fd);
	return ok;
}

/* A private sshd on 127.0.0.1:port with its own host key, running as
 * "lbsshd" (a link: sshd's PAM service is its program's name) on the
 * test's PAM directory, whose lbsshd stack is pam_loginbroker. */
static void
start_sshd(int port)
{
	char dir[160], cmd[512], config[200], prog[200], stack[600], log[200];
	char asan[256], preload[300];
	FILE *f, *p;
	int i;

	snprintf(dir, sizeof(dir), "%s/ssh", broker.dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	(void)mkdir("/run/sshd", 0755);
	snprintf(cmd, sizeof(cmd), "ssh-keygen -q -t ed25519 -N '' -f "
	    "%s/hostkey", dir);
	assert_int_equal(system(cmd), 0);
	snprintf(prog, sizeof(prog), "%s/lbsshd", dir);
	assert_int_equal(symlink("/usr/sbin/sshd", prog), 0);
	snprintf(config, sizeof(config), "%s/sshd_config", dir);
	assert_non_null(f = fopen(config, "w"));
	fprintf(f, "Port %d\nListenAddress 127.0.0.1\nHostKey %s/hostkey\n"
	    "PidFile none\nUsePAM yes\nKbdInteractiveAuthentication yes\n"
	    "PasswordAuthentication no\nPubkeyAuthentication no\n"
	    "AuthorizedKeysFile none\nUseDNS no\nLogLevel VERBOSE\n", port,
	    dir);
	assert_int_equal(fclose(f), 0);
	snprintf(stack, sizeof(stack), "auth     required %s socket=%s\n"
	    "account  required %s socket=%s\n", getenv("LB_PAM_MODULE"),
	    broker.sock, getenv("LB_PAM_MODULE"), broker.sock);
	snprintf(cmd, sizeof(cmd), "%s/lbsshd", app_dir());
	assert_non_null(f = fopen(cmd, "w"));
	fputs(stack, f);
	assert_int_equal(fclose(f), 0);
	snprintf(log, sizeof(log), "%s/sshd.log", dir);
	/* A sanitizer build's module needs its runtime first in an
	 * uninstrumented sshd. */
	snprintf(cmd, sizeof(cmd), "ldd %s | awk '/libasan/ { print $3 }'",
	    getenv("LB_PAM_MODULE"));
	assert_non_null(p = popen(cmd, "r"));
	if (fgets(asan, sizeof(asan), p) == NULL)
		asan[0] = '\0';
	pclose(p);
	asan[strcspn(asan, "\n")] = '\0';
	snprintf(preload, sizeof(preload), "%s%slibpam_wrapper.so", asan,
	    asan[0] != '\0' ? " " : "");
	sshd_pid = fork();
	assert_true(sshd_pid >= 0);
	if (sshd_pid == 0) {
		setenv("PAM_WRAPPER", "1", 1);
		setenv("PAM_WRAPPER_SERVICE_DIR", app_dir(), 1);
		setenv("LD_PRELOAD", preload, 1);
		/* By its absolute path: sshd re-executes itself. */
		execl(prog, prog, "-D", "-f", config, "-E", log,
		    (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 500 && !listening(port); i++)
		usleep(10000);
	assert_true(listening(port));
}

/* The libssh2 client logs user in with answers: its exit status and
 * what it printed (rounds, prompts) into out[cap]. */
static int
ssh_login(int port, const char *user, const char *a1, const char *a2,
    char *out, size_t cap)
{
	char portstr[16];
	const char *argv[] = { "ssh_kbdint_client", portstr, user, a1, a2,
	    NULL };

	snprintf(portstr, sizeof(portstr), "%d", port);
	return run_in_pam_dir(app_dir(), getenv("LB_SSH_CLIENT"), argv, "",
	    out, cap);
}

/* Lines of sshd's log that contain needle. */
static unsigned
sshd_log_count(const char *needle)
{
	char path[200], line[1024];
	unsigned n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/ssh/sshd.log", broker.dir);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

/* OpenSSH's sshd with UsePAM and keyboard-interactive, its PAM stack
 * pam_loginbroker, a libssh2 client as the person: the broker's prompt
 * is the round the client sees; a right and a wrong password; password
 * then totp as two rounds of one exchange, and a wrong code; sshd's log
 * names the user, the broker's audit line the address sshd gave PAM. */
static void
test_sshd_logs_in_through_the_module(void **state)
{
	char out[4096], want[160], cmd[128], uri[512], code[8], wrong[8];
	int port = free_port();

	NEED_ROOT();
	snprintf(ssh_user, sizeof(ssh_user), "lbssh%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "useradd -M -d /nonexistent -s /bin/sh %s",
	    ssh_user);
	assert_int_equal(system(cmd), 0);
	broker_start(&broker, broker_service("sshd", "lbtest-plain",
	    "\ttrusted-peer uid 0\n\tallow password\n"), NULL);
	start_sshd(port);

	if (ssh_login(port, ssh_user, "pw", "", out, sizeof(out)) != 0 ||
	    strstr(out, "prompt: Password:  (echo 0)") == NULL)
		fail_msg("ssh client: %s", out);
	assert_int_equal(ssh_login(port, ssh_user, "wrong", "", out,
	    sizeof(out)), 1);
	snprintf(want, sizeof(want), "Accepted keyboard-interactive/pam for %s "
	    "from 127.0.0.1", ssh_user);
	assert_int_equal(sshd_log_count(want), 1);
	snprintf(want, sizeof(want), "audit: * rhost=127.0.0.1 ruser=- user=%s "
	    "mech=password * outcome=success *", ssh_user);
	broker_log_expect(&broker, want, 1);

	broker_reload(&broker, broker_service("sshd", "lbtest-plain",
	    "\ttrusted-peer uid 0\n"
	    "\tallow password then totp\n"), "reloaded ");
	broker_totp_enroll(&broker, ssh_user, uri, sizeof(uri));
	broker_totp_code(&broker, ssh_user, 0, code);
	if (ssh_login(port, ssh_user, "pw", code, out, sizeof(out)) != 0 ||
	    test_lines_matching(out, "prompt: Password:  (echo 0)") != 1 ||
	    test_lines_matching(out, "prompt: Verification code:  (echo 1)")
	    != 1)
		fail_msg("ssh client: %s", out);
	/* A code that is not the one of now (nor, used, that one). */
	snprintf(wrong, sizeof(wrong), "%06d", (atoi(code) + 1) % 1000000);
	assert_int_equal(ssh_login(port, ssh_user, "pw", wrong, out,
	    sizeof(out)), 1);
	snprintf(want, sizeof(want), "audit: * user=%s mech=totp step=2 * "
	    "outcome=success *", ssh_user);
	broker_log_expect(&broker, want, 1);
	snprintf(want, sizeof(want), "audit: * user=%s mech=totp step=2 * "
	    "outcome=failure *", ssh_user);
	broker_log_expect(&broker, want, 1);
	broker_stop(&broker);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BROKER_TEST(test_password_right_and_wrong, &broker),
		BROKER_TEST(test_two_factors_in_one_authenticate, &broker),
		BROKER_TEST(test_messages_are_shown_unless_silent, &broker),
		BROKER_TEST(test_rhost_is_passed_only_as_an_address, &broker),
		BROKER_TEST(test_no_broker_is_authinfo_unavailable, &broker),
		BROKER_TEST(test_an_expired_account_fails_acct_mgmt, &broker),
		cmocka_unit_test_prestate_setup_teardown(
		    test_a_silent_or_garbled_broker_fails_cleanly, NULL,
		    stop_fake_broker, &broker),
		BROKER_TEST(test_the_broker_s_own_stack_refuses_the_module,
		    &broker),
		cmocka_unit_test_prestate_setup_teardown(
		    test_sshd_logs_in_through_the_module, NULL, stop_sshd,
		    &broker),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
