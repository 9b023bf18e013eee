/* SPDX-License-Identifier: ISC */
/*
 * test_sandbox.c: a confined child tries what a compromised worker would,
 * and each attempt must end exactly as designed.  Needs root (CI runs as
 * root); skipped otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <sched.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "ipc_chan.h"
#include "sandbox.h"
#include "testlib.h"

#define FALLBACK_ID	64999

static struct sandbox_identity ident;
static const struct sandbox_limits session_limits = { 16, 0, 256u << 20 };
static const struct sandbox_limits launcher_limits = { 16, 64, 256u << 20 };

static int
setup(void **state)
{
	if (geteuid() != 0)
		return 0;
	return sandbox_identity_lookup("loginbroker", FALLBACK_ID, &ident);
}

/* Runs attempt() in a child confined with profile (a session worker's
 * limits, a launcher's for SANDBOX_LAUNCHER) and returns its wait status;
 * attempt's return value becomes the exit status.  With compiled, the
 * filter is compiled before the drop and loaded after it, as the
 * launcher does for its children. */
static int
run_confined_as(enum sandbox_profile profile, bool compiled,
    int (*attempt)(void *), void *arg)
{
	struct sandbox_program prog;
	pid_t pid;
	int status;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (compiled)
			sandbox_compile(profile, false, &prog);
		sandbox_drop(&ident, NULL, profile == SANDBOX_LAUNCHER ?
		    &launcher_limits : &session_limits);
		if (compiled)
			sandbox_load(&prog);
		else
			sandbox_filter(profile, false);
		_exit(attempt(arg));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

static int
run_confined(int (*attempt)(void *), void *arg)
{
	return run_confined_as(SANDBOX_SESSION, false, attempt, arg);
}

static void
assert_killed_by(int status, int sig)
{
	if (!WIFSIGNALED(status))
		fail_msg("child exited %d instead of dying from signal %d",
		    WEXITSTATUS(status), sig);
	assert_int_equal(WTERMSIG(status), sig);
}

static void
assert_exited(int status, int code)
{
	if (!WIFEXITED(status))
		fail_msg("child died from signal %d", WTERMSIG(status));
	assert_int_equal(WEXITSTATUS(status), code);
}

static int
try_open(void *arg)
{
	return open("/etc/passwd", O_RDONLY) == -1 ? errno : 0;
}

static int
try_socket(void *arg)
{
	return socket(AF_UNIX, SOCK_STREAM, 0) == -1 ? errno : 0;
}

static int
try_connect(void *arg)
{
	int fd = *(int *)arg;
	struct sockaddr sa = { .sa_family = AF_UNIX };

	return connect(fd, &sa, sizeof(sa)) == -1 ? errno : 0;
}

static int
try_execve(void *arg)
{
	char *argv[] = { "/bin/true", NULL };

	execve(argv[0], argv, NULL);
	return errno;
}

static int
try_fork(void *arg)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(0);
	return pid == -1 ? errno : 0;
}

static int
try_ptrace(void *arg)
{
	return ptrace(PTRACE_ATTACH, getppid(), NULL, NULL) == -1 ? errno : 0;
}

static int
try_kill_parent(void *arg)
{
	pid_t parent = *(pid_t *)arg;

	return kill(parent, 0) == -1 ? errno : 0;
}

static int
try_setuid_root(void *arg)
{
	return setuid(0) == -1 ? errno : 0;
}

static int
try_write_file(void *arg)
{
	int fd = *(int *)arg;

	return write(fd, "x", 1) == -1 ? errno : 0;
}

static int
try_inet_socket(void *arg)
{
	return socket(AF_INET, SOCK_STREAM, 0) == -1 ? errno : 0;
}

static int
try_getpid(void *arg)
{
	return getpid() > 0 ? 0 : 1;
}

/* getpid through the x32 ABI: the x86-64 numbering with bit 30 set. */
static int
try_x32_call(void *arg)
{
#if defined(__x86_64__)
	return syscall(0x40000000 | SYS_getpid) == -1 ? errno : 0;
#else
	return 0;
#endif
}

/* getpid through the i386 ABI (int 0x80, call 20): 0 when it answered,
 * 1 when the kernel has no 32-bit entry. */
static int
try_i386_call(void *arg)
{
#if defined(__x86_64__)
	long ret;

	__asm__ volatile ("int $0x80" : "=a" (ret) : "a" (20L) : "memory");
	return ret == getpid() ? 0 : 1;
#else
	return 1;
#endif
}

/* The dumpable flag and the limits after stage 1 (stage 2 would forbid
 * prctl and prlimit64 in a session). */
static int
report_drop(void *arg)
{
	struct rlimit nofile, nproc, fsize, core;

	if (prctl(PR_GET_DUMPABLE) != 0)
		return 10;
	if (getrlimit(RLIMIT_NOFILE, &nofile) == -1 ||
	    getrlimit(RLIMIT_NPROC, &nproc) == -1 ||
	    getrlimit(RLIMIT_FSIZE, &fsize) == -1 ||
	    getrlimit(RLIMIT_CORE, &core) == -1)
		return 11;
	if (nofile.rlim_cur != session_limits.nofile ||
	    nofile.rlim_max != session_limits.nofile)
		return 12;
	if (nproc.rlim_cur != 0 || nproc.rlim_max != 0)
		return 13;
	if (fsize.rlim_cur != 0 || core.rlim_cur != 0)
		return 14;
	return 0;
}

static void
test_drop_leaves_the_process_undumpable_with_its_limits(void **state)
{
	pid_t pid;
	int status;

	NEED_ROOT();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sandbox_drop(&ident, NULL, &session_limits);
		_exit(report_drop(NULL));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_exited(status, 0);
}

static void
test_compiled_session_filter_loads_and_kills_fork(void **state)
{
	NEED_ROOT();
	assert_exited(run_confined_as(SANDBOX_SESSION, true, try_getpid,
	    NULL), 0);
	assert_killed_by(run_confined_as(SANDBOX_SESSION, true, try_fork,
	    NULL), SIGSYS);
}

static void
test_launcher_profile_kills_inet_sockets_and_execve(void **state)
{
	NEED_ROOT();
	assert_exited(run_confined_as(SANDBOX_LAUNCHER, false, try_fork,
	    NULL), 0);
	assert_killed_by(run_confined_as(SANDBOX_LAUNCHER, false,
	    try_inet_socket, NULL), SIGSYS);
	assert_killed_by(run_confined_as(SANDBOX_LAUNCHER, true, try_execve,
	    NULL), SIGSYS);
}

/* Runs attempt in a child confined as the GSSAPI zygote (or, with
 * network, the Duo one), with a fresh temporary directory as its
 * writable one (passed to attempt); its wait status. */
static int
run_as_privileged_helper(int (*attempt)(void *), bool network)
{
	char dir[] = "/tmp/lbhelper.XXXXXX", probe[64];
	const char *writable[] = { dir };
	pid_t pid;
	int status;

	assert_non_null(mkdtemp(dir));
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sandbox_privileged_helper(writable, 1, network);
		_exit(attempt(dir));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	snprintf(probe, sizeof(probe), "%s/probe", dir);
	unlink(probe);
	rmdir(dir);
	return status;
}

static void
test_foreign_architecture_calls_kill(void **state)
{
	pid_t pid;
	int status;

	NEED_ROOT();
#if !defined(__x86_64__)
	skip();
#endif
	assert_killed_by(run_confined(try_x32_call, NULL), SIGSYS);
	assert_killed_by(run_confined_as(SANDBOX_LAUNCHER, false,
	    try_x32_call, NULL), SIGSYS);
	/* The privileged helper's denylist lets no foreign ABI past it. */
	assert_killed_by(run_as_privileged_helper(try_x32_call, false), SIGSYS);
	/* The i386 entry, where this kernel has one: unconfined, the call
	 * answers; confined, it kills. */
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		/* A kernel without IA-32 emulation answers int 0x80 with
		 * SIGSEGV: a plain death here, not cmocka's handler. */
		signal(SIGSEGV, SIG_DFL);
		_exit(try_i386_call(NULL));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		print_message("no i386 system calls on this kernel: x32 only\n");
		return;
	}
	assert_killed_by(run_confined(try_i386_call, NULL), SIGSYS);
}

static void
test_open_fails_with_eacces(void **state)
{
	NEED_ROOT();
	assert_exited(run_confined(try_open, NULL), EACCES);
}

static void
test_socket_kills_with_sigsys(void **state)
{
	NEED_ROOT();
	assert_killed_by(run_confined(try_socket, NULL), SIGSYS);
}

static void
test_connect_kills_with_sigsys(void **state)
{
	int fd;

	NEED_ROOT();
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_killed_by(run_confined(try_connect, &fd), SIGSYS);
	close(fd);
}

static void
test_execve_kills_with_sigsys(void **state)
{
	NEED_ROOT();
	assert_killed_by(run_confined(try_execve, NULL), SIGSYS);
}

static void
test_fork_kills_with_sigsys(void **state)
{
	NEED_ROOT();
	assert_killed_by(run_confined(try_fork, NULL), SIGSYS);
}

static void
test_ptrace_kills_with_sigsys(void **state)
{
	NEED_ROOT();
	assert_killed_by(run_confined(try_ptrace, NULL), SIGSYS);
}

static void
test_kill_parent_kills_with_sigsys(void **state)
{
	pid_t self = getpid();

	NEED_ROOT();
	assert_killed_by(run_confined(try_kill_parent, &self), SIGSYS);
}

static void
test_setuid_root_kills_with_sigsys(void **state)
{
	NEED_ROOT();
	assert_killed_by(run_confined(try_setuid_root, NULL), SIGSYS);
}

static void
test_writing_a_file_dies_from_sigxfsz(void **state)
{
	char path[] = "/tmp/lb-sandbox-XXXXXX";
	int fd;

	NEED_ROOT();
	fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	/* Even a descriptor opened before confinement cannot grow a file. */
	assert_killed_by(run_confined(try_write_file, &fd), SIGXFSZ);
	close(fd);
}

/* The confined child receives a pipe over IPC, writes through it, and
 * answers: IPC with descriptor passing keeps working in the sandbox. */
static int
exchange_ipc(void *arg)
{
	struct ipc_chan *c = ipc_chan_new(*(int *)arg, true);
	struct ipc_msg m;

	if (c == NULL || ipc_chan_wait(c, &m, 5000) != 1 || m.fd == -1)
		return 10;
	if (write(m.fd, "from-child", 10) != 10)
		return 11;
	close(m.fd);
	if (ipc_chan_compose(c, 2, 0, -1, "done", 4) == -1 ||
	    ipc_chan_flush_wait(c, 5000) == -1)
		return 12;
	if (ipc_chan_wait(c, &m, 5000) != 0)	/* then the parent hangs up */
		return 13;
	ipc_chan_free(c);
	return 0;
}

static void
test_confined_child_exchanges_ipc_with_a_descriptor(void **state)
{
	struct ipc_chan *parent;
	struct ipc_msg m;
	int sv[2], pfd[2], status;
	char buf[16];
	pid_t pid;

	NEED_ROOT();
	test_socketpair(sv);
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		sandbox_drop(&ident, NULL, &session_limits);
		sandbox_filter(SANDBOX_SESSION, false);
		_exit(exchange_ipc(&sv[1]));
	}
	close(sv[1]);
	parent = ipc_chan_new(sv[0], true);
	assert_int_equal(ipc_chan_compose(parent, 1, 0, pfd[1], "fd", 2), 0);
	assert_int_equal(ipc_chan_flush_wait(parent, 5000), 0);
	assert_int_equal(ipc_chan_wait(parent, &m, 5000), 1);
	assert_int_equal(m.hdr.type, 2);
	assert_memory_equal(m.data, "done", 4);
	assert_int_equal(read(pfd[0], buf, sizeof(buf)), 10);
	assert_memory_equal(buf, "from-child", 10);
	ipc_chan_free(parent);
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_exited(status, 0);
}

static void
test_proc_status_shows_the_confinement(void **state)
{
	int sv[2], status;
	char v[8];
	pid_t pid;

	NEED_ROOT();
	test_socketpair(sv);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char b;

		close(sv[0]);
		sandbox_drop(&ident, NULL, &session_limits);
		sandbox_filter(SANDBOX_SESSION, false);
		/* Tell the parent we are confined, then wait for its close. */
		if (write(sv[1], "r", 1) != 1)
			_exit(1);
		fcntl(sv[1], F_SETFL, 0);
		_exit(read(sv[1], &b, 1) == 0 ? 0 : 2);
	}
	close(sv[1]);
	fcntl(sv[0], F_SETFL, 0);
	assert_int_equal(read(sv[0], v, 1), 1);

	/* One filter: sandbox_filter's. */
	test_assert_confined(pid, 1, ident.uid, ident.gid);
	close(sv[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_exited(status, 0);
}

/* A launcher may fork; its child stacks the session filter and then may
 * not: filters only ever narrow. */
static void
test_launcher_forks_and_its_child_cannot(void **state)
{
	pid_t pid, child;
	int status;

	NEED_ROOT();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		sandbox_drop(&ident, NULL, &launcher_limits);
		sandbox_filter(SANDBOX_LAUNCHER, false);
		if ((child = fork()) == -1)
			_exit(20);
		if (child == 0) {
			sandbox_filter(SANDBOX_SESSION, false);
			(void)fork();
			_exit(21);	/* never reached: fork is fatal */
		}
		if (waitpid(child, &status, 0) != child)
			_exit(22);
		_exit(WIFSIGNALED(status) && WTERMSIG(status) == SIGSYS ?
		    0 : 23);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_exited(status, 0);
}

static void
test_debug_trap_reports_and_denies_instead_of_killing(void **state)
{
	int err[2], status;
	char got[128] = { 0 }, want[64];
	pid_t pid;

	NEED_ROOT();
	assert_int_equal(pipe(err), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(err[1], STDERR_FILENO);
		sandbox_drop(&ident, NULL, &session_limits);
		sandbox_filter(SANDBOX_SESSION, true);
		_exit(try_socket(NULL));
	}
	close(err[1]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_exited(status, ENOSYS);
	assert_true(read(err[0], got, sizeof(got) - 1) > 0);
	snprintf(want, sizeof(want), "sandbox: denied system call %d\n",
	    (int)SYS_socket);
	assert_string_equal(got, want);
	close(err[0]);
}

static void
test_identity_falls_back_to_an_unowned_id(void **state)
{
	struct sandbox_identity id;

	assert_int_equal(sandbox_identity_lookup("no-such-user-lb", FALLBACK_ID,
	    &id), 0);
	assert_int_equal(id.uid, FALLBACK_ID);
	assert_int_equal(id.gid, FALLBACK_ID);
	/* An id that belongs to someone (nobody, or root) is never used. */
	assert_int_equal(sandbox_identity_lookup("no-such-user-lb", 0, &id),
	    -1);
	assert_int_equal(sandbox_identity_lookup("root", FALLBACK_ID, &id), -1);
}

/* Whether /dev holds null, zero, random and urandom, and nothing else. */
static bool
only_harmless_devices(void)
{
	struct dirent *d;
	unsigned n = 0;
	DIR *dev;

	if ((dev = opendir("/dev")) == NULL)
		return false;
	while ((d = readdir(dev)) != NULL) {
		if (d->d_name[0] == '.')
			continue;
		if (strcmp(d->d_name, "null") != 0 &&
		    strcmp(d->d_name, "zero") != 0 &&
		    strcmp(d->d_name, "random") != 0 &&
		    strcmp(d->d_name, "urandom") != 0)
			n += 100;
		n++;
	}
	closedir(dev);
	return n == 4;
}

/* In a child confined as the GSSAPI zygote (arg: its writable
 * directory): the first check that failed (0: none). */
static int
helper_checks(void *arg)
{
	char path[256];
	struct dirent *d;
	DIR *run;
	int fd;

	/* Root, but the filesystem is read-only ... */
	if (open("/etc/lbtest-probe", O_WRONLY | O_CREAT, 0600) != -1 ||
	    errno != EROFS)
		return 1;
	/* ... but for the writable directory ... */
	snprintf(path, sizeof(path), "%s/probe", (const char *)arg);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1)
		return 2;
	close(fd);
	/* ... and /run holds nothing. */
	if ((run = opendir("/run")) == NULL)
		return 3;
	while ((d = readdir(run)) != NULL)
		if (d->d_name[0] != '.')
			return 4;
	closedir(run);
	if (socket(AF_INET, SOCK_STREAM, 0) == -1)
		return 5;	/* sockets work, in an empty network */
	if (kill(getppid(), 0) != -1 || errno != EPERM)
		return 6;
	if (syscall(SYS_tgkill, getppid(), getppid(), 0) != -1 ||
	    errno != EPERM)
		return 7;
	if (unshare(CLONE_NEWNS) != -1 || errno != EPERM)
		return 8;
	if (mount("none", "/tmp", "tmpfs", 0, NULL) != -1 || errno != EPERM)
		return 9;
	if (ptrace(PTRACE_ATTACH, getppid(), NULL, NULL) != -1 ||
	    errno != EPERM)
		return 10;
	/* A file handle would reach around the read-only view. */
	if (syscall(SYS_open_by_handle_at, AT_FDCWD, NULL, O_RDWR) != -1 ||
	    errno != EPERM)
		return 11;
	/* No set-id program, made or changed. */
	if (chmod(path, 04755) != -1 || errno != EPERM)
		return 12;
	snprintf(path, sizeof(path), "%s/setgid", (const char *)arg);
	if (open(path, O_WRONLY | O_CREAT, 02755) != -1 || errno != EPERM)
		return 13;
	/* No signal by the kernel's hand, no namespace by clone. */
	if ((fd = open("/dev/null", O_WRONLY)) == -1 || write(fd, "x", 1) != 1)
		return 14;
	if (fcntl(fd, F_SETOWN, getppid()) != -1 || errno != EPERM)
		return 15;
	close(fd);
	if (syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL,
	    NULL) != -1 || errno != EPERM)
		return 16;
	return only_harmless_devices() ? 0 : 17;
}

/* A listener of the test's on 127.0.0.1. */
static struct sockaddr_in loopback;

/* Connects to it: 0, or errno. */
static int
try_loopback(void *arg)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd == -1)
		return errno;
	return connect(fd, (struct sockaddr *)&loopback, sizeof(loopback)) ==
	    -1 ? errno : 0;
}

/* Only the Duo helper, which must reach Duo, is in the host's network. */
static void
test_privileged_helper_has_the_network_only_when_asked(void **state)
{
	socklen_t len = sizeof(loopback);
	int fd, status;

	NEED_ROOT();
	loopback = (struct sockaddr_in){ .sin_family = AF_INET,
	    .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	assert_true((fd = socket(AF_INET, SOCK_STREAM, 0)) != -1);
	assert_int_equal(bind(fd, (struct sockaddr *)&loopback,
	    sizeof(loopback)), 0);
	assert_int_equal(listen(fd, 4), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&loopback, &len),
	    0);
	assert_exited(run_as_privileged_helper(try_loopback, true), 0);
	status = run_as_privileged_helper(try_loopback, false);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == ENETUNREACH);
	close(fd);
}

/* Becomes an unprivileged id, then tries a root-only file: 0 when it is
 * refused as to anyone. */
static int
try_become(void *arg)
{
	const struct sandbox_identity id = { 64998, 64998 };

	sandbox_helper_become(&id);
	return open("/etc/shadow", O_RDONLY) == -1 && errno == EACCES ? 0 : 1;
}

/* The Duo helper drops root before it talks to anyone; the others,
 * which have no network, cannot change ids at all. */
static void
test_only_a_helper_with_the_network_becomes_a_user(void **state)
{
	NEED_ROOT();
	assert_exited(run_as_privileged_helper(try_become, true), 0);
	assert_exited(run_as_privileged_helper(try_become, false),
	    SANDBOX_EXIT);
}

/* doc/sandbox.md, "The GSSAPI helper", in a child of the test. */
static void
test_privileged_helper_sees_a_read_only_world_and_signals_no_one(
    void **state)
{
	NEED_ROOT();
	assert_exited(run_as_privileged_helper(helper_checks, false), 0);
	/* The host's mounts are untouched: /run is as it was. */
	assert_int_equal(access("/run", F_OK), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_fails_with_eacces),
		cmocka_unit_test(test_socket_kills_with_sigsys),
		cmocka_unit_test(test_connect_kills_with_sigsys),
		cmocka_unit_test(test_execve_kills_with_sigsys),
		cmocka_unit_test(test_fork_kills_with_sigsys),
		cmocka_unit_test(test_ptrace_kills_with_sigsys),
		cmocka_unit_test(test_kill_parent_kills_with_sigsys),
		cmocka_unit_test(test_setuid_root_kills_with_sigsys),
		cmocka_unit_test(test_writing_a_file_dies_from_sigxfsz),
		cmocka_unit_test(
		    test_confined_child_exchanges_ipc_with_a_descriptor),
		cmocka_unit_test(test_proc_status_shows_the_confinement),
		cmocka_unit_test(test_launcher_forks_and_its_child_cannot),
		cmocka_unit_test(
		    test_debug_trap_reports_and_denies_instead_of_killing),
		cmocka_unit_test(test_identity_falls_back_to_an_unowned_id),
		cmocka_unit_test(
		    test_drop_leaves_the_process_undumpable_with_its_limits),
		cmocka_unit_test(
		    test_compiled_session_filter_loads_and_kills_fork),
		cmocka_unit_test(
		    test_launcher_profile_kills_inet_sockets_and_execve),
		cmocka_unit_test(test_foreign_architecture_calls_kill),
		cmocka_unit_test(
	    test_privileged_helper_sees_a_read_only_world_and_signals_no_one),
		cmocka_unit_test(
		    test_privileged_helper_has_the_network_only_when_asked),
		cmocka_unit_test(
		    test_only_a_helper_with_the_network_becomes_a_user),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
