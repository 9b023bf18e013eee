/* SPDX-License-Identifier: ISC */
/*
 * test_keeper.c: completing the login (issue 15): the broker opens the
 * PAM session and starts the user's process through the login's keeper.
 * The real loginbrokerd, PAM through pam_wrapper with pam_lbtest
 * recording every session call, users through nss_wrapper, the client
 * library as the front end.  Needs root.
 */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <utmpx.h>

#include <cmocka.h>

#include "broker_fixture.h"
#include "loginbroker.h"
#include "testlib.h"

static struct broker_fixture broker;

/* A service on pam_stack (pam_lbtest's recording one, say) whose peers
 * are all trusted front ends, allowing password logins (pw), with more
 * lines. */
static const char *
session_policy(const char *pam_service, const char *more)
{
	static char text[2048];

	char lines[1024];

	snprintf(lines, sizeof(lines), "  trusted-peer any\n"
	    "  allow password\n%s", more);
	snprintf(text, sizeof(text), "%s", broker_service("console",
	    pam_service, lines));
	return text;
}

static int
answer_pw(const struct lb_prompt *p, char *answer, size_t cap, void *arg)
{
	snprintf(answer, cap, "%s", (const char *)arg);
	return 0;
}

/* A connection on which alice is logged in with password pw. */
static struct lb_conn *
logged_in(const char *user)
{
	struct lb_conn *c = lb_open(broker.sock, 0);

	assert_non_null(c);
	assert_int_equal(lb_login(c, "password", user, answer_pw, "pw"),
	    LB_OK);
	return c;
}

/* Everything fd gives until its end, into buf[cap]. */
static size_t
read_all(int fd, char *buf, size_t cap)
{
	size_t len = 0;
	ssize_t n;

	while (len + 1 < cap && (n = read(fd, buf + len, cap - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	return len;
}

/* The recording module's lines, in order. */
static void
read_record(char *buf, size_t cap)
{
	char path[160];
	int fd;

	snprintf(path, sizeof(path), "%s/record", broker.dir);
	fd = open(path, O_RDONLY);
	if (fd == -1) {
		buf[0] = '\0';
		return;
	}
	read_all(fd, buf, cap);
	close(fd);
}

/* The record once it has a close_session line (5 s at most). */
static void
wait_closed(char *buf, size_t cap)
{
	struct timespec ts = { 0, 50000000 };
	int i;

	read_record(buf, cap);
	for (i = 0; i < 100 && test_lines_matching(buf, "close *") == 0;
	    i++) {
		nanosleep(&ts, NULL);
		read_record(buf, cap);
	}
}

/* Runs command (a /bin/sh -c script) in alice's session with stdout and
 * stderr a pipe: its exit status; its output in out[cap]. */
static int
run_session(struct lb_conn *c, const char *script, char *out, size_t cap)
{
	const char *argv[] = { "/bin/sh", "-c", script, NULL };
	int p[2], fds[2], status = -1;

	assert_int_equal(pipe(p), 0);
	fds[0] = open("/dev/null", O_RDONLY);
	fds[1] = p[1];
	assert_int_equal(lb_session_start(c, argv, fds, 2), LB_OK);
	close(fds[0]);
	close(p[1]);
	read_all(p[0], out, cap);
	close(p[0]);
	assert_int_equal(lb_session_wait(c, &status), LB_OK);
	return status;
}

/* After a password login, the command runs as the user, with the PAM
 * session's variable, the front end's allowed one and login(1)'s; the
 * session opens before and closes after it, once each, in PAM's order. */
static void
test_command_runs_as_the_user_in_the_pam_session(void **state)
{
	char out[8192], rec[2048];
	struct lb_conn *c;

	NEED_ROOT();
	broker_start(&broker, session_policy("lbtest-session",
	    "  sessions yes\n  session-command /bin/sh\n"), NULL);
	c = logged_in("alice");
	assert_int_equal(lb_session_env(c, "XDG_SEAT", "seat0"), LB_OK);
	assert_int_equal(lb_session_open(c, "tty7"), LB_OK);
	assert_int_equal(run_session(c, "id -u; id -G; pwd; env", out,
	    sizeof(out)), 0);
	/* id -u, id -G: alice's uid and groups, her own and admins. */
	if (test_lines_matching(out, "1001") != 1 ||
	    test_lines_matching(out, "1001 2000") != 1)
		fail_msg("the session said: %s", out);
	assert_int_equal(test_lines_matching(out, "LBTEST_SESSION=open"), 1);
	assert_int_equal(test_lines_matching(out, "XDG_SEAT=seat0"), 1);
	assert_int_equal(test_lines_matching(out, "USER=alice"), 1);
	assert_int_equal(test_lines_matching(out, "LOGNAME=alice"), 1);
	assert_int_equal(test_lines_matching(out, "HOME=/home/alice"), 1);
	assert_int_equal(test_lines_matching(out, "SHELL=/bin/sh"), 1);
	assert_int_equal(test_lines_matching(out, "PATH=/usr/local/bin:*"),
	    1);
	/* No home: "/" and a word about it. */
	assert_int_equal(test_lines_matching(out, "/"), 1);
	assert_int_equal(test_lines_matching(out, "No directory /home/alice*"),
	    1);
	lb_close(c);
	read_record(rec, sizeof(rec));
	assert_string_equal(rec,
	    "setcred-establish tty=tty7 seat=seat0 uid=0\n"
	    "open tty=tty7 seat=seat0 uid=0\n"
	    "close tty=tty7 seat=seat0 uid=0\n"
	    "setcred-delete tty=tty7 seat=seat0 uid=0\n");
	broker_log_expect(&broker, "audit: session=1 service=console "
	    "user=alice tty=tty7 outcome=session-ended status=\"exit 0\" *",
	    1);
	broker_stop(&broker);
}

/* The process's end reaches the front end as its wait status. */
static void
test_exit_status_reaches_the_front_end(void **state)
{
	char out[256];
	struct lb_conn *c;
	int status;

	NEED_ROOT();
	broker_start(&broker, session_policy("lbtest-session",
	    "  sessions yes\n  session-command /bin/sh\n"), NULL);
	c = logged_in("alice");
	assert_int_equal(lb_session_open(c, NULL), LB_OK);
	status = run_session(c, "exit 7", out, sizeof(out));
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 7);
	lb_close(c);
	c = logged_in("alice");
	assert_int_equal(lb_session_open(c, NULL), LB_OK);
	status = run_session(c, "kill -TERM $$", out, sizeof(out));
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	lb_close(c);
	broker_log_expect(&broker, "audit: * outcome=session-ended "
	    "status=\"signal 15\" *", 1);
	broker_stop(&broker);
}

/* Refusals: before the login, a service without sessions, a command not
 * allowed, a variable not allowed, a second open, a start before the
 * open.  Each answered, audited, and nothing started. */
static void
test_session_requests_out_of_place_are_refused(void **state)
{
	char rec[1024];
	struct lb_conn *c;
	int fd;

	NEED_ROOT();
	broker_start(&broker, session_policy("lbtest-session",
	    "  sessions yes\n"), NULL);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "session open\r\n", 502, "502 \"Not logged in\"\r\n");
	raw_expect(fd, "session frobnicate\r\n", 500, NULL);
	close(fd);
	c = logged_in("alice");
	assert_int_equal(lb_session_env(c, "LD_PRELOAD", "/tmp/evil.so"),
	    LB_REFUSED);
	assert_int_equal(lb_session_start(c, NULL, NULL, 0), LB_REFUSED);
	assert_string_equal(lb_last_text(c),
	    "Not permitted: open the session first");
	assert_int_equal(lb_session_open(c, "tty3"), LB_OK);
	assert_int_equal(lb_session_open(c, "tty3"), LB_REFUSED);
	assert_int_equal(lb_session_start(c, (const char *const[]){
	    "/bin/sh", "-c", "touch /tmp/lbtest-must-not-exist", NULL },
	    NULL, 0), LB_REFUSED);
	assert_string_equal(lb_last_text(c),
	    "Not permitted: command not allowed");
	lb_close(c);
	assert_int_equal(access("/tmp/lbtest-must-not-exist", F_OK), -1);
	/* The opened, never started session was closed with the
	 * connection. */
	broker_log_expect(&broker, "audit: * outcome=session-refused:env", 1);
	broker_log_expect(&broker, "audit: * outcome=session-refused:command",
	    1);
	broker_log_expect(&broker, "audit: * outcome=session-refused:twice",
	    1);
	read_record(rec, sizeof(rec));
	assert_int_equal(test_lines_matching(rec, "open *"), 1);
	broker_stop(&broker);

	/* A peer that is no trusted front end may claim no terminal or
	 * seat: refused. */
	broker_start(&broker, broker_service("console", "lbtest-session",
	    "  trusted-peer uid 4242\n  allow password\n  sessions yes\n"),
	    NULL);
	c = logged_in("alice");
	assert_int_equal(lb_session_open(c, "tty1"), LB_REFUSED);
	assert_string_equal(lb_last_text(c),
	    "Not permitted: not a trusted front end");
	lb_close(c);
	broker_log_expect(&broker,
	    "audit: * outcome=session-refused:trusted-peer", 1);
	broker_stop(&broker);

	/* No "sessions yes": refused, and no keeper kept. */
	broker_start(&broker, session_policy("lbtest-session", ""), NULL);
	c = logged_in("alice");
	assert_int_equal(lb_session_open(c, NULL), LB_REFUSED);
	assert_string_equal(lb_last_text(c), "Not permitted: no sessions here");
	lb_close(c);
	broker_log_expect(&broker, "audit: * outcome=session-refused:disabled",
	    1);
	broker_stop(&broker);
}

/* sessions-per-user and sessions-max count the sessions open now. */
static void
test_session_limits_hold(void **state)
{
	struct lb_conn *a, *b, *c, *d;

	NEED_ROOT();
	broker_start(&broker, session_policy("lbtest-session",
	    "  sessions yes\n  sessions-per-user 1\n  sessions-max 2\n"),
	    NULL);
	a = logged_in("alice");
	assert_int_equal(lb_session_open(a, NULL), LB_OK);
	b = logged_in("alice");
	assert_int_equal(lb_session_open(b, NULL), LB_REFUSED);
	assert_string_equal(lb_last_text(b), "Not permitted: too many "
	    "sessions");
	c = logged_in("bob");
	assert_int_equal(lb_session_open(c, NULL), LB_OK);
	d = logged_in("carol");
	assert_int_equal(lb_session_open(d, NULL), LB_REFUSED);
	lb_close(d);
	lb_close(c);
	/* Alice's first ends: she may open one again. */
	lb_close(a);
	broker_log_expect(&broker, "session 1: logged-in connection closed",
	    1);
	assert_int_equal(lb_session_open(b, NULL), LB_OK);
	lb_close(b);
	broker_log_expect(&broker, "audit: * outcome=session-refused:limit",
	    2);
	broker_stop(&broker);
}

/* PAM refuses the session: 505, the reason in the log, nothing runs. */
static void
test_open_session_failure_is_505(void **state)
{
	struct lb_conn *c;

	NEED_ROOT();
	broker_start(&broker, session_policy("lbtest-sessfail",
	    "  sessions yes\n"), NULL);
	c = logged_in("alice");
	assert_int_equal(lb_session_open(c, NULL), LB_UNAVAILABLE);
	assert_int_equal(lb_last_code(c), 505);
	/* Nothing can start in it, nor be waited for. */
	assert_int_equal(lb_session_start(c, NULL, NULL, 0), LB_REFUSED);
	assert_string_equal(lb_last_text(c),
	    "Not permitted: open the session first");
	assert_int_equal(lb_session_wait(c, NULL), LB_REFUSED);
	lb_close(c);
	broker_log_expect(&broker, "session 1: session of alice not opened: "
	    "open_session:PAM_SESSION_ERR", 1);
	broker_stop(&broker);
}

/* The broker is stopped and started again, then killed and started,
 * while a session runs: the session goes on, and
 * its keeper still closes it when the process ends; meanwhile the state
 * directory shows it (loginbrokerctl sessions). */
static void
test_session_survives_a_broker_restart(void **state)
{
	const char *argv[] = { "/bin/sh", "-c", "read x; echo done", NULL };
	char rec[1024], out[4096];
	const char *ctl_args[] = { "sessions", NULL };
	struct lb_conn *c;
	int in[2], fds[2];

	NEED_ROOT();
	broker_start(&broker, session_policy("lbtest-session",
	    "  sessions yes\n  session-command /bin/sh\n"
	    "  session-outlives-client yes\n"), NULL);
	c = logged_in("alice");
	assert_int_equal(lb_session_open(c, NULL), LB_OK);
	assert_int_equal(pipe(in), 0);
	fds[0] = in[0];
	fds[1] = open("/dev/null", O_WRONLY);
	assert_int_equal(lb_session_start(c, argv, fds, 2), LB_OK);
	close(in[0]);
	close(fds[1]);
	assert_int_equal(run_ctl(&broker, ctl_args, out, sizeof(out)), 0);
	assert_int_equal(test_lines_matching(out, "*alice*console*"), 1);
	lb_close(c);
	broker_restart(&broker);
	/* Killed outright, too: nothing of the session hangs on the
	 * broker's own end. */
	assert_int_equal(kill(broker.pid, SIGKILL), 0);
	assert_int_equal(waitpid(broker.pid, NULL, 0), broker.pid);
	broker.pid = 0;
	broker_restart(&broker);
	read_record(rec, sizeof(rec));
	assert_int_equal(test_lines_matching(rec, "close *"), 0);
	/* The process still reads its stdin: end it. */
	assert_int_equal(write(in[1], "x\n", 2), 2);
	close(in[1]);
	wait_closed(rec, sizeof(rec));
	assert_int_equal(test_lines_matching(rec, "close *"), 1);
	assert_int_equal(test_lines_matching(rec, "setcred-delete *"), 1);
	assert_int_equal(run_ctl(&broker, ctl_args, out, sizeof(out)), 0);
	assert_int_equal(test_lines_matching(out, "*alice*"), 0);
	broker_stop(&broker);
}

/* Sends text with n descriptors attached (SCM_RIGHTS). */
static void
send_with_fds(int fd, const char *text, const int *fds, size_t n)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(8 * sizeof(int))];
	} cmsg;
	struct iovec iov = { (void *)text, strlen(text) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cmsg.buf,
	    .msg_controllen = CMSG_SPACE(n * sizeof(int)) };
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);

	memset(&cmsg, 0, sizeof(cmsg));
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(cm), fds, n * sizeof(int));
	assert_int_equal(sendmsg(fd, &mh, 0), (ssize_t)strlen(text));
}

static void
touch_in_dir(const char *name)
{
	char path[160];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", broker.dir, name);
	assert_true((fd = open(path, O_WRONLY | O_CREAT, 0644)) >= 0);
	close(fd);
}

/* Whether the wtmp file holds a record of type for user (any, for "")
 * on line. */
static bool
wtmp_has(short type, const char *user, const char *line)
{
	char path[160];
	struct utmpx ut;
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "%s/wtmp", broker.dir);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	while (!found && fread(&ut, sizeof(ut), 1, f) == 1)
		found = ut.ut_type == type &&
		    strncmp(ut.ut_user, user, sizeof(ut.ut_user)) == 0 &&
		    strncmp(ut.ut_line, line, sizeof(ut.ut_line)) == 0;
	fclose(f);
	return found;
}

/* loginbroker --login on a terminal, as agetty runs it: it asks for the
 * name and the password, and the shell the broker starts has that
 * terminal as its own; its exit status is the program's, the terminal's
 * login is in wtmp, and the PAM session carried it as PAM_TTY. */
static pid_t console_pid;

/* The console program goes, whatever the test did. */
static int
stop_console(void **state)
{
	if (console_pid > 0) {
		kill(console_pid, SIGKILL);
		(void)waitpid(console_pid, NULL, 0);
		console_pid = 0;
	}
	return broker_teardown(state);
}

static void
test_console_login_gives_a_shell_on_its_terminal(void **state)
{
	const char *argv[] = { getenv("LB_CLI"), "--login", "-s", broker.sock,
	    NULL };
	const char *env[] = { "TERM=dumb", NULL };
	char out[16384] = "", name[64], want[80], rec[1024];
	size_t len = 0;
	int master, status;
	pid_t pid;

	NEED_ROOT();
	broker_start(&broker, session_policy("lbtest-session",
	    "  sessions yes\n"), NULL);
	/* As login(1), the keeper writes the records where the files
	 * exist. */
	touch_in_dir("utmp");
	touch_in_dir("wtmp");
	console_pid = pid = test_spawn_on_pty(argv, env, &master, name,
	    sizeof(name));
	test_expect_pty(master, out, sizeof(out), &len, "login: ");
	test_write_all(master, "alice\n", 6);
	test_expect_pty(master, out, sizeof(out), &len, "Password: ");
	test_write_all(master, "pw\n", 3);
	test_expect_pty(master, out, sizeof(out), &len, "$ ");
	/* Echo was off before the prompt showed: the password typed at
	 * once is neither shown nor lost. */
	assert_null(strstr(out, "Password: pw"));
	test_write_all(master, "tty; echo MARK-$((6*7)); exit 3\n", 32);
	test_expect_pty(master, out, sizeof(out), &len, "MARK-42");
	assert_int_equal(waitpid(pid, &status, 0), pid);
	console_pid = 0;
	close(master);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 3)
		fail_msg("status 0x%x; the console said: %s", status, out);
	/* The shell's tty is the console's. */
	snprintf(want, sizeof(want), "%s\r\n", name);
	if (strstr(out, want) == NULL)
		fail_msg("no %s from tty; the console said: %s", name, out);
	assert_true(wtmp_has(USER_PROCESS, "alice", name + 5));
	assert_true(wtmp_has(DEAD_PROCESS, "", name + 5));
	read_record(rec, sizeof(rec));
	snprintf(want, sizeof(want), "open tty=%s *", name + 5);
	assert_int_equal(test_lines_matching(rec, want), 1);
	broker_stop(&broker);
}

/* The front end leaves: where sessions end with it (the default), the
 * session is hung up and closed. */
static void
test_session_ends_with_its_front_end_by_default(void **state)
{
	const char *argv[] = { "/bin/sh", "-c", "sleep 60", NULL };
	char rec[1024];
	struct lb_conn *c;

	NEED_ROOT();
	broker_start(&broker, session_policy("lbtest-session",
	    "  sessions yes\n  session-command /bin/sh\n"), NULL);
	c = logged_in("alice");
	assert_int_equal(lb_session_open(c, NULL), LB_OK);
	assert_int_equal(lb_session_start(c, argv, NULL, 0), LB_OK);
	lb_close(c);
	broker_log_expect(&broker, "audit: * outcome=session-ended "
	    "status=\"signal 1\" *", 1);
	read_record(rec, sizeof(rec));
	assert_int_equal(test_lines_matching(rec, "close *"), 1);
	broker_stop(&broker);
}

/* A login proven without PAM (unix: the peer's uid) gets a keeper of
 * its own from the PAM zygote, which checks the account before it opens
 * the session, as sshd does after a GSSAPI login. */
static void
test_login_without_pam_is_checked_then_kept(void **state)
{
	char rec[1024];
	int fd;

	NEED_ROOT();
	broker_start(&broker, broker_service("console", "lbtest-session",
	    "  trusted-peer any\n  allow unix\n  sessions yes\n"), NULL);
	fd = raw_connect_greeted_as(&broker, 1001, 1001);
	raw_expect(fd, "login unix alice\r\n", 200, NULL);
	raw_expect(fd, "session open tty2\r\n", 200, NULL);
	close(fd);
	wait_closed(rec, sizeof(rec));
	assert_string_equal(rec,
	    "setcred-establish tty=tty2 seat=- uid=0\n"
	    "open tty=tty2 seat=- uid=0\n"
	    "close tty=tty2 seat=- uid=0\n"
	    "setcred-delete tty=tty2 seat=- uid=0\n");
	broker_stop(&broker);

	/* An account PAM refuses: 513, and no session. */
	broker_start(&broker, broker_service("console", "lbtest-denied",
	    "  trusted-peer any\n  allow unix\n  sessions yes\n"), NULL);
	fd = raw_connect_greeted_as(&broker, 1001, 1001);
	raw_expect(fd, "login unix alice\r\n", 200, NULL);
	raw_expect(fd, "session open\r\n", 513, NULL);
	close(fd);
	broker_log_expect(&broker, "session 1: session of alice not opened: "
	    "account:PAM_PERM_DENIED", 1);
	broker_stop(&broker);
}

/* A hostile client: descriptors with a request that takes none, too
 * many, of the wrong kind; a command word with a control character.
 * Each refused, the connection still usable, nothing started. */
static void
test_hostile_client_descriptors_are_refused(void **state)
{
	static const char start[] = "session start\r\n";
	char reply[512];
	struct stat st;
	int fd, bad[2], nul[4], i;

	NEED_ROOT();
	broker_start(&broker, session_policy("lbtest-session",
	    "  sessions yes\n"), NULL);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "pass pw\r\n", 200, NULL);
	for (i = 0; i < 4; i++)
		assert_true((nul[i] = open("/dev/null", O_RDWR)) >= 0);
	/* With "lsauth": not a request that takes them. */
	send_with_fds(fd, "lsauth\r\n", nul, 1);
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 500);
	assert_non_null(strstr(reply, "Descriptors come only with session "
	    "start"));
	/* Four with a start: none is passed. */
	send_with_fds(fd, start, nul, 4);
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 501);
	raw_expect(fd, "session start /bin/sh \"a\x01b\"\r\n", 501, NULL);
	for (i = 0; i < 4; i++)
		close(nul[i]);
	close(fd);
	/* A directory is no stdin, nor is /dev/ptmx (an alias, whose own
	 * node a chown to the user would hand over). */
	assert_true((bad[0] = open("/", O_RDONLY | O_DIRECTORY)) >= 0);
	assert_true((bad[1] = open("/dev/ptmx", O_RDWR | O_NOCTTY)) >= 0);
	for (i = 0; i < 2; i++) {
		fd = raw_connect_greeted(&broker);
		raw_expect(fd, "login password alice\r\n", 301, NULL);
		raw_expect(fd, "pass pw\r\n", 200, NULL);
		raw_expect(fd, "session open tty1\r\n", 200, NULL);
		send_with_fds(fd, start, &bad[i], 1);
		assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 505);
		close(bad[i]);
		close(fd);
	}
	broker_log_expect(&broker, "session *: alice's process not started: "
	    "descriptor of the wrong kind", 2);
	assert_int_equal(stat("/dev/ptmx", &st), 0);
	assert_int_equal(st.st_uid, 0);
	broker_stop(&broker);
}

/* A compromised worker: descriptors before the login, more than three
 * after it, a start of a command the policy does not allow: killed, or
 * refused by the broker's own check. */
static void
test_compromised_worker_gets_no_session_out_of_place(void **state)
{
	static const struct violation_case cases[] = {
		{ "fd 1\n", "*", "idle" },
		{ "begin password alice\nwait\npass pw\nwait\nfd 4\n",
		    "unexpected SESSION_FD", "logged-in" },
		{ "open\n", "message type 29 out of sequence", "idle" },
	};
	static const char orders[] = "begin password alice\nwait\npass pw\n"
	    "wait\nopen\nwait\nstart /usr/bin/id\nwait\n";
	int fd;

	NEED_ROOT();
	broker_start(&broker, session_policy("lbtest-session",
	    "  sessions yes\n"), getenv("LB_EVIL_WORKER"));
	broker_expect_violations(&broker, cases,
	    sizeof(cases) / sizeof(cases[0]));
	/* Logged in, it starts what the policy does not name: the broker
	 * refuses it. */
	fd = raw_connect_greeted(&broker);
	raw_send(fd, orders, strlen(orders));
	broker_log_expect(&broker, "audit: session=4 * "
	    "outcome=session-refused:command", 1);
	close(fd);
	broker_stop(&broker);
}

/* --- the real stack -------------------------------------------------- */

static char real_user[32];

/* Runs a shell command line of the test's own (no input from outside):
 * its exit status. */
static int
sh(const char *cmd)
{
	int status = system(cmd);

	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Debian's /etc/pam.d/login with its @include lines expanded, as the
 * text of a PAM service file. */
static void
debian_login_stack(char *out, size_t cap)
{
	char line[512], name[101], path[128];
	size_t len = 0;
	FILE *f, *inc;

	assert_non_null(f = fopen("/etc/pam.d/login", "r"));
	out[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL) {
		if (sscanf(line, "@include %100s", name) == 1) {
			snprintf(path, sizeof(path), "/etc/pam.d/%s", name);
			assert_non_null(inc = fopen(path, "r"));
			while (fgets(line, sizeof(line), inc) != NULL &&
			    len + strlen(line) < cap)
				len += (size_t)snprintf(out + len, cap - len,
				    "%s", line);
			fclose(inc);
			continue;
		}
		if (len + strlen(line) < cap)
			len += (size_t)snprintf(out + len, cap - len, "%s",
			    line);
	}
	fclose(f);
}

/* The throwaway user goes, whatever the test did. */
static int
remove_real_user(void **state)
{
	char cmd[128];

	if (real_user[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "userdel -r -f %s 2>/dev/null",
		    real_user);
		(void)sh(cmd);
		real_user[0] = '\0';
	}
	return broker_teardown(state);
}

/* A login through a copy of Debian's own login stack (pam_unix against
 * /etc/shadow, pam_env, pam_limits, pam_lastlog, pam_loginuid, ...) for
 * a user the test creates: the command runs as that user in the home
 * directory, and lastlog shows the login. */
static void
test_debian_login_stack_opens_a_real_session(void **state)
{
	static char stack[16384];
	char cmd[256], out[4096], want[160];
	struct lb_conn *c;

	NEED_ROOT();
	snprintf(real_user, sizeof(real_user), "lbreal%d", (int)getpid());
	snprintf(cmd, sizeof(cmd), "useradd -m -s /bin/sh %s && "
	    "echo %s:Real-pw-42 | chpasswd", real_user, real_user);
	assert_int_equal(sh(cmd), 0);
	debian_login_stack(stack, sizeof(stack));
	broker.with.system_users = true;
	broker_start(&broker, session_policy("lbtest-login",
	    "  sessions yes\n  session-command /bin/sh\n"), NULL);
	broker_pam_service(&broker, "lbtest-login", stack);
	broker.with.system_users = true;
	broker_restart(&broker);

	c = lb_open(broker.sock, 0);
	assert_non_null(c);
	assert_int_equal(lb_login(c, "password", real_user, answer_pw,
	    "Real-pw-42"), LB_OK);
	assert_int_equal(lb_session_open(c, "pts/99"), LB_OK);
	assert_int_equal(run_session(c, "id -un; pwd", out, sizeof(out)), 0);
	lb_close(c);
	snprintf(want, sizeof(want), "%s\n/home/%s\n", real_user, real_user);
	if (strstr(out, want) == NULL)
		fail_msg("the session said: %s", out);
	/* pam_lastlog recorded the login on its PAM_TTY. */
	snprintf(cmd, sizeof(cmd), "lastlog -u %s | grep -q 'pts/99'",
	    real_user);
	assert_int_equal(sh(cmd), 0);
	broker_stop(&broker);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BROKER_TEST(test_command_runs_as_the_user_in_the_pam_session,
		    &broker),
		BROKER_TEST(test_exit_status_reaches_the_front_end, &broker),
		BROKER_TEST(test_session_requests_out_of_place_are_refused,
		    &broker),
		BROKER_TEST(test_open_session_failure_is_505, &broker),
		BROKER_TEST(test_session_limits_hold, &broker),
		BROKER_TEST(test_session_survives_a_broker_restart, &broker),
		cmocka_unit_test_prestate_setup_teardown(
		    test_console_login_gives_a_shell_on_its_terminal, NULL,
		    stop_console, &broker),
		BROKER_TEST(test_session_ends_with_its_front_end_by_default,
		    &broker),
		BROKER_TEST(test_login_without_pam_is_checked_then_kept,
		    &broker),
		BROKER_TEST(test_hostile_client_descriptors_are_refused,
		    &broker),
		BROKER_TEST(test_compromised_worker_gets_no_session_out_of_place,
		    &broker),
		cmocka_unit_test_prestate_setup_teardown(
		    test_debian_login_stack_opens_a_real_session, NULL,
		    remove_real_user, &broker),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
