/* launcher_ctl.c: start, feed, watch and replace the worker launcher. */
#include "launcher_ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "event.h"
#include "ipc_chan.h"
#include "ipc_payload.h"
#include "ipc_proto.h"
#include "log.h"
#include "session.h"

/* How long a new launcher may take to confine itself. */
#define LAUNCHER_READY_MS	5000
/* Worker stderr lines relayed into the broker's log. */
#define LOG_LINE_MAX		512

struct launcher {
	LIST_ENTRY(launcher) entry;
	pid_t pid;
	struct ipc_chan *chan;
	struct event ev;
	unsigned launched;
	bool ready;		/* confined; LAUNCH before that just queues */
	bool retiring;		/* no new sessions; gone at its EOF */
};

/* A launcher that failed to start is tried again no sooner than this. */
#define LAUNCHER_RETRY_MS	1000

static LIST_HEAD(, launcher) launchers = LIST_HEAD_INITIALIZER(launchers);
static struct launcher *current;
static uint64_t retry_after;
static const struct config *conf;
static struct event log_ev = { -1, NULL, NULL };
static int log_wfd = -1;
static char log_buf[LOG_LINE_MAX];
static size_t log_len;

static void on_launcher(struct event *ev, uint32_t events);
static void respawn(void);

/* Worker and launcher stderr: bounded lines into our log. */
static void
on_log(struct event *ev, uint32_t events)
{
	ssize_t n;
	char *nl;

	n = read(ev->fd, log_buf + log_len, sizeof(log_buf) - 1 - log_len);
	if (n <= 0)
		return;
	log_len += (size_t)n;
	while ((nl = memchr(log_buf, '\n', log_len)) != NULL ||
	    log_len == sizeof(log_buf) - 1) {
		size_t len = nl != NULL ? (size_t)(nl - log_buf) : log_len;

		log_msg(LOG_WARNING, "[worker] %.*s", (int)len, log_buf);
		len += nl != NULL;
		memmove(log_buf, log_buf + len, log_len - len);
		log_len -= len;
	}
}

static int
open_log_pipe(void)
{
	int p[2];

	if (pipe2(p, O_CLOEXEC) == -1)
		return -1;
	fcntl(p[0], F_SETFL, O_NONBLOCK);
	log_ev = (struct event){ p[0], on_log, NULL };
	log_wfd = p[1];
	return event_add(&log_ev, EPOLLIN);
}

/* In the child: fixed descriptors (0,1 /dev/null, 2 the log pipe, 3 the
 * channel), nothing else, an empty environment, then the worker binary. */
static _Noreturn void
exec_launcher(int chan_fd)
{
	char spares[16], maxc[16], fid[16];
	char *argv[16];
	char *envp[] = { NULL };
	int argc = 0, devnull;
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if ((devnull = open("/dev/null", O_RDWR)) == -1 ||
	    dup2(devnull, 0) == -1 || dup2(devnull, 1) == -1 ||
	    dup2(log_wfd, 2) == -1 || dup2(chan_fd, 3) == -1)
		_exit(127);
	closefrom(4);
	snprintf(spares, sizeof(spares), "%u", conf->spare_workers);
	snprintf(maxc, sizeof(maxc), "%u", conf->max_sessions);
	snprintf(fid, sizeof(fid), "%u", (unsigned)conf->worker_fallback_id);
	argv[argc++] = "loginbroker-worker";
	argv[argc++] = "--user";
	argv[argc++] = (char *)conf->worker_user;
	argv[argc++] = "--fallback-id";
	argv[argc++] = fid;
	argv[argc++] = "--spares";
	argv[argc++] = spares;
	argv[argc++] = "--max-children";
	argv[argc++] = maxc;
	if (conf->sandbox_debug)
		argv[argc++] = "--sandbox-debug";
	argv[argc] = NULL;
	execve(conf->worker_path, argv, envp);
	dprintf(2, "cannot exec %s: %s\n", conf->worker_path, strerror(errno));
	_exit(127);
}

static struct launcher *
spawn(void)
{
	struct launcher *l;
	int sv[2];
	pid_t pid;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return NULL;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		free(l);
		return NULL;
	}
	if ((pid = fork()) == -1) {
		close(sv[0]);
		close(sv[1]);
		free(l);
		return NULL;
	}
	if (pid == 0)
		exec_launcher(sv[1]);
	close(sv[1]);
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	l->pid = pid;
	l->chan = ipc_chan_new(sv[0], true);
	l->ev = (struct event){ sv[0], on_launcher, l };
	if (l->chan == NULL) {
		close(sv[0]);
		kill(pid, SIGKILL);
		free(l);
		return NULL;
	}
	LIST_INSERT_HEAD(&launchers, l, entry);
	return l;
}

static void
drop(struct launcher *l)
{
	event_del(&l->ev);
	ipc_chan_free(l->chan);
	LIST_REMOVE(l, entry);
	if (current == l)
		current = NULL;
	free(l);
}

/* Stops giving l sessions; it ends when it reads our EOF, and sessions it
 * already launched go on. */
static void
retire(struct launcher *l, const char *why)
{
	if (l->retiring)
		return;
	log_msg(LOG_INFO, "replacing worker launcher %d: %s", (int)l->pid,
	    why);
	l->retiring = true;
	shutdown(ipc_chan_fd(l->chan), SHUT_WR);
	if (current == l) {
		current = NULL;
		respawn();
	}
}

static void
on_launched(struct launcher *l, const struct ipc_msg *m)
{
	struct ipc_reader r;
	struct session *s;
	uint32_t pid;

	ipc_reader_init(&r, m->data, m->len);
	pid = ipc_get_u32(&r);
	s = session_find(m->hdr.peerid);
	if (ipc_reader_end(&r) == -1 || s == NULL || s->launcher != l ||
	    s->state != SS_LAUNCHING || (pid == 0) != (m->fd == -1)) {
		if (m->fd != -1)
			close(m->fd);
		if (s != NULL && s->state == SS_LAUNCHING)
			session_end(s, LOG_ERR, "bad answer from the launcher");
		return;
	}
	if (pid == 0) {
		session_end(s, LOG_ERR, "the launcher could not start a worker");
		return;
	}
	session_attach_worker(s, (pid_t)pid, m->fd);
}

static void
on_worker_exit(struct launcher *l, const struct ipc_msg *m)
{
	struct ipc_reader r;
	uint32_t pid, status;

	uint8_t had_session;

	ipc_reader_init(&r, m->data, m->len);
	pid = ipc_get_u32(&r);
	status = ipc_get_u32(&r);
	had_session = ipc_get_u8(&r);
	if (ipc_reader_end(&r) == -1)
		return;
	if (!had_session) {
		/* Nothing a client did: confinement itself is failing. */
		log_msg(LOG_ERR, "ready worker %u died (status 0x%x): check "
		    "the sandbox (sandbox_debug yes shows denied calls)", pid,
		    status);
	} else if (WIFSIGNALED(status)) {
		log_msg(LOG_WARNING, "worker %u killed by signal %d", pid,
		    WTERMSIG(status));
		/* A crash may be someone probing the layout: start over. */
		retire(l, "a worker died from a signal");
	} else if (WEXITSTATUS(status) != 0) {
		log_msg(LOG_WARNING, "worker %u exited with status %d", pid,
		    WEXITSTATUS(status));
	}
}

/* Sessions still waiting on a launcher that is gone. */
static void
fail_launching(struct launcher *l)
{
	struct session *s;

	while ((s = session_find_launching(l)) != NULL)
		session_end(s, LOG_ERR, "worker launcher went away");
}

static void
on_launcher(struct event *ev, uint32_t events)
{
	struct launcher *l = ev->ctx;
	struct ipc_msg m;
	ssize_t n;
	int rc;

	if (events & EPOLLOUT) {
		if (ipc_chan_flush(l->chan) != 0)
			event_mod(&l->ev, EPOLLIN);
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	n = ipc_chan_read(l->chan);
	if (n == 0 || (n == -1 && errno != EAGAIN)) {
		if (!l->ready)
			retry_after = clock_now_ms() + LAUNCHER_RETRY_MS;
		if (!l->retiring)
			log_msg(LOG_ERR, "worker launcher %d went away%s",
			    (int)l->pid, l->ready ? "" : " before it was ready");
		fail_launching(l);
		drop(l);
		return;
	}
	while ((rc = ipc_chan_get(l->chan, &m)) == 1) {
		if (!l->ready) {
			if (m.hdr.type != MSG_LAUNCHER_READY || m.fd != -1) {
				rc = -1;
				break;
			}
			l->ready = true;
		} else if (m.hdr.type == MSG_LAUNCHED)
			on_launched(l, &m);
		else if (m.hdr.type == MSG_WORKER_EXIT && m.fd == -1)
			on_worker_exit(l, &m);
		else {
			if (m.fd != -1)
				close(m.fd);
			rc = -1;
			break;
		}
	}
	if (rc == -1) {
		log_msg(LOG_ERR, "worker launcher %d sent garbage", (int)l->pid);
		kill(l->pid, SIGKILL);
		retire(l, "protocol error");
	}
}

/* Starts a launcher without waiting for it: LAUNCH requests queue in its
 * socket until it is confined and reads them. */
static void
respawn(void)
{
	struct launcher *l;

	if (clock_now_ms() < retry_after)
		return;
	if ((l = spawn()) == NULL || event_add(&l->ev, EPOLLIN) == -1) {
		log_msg(LOG_ERR, "cannot start a worker launcher: %s",
		    strerror(errno));
		retry_after = clock_now_ms() + LAUNCHER_RETRY_MS;
		if (l != NULL) {
			kill(l->pid, SIGKILL);
			drop(l);
		}
		return;
	}
	current = l;
}

int
launcher_ctl_start(const struct config *c)
{
	struct ipc_msg m;

	conf = c;
	if (open_log_pipe() == -1)
		return -1;
	respawn();
	if (current == NULL)
		return -1;
	/* At startup, and only then, wait: a sandbox that cannot be set up
	 * must stop the broker before it accepts anyone. */
	if (ipc_chan_wait(current->chan, &m, LAUNCHER_READY_MS) != 1 ||
	    m.hdr.type != MSG_LAUNCHER_READY || m.fd != -1) {
		on_log(&log_ev, EPOLLIN);
		log_msg(LOG_ERR, "the worker launcher did not start");
		return -1;
	}
	current->ready = true;
	return 0;
}

int
launcher_ctl_launch(struct session *s, int client_fd)
{
	int fd;

	if (current == NULL)
		respawn();
	if (current == NULL || (fd = dup(client_fd)) == -1)
		return -1;
	/* The channel owns (and on failure closes) the copy. */
	if (ipc_chan_compose(current->chan, MSG_LAUNCH, s->id, fd, NULL,
	    0) == -1)
		return -1;
	close(client_fd);
	if (ipc_chan_flush(current->chan) == 0)
		event_mod(&current->ev, EPOLLIN | EPOLLOUT);
	s->launcher = current;
	if (++current->launched >= conf->launcher_recycle)
		retire(current, "session count reached launcher_recycle");
	return 0;
}

int
launcher_ctl_reaped(pid_t pid, int status)
{
	struct launcher *l;

	LIST_FOREACH(l, &launchers, entry) {
		if (l->pid == pid) {
			if (!l->retiring)
				log_msg(LOG_ERR, "worker launcher %d exited "
				    "(status 0x%x)", (int)pid, status);
			return 1;
		}
	}
	return 0;
}

void
launcher_ctl_stop(void)
{
	struct launcher *l;

	while ((l = LIST_FIRST(&launchers)) != NULL)
		drop(l);
}
