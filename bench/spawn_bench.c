/* SPDX-License-Identifier: ISC */
/*
 * spawn_bench: what it costs to have a confined worker that has talked to
 * the broker (doc/performance.md keeps the figures):
 *   floor     the least any fresh confined process per session costs:
 *             fork from a small process, the sandbox identity with no
 *             capability, rlimits, a seccomp program compiled beforehand,
 *             three IPC round trips
 *   full      fork, then both sandbox stages in the child (a namespace,
 *             an empty tmpfs root, the filter compiled there), three
 *             round trips
 *   exec      fork, execve of a fresh image that confines itself, three
 *             round trips: exec-per-session
 *   launcher  the real launcher (worker/launcher.c): a confined child it
 *             handed over beforehand gets ASSIGN, then three round trips
 * usage: spawn_bench [ITERATIONS]   (as root)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ipc_chan.h"
#include "ipc_proto.h"
#include "launcher.h"
#include "sandbox.h"
#include "sandbox_ids.h"
#include "stats.h"

#define ROUND_TRIPS	3
#define PING		1000	/* any type: the echo answers in kind */
#define IO_TIMEOUT_MS	5000

static const struct sandbox_limits session_limits = { 8, 0, 256u << 20 };
/* The floor loads a program compiled once, as the launcher's children do;
 * an exec'd image has to compile its own. */
static struct sandbox_program compiled;
/* Looked up once, as the launcher (or an exec'd worker) does. */
static struct sandbox_identity sandbox_id;

static void
lookup_identity(void)
{
	if (sandbox_identity_lookup("loginbroker", 64999, &sandbox_id) == -1) {
		fprintf(stderr, "no sandbox user nor free id 64999\n");
		exit(1);
	}
}

enum start { START_UNCONFINED, START_FLOOR, START_FULL, START_EXEC };

static void
die(const char *what)
{
	perror(what);
	exit(1);
}

/* The worker side: answer three pings. */
static void
echo(struct ipc_chan *c)
{
	struct ipc_msg m;
	int i;

	for (i = 0; i < ROUND_TRIPS; i++) {
		if (ipc_chan_wait(c, &m, IO_TIMEOUT_MS) != 1 ||
		    ipc_chan_compose(c, m.hdr.type, 0, -1, m.data, m.len) ==
		    -1 || ipc_chan_flush_wait(c, IO_TIMEOUT_MS) == -1)
			_exit(2);
	}
}

/* The broker side: three pings, three answers. */
static void
ping(struct ipc_chan *c)
{
	struct ipc_msg m;
	int i;

	for (i = 0; i < ROUND_TRIPS; i++) {
		if (ipc_chan_compose(c, PING, 0, -1, "ping", 4) == -1 ||
		    ipc_chan_flush_wait(c, IO_TIMEOUT_MS) == -1 ||
		    ipc_chan_wait(c, &m, IO_TIMEOUT_MS) != 1 ||
		    m.hdr.type != PING)
			die("ping");
	}
}

static _Noreturn void
confine_and_echo(int fd, enum start how)
{
	struct ipc_chan *c;

	if (how == START_FLOOR) {
		sandbox_switch_identity(&sandbox_id);
		sandbox_clear_capabilities();
		sandbox_limit(&session_limits);
		sandbox_load(&compiled);
	} else if (how != START_UNCONFINED) {
		sandbox_drop(&sandbox_id, NULL, &session_limits);
		if (how == START_EXEC)
			sandbox_filter(SANDBOX_SESSION, false);
		else
			sandbox_load(&compiled);
	}
	if ((c = ipc_chan_new(fd, false)) == NULL)
		_exit(4);
	echo(c);
	_exit(0);
}

static void
echo_session(struct ipc_chan *broker, int client_fd,
    const struct ipc_msg *assign)
{
	close(client_fd);
	echo(broker);
	_exit(0);
}

/* One session started by fork (and exec): nanoseconds. */
static uint64_t
spawn_once(enum start how)
{
	struct ipc_chan *c;
	uint64_t t0, t1;
	int sv[2], status;
	pid_t pid;

	t0 = now_ns();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		die("socketpair");
	if ((pid = fork()) == -1)
		die("fork");
	if (pid == 0) {
		close(sv[0]);
		if (how != START_EXEC)
			confine_and_echo(sv[1], how);
		if (dup2(sv[1], 3) == -1)
			_exit(5);
		closefrom(4);
		execl("/proc/self/exe", "spawn_bench", "--exec-child",
		    (char *)NULL);
		_exit(6);
	}
	close(sv[1]);
	if ((c = ipc_chan_new(sv[0], false)) == NULL)
		die("ipc_chan_new");
	ping(c);
	t1 = now_ns();
	ipc_chan_free(c);
	waitpid(pid, &status, 0);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "worker ended with status 0x%x\n", status);
		exit(1);
	}
	return t1 - t0;
}

/* Ready children the launcher handed over, as the broker keeps them. */
static int ready[64];
static size_t nready;

/* Takes the launcher's messages: SPARE children join the ready list. */
static void
collect(struct ipc_chan *launcher, int timeout_ms)
{
	struct ipc_msg m;
	int rc;

	while ((rc = ipc_chan_wait(launcher, &m, timeout_ms)) == 1) {
		if (m.hdr.type == MSG_SPARE && m.fd != -1 &&
		    nready < sizeof(ready) / sizeof(ready[0]))
			ready[nready++] = m.fd;
		else if (m.fd != -1)
			close(m.fd);
		timeout_ms = 0;
	}
}

static struct ipc_chan *
start_launcher(pid_t *pid)
{
	struct ipc_chan *c;
	struct ipc_msg m;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		die("socketpair");
	if ((*pid = fork()) == -1)
		die("fork");
	if (*pid == 0) {
		if (dup2(sv[1], LAUNCHER_FD) == -1)
			_exit(5);
		closefrom(LAUNCHER_FD + 1);
		execl("/proc/self/exe", "spawn_bench", "--launcher", "--user",
		    "loginbroker", "--fallback-id", "64999", "--spares", "2",
		    "--max-children", "64", (char *)NULL);
		_exit(6);
	}
	close(sv[1]);
	if ((c = ipc_chan_new(sv[0], true)) == NULL ||
	    ipc_chan_wait(c, &m, IO_TIMEOUT_MS) != 1 ||
	    m.hdr.type != MSG_SPAWNER_READY)
		die("launcher did not start");
	return c;
}

/* One session on a ready child, as the broker runs it: nanoseconds. */
static uint64_t
launch_once(struct ipc_chan *launcher, uint32_t id)
{
	struct ipc_chan *session;
	uint64_t t0, t1;
	int client[2];

	collect(launcher, 0);
	t0 = now_ns();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, client) == -1)
		die("socketpair");
	while (nready == 0)
		collect(launcher, IO_TIMEOUT_MS);
	if ((session = ipc_chan_new(ready[0], true)) == NULL)
		die("ipc_chan_new");
	memmove(ready, ready + 1, --nready * sizeof(ready[0]));
	if (ipc_chan_compose(launcher, MSG_SPAWN, 0, -1, NULL, 0) == -1 ||
	    ipc_chan_flush_wait(launcher, IO_TIMEOUT_MS) == -1 ||
	    ipc_chan_compose(session, MSG_ASSIGN, id, client[1], NULL, 0) ==
	    -1)
		die("assign");
	ping(session);
	t1 = now_ns();
	ipc_chan_free(session);
	close(client[0]);
	return t1 - t0;
}

static void
report(const char *what, struct samples *s)
{
	printf("  %-44s %9.1f %9.1f\n", what, samples_quantile_us(s, 0.5),
	    samples_quantile_us(s, 0.99));
	samples_free(s);
}

int
main(int argc, char **argv)
{
	struct samples bare = { 0 }, floor = { 0 }, full = { 0 }, exec = { 0 };
	struct samples launch = { 0 };
	struct launcher_opts o;
	struct ipc_chan *launcher;
	long i, n = 1000;
	pid_t lpid;

	if (argc > 1 && strcmp(argv[1], "--exec-child") == 0) {
		lookup_identity();
		confine_and_echo(3, START_EXEC);
	}
	if (argc > 1 && strcmp(argv[1], "--launcher") == 0) {
		launcher_parse_args(argc - 1, argv + 1, &o);
		launcher_run(&o, echo_session);
	}
	if (argc > 1 && (n = atol(argv[1])) <= 0) {
		fprintf(stderr, "usage: spawn_bench [iterations]\n");
		return 2;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "spawn_bench: needs root to confine\n");
		return 2;
	}
	lookup_identity();
	sandbox_compile(SANDBOX_SESSION, false, &compiled);
	launcher = start_launcher(&lpid);
	/* Interleaved, so that machine noise hits all alike. */
	for (i = 0; i < n; i++) {
		samples_add(&bare, spawn_once(START_UNCONFINED));
		samples_add(&floor, spawn_once(START_FLOOR));
		samples_add(&full, spawn_once(START_FULL));
		samples_add(&exec, spawn_once(START_EXEC));
		samples_add(&launch, launch_once(launcher, (uint32_t)i + 1));
	}
	ipc_chan_free(launcher);
	waitpid(lpid, NULL, 0);

	printf("worker start, %ld sessions each (microseconds)      p50       p99\n", n);
	report("fork + 3 round trips, unconfined", &bare);
	report("floor: fork + drop ids + load filter + 3 RTs", &floor);
	report("fork + both sandbox stages + 3 round trips", &full);
	report("exec per session + confine + 3 round trips", &exec);
	report("launcher's ready child: ASSIGN + 3 round trips", &launch);
	return 0;
}
