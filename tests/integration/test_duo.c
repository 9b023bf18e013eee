/* SPDX-License-Identifier: ISC */
/*
 * test_duo.c: the duo mechanism through the real broker and the real
 * libduo, against a fake Duo service of our own on 127.0.0.1
 * (tests/fixtures/duo_fake.py: HTTPS with a throwaway CA, libduo's
 * request signatures checked, every request logged for the tests to
 * read).  Needs root; skipped otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "broker_fixture.h"
#include "testlib.h"

#define IKEY	"DIXXXXXXXXXXXXXXXXXX"
#define SKEY	"deadbeefdeadbeefdeadbeefdeadbeefdeadbeef"

static struct broker_fixture broker;

/* The fake service, shared by every test. */
static struct {
	char dir[64];
	pid_t pid;
	unsigned port;
	char keys[128];		/* the right keys, its host */
	char wrong_keys[128];	/* a wrong skey: the service answers 401 */
} fake;

static void
write_private(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fchmod(fileno(f), 0600), 0);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static void
write_keys(const char *path, const char *skey)
{
	char text[512];

	snprintf(text, sizeof(text), "[duo]\nikey = " IKEY "\nskey = %s\n"
	    "host = 127.0.0.1:%u\n", skey, fake.port);
	write_private(path, text);
}

static int
fake_start(void **state)
{
	char cmd[512], path[128];
	FILE *f;
	int i;

	if (geteuid() != 0)
		return 0;
	snprintf(fake.dir, sizeof(fake.dir), "/tmp/lbduo.XXXXXX");
	/* The CA must be readable by the user a Duo helper becomes. */
	if (mkdtemp(fake.dir) == NULL || chmod(fake.dir, 0755) == -1)
		return -1;
	snprintf(cmd, sizeof(cmd), "%s/duo_certs.sh %s", getenv("LB_FIXTURES"),
	    fake.dir);
	if (system(cmd) != 0)
		return -1;
	if ((fake.pid = fork()) == 0) {
		char cert[128], key[128], port[128], log[128];

		snprintf(cert, sizeof(cert), "%s/srv.pem", fake.dir);
		snprintf(key, sizeof(key), "%s/srv.key", fake.dir);
		snprintf(port, sizeof(port), "%s/port", fake.dir);
		snprintf(log, sizeof(log), "%s/requests", fake.dir);
		snprintf(path, sizeof(path), "%s/duo_fake.py",
		    getenv("LB_FIXTURES"));
		execlp("python3", "python3", path, "--cert", cert, "--key", key,
		    "--ikey", IKEY, "--skey", SKEY, "--port-file", port, "--log",
		    log, (char *)NULL);
		_exit(127);
	}
	snprintf(path, sizeof(path), "%s/port", fake.dir);
	for (i = 0; i < 200 && (f = fopen(path, "r")) == NULL; i++)
		usleep(25000);
	if (f == NULL || fscanf(f, "%u", &fake.port) != 1)
		return -1;
	fclose(f);
	snprintf(fake.keys, sizeof(fake.keys), "%s/duo.conf", fake.dir);
	snprintf(fake.wrong_keys, sizeof(fake.wrong_keys), "%s/wrong.conf",
	    fake.dir);
	write_keys(fake.keys, SKEY);
	write_keys(fake.wrong_keys, "0123456789012345678901234567890123456789");
	return 0;
}

static int
fake_stop(void **state)
{
	char cmd[128];

	if (fake.pid > 0) {
		kill(fake.pid, SIGTERM);
		waitpid(fake.pid, NULL, 0);
	}
	if (fake.dir[0] != '\0' && getenv("LB_KEEP_TEST_DIRS") == NULL) {
		snprintf(cmd, sizeof(cmd), "rm -rf %s", fake.dir);
		(void)system(cmd);
	}
	return 0;
}

/* A service "s" with duo, its keys and CA the fake's, and more lines. */
static const char *
duo_config(const char *keys, const char *lines)
{
	static char config[2048];

	snprintf(config, sizeof(config), "duo_file %s\n"
	    "service s {\n\tpeer any\n\ttrusted-peer uid 0\n\tattempts 10\n"
	    "\tduo-cafile %s/ca.pem\n%s}\n", keys, fake.dir, lines);
	return config;
}

/* The broker with that service; a greeted connection to it. */
static int
start_duo_broker(const char *keys, const char *lines)
{
	broker_start(&broker, duo_config(keys, lines), NULL);
	return raw_connect_greeted(&broker);
}

/* alice's password, the first factor of "password then duo". */
static void
password_first(int fd)
{
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "pass alice-pw\r\n", 306, "306 duo\r\n");
}

/* How many requests to path the fake has logged with text in them. */
static unsigned
fake_requests(const char *path, const char *text)
{
	char file[128], line[2048];
	unsigned n = 0;
	FILE *f;

	snprintf(file, sizeof(file), "%s/requests", fake.dir);
	if ((f = fopen(file, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strstr(line, path) != NULL && (text == NULL ||
		    strstr(line, text) != NULL))
			n++;
	fclose(f);
	return n;
}

/* Sends request and reads one reply into reply[8192]: its code. */
static int
ask(int fd, const char *request, char *reply)
{
	raw_send(fd, request, strlen(request));
	return raw_reply(fd, reply, 8192);
}

/* Acknowledges 303 status lines until another reply comes: its code. */
static int
ack_status(int fd, char *reply)
{
	int code;

	while ((code = ask(fd, "pass\r\n", reply)) == 303)
		;
	return code;
}

/* A duo login of user whose menu (302) is answered with answer, or, with
 * answer NULL, one with duo-auto (a 303 first); each status line
 * acknowledged: the final reply's code. */
static int
duo_login(int fd, const char *user, const char *answer)
{
	char request[128], reply[8192];

	snprintf(request, sizeof(request), "login duo %s\r\n", user);
	assert_int_equal(ask(fd, request, reply), answer != NULL ? 302 : 303);
	if (answer != NULL) {
		snprintf(request, sizeof(request), "pass %s\r\n", answer);
		assert_int_equal(ask(fd, request, reply), 303);
	}
	return ack_status(fd, reply);
}

/* --- the factors --------------------------------------------------------- */

/* libduo's factor menu is a 302 prompt; "1" pushes; the pending push and
 * the success are 303 lines; then 200. */
static void
test_push_through_the_menu_is_allowed_or_denied(void **state)
{
	char reply[8192];
	int fd;

	NEED_ROOT();
	fd = start_duo_broker(fake.keys, "\tallow duo\n");
	assert_int_equal(ask(fd, "login duo alice\r\n", reply), 302);
	assert_non_null(strstr(reply,
	    "302-\"Duo two-factor login for alice\"\r\n"));
	assert_non_null(strstr(reply,
	    "302-\" 1. Duo Push to XXX-XXX-0000\"\r\n"));
	assert_non_null(strstr(reply,
	    "302 \"Passcode or option (1-2): \"\r\n"));
	assert_int_equal(ask(fd, "pass 1\r\n", reply), 303);
	assert_int_equal(ack_status(fd, reply), 200);
	broker_log_expect(&broker, "audit: * user=alice mech=duo * "
	    "outcome=success * detail=duo:allow:push", 1);
	close(fd);
	/* bob's push is denied. */
	fd = raw_connect_greeted(&broker);
	assert_int_equal(duo_login(fd, "bob", "1"), 506);
	broker_log_expect(&broker, "audit: * user=bob mech=duo * "
	    "outcome=failure * detail=duo:deny:push", 1);
	close(fd);
}

/* A menu longer than one prompt (30 devices) comes as info lines and
 * then the prompt, no option and not the question cut. */
static void
test_a_long_menu_is_shown_whole(void **state)
{
	char reply[8192];
	int fd, code;

	NEED_ROOT();
	fd = start_duo_broker(fake.keys, "\tallow duo\n");
	code = ask(fd, "login duo many\r\n", reply);
	assert_int_equal(code, 303);
	assert_non_null(strstr(reply, "Duo two-factor login for many"));
	while ((code = ask(fd, "pass\r\n", reply)) == 303)
		;
	assert_int_equal(code, 302);
	assert_non_null(strstr(reply, "\" 60. Phone call to XXX-XXX-0029\""));
	assert_non_null(strstr(reply,
	    "302 \"Passcode or option (1-60): \"\r\n"));
	assert_int_equal(ask(fd, "pass 59\r\n", reply), 303);
	assert_int_equal(ack_status(fd, reply), 200);
	close(fd);
	broker_log_expect(&broker, "audit: * user=many mech=duo * "
	    "outcome=success * detail=duo:allow:push", 1);
}

/* No one's phone gets a push for a login that cannot succeed: a deny
 * rule, or duo asked for where the user's rule begins with a password. */
static void
test_refused_logins_send_no_push(void **state)
{
	unsigned before = fake_requests("/rest/v1/", NULL);
	char reply[8192];
	int fd;

	NEED_ROOT();
	fd = start_duo_broker(fake.keys, "\tdeny user bob\n"
	    "\tallow password then duo user alice\n\tallow duo\n");
	assert_int_equal(ask(fd, "login duo bob\r\n", reply), 506);
	assert_int_equal(ask(fd, "login duo alice\r\n", reply), 506);
	close(fd);
	assert_int_equal(fake_requests("/rest/v1/", NULL), before);
	broker_log_expect(&broker, "audit: * user=bob mech=duo * "
	    "outcome=denied *", 1);
	broker_log_expect(&broker, "audit: * user=alice mech=duo * "
	    "outcome=mechanism-not-permitted *", 1);
}

/* A passcode answers the menu; the audit line names the factor, never
 * the code. */
static void
test_passcode_right_and_wrong(void **state)
{
	int fd;

	NEED_ROOT();
	fd = start_duo_broker(fake.keys, "\tallow duo\n");
	assert_int_equal(duo_login(fd, "alice", "000000"), 506);
	assert_int_equal(duo_login(fd, "alice", "123456"), 200);
	close(fd);
	broker_log_expect(&broker, "audit: * user=alice mech=duo * "
	    "outcome=failure * detail=duo:deny:passcode", 1);
	broker_log_expect(&broker, "audit: * user=alice mech=duo * "
	    "outcome=success * detail=duo:allow:passcode", 1);
	assert_int_equal(broker_log_count(&broker, "123456"), 0);
	assert_int_equal(broker_log_count(&broker, "000000"), 0);
}

/* duo-auto pushes the default factor without a menu; duo-sync waits
 * for the answer in one request. */
static void
test_auto_push_shows_no_menu(void **state)
{
	unsigned async = fake_requests("/rest/v1/auth.bson", "\"async\": \"1\""),
	    sync = fake_requests("/rest/v1/auth.bson", "\"async\": \"0\"");
	int fd;

	NEED_ROOT();
	fd = start_duo_broker(fake.keys, "\tduo-auto yes\n\tallow duo\n");
	assert_int_equal(duo_login(fd, "alice", NULL), 200);
	close(fd);
	broker_log_expect(&broker, "audit: * user=alice mech=duo * "
	    "outcome=success * detail=duo:allow:push", 1);
	assert_int_equal(fake_requests("/rest/v1/auth.bson", "\"async\": "
	    "\"1\""), async + 1);
	broker_stop(&broker);
	fd = start_duo_broker(fake.keys, "\tduo-auto yes\n\tduo-sync yes\n"
	    "\tallow duo\n");
	assert_int_equal(duo_login(fd, "alice", NULL), 200);
	close(fd);
	assert_int_equal(fake_requests("/rest/v1/auth.bson", "\"async\": "
	    "\"0\""), sync + 1);
}

/* The status line of a pending push reaches the client while the push is
 * pending: libduo polls again only once the client has seen it. */
static void
test_status_lines_arrive_while_the_push_is_pending(void **state)
{
	char reply[8192];
	unsigned polls;
	int fd;

	NEED_ROOT();
	fd = start_duo_broker(fake.keys, "\tallow duo\n");
	assert_int_equal(ask(fd, "login duo alice\r\n", reply), 302);
	polls = fake_requests("/rest/v1/status.bson", NULL);
	assert_int_equal(ask(fd, "pass 1\r\n", reply), 303);
	assert_non_null(strstr(reply, "Pushed a login request"));
	/* The one poll so far said "pending"; no result was asked for. */
	usleep(600000);
	assert_int_equal(fake_requests("/rest/v1/status.bson", NULL),
	    polls + 1);
	assert_int_equal(ack_status(fd, reply), 200);
	assert_int_equal(fake_requests("/rest/v1/status.bson", NULL),
	    polls + 2);
	close(fd);
}

/* --- deadlines and isolation --------------------------------------------- */

/* The parent of pid, or 0. */
static pid_t
parent_of(pid_t pid)
{
	char status[64];

	return test_proc_status(pid, "PPid", status, sizeof(status)) != NULL ?
	    (pid_t)atoi(status) : 0;
}

/* The pids of this broker's Duo helpers (children of its Duo zygote),
 * into pids[cap]: how many. */
static size_t
duo_helpers(pid_t *pids, size_t cap)
{
	char path[300], comm[64];
	struct dirent *e;
	size_t n = 0;
	DIR *d = opendir("/proc");
	FILE *f;
	pid_t pid;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL && n < cap) {
		snprintf(path, sizeof(path), "/proc/%s/comm", e->d_name);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		pid = (pid_t)atoi(e->d_name);
		if (fgets(comm, sizeof(comm), f) != NULL &&
		    strcmp(comm, "loginbroker-duo\n") == 0 &&
		    parent_of(parent_of(pid)) == broker.pid)
			pids[n++] = pid;
		fclose(f);
	}
	closedir(d);
	return n;
}

/* The same once the zygote's two spares are there (it forks them after
 * it says it is ready). */
static size_t
duo_spares(pid_t *pids, size_t cap)
{
	size_t n;
	int tries;

	for (tries = 0; (n = duo_helpers(pids, cap)) < 2 && tries < 250;
	    tries++)
		usleep(20000);
	assert_true(n >= 2);
	return n;
}

static bool
running(pid_t pid)
{
	return kill(pid, 0) == 0;
}

/* The one helper that talks to Duo now runs as the workers' user, with
 * no capability: its keys read, it holds nothing of root's. */
static void
assert_helper_became_unprivileged(void)
{
	pid_t pids[16];
	char uid[64], caps[64], want[64];
	uid_t sandbox_uid;
	gid_t sandbox_gid;
	size_t n, i, unprivileged = 0;

	test_sandbox_ids(&sandbox_uid, &sandbox_gid);
	snprintf(want, sizeof(want), "%u\t%u\t%u\t%u", (unsigned)sandbox_uid,
	    (unsigned)sandbox_uid, (unsigned)sandbox_uid,
	    (unsigned)sandbox_uid);
	n = duo_helpers(pids, 16);
	for (i = 0; i < n; i++) {
		if (test_proc_status(pids[i], "Uid", uid, sizeof(uid)) == NULL ||
		    strncmp(uid, "0\t", 2) == 0)
			continue;
		assert_non_null(strstr(uid, want));
		assert_non_null(test_proc_status(pids[i], "CapEff", caps,
		    sizeof(caps)));
		assert_non_null(strstr(caps, "0000000000000000"));
		unprivileged++;
	}
	assert_int_equal(unprivileged, 1);
}

/* A push nobody answers: 510 at duo-timeout, the helper killed, and
 * other logins served all the while. */
static void
test_unanswered_push_times_out_and_stalls_no_one(void **state)
{
	pid_t before[16];
	char reply[8192];
	struct timespec t0, t1;
	size_t n, i, gone = 0;
	int fd;

	NEED_ROOT();
	fd = start_duo_broker(fake.keys, "\tduo-auto yes\n\tduo-timeout 2s\n"
	    "\tallow password or duo\n");
	n = duo_spares(before, 16);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(ask(fd, "login duo slow\r\n", reply), 303);
	/* The push waits; a password login goes through meanwhile. */
	raw_send(fd, "pass\r\n", 6);
	broker_login_once(&broker);
	assert_helper_became_unprivileged();
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 510);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	/* duo-timeout's 2 s, not the prompt's or the session's minutes. */
	assert_true(t1.tv_sec - t0.tv_sec < 20);
	raw_expect_closed(fd);
	close(fd);
	broker_log_expect(&broker, "audit: * user=slow mech=duo * "
	    "outcome=timeout * detail=duo:timeout", 1);
	/* The helper that served it is gone (a fresh spare took its
	 * place). */
	usleep(200000);
	for (i = 0; i < n; i++)
		gone += !running(before[i]);
	assert_int_equal(gone, 1);
}

/* A client that leaves while its push is pending takes the helper with
 * it: nothing goes on talking to Duo for no one. */
static void
test_client_leaving_ends_its_helper(void **state)
{
	pid_t before[16];
	char reply[8192];
	size_t n, i, gone;
	int fd, tries;

	NEED_ROOT();
	fd = start_duo_broker(fake.keys, "\tduo-auto yes\n\tallow duo\n");
	n = duo_spares(before, 16);
	assert_int_equal(ask(fd, "login duo slow\r\n", reply), 303);
	raw_send(fd, "pass\r\n", 6);
	usleep(300000);
	close(fd);
	for (tries = 0, gone = 0; tries < 100 && gone == 0; tries++) {
		usleep(20000);
		for (i = 0; i < n; i++)
			gone += !running(before[i]);
	}
	assert_int_equal(gone, 1);
	broker_log_expect(&broker, "audit: * user=slow mech=duo * "
	    "outcome=aborted *", 1);
}

/* Eight logins at once, one of them hanging up mid-way and one that
 * never reads its replies: the other six get their pushes through. */
static void
test_many_at_once_and_one_hanging_up_mid_way(void **state)
{
	char reply[8192];
	int fds[8], i;

	NEED_ROOT();
	fds[0] = start_duo_broker(fake.keys, "\tduo-auto yes\n"
	    "\tallow duo\n");
	for (i = 1; i < 8; i++)
		fds[i] = raw_connect_greeted(&broker);
	for (i = 0; i < 8; i++)
		raw_send(fds[i], i == 7 ? "login duo slow\r\n" :
		    "login duo alice\r\n", i == 7 ? 16 : 17);
	for (i = 0; i < 7; i++)
		assert_int_equal(raw_reply(fds[i], reply, sizeof(reply)), 303);
	close(fds[3]);
	for (i = 0; i < 7; i++)
		if (i != 3)
			assert_int_equal(ack_status(fds[i], reply), 200);
	for (i = 0; i < 8; i++)
		if (i != 3)
			close(fds[i]);
	broker_log_expect(&broker, "audit: * user=alice mech=duo * "
	    "outcome=success *", 6);
	broker_log_expect(&broker, "audit: * user=alice mech=duo * "
	    "outcome=aborted *", 1);
}

/* --- failmode ------------------------------------------------------------ */

/* Duo unreachable (a closed port) or refusing the keys (401): with
 * failmode secure the factor fails with 505; with safe the chain goes on
 * and each such login is a warning audit line saying so. */
static void
test_failmode_secure_fails_and_safe_goes_on_loudly(void **state)
{
	char reply[8192];
	int fd;

	NEED_ROOT();
	fd = start_duo_broker(fake.wrong_keys, "\tallow password then duo\n");
	password_first(fd);
	assert_int_equal(ask(fd, "login duo alice\r\n", reply), 505);
	close(fd);
	broker_log_expect(&broker, "audit: * mech=duo * outcome=error * "
	    "detail=duo:failsecure:credentials-refused", 1);
	broker_stop(&broker);

	fd = start_duo_broker(fake.wrong_keys, "\tduo-failmode safe\n"
	    "\tallow password then duo\n");
	password_first(fd);
	assert_int_equal(ask(fd, "login duo alice\r\n", reply), 200);
	close(fd);
	assert_int_equal(broker_log_count(&broker, "warning loginbrokerd: "
	    "audit: "), 1);
	broker_log_expect(&broker, "audit: * mech=duo step=2 * "
	    "outcome=success * detail=duo:failopen:credentials-refused", 1);
	broker_stop(&broker);

	/* Port 1: nothing listens.  In a chain the factor is skipped; alone
	 * it would prove nothing, and no login rests on nothing. */
	fd = start_duo_broker(fake.keys, "\tduo-host 127.0.0.1:1\n"
	    "\tduo-failmode safe\n\tallow duo user bob\n"
	    "\tallow password then duo\n");
	assert_int_equal(ask(fd, "login duo bob\r\n", reply), 505);
	password_first(fd);
	assert_int_equal(ask(fd, "login duo alice\r\n", reply), 200);
	close(fd);
	broker_log_expect(&broker, "audit: * user=bob mech=duo step=1 * "
	    "outcome=error * detail=duo:failopen:unreachable:nothing-proven",
	    1);
	broker_log_expect(&broker, "audit: * mech=duo step=2 * "
	    "outcome=success * detail=duo:failopen:unreachable", 1);
	broker_stop(&broker);

	/* Nor does a factor that proves no secret make up for it. */
	fd = start_duo_broker(fake.keys, "\tduo-host 127.0.0.1:1\n"
	    "\tduo-failmode safe\n\tallow duo then unix\n");
	assert_int_equal(ask(fd, "login duo root\r\n", reply), 306);
	assert_int_equal(ask(fd, "login unix root\r\n", reply), 505);
	close(fd);
	broker_log_expect(&broker, "audit: * user=root mech=unix step=2 * "
	    "outcome=error * detail=*nothing-proven", 1);
}

/* A certificate not from duo-cafile is a connection error, as any. */
static void
test_foreign_certificate_fails_secure(void **state)
{
	char reply[8192], line[256];
	int fd;

	NEED_ROOT();
	snprintf(line, sizeof(line), "\tduo-cafile %s/other-ca.pem\n"
	    "\tallow duo\n", fake.dir);
	fd = start_duo_broker(fake.keys, line);
	assert_int_equal(ask(fd, "login duo alice\r\n", reply), 505);
	close(fd);
	broker_log_expect(&broker, "audit: * outcome=error * "
	    "detail=duo:failsecure:certificate", 1);
}

/* --- preauth ------------------------------------------------------------- */

static void
test_preauth_bypass_enroll_and_deny(void **state)
{
	char reply[8192];
	int fd;

	NEED_ROOT();
	fd = start_duo_broker(fake.keys, "\tallow duo\n");
	assert_int_equal(ask(fd, "login duo bypass\r\n", reply), 200);
	close(fd);
	fd = raw_connect_greeted(&broker);
	assert_int_equal(ask(fd, "login duo newuser\r\n", reply), 303);
	assert_non_null(strstr(reply, "Enroll at https://127.0.0.1/enroll/"));
	assert_int_equal(ask(fd, "pass\r\n", reply), 506);
	assert_int_equal(ask(fd, "login duo locked\r\n", reply), 303);
	assert_non_null(strstr(reply, "Your account is disabled"));
	assert_int_equal(ask(fd, "pass\r\n", reply), 506);
	close(fd);
	broker_log_expect(&broker, "audit: * user=bypass * outcome=success * "
	    "detail=duo:bypass", 1);
	broker_log_expect(&broker, "audit: * user=newuser * outcome=failure * "
	    "detail=duo:enroll", 1);
	broker_log_expect(&broker, "audit: * user=locked * outcome=failure * "
	    "detail=duo:abort", 1);
}

/* --- configuration ------------------------------------------------------- */

/* loginbrokerd -n reads the keys through the Duo program: a malformed
 * key, a key file others may read, and failmode safe are told. */
static void
test_check_tells_bad_keys_and_failmode_safe(void **state)
{
	char config[1024], keys[128], out[4096];

	NEED_ROOT();
	snprintf(keys, sizeof(keys), "%s/short.conf", fake.dir);
	write_private(keys, "[duo]\nikey = " IKEY "\nskey = tooshort\n"
	    "host = 127.0.0.1\n");
	snprintf(config, sizeof(config), "%s/check.conf", fake.dir);
	{
		char text[1024];

		snprintf(text, sizeof(text), "duo_path %s\nduo_file %s\n"
		    "service s {\n\tpeer any\n\tduo-failmode safe\n"
		    "\tallow duo\n}\n", getenv("LB_DUO"), keys);
		write_private(config, text);
		assert_int_equal(run_check(config, out, sizeof(out)), 1);
		assert_non_null(strstr(out, "skey: expected 40 letters and "
		    "digits"));
		assert_non_null(strstr(out, "duo-failmode safe"));
		/* The right keys pass, still with the warning. */
		snprintf(text, sizeof(text), "duo_path %s\nduo_file %s\n"
		    "service s {\n\tpeer any\n\tduo-failmode safe\n"
		    "\tallow duo\n}\n", getenv("LB_DUO"), fake.keys);
		write_private(config, text);
		assert_int_equal(run_check(config, out, sizeof(out)), 0);
		assert_non_null(strstr(out, "duo-failmode safe"));
		/* A key file others may read is refused before libduo
		 * would. */
		assert_int_equal(chmod(fake.keys, 0644), 0);
		assert_int_equal(run_check(config, out, sizeof(out)), 1);
		assert_int_equal(chmod(fake.keys, 0600), 0);
		assert_non_null(strstr(out, "no one else may read"));
		/* A line of pam_duo's that the policy says here. */
		write_private(keys, "[duo]\nikey = " IKEY "\nskey = " SKEY
		    "\nhost = 127.0.0.1\nfailmode = safe\n");
		snprintf(text, sizeof(text), "duo_path %s\nduo_file %s\n"
		    "service s {\n\tpeer any\n\tallow duo\n}\n",
		    getenv("LB_DUO"), keys);
		write_private(config, text);
		assert_int_equal(run_check(config, out, sizeof(out)), 1);
		assert_non_null(strstr(out, "failmode: not a key of this"));
	}
}

/* --- who is shown in the push -------------------------------------------- */

/* The client address Duo sees is the trusted front end's context, with
 * its command; an untrusted client cannot set either. */
static void
test_push_shows_the_front_ends_address_and_command(void **state)
{
	char reply[8192];
	int fd;

	NEED_ROOT();
	fd = start_duo_broker(fake.keys, "\tduo-auto yes\n\tallow duo\n");
	assert_int_equal(ask(fd, "context 192.0.2.7 \"\" \"sudo systemctl "
	    "restart nginx\"\r\n", reply), 200);
	assert_int_equal(duo_login(fd, "alice", NULL), 200);
	close(fd);
	assert_int_equal(fake_requests("/rest/v1/auth.bson",
	    "\"ipaddr\": \"192.0.2.7\""), 1);
	assert_int_equal(fake_requests("/rest/v1/auth.bson",
	    "Command=sudo%20systemctl%20restart%20nginx"), 1);
	/* Not a trusted peer: no context, and Duo gets no address. */
	fd = raw_connect_greeted_as(&broker, 1000, 1000);
	assert_int_equal(ask(fd, "context 198.51.100.9\r\n", reply), 502);
	assert_int_equal(duo_login(fd, "alice", NULL), 200);
	close(fd);
	assert_int_equal(fake_requests("/rest/v1/", "198.51.100.9"), 0);
	assert_int_equal(fake_requests("/rest/v1/auth.bson", "ipaddr"), 1);
}

/* --- the CLI, and a chain ------------------------------------------------ */

/* password then duo through the CLI: the menu is its prompt, the status
 * lines its messages; the front end's context reaches the push. */
static void
test_cli_answers_password_then_duo(void **state)
{
	static const char *const args[] = { "-a", "192.0.2.8", "-x",
	    "systemctl reboot", "alice", NULL };
	char out[8192];
	int fd;

	NEED_ROOT();
	fd = start_duo_broker(fake.keys, "\tallow password then duo\n");
	assert_int_equal(run_cli(&broker, args, "alice-pw\n1\n", out,
	    sizeof(out)), 0);
	close(fd);
	assert_non_null(strstr(out, "Passcode or option (1-2):"));
	assert_non_null(strstr(out, "Pushed a login request"));
	broker_log_expect(&broker, "audit: * user=alice mech=duo step=2 * "
	    "outcome=success * detail=duo:allow:push", 1);
	assert_int_equal(fake_requests("/rest/v1/auth.bson",
	    "Command=systemctl%20reboot"), 1);
}

/* --- hostile peers ------------------------------------------------------- */

/* A client that answers the menu wrongly gets clear replies. */
static void
test_hostile_answers_get_clear_replies(void **state)
{
	char reply[8192], line[700];
	int fd;

	NEED_ROOT();
	fd = start_duo_broker(fake.keys, "\tallow duo\n");
	assert_int_equal(ask(fd, "login duo alice\r\n", reply), 302);
	assert_int_equal(ask(fd, "pass 1 2\r\n", reply), 501);
	assert_int_equal(ask(fd, "pass\r\n", reply), 501);
	memset(line, 'x', sizeof(line));
	memcpy(line, "pass ", 5);
	memcpy(line + sizeof(line) - 2, "\r\n", 2);
	raw_send(fd, line, sizeof(line));
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 514);
	close(fd);
}

/* A compromised worker that sends what no duo dialog sends is cut off. */
static void
test_worker_sending_data_to_a_duo_prompt_is_killed(void **state)
{
	int fd;

	NEED_ROOT();
	broker_start(&broker, duo_config(fake.keys, "\tallow duo\n"),
	    getenv("LB_EVIL_WORKER"));
	fd = raw_connect_greeted(&broker);
	raw_send(fd, "begin duo alice\nwait\ndata x\n", 28);
	broker_expect_violation(&broker, 1, "prompting",
	    "AUTH_DATA to a prompt");
	close(fd);
}

/* A compromised Duo helper (tests/fixtures/evil_duo.c) gets no more
 * than its own attempt: endless status lines end at a bound, a fail-open
 * claim under failmode secure is an error, a result while its menu is
 * out is a protocol error, one that dies fails its own login only. */
static void
test_compromised_helper_is_bounded_and_not_believed(void **state)
{
	char config[2560], reply[8192];
	int fd;

	NEED_ROOT();
	snprintf(config, sizeof(config), "duo_path %s\n%s",
	    getenv("LB_EVIL_DUO"), duo_config(fake.keys, "\tallow duo\n"));
	broker_start(&broker, config, NULL);
	fd = raw_connect_greeted(&broker);
	assert_int_equal(ask(fd, "login duo flood\r\n", reply), 303);
	assert_int_equal(ack_status(fd, reply), 514);
	assert_int_equal(ask(fd, "login duo failopen\r\n", reply), 505);
	assert_int_equal(ask(fd, "login duo early\r\n", reply), 302);
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 505);
	assert_int_equal(ask(fd, "login duo die\r\n", reply), 302);
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 505);
	assert_int_equal(ask(fd, "login duo honest\r\n", reply), 200);
	close(fd);
	broker_log_expect(&broker, "audit: * user=flood * "
	    "outcome=dialog-limit * detail=\"too many Duo messages\"", 1);
	broker_log_expect(&broker, "audit: * user=failopen * outcome=error *",
	    1);
	broker_log_expect(&broker, "audit: * user=early * outcome=error * "
	    "detail=\"Duo helper protocol error\"", 1);
	broker_log_expect(&broker, "audit: * user=die * outcome=error * "
	    "detail=\"Duo helper died\"", 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	BROKER_TEST(f, &broker)
		T(test_push_through_the_menu_is_allowed_or_denied),
		T(test_a_long_menu_is_shown_whole),
		T(test_refused_logins_send_no_push),
		T(test_passcode_right_and_wrong),
		T(test_auto_push_shows_no_menu),
		T(test_status_lines_arrive_while_the_push_is_pending),
		T(test_unanswered_push_times_out_and_stalls_no_one),
		T(test_client_leaving_ends_its_helper),
		T(test_many_at_once_and_one_hanging_up_mid_way),
		T(test_failmode_secure_fails_and_safe_goes_on_loudly),
		T(test_foreign_certificate_fails_secure),
		T(test_preauth_bypass_enroll_and_deny),
		T(test_check_tells_bad_keys_and_failmode_safe),
		T(test_push_shows_the_front_ends_address_and_command),
		T(test_cli_answers_password_then_duo),
		T(test_hostile_answers_get_clear_replies),
		T(test_worker_sending_data_to_a_duo_prompt_is_killed),
		T(test_compromised_helper_is_bounded_and_not_believed),
#undef T
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, fake_start, fake_stop);
}
