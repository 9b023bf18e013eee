/* launcher.c: confine once, then fork a confined child per session. */
#include "launcher.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <poll.h>
#include <unistd.h>

#include "clock.h"
#include "ipc_payload.h"
#include "ipc_proto.h"
#include "sandbox.h"

/* A session child needs stdio, its channel and the client: eight is
 * plenty, and it can never fork. */
static const struct sandbox_limits session_limits = { 8, 0, 256u << 20 };

struct spare {
	pid_t pid;
	int sock;	/* our end of the child's channel */
};

/* A ready child that dies means confinement is broken: try again only
 * after this long, not in a fork loop. */
#define SPARE_RETRY_MS	1000

static struct spare spares[LAUNCHER_SPARES_MAX];
static size_t nspares;
static struct ipc_chan *broker;
static uint64_t refill_after;

static _Noreturn void
fatal(const char *why)
{
	size_t i;

	fprintf(stderr, "launcher: %s\n", why);
	for (i = 0; i < nspares; i++)
		kill(spares[i].pid, SIGKILL);
	_exit(1);
}

/* In the fresh child: keep only stdio and the channel, narrow the limits,
 * stack the session filter, then wait to be given a client. */
static _Noreturn void
child_main(int sock, const struct launcher_opts *o, session_main_fn run)
{
	struct ipc_chan *chan;
	struct ipc_msg m;
	sigset_t none;

	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1 ||
	    (sock > 3 && close_range(3, (unsigned)sock - 1, 0) == -1) ||
	    close_range((unsigned)sock + 1, ~0u, 0) == -1)
		_exit(SANDBOX_EXIT);
	sandbox_limit(&session_limits);
	sandbox_filter(SANDBOX_SESSION, o->sandbox_debug);
	if ((chan = ipc_chan_new(sock, true)) == NULL)
		_exit(1);
	if (ipc_chan_wait(chan, &m, -1) != 1 || m.hdr.type != MSG_ASSIGN ||
	    m.fd == -1)
		_exit(1);
	run(chan, m.fd, m.hdr.peerid);
	_exit(1);
}

static int
spawn_spare(const struct launcher_opts *o, session_main_fn run)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		return -1;
	if ((pid = fork()) == -1) {
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		child_main(sv[1], o, run);
	}
	close(sv[1]);
	spares[nspares++] = (struct spare){ pid, sv[0] };
	return 0;
}

/* Hands the client to the oldest ready child, then gives the broker our
 * end of that child's channel: from now on they talk directly. */
static void
assign(const struct launcher_opts *o, session_main_fn run,
    const struct ipc_msg *m)
{
	static struct ipc_writer w;
	struct ipc_chan *child;
	struct spare sp;
	int handoff = -1;

	ipc_writer_init(&w);
	if (nspares == 0 && spawn_spare(o, run) == -1) {
		close(m->fd);
		ipc_put_u32(&w, 0);
		goto reply;
	}
	sp = spares[0];
	memmove(spares, spares + 1, --nspares * sizeof(spares[0]));
	if ((child = ipc_chan_new(sp.sock, true)) == NULL)
		fatal("out of memory");
	/* ASSIGN is written before the broker can write anything. */
	if (ipc_chan_compose(child, MSG_ASSIGN, m->hdr.peerid, m->fd, NULL,
	    0) == -1 || ipc_chan_flush_wait(child, 1000) == -1 ||
	    (handoff = dup(sp.sock)) == -1) {
		kill(sp.pid, SIGKILL);
		sp.pid = 0;
	}
	ipc_chan_free(child);
	ipc_put_u32(&w, (uint32_t)sp.pid);
reply:
	if (ipc_chan_compose(broker, MSG_LAUNCHED, m->hdr.peerid, handoff,
	    w.buf, w.len) == -1)
		fatal("broker channel full");
}

static void
report_exit(pid_t pid, int status)
{
	static struct ipc_writer w;
	bool had_session = true;
	size_t i;

	for (i = 0; i < nspares; i++) {
		if (spares[i].pid == pid) {
			close(spares[i].sock);
			spares[i] = spares[--nspares];
			had_session = false;
			refill_after = clock_now_ms() + SPARE_RETRY_MS;
			break;
		}
	}
	ipc_writer_init(&w);
	ipc_put_u32(&w, (uint32_t)pid);
	ipc_put_u32(&w, (uint32_t)status);
	ipc_put_u8(&w, had_session);
	if (ipc_chan_compose(broker, MSG_WORKER_EXIT, 0, -1, w.buf, w.len) ==
	    -1)
		fatal("broker channel full");
}

static void
reap(int sigfd)
{
	struct signalfd_siginfo si;
	pid_t pid;
	int status;

	while (read(sigfd, &si, sizeof(si)) == sizeof(si))
		;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		report_exit(pid, status);
}

static void
serve_broker(const struct launcher_opts *o, session_main_fn run)
{
	struct ipc_msg m;
	ssize_t n;
	int rc;

	n = ipc_chan_read(broker);
	if (n == 0) {
		/* Retired or the broker is gone: ready children go too;
		 * children serving sessions finish on their own. */
		while (nspares > 0)
			kill(spares[--nspares].pid, SIGKILL);
		_exit(0);
	}
	if (n == -1 && errno != EAGAIN)
		fatal("broker channel read failed");
	while ((rc = ipc_chan_get(broker, &m)) == 1) {
		if (m.hdr.type != MSG_LAUNCH || m.fd == -1 || m.len != 0)
			fatal("unexpected message from the broker");
		assign(o, run, &m);
	}
	if (rc == -1)
		fatal("malformed message from the broker");
}

static _Noreturn void
usage(void)
{
	fprintf(stderr, "usage: loginbroker-worker --user NAME "
	    "--fallback-id ID --spares N --max-children N [--sandbox-debug]\n"
	    "(started by loginbrokerd, not by hand)\n");
	exit(2);
}

static unsigned
number(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	v = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v > max)
		usage();
	return (unsigned)v;
}

void
launcher_parse_args(int argc, char **argv, struct launcher_opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--sandbox-debug") == 0)
			o->sandbox_debug = true;
		else if (i + 1 == argc)
			usage();
		else if (strcmp(argv[i], "--user") == 0)
			o->user = argv[++i];
		else if (strcmp(argv[i], "--fallback-id") == 0)
			o->fallback_id = number(argv[++i], UINT32_MAX);
		else if (strcmp(argv[i], "--spares") == 0)
			o->spares = number(argv[++i], LAUNCHER_SPARES_MAX);
		else if (strcmp(argv[i], "--max-children") == 0)
			o->max_children = number(argv[++i], 65536);
		else
			usage();
	}
	if (o->user == NULL || o->spares == 0 || o->max_children == 0)
		usage();
}

_Noreturn void
launcher_run(const struct launcher_opts *o, session_main_fn run)
{
	struct sandbox_identity id;
	struct sandbox_limits lim;
	struct pollfd pfd[2];
	struct stat st;
	sigset_t chld;
	int sigfd;

	if (fstat(LAUNCHER_FD, &st) == -1 || !S_ISSOCK(st.st_mode))
		fatal("fd 3 is not the broker's channel");
	if (o->spares == 0 || o->spares > LAUNCHER_SPARES_MAX)
		fatal("spares out of range");
	if (sandbox_identity_lookup(o->user, o->fallback_id, &id) == -1)
		fatal("no usable sandbox user or fallback id");
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &chld, NULL) == -1 ||
	    (sigfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		fatal("signalfd");
	if ((broker = ipc_chan_new(LAUNCHER_FD, true)) == NULL)
		fatal("out of memory");

	/* RLIMIT_NPROC counts every process of the sandbox user: room for a
	 * retiring launcher's sessions beside ours, and for workers that are
	 * still on their way out. */
	lim.nofile = 32 + 2 * LAUNCHER_SPARES_MAX;
	lim.nproc = 2 * ((rlim_t)o->max_children + o->spares) + 64;
	lim.as_bytes = 256u << 20;
	sandbox_drop(&id, NULL, &lim);
	sandbox_filter(SANDBOX_LAUNCHER, o->sandbox_debug);

	while (nspares < o->spares)
		if (spawn_spare(o, run) == -1)
			fatal("cannot fork a worker");
	if (ipc_chan_compose(broker, MSG_LAUNCHER_READY, 0, -1, NULL, 0) == -1)
		fatal("broker channel full");

	for (;;) {
		if (ipc_chan_flush(broker) == -1)
			fatal("broker channel write failed");
		/* Refill only once the broker has its answer. */
		while (ipc_chan_queued(broker) == 0 && nspares < o->spares &&
		    clock_now_ms() >= refill_after) {
			if (spawn_spare(o, run) == -1) {
				refill_after = clock_now_ms() + SPARE_RETRY_MS;
				break;
			}
		}
		pfd[0].fd = ipc_chan_fd(broker);
		pfd[0].events = POLLIN |
		    (ipc_chan_queued(broker) > 0 ? POLLOUT : 0);
		pfd[1].fd = sigfd;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, nspares < o->spares &&
		    clock_now_ms() < refill_after ?
		    clock_poll_timeout(refill_after) : -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[1].revents & POLLIN)
			reap(sigfd);
		if (pfd[0].revents & (POLLIN | POLLHUP | POLLERR))
			serve_broker(o, run);
	}
}
