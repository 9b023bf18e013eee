/* SPDX-License-Identifier: ISC */
/* session_keeper.c: open, run and close one user's session as root. */
#include "session_keeper.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <paths.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <utmpx.h>

#include "ipc_proto.h"

/* The user's process's environment: what PAM's modules set, the front
 * end's allowed variables and login(1)'s own. */
#define ENV_MAX		(128 + SESSION_ENV_MAX + 8)
/* How long a hung-up session has to end before it is killed. */
#define HANGUP_GRACE_MS	5000
/* The session modules' messages kept for the user's terminal (the last
 * login, the message of the day), as login(1) shows them. */
#define NOTES_MAX	32

/* The user as the passwd database has them, copied at the open. */
struct user {
	char name[USER_NAME_MAX];
	uid_t uid;
	gid_t gid;
	char home[4096];
	char shell[4096];
};

/* One keeper's whole state: it keeps one session, then exits. */
static struct {
	struct ipc_chan *broker;	/* NULL once the broker is gone */
	pam_handle_t *ph;
	struct msg_pam_begin begin;
	struct msg_keeper_open open;
	struct user user;
	bool session_open;		/* pam_open_session succeeded */
	char ccache[HELPER_PATH_MAX];	/* the user's copy; "": none */
	char state_file[HELPER_PATH_MAX + 32];	/* "": none */
	int fds[SESSION_FDS_MAX];
	size_t nfds;
	int term;			/* the terminal's descriptor, or -1 */
	char tty_line[SESSION_TTY_MAX];	/* its name under /dev */
	struct stat tty_was;		/* its owner and mode before */
	pid_t child;
	size_t nnotes;
	char notes[NOTES_MAX][CONV_MAX_TEXT];
} k = { .term = -1 };

/* The conversation once the login is proven: nobody is asked anything
 * more (a prompt fails), and messages wait for the user's stdout. */
static int
keeper_conversation(int n, const struct pam_message **msg,
    struct pam_response **resp, void *data)
{
	int i;

	for (i = 0; i < n; i++) {
		if (msg[i]->msg_style != PAM_TEXT_INFO &&
		    msg[i]->msg_style != PAM_ERROR_MSG)
			return PAM_CONV_ERR;
		if (k.nnotes < NOTES_MAX && msg[i]->msg != NULL)
			snprintf(k.notes[k.nnotes++], sizeof(k.notes[0]), "%s",
			    msg[i]->msg);
	}
	if (resp != NULL && (*resp = calloc((size_t)n, sizeof(**resp))) ==
	    NULL)
		return PAM_BUF_ERR;
	return PAM_SUCCESS;
}

static void
say(uint8_t step, int code, const char *detail, pid_t pid)
{
	struct msg_keeper_result r = { .step = step, .code = (uint32_t)code,
	    .pid = (uint32_t)pid };

	snprintf(r.detail, sizeof(r.detail), "%s", detail);
	if (k.broker != NULL && (msg_send_keeper_result(k.broker, 0, -1,
	    &r) == -1 || ipc_chan_flush_wait(k.broker, 5000) == -1)) {
		ipc_chan_free(k.broker);
		k.broker = NULL;
	}
}

static void give_back_terminal(void);

/* Everything the open set up, undone in reverse; then the process ends. */
static _Noreturn void
finish(void)
{
	give_back_terminal();
	if (k.session_open) {
		(void)pam_close_session(k.ph, 0);
		(void)pam_setcred(k.ph, PAM_DELETE_CRED);
	}
	pam_end(k.ph, PAM_SUCCESS);
	if (k.ccache[0] != '\0')
		(void)unlink(k.ccache);
	/* Delegated credentials the session never took (its open failed). */
	else if (k.open.ccache[0] != '\0')
		(void)unlink(k.open.ccache);
	if (k.state_file[0] != '\0')
		(void)unlink(k.state_file);
	_exit(0);
}

/* Waits for the broker's next message into m: false when the broker is
 * gone (or sent what cannot be read). */
static bool
next_message(struct ipc_msg *m)
{
	if (k.broker == NULL || ipc_chan_wait(k.broker, m, -1) != 1)
		return false;
	return true;
}

static int
copy_user(const char *name)
{
	struct passwd *pw = getpwnam(name);

	if (pw == NULL || strlen(pw->pw_dir) >= sizeof(k.user.home) ||
	    strlen(pw->pw_shell) >= sizeof(k.user.shell))
		return -1;
	snprintf(k.user.name, sizeof(k.user.name), "%s", pw->pw_name);
	k.user.uid = pw->pw_uid;
	k.user.gid = pw->pw_gid;
	snprintf(k.user.home, sizeof(k.user.home), "%s", pw->pw_dir);
	/* An empty shell is /bin/sh, as login(1) has it. */
	snprintf(k.user.shell, sizeof(k.user.shell), "%s",
	    pw->pw_shell[0] != '\0' ? pw->pw_shell : _PATH_BSHELL);
	return 0;
}

/* The delegated cache becomes the user's own file in /tmp, as sshd
 * stores one: the broker's directory is swept at its start, and the user
 * may not read it.  0, or -1. */
static int
take_ccache(const char *from)
{
	char buf[8192];
	ssize_t n;
	int in, out;

	snprintf(k.ccache, sizeof(k.ccache), "/tmp/krb5cc_%u_XXXXXX",
	    (unsigned)k.user.uid);
	if ((in = open(from, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		goto fail;
	if ((out = mkostemp(k.ccache, O_CLOEXEC)) == -1) {
		close(in);
		goto fail;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			n = -1;
	explicit_bzero(buf, sizeof(buf));
	if (n < 0 || fchown(out, k.user.uid, k.user.gid) == -1 ||
	    close(out) == -1) {
		close(in);
		(void)unlink(k.ccache);
		goto fail;
	}
	close(in);
	(void)unlink(from);
	return 0;
fail:
	k.ccache[0] = '\0';
	(void)unlink(from);
	return -1;
}

/* The live session's file in the state directory, one line of
 * tab-separated KEY=VALUE fields (no value holds a tab: names and
 * terminals are free of control characters), which loginbrokerctl
 * sessions reads; gone when the session ends.  The directory must be
 * root's and writable by no one else. */
static void
write_state(void)
{
	char name[16];
	struct stat st;
	FILE *f;
	int dir, fd = -1;

	if (k.open.state_dir[0] == '\0')
		return;
	(void)mkdir(k.open.state_dir, 0700);
	if ((dir = open(k.open.state_dir, O_RDONLY | O_DIRECTORY |
	    O_NOFOLLOW | O_CLOEXEC)) == -1 || fstat(dir, &st) == -1 ||
	    st.st_uid != 0 || (st.st_mode & 022) != 0) {
		syslog(LOG_ERR, "session %u: sessions_dir %s: not a directory "
		    "of root's that only root may write", k.open.session,
		    k.open.state_dir);
		goto out;
	}
	snprintf(name, sizeof(name), "%d", (int)getpid());
	/* A stale file of a keeper that had this pid. */
	(void)unlinkat(dir, name, 0);
	if ((fd = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1 || (f = fdopen(fd, "w")) == NULL)
		goto out;
	fd = -1;
	fprintf(f, "keeper=%d\tpid=%d\tuser=%s\tservice=%s\ttty=%s\t"
	    "started=%lld\n", (int)getpid(), (int)k.child, k.user.name,
	    k.open.service, k.tty_line[0] != '\0' ? k.tty_line : k.open.tty,
	    (long long)time(NULL));
	if (fclose(f) == 0)
		snprintf(k.state_file, sizeof(k.state_file), "%s/%s",
		    k.open.state_dir, name);
out:
	if (fd != -1)
		close(fd);
	if (dir != -1)
		close(dir);
}

/* KEEPER_OPEN: the account (unless PAM authenticated it), PAM_TTY and
 * the front end's variables, setcred, open_session. */
static void
open_session(bool authenticated)
{
	int rc;
	uint32_t i;

	static const struct pam_conv conv = { keeper_conversation, NULL };

	if ((rc = pam_set_item(k.ph, PAM_CONV, &conv)) != PAM_SUCCESS) {
		say(KEEPER_STEP_OPEN, rc, "conversation", 0);
		finish();
	}
	if (!authenticated &&
	    (rc = pam_acct_mgmt(k.ph, PAM_DISALLOW_NULL_AUTHTOK)) !=
	    PAM_SUCCESS) {
		say(KEEPER_STEP_OPEN, rc, "account", 0);
		finish();
	}
	if (copy_user(k.begin.user) == -1) {
		say(KEEPER_STEP_OPEN, PAM_USER_UNKNOWN, "passwd", 0);
		finish();
	}
	rc = pam_set_item(k.ph, PAM_TTY, k.open.tty);
	/* pam_systemd and pam_env read XDG_SESSION_TYPE and the like from
	 * PAM's environment. */
	for (i = 0; rc == PAM_SUCCESS && i < k.open.nenv; i++)
		rc = pam_putenv(k.ph, k.open.env[i]);
	if (rc != PAM_SUCCESS) {
		say(KEEPER_STEP_OPEN, rc, "items", 0);
		finish();
	}
	/* The user's groups first, as login(1): pam_group and the like add
	 * to them, and the user's process inherits the lot. */
	if (initgroups(k.user.name, k.user.gid) == -1) {
		say(KEEPER_STEP_OPEN, PAM_SYSTEM_ERR, "initgroups", 0);
		finish();
	}
	if ((rc = pam_setcred(k.ph, PAM_ESTABLISH_CRED)) != PAM_SUCCESS) {
		say(KEEPER_STEP_OPEN, rc, "setcred", 0);
		finish();
	}
	if ((rc = pam_open_session(k.ph, 0)) != PAM_SUCCESS) {
		(void)pam_setcred(k.ph, PAM_DELETE_CRED);
		say(KEEPER_STEP_OPEN, rc, "open_session", 0);
		finish();
	}
	k.session_open = true;
	if (k.open.ccache[0] != '\0' && take_ccache(k.open.ccache) == -1)
		syslog(LOG_ERR, "session %u: delegated credentials of %s not "
		    "kept: %s", k.open.session, k.user.name, strerror(errno));
	say(KEEPER_STEP_OPEN, 0, "", 0);
}

/* A descriptor the user's process may have: a terminal or other
 * character device, a pipe, a socket or a file. */
static bool
fd_kind_ok(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && (S_ISCHR(st.st_mode) ||
	    S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) ||
	    S_ISREG(st.st_mode));
}

/* Appends "NAME=VALUE" to env unless NAME is set there already. */
static void
env_add(char **env, size_t *n, const char *name, const char *value)
{
	size_t i, len = strlen(name);
	char *entry;

	for (i = 0; i < *n; i++)
		if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
			return;
	if (*n + 1 >= ENV_MAX || asprintf(&entry, "%s=%s", name, value) == -1)
		return;
	env[(*n)++] = entry;
	env[*n] = NULL;
}

/* login(1)'s variables win over everything; then PAM's (its modules are
 * the administrator's); then the front end's allowed ones; PATH as
 * Debian's login.defs has it unless PAM set one. */
static char **
build_env(void)
{
	static char *env[ENV_MAX + 1];
	char **pam_env = pam_getenvlist(k.ph);
	size_t n = 0, i;
	const char *eq;
	char name[SESSION_ENV_NAME_MAX];

	env[0] = NULL;
	env_add(env, &n, "HOME", k.user.home);
	env_add(env, &n, "USER", k.user.name);
	env_add(env, &n, "LOGNAME", k.user.name);
	env_add(env, &n, "SHELL", k.user.shell);
	for (i = 0; pam_env != NULL && pam_env[i] != NULL; i++)
		if (n + 1 < ENV_MAX && strchr(pam_env[i], '=') != NULL &&
		    strncmp(pam_env[i], "HOME=", 5) != 0)
			env[n++] = pam_env[i];
	env[n] = NULL;
	for (i = 0; i < k.open.nenv; i++) {
		eq = strchr(k.open.env[i], '=');
		snprintf(name, sizeof(name), "%.*s",
		    (int)(eq - k.open.env[i]), k.open.env[i]);
		env_add(env, &n, name, eq + 1);
	}
	env_add(env, &n, "PATH", k.user.uid == 0 ?
	    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" :
	    "/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games");
	if (k.ccache[0] != '\0') {
		char val[HELPER_PATH_MAX + 8];

		snprintf(val, sizeof(val), "FILE:%s", k.ccache);
		env_add(env, &n, "KRB5CCNAME", val);
	}
	return env;
}

/* In the child: the user's process, its terminal controlling, as the
 * user, in the home directory.  Any failure's errno goes to status. */
static _Noreturn void
become_user(int in, int out, int err, int status, char *const *argv,
    char *const *env)
{
	sigset_t none;
	uid_t r, e, s;
	gid_t rg, eg, sg;
	int sig, saved;
	size_t i;

	sigemptyset(&none);
	for (sig = 1; sig < NSIG; sig++)
		(void)signal(sig, SIG_DFL);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1 || setsid() == -1)
		goto fail;
	/* Its own session; force: the front end's session may have it as
	 * its controlling terminal (a console login program). */
	if (k.term != -1 && ioctl(in, TIOCSCTTY, 1) == -1)
		goto fail;
	if (dup2(in, 0) == -1 || dup2(out, 1) == -1 || dup2(err, 2) == -1)
		goto fail;
	if ((status > 3 && close_range(3, (unsigned)status - 1, 0) == -1) ||
	    close_range((unsigned)status + 1, ~0u, 0) == -1)
		goto fail;
	/* The groups are the keeper's (initgroups and PAM's); then gid,
	 * then uid, each checked, none left behind. */
	if (setresgid(k.user.gid, k.user.gid, k.user.gid) == -1 ||
	    setresuid(k.user.uid, k.user.uid, k.user.uid) == -1 ||
	    getresuid(&r, &e, &s) == -1 || getresgid(&rg, &eg, &sg) == -1 ||
	    r != k.user.uid || e != r || s != r || rg != k.user.gid ||
	    eg != rg || sg != rg || (k.user.uid != 0 && setuid(0) != -1)) {
		errno = EPERM;
		goto fail;
	}
	for (i = 0; i < k.nnotes; i++)
		dprintf(1, "%s\n", k.notes[i]);
	if (chdir(k.user.home) == -1) {
		dprintf(2, "No directory %s; starting in /\n", k.user.home);
		if (chdir("/") == -1)
			goto fail;
	}
	execve(argv[0][0] == '-' ? k.user.shell : argv[0], argv, env);
fail:
	saved = errno;
	(void)!write(status, &saved, sizeof(saved));
	_exit(127);
}

/* The terminal's login records, as login(1) writes them: type
 * USER_PROCESS at the start, DEAD_PROCESS at the end. */
static void
record_login(short type)
{
	struct utmpx ut;
	struct timespec now;
	size_t len = strlen(k.tty_line);

	if (k.term == -1 || k.open.utmp[0] == '\0')
		return;
	memset(&ut, 0, sizeof(ut));
	ut.ut_type = type;
	ut.ut_pid = k.child;
	strncpy(ut.ut_line, k.tty_line, sizeof(ut.ut_line));
	strncpy(ut.ut_id, len > 4 ? k.tty_line + len - 4 : k.tty_line,
	    sizeof(ut.ut_id));
	if (type == USER_PROCESS) {
		strncpy(ut.ut_user, k.user.name, sizeof(ut.ut_user));
		strncpy(ut.ut_host, k.begin.rhost, sizeof(ut.ut_host));
	}
	clock_gettime(CLOCK_REALTIME, &now);
	ut.ut_tv.tv_sec = (int32_t)now.tv_sec;
	ut.ut_tv.tv_usec = (int32_t)(now.tv_nsec / 1000);
	if (utmpxname(k.open.utmp) == 0) {
		setutxent();
		(void)pututxline(&ut);
		endutxent();
	}
	if (k.open.wtmp[0] != '\0')
		updwtmpx(k.open.wtmp, &ut);
}

/* Whether a terminal is an alias of another, whose own node a chown
 * would hand over: /dev/tty, /dev/console, /dev/ptmx (major 5) and
 * /dev/tty0 (4:0, the console in front). */
static bool
terminal_alias(dev_t rdev)
{
	return major(rdev) == 5 || (major(rdev) == 4 && minor(rdev) == 0);
}

/* A terminal on stdin: made the user's (mode 0620 to the tty group, as
 * login(1)), its name for the login records.  0, or -1 for an alias, one
 * not open for reading and writing, or one neither root's nor the front
 * end's own. */
static int
take_terminal(int fd)
{
	struct group *tty = getgrnam("tty");
	char *name;
	int fl;

	if (!isatty(fd) || fstat(fd, &k.tty_was) == -1)
		return 0;
	if (terminal_alias(k.tty_was.st_rdev) ||
	    (fl = fcntl(fd, F_GETFL)) == -1 || (fl & O_ACCMODE) != O_RDWR ||
	    (k.tty_was.st_uid != 0 && k.tty_was.st_uid != k.open.peer_uid) ||
	    (name = ttyname(fd)) == NULL)
		return -1;
	k.term = fd;
	snprintf(k.tty_line, sizeof(k.tty_line), "%s",
	    strncmp(name, "/dev/", 5) == 0 ? name + 5 : name);
	if (fchown(fd, k.user.uid, tty != NULL ? tty->gr_gid : k.user.gid) ==
	    -1 || fchmod(fd, tty != NULL ? 0620 : 0600) == -1)
		syslog(LOG_WARNING, "session %u: terminal %s: %s",
		    k.open.session, name, strerror(errno));
	return 0;
}

static _Noreturn void
wrong_kind(void)
{
	say(KEEPER_STEP_START, EINVAL, "descriptor of the wrong kind", 0);
	finish();
}

/* The terminal goes back to its owner and mode.  It is not hung up
 * here: that would throw away what the session wrote last and its front
 * end has not read yet (a pty's); revoking it before the next login is
 * the next getty's vhangup, as after login(1). */
static void
give_back_terminal(void)
{
	if (k.term == -1)
		return;
	if (fchown(k.term, k.tty_was.st_uid, k.tty_was.st_gid) == -1 ||
	    fchmod(k.term, k.tty_was.st_mode & 07777) == -1)
		syslog(LOG_WARNING, "session %u: terminal %s not given back: "
		    "%s", k.open.session, k.tty_line, strerror(errno));
	k.term = -1;
}

/* SESSION_START: the process, with the descriptors that came before it
 * (none: /dev/null; one: all three; two: stdin, then stdout and
 * stderr). */
static void
start(const struct msg_session_start *m)
{
	static char *argv[SESSION_ARGV_MAX + 1];
	static char login_name[4096 + 2];
	const char *base;
	int io[3], pipefd[2], failed = 0, nul = -1;
	size_t i;
	ssize_t n;

	for (i = 0; i < k.nfds; i++)
		if (!fd_kind_ok(k.fds[i]))
			wrong_kind();
	if (k.nfds == 0 && (nul = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1) {
		say(KEEPER_STEP_START, errno, "/dev/null", 0);
		finish();
	}
	io[0] = k.nfds > 0 ? k.fds[0] : nul;
	io[1] = k.nfds > 1 ? k.fds[1] : io[0];
	io[2] = k.nfds > 2 ? k.fds[2] : io[1];
	if (take_terminal(io[0]) == -1)
		wrong_kind();
	if (m->argc == 0) {
		/* The login shell, as a login shell: "-sh". */
		base = strrchr(k.user.shell, '/');
		snprintf(login_name, sizeof(login_name), "-%s",
		    base != NULL ? base + 1 : k.user.shell);
		argv[0] = login_name;
		argv[1] = NULL;
	} else {
		for (i = 0; i < m->argc; i++)
			argv[i] = (char *)m->arg[i];
		argv[i] = NULL;
	}
	if (pipe2(pipefd, O_CLOEXEC) == -1 || (k.child = fork()) == -1) {
		say(KEEPER_STEP_START, errno, "fork", 0);
		finish();
	}
	if (k.child == 0)
		become_user(io[0], io[1], io[2], pipefd[1], argv, build_env());
	close(pipefd[1]);
	/* End of stream: the exec succeeded. */
	while ((n = read(pipefd[0], &failed, sizeof(failed))) == -1 &&
	    errno == EINTR)
		;
	close(pipefd[0]);
	if (nul != -1)
		close(nul);
	if (n > 0) {
		(void)waitpid(k.child, NULL, 0);
		say(KEEPER_STEP_START, failed, strerror(failed), 0);
		finish();
	}
	record_login(USER_PROCESS);
	write_state();
	say(KEEPER_STEP_START, 0, "", k.child);
}

/* The front end or a signal hangs the session up: SIGHUP to its
 * process group now, SIGKILL after the grace. */
static void
hang_up(uint64_t *kill_at)
{
	struct timespec now;

	(void)kill(-k.child, SIGHUP);
	(void)kill(-k.child, SIGCONT);
	clock_gettime(CLOCK_MONOTONIC, &now);
	*kill_at = (uint64_t)now.tv_sec * 1000 + (uint64_t)now.tv_nsec /
	    1000000 + HANGUP_GRACE_MS;
}

/* Takes what the broker sent and has arrived: a hang-up is all it may
 * say now (anything else is dropped). */
static void
broker_said(uint64_t *kill_at)
{
	struct ipc_msg m;

	while (k.broker != NULL && ipc_chan_get(k.broker, &m) == 1) {
		if (m.fd != -1)
			close(m.fd);
		if (m.hdr.type == MSG_SESSION_CLOSE && *kill_at == 0)
			hang_up(kill_at);
	}
}

/* Waits for the user's process; the broker may hang it up, may go away
 * (the session goes on), and SIGTERM or SIGHUP hang it up too. */
static int
run(void)
{
	struct pollfd pfd[3];
	struct signalfd_siginfo si;
	struct timespec now;
	uint64_t kill_at = 0, now_ms;
	sigset_t set;
	ssize_t n;
	int pidfd, sigfd, status, timeout;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGINT);
	if ((pidfd = (int)syscall(SYS_pidfd_open, k.child, 0)) == -1 ||
	    sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (sigfd = signalfd(-1, &set, SFD_CLOEXEC)) == -1) {
		(void)waitpid(k.child, &status, 0);
		return status;
	}
	/* A hang-up may have come with the start, in the same read. */
	broker_said(&kill_at);
	for (;;) {
		pfd[0] = (struct pollfd){ pidfd, POLLIN, 0 };
		pfd[1] = (struct pollfd){ sigfd, POLLIN, 0 };
		pfd[2] = (struct pollfd){ k.broker != NULL ?
		    ipc_chan_fd(k.broker) : -1, POLLIN, 0 };
		timeout = -1;
		if (kill_at != 0) {
			clock_gettime(CLOCK_MONOTONIC, &now);
			now_ms = (uint64_t)now.tv_sec * 1000 +
			    (uint64_t)now.tv_nsec / 1000000;
			if (now_ms >= kill_at) {
				(void)kill(-k.child, SIGKILL);
				(void)kill(k.child, SIGKILL);
				kill_at = 0;
			} else {
				timeout = (int)(kill_at - now_ms);
			}
		}
		if (poll(pfd, 3, timeout) == -1 && errno != EINTR)
			break;
		if (pfd[0].revents & POLLIN)
			break;
		if ((pfd[1].revents & POLLIN) &&
		    read(sigfd, &si, sizeof(si)) == sizeof(si) && kill_at == 0)
			hang_up(&kill_at);
		if (pfd[2].revents == 0)
			continue;
		/* The broker's end is no hang-up: it was stopped or
		 * restarted, and the session goes on without it. */
		n = ipc_chan_read(k.broker);
		if (n == 0 || (n == -1 && errno != EAGAIN)) {
			ipc_chan_free(k.broker);
			k.broker = NULL;
			continue;
		}
		broker_said(&kill_at);
	}
	while (waitpid(k.child, &status, 0) == -1 && errno == EINTR)
		;
	return status;
}

/* The process ended: its records, the terminal given back, and the
 * broker told, or the system log when the broker is gone. */
static _Noreturn void
ended(int status)
{
	struct msg_keeper_exit e = { .status = (uint32_t)status };

	record_login(DEAD_PROCESS);
	give_back_terminal();
	snprintf(e.tty, sizeof(e.tty), "%s", k.tty_line);
	if (k.broker != NULL && msg_send_keeper_exit(k.broker, 0, -1,
	    &e) == 0 && ipc_chan_flush_wait(k.broker, 5000) == 0) {
		finish();
	}
	syslog(LOG_NOTICE, "audit: session=%u service=%s user=%s tty=%s "
	    "outcome=session-ended status=%d (the broker was gone)",
	    k.open.session, k.open.service, k.user.name, k.tty_line,
	    status);
	finish();
}

_Noreturn void
session_keeper_run(struct ipc_chan *chan, pam_handle_t *ph,
    const struct msg_pam_begin *begin, bool authenticated)
{
	static struct msg_session_start start_msg;
	struct ipc_msg m;

	k.broker = chan;
	k.ph = ph;
	k.begin = *begin;
	/* Its stderr is the broker's relay, gone with the broker. */
	(void)signal(SIGPIPE, SIG_IGN);
	openlog("loginbroker-keeper", LOG_PID, LOG_AUTHPRIV);
	/* Until the open, the broker's end ends the transaction. */
	if (!next_message(&m) || m.fd != -1 ||
	    msg_read_keeper_open(&m, &k.open) == -1)
		finish();
	open_session(authenticated);
	for (;;) {
		if (!next_message(&m))
			finish();
		if (m.hdr.type == MSG_SESSION_FD && m.fd != -1 &&
		    k.nfds < SESSION_FDS_MAX &&
		    msg_read(&m, MSG_SESSION_FD, NULL) == 0) {
			k.fds[k.nfds++] = m.fd;
			continue;
		}
		if (m.fd != -1)
			close(m.fd);
		break;
	}
	if (msg_read_session_start(&m, &start_msg) == -1)
		finish();
	start(&start_msg);
	ended(run());
}
