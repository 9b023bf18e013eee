/* SPDX-License-Identifier: ISC */
/* spawn_ctl.c: ready children from a spawner, and the spawner's life. */
#include "spawn_ctl.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "event.h"
#include "ipc_chan.h"
#include "msg.h"
#include "ipc_proto.h"
#include "log.h"

/* After a spawner or a ready child fails, the first failure is retried at
 * once (a process killed from outside says nothing about the next); each
 * one more in a row waits twice as long as the one before: a broken
 * sandbox or PAM stack, or a descriptor shortage, must not become a fork
 * loop. */
#define RETRY_FIRST_MS		1000
#define RETRY_MAX_MS		60000
/* So many failures in a row make the spawner broken: those waiting for a
 * child are told at once instead of waiting through the retries. */
#define BROKEN_AFTER		3
/* Children asked for and not yet arrived, at most: a burst of sessions
 * is served as they arrive, and the requests stay far below what the
 * channel's queue holds. */
#define SPAWN_PENDING_MAX	32
/* A child taken while others stand ready is replaced after this quiet
 * period, not at once: the fork would compete for the CPUs with the login
 * that just took the child. */
#define REFILL_DELAY_MS		3

/* One spawner process. */
struct spawner {
	LIST_ENTRY(spawner) entry;
	struct spawn_ctl *sc;
	pid_t pid;
	int pidfd;		/* names it even once reaped (main.c) */
	struct ipc_chan *chan;
	struct event ev;
	unsigned handed;	/* children given out */
	unsigned pending;	/* children asked for, not yet arrived */
	bool ready;
	bool retiring;		/* gets no requests; gone at its EOF */
};

struct idle_child {
	struct spawn_child child;
	struct spawner *from;
};

struct spawn_ctl {
	struct spawn_params p;
	LIST_HEAD(, spawner) spawners;
	struct spawner *current;
	struct idle_child idle[SPAWN_IDLE_MAX];
	size_t nidle;
	TAILQ_HEAD(, spawn_wait) waiters;
	uint64_t retry_after;
	unsigned failures;	/* in a row; a good child ends the run */
	struct event retry_ev;	/* timerfd: retry_after, or a deferred refill */
	enum spawn_state state;	/* of the first spawner */
};

/* The first spawner is ready, or went away before: tell the owner. */
static void
settle(struct spawn_ctl *sc, enum spawn_state state)
{
	if (sc->state != SPAWN_STARTING)
		return;
	sc->state = state;
	if (sc->p.settled != NULL)
		sc->p.settled(sc->p.ctx);
}

static void on_spawner(struct event *ev, uint32_t events);
static void refill(struct spawn_ctl *sc);

static void
close_child(struct spawn_child *c)
{
	close(c->fd);
	close(c->pidfd);
}

static void
arm_timer(struct spawn_ctl *sc, unsigned ms)
{
	struct itimerspec its = { { 0, 0 }, { ms / 1000,
	    (long)(ms % 1000) * 1000000L } };

	/* Without it a spawner that failed is not retried until the next
	 * session asks for a child: say so. */
	if (timerfd_settime(sc->retry_ev.fd, 0, &its, NULL) == -1)
		log_msg(LOG_ERR, "%s: cannot arm the retry timer: %s",
		    sc->p.name, strerror(errno));
}

/* One more failure in a row: the retry (on_retry) is armed. */
static void
arm_retry(struct spawn_ctl *sc)
{
	unsigned ms = 0, shift;

	if (sc->failures++ > 0) {
		shift = sc->failures - 2 < 6 ? sc->failures - 2 : 6;
		ms = RETRY_FIRST_MS << shift;
		if (ms > RETRY_MAX_MS)
			ms = RETRY_MAX_MS;
		log_msg(LOG_WARNING, "%s: %u failures in a row; next try in "
		    "%u ms", sc->p.name, sc->failures, ms);
	}
	/* Even "at once" is the timer's: not within this turn of the loop,
	 * which may be the startup's last. */
	if (ms == 0)
		ms = 1;
	sc->retry_after = clock_now_ms() + ms;
	arm_timer(sc, ms);
}

static bool
broken(const struct spawn_ctl *sc)
{
	return sc->failures >= BROKEN_AFTER;
}

/* A broken spawner serves nobody soon: its waiters are told.  Otherwise
 * they wait for the retry. */
static void
fail_waiters(struct spawn_ctl *sc)
{
	struct spawn_wait *w;

	if (!broken(sc))
		return;
	while ((w = TAILQ_FIRST(&sc->waiters)) != NULL) {
		TAILQ_REMOVE(&sc->waiters, w, entry);
		w->queued = false;
		w->ready(w, NULL);
	}
}

static struct spawner *
spawn_spawner(struct spawn_ctl *sc)
{
	struct spawner *s;
	int sv[2];

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv) == -1) {
		free(s);
		return NULL;
	}
	if ((s->pid = sc->p.start(sv[1], sc->p.ctx)) == -1) {
		close(sv[0]);
		close(sv[1]);
		free(s);
		return NULL;
	}
	close(sv[1]);
	s->sc = sc;
	s->pending = sc->p.spares;	/* it starts with that many */
	/* Not reaped before this turn of the loop ends: pid is still it. */
	s->pidfd = (int)syscall(SYS_pidfd_open, s->pid, 0);
	s->chan = ipc_chan_new(sv[0], true);
	s->ev = (struct event){ .fd = sv[0], .cb = on_spawner, .ctx = s };
	if (s->pidfd == -1 || s->chan == NULL ||
	    event_add(&s->ev, EPOLLIN) == -1) {
		if (s->chan == NULL)
			close(sv[0]);
		ipc_chan_free(s->chan);
		kill(s->pid, SIGKILL);
		if (s->pidfd != -1)
			close(s->pidfd);
		free(s);
		return NULL;
	}
	LIST_INSERT_HEAD(&sc->spawners, s, entry);
	return s;
}

/* A fresh current spawner, unless retrying too soon. */
static void
respawn(struct spawn_ctl *sc)
{
	if (clock_now_ms() < sc->retry_after)
		return;
	if ((sc->current = spawn_spawner(sc)) == NULL) {
		log_msg(LOG_ERR, "cannot start the %s: %s", sc->p.name,
		    strerror(errno));
		arm_retry(sc);
		fail_waiters(sc);
	}
}

/* Closes the ready children s made: nothing may point to s once it
 * goes, and a spawner retired or gone hands out nothing more. */
static void
drop_idle_of(struct spawner *s)
{
	struct spawn_ctl *sc = s->sc;
	size_t i = 0;

	while (i < sc->nidle) {
		if (sc->idle[i].from == s) {
			close_child(&sc->idle[i].child);
			sc->idle[i] = sc->idle[--sc->nidle];
		} else {
			i++;
		}
	}
}

static void
drop_spawner(struct spawner *s)
{
	drop_idle_of(s);
	event_del(&s->ev);
	ipc_chan_free(s->chan);
	close(s->pidfd);
	LIST_REMOVE(s, entry);
	if (s->sc->current == s)
		s->sc->current = NULL;
	free(s);
}

/* Stops giving s work: its ready children go (their channels close, they
 * exit), children in use live on, and s ends when it reads our EOF. */
static void
retire(struct spawner *s, const char *why)
{
	struct spawn_ctl *sc = s->sc;

	if (s->retiring)
		return;
	log_msg(LOG_INFO, "replacing the %s (pid %d): %s", sc->p.name,
	    (int)s->pid, why);
	s->retiring = true;
	shutdown(ipc_chan_fd(s->chan), SHUT_WR);
	drop_idle_of(s);
	if (sc->current == s) {
		sc->current = NULL;
		/* One that never got ready is not replaced at once: it
		 * would fail the same way (spawner_gone retries later). */
		if (s->ready) {
			respawn(sc);
		} else {
			arm_retry(sc);
			settle(sc, SPAWN_FAILED);
		}
	}
}

/* A spawner that broke its protocol: killed, and replaced after the retry
 * wait, since its replacement may do the same. */
static void
kill_spawner(struct spawner *s, const char *why)
{
	log_msg(LOG_ERR, "the %s (pid %d) %s; killed", s->sc->p.name,
	    (int)s->pid, why);
	syscall(SYS_pidfd_send_signal, s->pidfd, SIGKILL, NULL, 0);
	/* retire counts one that never got ready as a failure itself. */
	if (s->ready)
		arm_retry(s->sc);
	retire(s, why);
}

/* Asks the current spawner for children until ready + coming covers the
 * spares and everyone waiting. */
static void
refill(struct spawn_ctl *sc)
{
	struct spawner *s = sc->current;
	size_t waiting = 0;
	struct spawn_wait *w;

	if (s == NULL) {
		respawn(sc);
		return;
	}
	if (!s->ready || clock_now_ms() < sc->retry_after)
		return;
	TAILQ_FOREACH(w, &sc->waiters, entry)
		waiting++;
	while (sc->nidle + s->pending < sc->p.spares + waiting &&
	    s->pending < SPAWN_PENDING_MAX) {
		/* 32 requests of 16 bytes fit any queue. */
		if (msg_send(s->chan, MSG_SPAWN, 0, -1, NULL) == -1)
			break;
		s->pending++;
	}
	/* A spawner that cannot be written to shows as EOF when read. */
	(void)event_chan_flush(&s->ev, s->chan);
}

static void
hand_out(struct spawn_ctl *sc, struct spawn_wait *w, struct idle_child *c)
{
	/* A child that lived to be used ends a run of failures. */
	sc->failures = 0;
	c->from->handed++;
	if (sc->p.recycle != 0 && c->from->handed >= sc->p.recycle)
		retire(c->from, "recycle count reached");
	w->ready(w, &c->child);
}

void
spawn_ctl_take(struct spawn_ctl *sc, struct spawn_wait *w)
{
	struct idle_child c;

	if (sc->nidle > 0) {
		c = sc->idle[0];
		memmove(sc->idle, sc->idle + 1, --sc->nidle * sizeof(c));
		if (sc->nidle == 0)
			refill(sc);
		else if (clock_now_ms() >= sc->retry_after)
			arm_timer(sc, REFILL_DELAY_MS);
		hand_out(sc, w, &c);
		return;
	}
	TAILQ_INSERT_TAIL(&sc->waiters, w, entry);
	w->queued = true;
	refill(sc);
	if (sc->current == NULL && w->queued && broken(sc)) {
		/* No spawner, and none will start soon. */
		TAILQ_REMOVE(&sc->waiters, w, entry);
		w->queued = false;
		w->ready(w, NULL);
	}
}

void
spawn_ctl_cancel(struct spawn_ctl *sc, struct spawn_wait *w)
{
	if (!w->queued)
		return;
	TAILQ_REMOVE(&sc->waiters, w, entry);
	w->queued = false;
}

/* pid's parent, or -1: one read of /proc/PID/stat ("pid (comm) state
 * ppid ...", comm being anything up to the last parenthesis), once per
 * spare, so no stdio. */
static pid_t
parent_of(pid_t pid)
{
	char path[64], buf[512], *end;
	ssize_t n;
	long ppid;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return -1;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if ((end = strrchr(buf, ')')) == NULL || end[1] != ' ' ||
	    end[2] == '\0' || end[3] != ' ')
		return -1;
	ppid = strtol(end + 4, &end, 10);
	return *end == ' ' && ppid > 0 ? (pid_t)ppid : -1;
}

/* Set up, and speaking our version of the messages: a spawner exec'd
 * from a binary that changed on disk may not. */
static int
on_ready(struct spawner *s, const struct ipc_msg *m)
{
	struct msg_spawner_ready ready;

	if (msg_read_spawner_ready(m, &ready) == -1)
		return -1;
	if (ready.version != IPC_PROTO_VERSION) {
		log_msg(LOG_ERR, "the %s (pid %d) speaks internal protocol "
		    "version %u, this broker %u: refused", s->sc->p.name,
		    (int)s->pid, ready.version, IPC_PROTO_VERSION);
		return -1;
	}
	s->ready = true;
	settle(s->sc, SPAWN_READY);
	return 0;
}

static int
on_spare(struct spawner *s, const struct ipc_msg *m)
{
	struct spawn_ctl *sc = s->sc;
	struct idle_child c = { { 0, -1, m->fd }, s };
	struct spawn_wait *w;
	struct msg_spare spare;
	const char *why = NULL;
	pid_t parent = -1;

	if (msg_read_spare(m, &spare) == -1) {
		close(m->fd);
		return -1;
	}
	c.child.pid = (pid_t)spare.pid;
	if (s->pending > 0)
		s->pending--;
	if (s->retiring) {
		close(c.child.fd);
		return 0;
	}
	/* Its parent, read once the pidfd is open, tells that the pidfd
	 * names the spawner's own child, not a process that took a recycled
	 * pid.  Orphaned by a spawner that died since (the broker reaps its
	 * orphans; an idle child ends at its channel's EOF), its spawner's
	 * own end says what failed. */
	if (c.child.pid > 0 && (c.child.pidfd = (int)syscall(SYS_pidfd_open,
	    c.child.pid, 0)) != -1 &&
	    (parent = parent_of(c.child.pid)) == getpid()) {
		close_child(&c.child);
		return 0;
	}
	if (c.child.pid <= 0)
		why = "no such process";
	else if (c.child.pidfd == -1)
		why = strerror(errno);	/* ESRCH: dead before any work */
	else if (parent != s->pid)
		why = "not the spawner's child";
	if (why != NULL) {
		/* Out of descriptors, most likely: asking again at once
		 * would only fork. */
		log_msg(LOG_ERR, "%s: cannot watch child %d: %s", sc->p.name,
		    (int)c.child.pid, why);
		if (c.child.pidfd != -1)
			close(c.child.pidfd);
		close(c.child.fd);
		arm_retry(sc);
		return 0;
	}
	if ((w = TAILQ_FIRST(&sc->waiters)) != NULL) {
		TAILQ_REMOVE(&sc->waiters, w, entry);
		w->queued = false;
		hand_out(sc, w, &c);
	} else if (sc->nidle < SPAWN_IDLE_MAX) {
		sc->idle[sc->nidle++] = c;
	} else {
		close_child(&c.child);
	}
	return 0;
}

static int
on_child_exit(struct spawner *s, const struct ipc_msg *m)
{
	struct spawn_ctl *sc = s->sc;
	struct msg_child_exit e;
	uint32_t pid, status;
	size_t i;

	if (msg_read_child_exit(m, &e) == -1)
		return -1;
	pid = e.pid;
	status = e.status;
	for (i = 0; i < sc->nidle; i++) {
		if (sc->idle[i].child.pid != (pid_t)pid)
			continue;
		close_child(&sc->idle[i].child);
		sc->idle[i] = sc->idle[--sc->nidle];
		log_msg(LOG_ERR, "a ready child of the %s died (pid %u, status "
		    "0x%x)", sc->p.name, pid, status);
		/* Killed from outside (an operator, the OOM killer), it says
		 * nothing about the next; dying by itself before it had any
		 * work, it says the sandbox or the PAM stack is broken. */
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
			arm_retry(sc);
		return 0;
	}
	/* SIGKILL is the broker's own doing, logged where it was decided. */
	if (WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL) {
		log_msg(LOG_WARNING, "%s child %u killed by signal %d",
		    sc->p.name, pid, WTERMSIG(status));
		/* A crash may be someone probing the layout: start over. */
		if (sc->p.recycle != 0)
			retire(s, "a child died from a signal");
	}
	return 0;
}

/* What a spawner may send: before it is ready, and after. */
static const struct spawner_msg {
	uint32_t type;
	bool after_ready;	/* legal only once it is ready (or only before) */
	bool with_fd;
	int (*handle)(struct spawner *, const struct ipc_msg *);
} spawner_msgs[] = {
	{ MSG_SPAWNER_READY, false, false, on_ready },
	{ MSG_SPARE, true, true, on_spare },
	{ MSG_CHILD_EXIT, true, false, on_child_exit },
};

/* The handler of m's type when legal now: its result, or -1 (m's
 * descriptor closed) for anything else. */
static int
spawner_dispatch(struct spawner *s, const struct ipc_msg *m)
{
	size_t i;

	for (i = 0; i < sizeof(spawner_msgs) / sizeof(spawner_msgs[0]); i++)
		if (spawner_msgs[i].type == m->hdr.type &&
		    spawner_msgs[i].after_ready == s->ready &&
		    spawner_msgs[i].with_fd == (m->fd != -1))
			return spawner_msgs[i].handle(s, m);
	if (m->fd != -1)
		close(m->fd);
	return -1;
}

static void
spawner_gone(struct spawner *s)
{
	struct spawn_ctl *sc = s->sc;
	bool was_current = sc->current == s, was_ready = s->ready;
	bool was_retiring = s->retiring;

	if (!was_retiring)
		log_msg(LOG_ERR, "the %s (pid %d) went away%s", sc->p.name,
		    (int)s->pid, was_ready ? "" : " before it was ready");
	drop_spawner(s);
	if (!was_ready) {
		/* Retired before it was ready: counted then. */
		if (!was_retiring)
			arm_retry(sc);
		fail_waiters(sc);
		settle(sc, SPAWN_FAILED);
	} else if (was_current) {
		/* At once the first time, through the timer: one that dies
		 * as soon as it is ready must not become an exec loop. */
		arm_retry(sc);
	}
}

static void
on_spawner(struct event *ev, uint32_t events)
{
	struct spawner *s = ev->ctx;
	struct ipc_msg m;
	int rc;

	if ((rc = event_chan_ready(ev, s->chan, events)) == 0)
		return;
	if (rc == -1) {
		spawner_gone(s);
		return;
	}
	while ((rc = ipc_chan_get(s->chan, &m)) == 1)
		if ((rc = spawner_dispatch(s, &m)) == -1)
			break;
	if (rc == -1)
		kill_spawner(s, "broke its protocol");
	refill(s->sc);
}

static void
on_retry(struct event *ev, uint32_t events)
{
	struct spawn_ctl *sc = ev->ctx;
	uint64_t expirations;

	(void)!read(ev->fd, &expirations, sizeof(expirations));
	refill(sc);
}

struct spawn_ctl *
spawn_ctl_start(const struct spawn_params *p)
{
	struct spawn_ctl *sc;
	int tfd;

	if ((sc = calloc(1, sizeof(*sc))) == NULL ||
	    (tfd = timerfd_create(CLOCK_MONOTONIC,
	    TFD_NONBLOCK | TFD_CLOEXEC)) == -1) {
		log_msg(LOG_ERR, "cannot start the %s: %s", p->name,
		    strerror(errno));
		free(sc);
		return NULL;
	}
	sc->p = *p;
	sc->state = SPAWN_STARTING;
	LIST_INIT(&sc->spawners);
	TAILQ_INIT(&sc->waiters);
	sc->retry_ev = (struct event){ .fd = tfd, .cb = on_retry, .ctx = sc };
	if (event_add(&sc->retry_ev, EPOLLIN) == -1 ||
	    (sc->current = spawn_spawner(sc)) == NULL) {
		log_msg(LOG_ERR, "cannot start the %s: %s", p->name,
		    strerror(errno));
		spawn_ctl_free(sc);
		return NULL;
	}
	return sc;
}

enum spawn_state
spawn_ctl_state(const struct spawn_ctl *sc)
{
	return sc->state;
}

void
spawn_ctl_stop(struct spawn_ctl *sc)
{
	struct spawner *s;

	while (sc->nidle > 0)
		close_child(&sc->idle[--sc->nidle].child);
	while ((s = LIST_FIRST(&sc->spawners)) != NULL)
		drop_spawner(s);
}

void
spawn_ctl_free(struct spawn_ctl *sc)
{
	struct spawn_wait *w;

	spawn_ctl_stop(sc);
	while ((w = TAILQ_FIRST(&sc->waiters)) != NULL) {
		TAILQ_REMOVE(&sc->waiters, w, entry);
		w->queued = false;
	}
	event_del(&sc->retry_ev);
	close(sc->retry_ev.fd);
	free(sc);
}
