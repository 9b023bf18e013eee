/* SPDX-License-Identifier: ISC */
/* keeper.c: the broker's side of session keepers, one state machine each. */
#include "keeper.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/queue.h>
#include <sys/wait.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "audit.h"
#include "clock.h"
#include "event.h"
#include "log.h"
#include "reply.h"
#include "spawn_ctl.h"
#include "verify.h"

enum keeper_state {
	KS_TAKING,	/* waiting for a helper from the zygote */
	KS_PROVEN,	/* the user is proven; no session yet */
	KS_OPENING,	/* KEEPER_OPEN sent */
	KS_OPEN,	/* the PAM session is open */
	KS_STARTING,	/* the start sent */
	KS_RUNNING,	/* the user's process runs */
	KS_ENDED,	/* the process ended, or the keeper is gone */
	KS_STATE_COUNT
};

static const char *const state_names[KS_STATE_COUNT] = {
	[KS_TAKING] = "taking", [KS_PROVEN] = "proven",
	[KS_OPENING] = "opening", [KS_OPEN] = "open",
	[KS_STARTING] = "starting", [KS_RUNNING] = "running",
	[KS_ENDED] = "ended",
};

struct keeper {
	TAILQ_ENTRY(keeper) entry;
	enum keeper_state state;
	struct keeper_owner owner;	/* .said NULL: none */
	bool owed;			/* a request waits for its answer */
	bool open_asked;		/* the open was asked for */
	bool start_asked;		/* the start was asked for */
	bool released;			/* no owner will come back */
	struct spawn_ctl *helpers;	/* KS_TAKING */
	struct spawn_wait wait;
	struct msg_pam_begin begin;	/* KS_TAKING: sent when ready */
	struct msg_keeper_open open;	/* kept: its session id, tty */
	bool open_pending;		/* asked for while taking */
	struct ipc_chan *chan;
	struct event ev;
	char user[USER_NAME_MAX];
	char service[64];
	uint64_t started_ms;
	char end_text[32];		/* "exit 0", once ended */
	bool dead;			/* freed after this event round */
};

TAILQ_HEAD(keeper_list, keeper);
static struct keeper_list keepers = TAILQ_HEAD_INITIALIZER(keepers);
static struct keeper_list graveyard = TAILQ_HEAD_INITIALIZER(graveyard);

/* Answers the request in flight, once. */
static void
say(struct keeper *k, uint32_t code, const char *text)
{
	if (!k->owed)
		return;
	k->owed = false;
	if (k->owner.said != NULL)
		k->owner.said(k->owner.ctx, code, text);
}

/* Lets go of everything k holds; the memory goes after this event round
 * (keeper_reap), as a handler up the stack may still look at it. */
static void
keeper_free(struct keeper *k)
{
	if (k->dead)
		return;
	if (k->state == KS_TAKING)
		spawn_ctl_cancel(k->helpers, &k->wait);
	/* Delegated credentials the keeper never got are ours to remove. */
	if (k->state == KS_TAKING && k->open_pending &&
	    k->open.ccache[0] != '\0' && unlink(k->open.ccache) == -1 &&
	    errno != ENOENT)
		log_msg(LOG_ERR, "session %u: %s: %s", k->open.session,
		    k->open.ccache, strerror(errno));
	if (k->chan != NULL) {
		event_del(&k->ev);
		ipc_chan_free(k->chan);
		k->chan = NULL;
	}
	k->dead = true;
	TAILQ_REMOVE(&keepers, k, entry);
	TAILQ_INSERT_TAIL(&graveyard, k, entry);
}

void
keeper_reap(void)
{
	struct keeper *k;

	while ((k = TAILQ_FIRST(&graveyard)) != NULL) {
		TAILQ_REMOVE(&graveyard, k, entry);
		explicit_bzero(k, sizeof(*k));
		free(k);
	}
}

/* The keeper's channel is closed: the keeper goes on by itself (a
 * running session still closes when its process ends). */
static void
let_go(struct keeper *k)
{
	if (k->chan != NULL) {
		event_del(&k->ev);
		ipc_chan_free(k->chan);
		k->chan = NULL;
	}
}

/* The session ended (or can no longer be followed): the audit line, the
 * owner told if it waits, and the record gone once no owner needs it. */
static void
ended(struct keeper *k, const char *outcome, const char *status)
{
	const struct audit_session_end e = {
		.session = k->open.session, .service = k->service,
		.user = k->user, .tty = k->open.tty, .outcome = outcome,
		.status = status,
		.duration_ms = k->started_ms != 0 ?
		    clock_now_ms() - k->started_ms : 0,
	};
	bool was_open = k->state >= KS_OPEN;

	let_go(k);
	k->state = KS_ENDED;
	if (was_open)
		audit_session_end(&e);
	snprintf(k->end_text, sizeof(k->end_text), "%s", status);
	say(k, REPLY_OK, k->end_text);
	if (k->released)
		keeper_free(k);
}

/* The keeper broke the protocol, died or cannot be reached: a request
 * in flight fails, and nothing more is asked of it. */
static void
lost(struct keeper *k, const char *why)
{
	enum keeper_state was = k->state;

	log_msg(LOG_ERR, "session %u: keeper of %s in state %s: %s",
	    k->open.session, k->user, state_names[was], why);
	say(k, REPLY_SYSTEM_ERROR, "Session keeper lost");
	ended(k, "keeper-lost", "unknown");
}

static void
send_keeper(struct keeper *k, uint32_t type, int fd, const void *m)
{
	if (msg_send(k->chan, type, 0, fd, m) == -1 ||
	    event_chan_flush(&k->ev, k->chan) == -1)
		lost(k, errno == ERANGE ? "message too long" : "unreachable");
}

/* What the open's failure tells the front end: the account's state once
 * proven, as a login would; anything else is the system's. */
static void
open_failed(struct keeper *k, const struct msg_keeper_result *r)
{
	uint32_t code = REPLY_SYSTEM_ERROR;
	const char *text = "Session could not be opened";

	if (strcmp(r->detail, "account") == 0) {
		if (r->code == PAM_NEW_AUTHTOK_REQD) {
			code = REPLY_PASSWORD_EXPIRED;
			text = "Password expired";
		} else {
			code = REPLY_ACCOUNT_DISABLED;
			text = "Account expired or disabled";
		}
	}
	log_msg(LOG_NOTICE, "session %u: session of %s not opened: %s:%s",
	    k->open.session, k->user, r->detail, pam_code_name(r->code));
	k->state = KS_ENDED;
	let_go(k);
	say(k, code, text);
}

static int
on_result(struct keeper *k, const struct ipc_msg *in)
{
	struct msg_keeper_result r;
	char text[32];

	if (msg_read_keeper_result(in, &r) == -1 ||
	    r.step != (k->state == KS_OPENING ? KEEPER_STEP_OPEN :
	    KEEPER_STEP_START))
		return -1;
	if (r.step == KEEPER_STEP_OPEN && r.code != 0) {
		open_failed(k, &r);
		return 0;
	}
	if (r.step == KEEPER_STEP_OPEN) {
		k->state = KS_OPEN;
		say(k, REPLY_OK, "Session opened");
		return 0;
	}
	if (r.code != 0 || r.pid == 0) {
		log_msg(LOG_NOTICE, "session %u: %s's process not started: %s",
		    k->open.session, k->user, r.detail);
		/* The keeper closes the session and ends. */
		k->state = KS_OPEN;
		say(k, REPLY_SYSTEM_ERROR, "Session could not be started");
		ended(k, "not-started", r.detail);
		return 0;
	}
	k->state = KS_RUNNING;
	k->started_ms = clock_now_ms();
	log_msg(LOG_INFO, "session %u: %s's session runs as pid %u",
	    k->open.session, k->user, r.pid);
	snprintf(text, sizeof(text), "Started %u", r.pid);
	say(k, REPLY_OK, text);
	return 0;
}

static int
on_exit_msg(struct keeper *k, const struct ipc_msg *in)
{
	struct msg_keeper_exit m;
	char status[32];

	if (msg_read_keeper_exit(in, &m) == -1)
		return -1;
	if (m.tty[0] != '\0')
		memcpy(k->open.tty, m.tty, sizeof(k->open.tty));
	if (WIFEXITED(m.status))
		snprintf(status, sizeof(status), "exit %d",
		    WEXITSTATUS(m.status));
	else if (WIFSIGNALED(m.status))
		snprintf(status, sizeof(status), "signal %d",
		    WTERMSIG(m.status));
	else
		return -1;
	ended(k, "session-ended", status);
	return 0;
}

#define IN(st)	(1u << (st))

/* What a keeper may send in which state; anything else ends our hold on
 * it (it is root and runs a user's session: it is not killed). */
static const struct {
	uint32_t type;
	unsigned states;
	int (*handle)(struct keeper *, const struct ipc_msg *);
} keeper_msgs[] = {
	{ MSG_KEEPER_RESULT, IN(KS_OPENING) | IN(KS_STARTING), on_result },
	{ MSG_KEEPER_EXIT, IN(KS_RUNNING), on_exit_msg },
};

static int
dispatch(struct keeper *k, const struct ipc_msg *m)
{
	size_t i;

	if (m->fd != -1) {
		close(m->fd);
		return -1;
	}
	for (i = 0; i < sizeof(keeper_msgs) / sizeof(keeper_msgs[0]); i++)
		if (keeper_msgs[i].type == m->hdr.type)
			return keeper_msgs[i].states & IN(k->state) ?
			    keeper_msgs[i].handle(k, m) : -1;
	return -1;
}

static void
on_keeper(struct event *ev, uint32_t events)
{
	struct keeper *k = ev->ctx;
	struct ipc_msg m;
	int rc;

	if ((rc = event_chan_ready(ev, k->chan, events)) == 0)
		return;
	if (rc == -1) {
		/* One that ended its own transaction is not lost. */
		if (k->state == KS_PROVEN || k->state == KS_OPEN)
			ended(k, "closed", "closed");
		else
			lost(k, "gone");
		return;
	}
	/* A handler may end the keeper's channel (and free the keeper). */
	while (k->chan != NULL && (rc = ipc_chan_get(k->chan, &m)) == 1)
		if ((rc = dispatch(k, &m)) == -1)
			break;
	if (rc == -1 && k->chan != NULL)
		lost(k, "protocol error");
}

/* Watches chan as k's: 0, or -1. */
static int
watch(struct keeper *k, struct ipc_chan *chan)
{
	k->chan = chan;
	k->ev = (struct event){ .fd = ipc_chan_fd(chan), .cb = on_keeper,
	    .ctx = k };
	if (event_add(&k->ev, EPOLLIN) == -1) {
		ipc_chan_free(chan);
		k->chan = NULL;
		return -1;
	}
	return 0;
}

static struct keeper *
keeper_new(const char *user, const char *service, enum keeper_state st)
{
	struct keeper *k;

	if ((k = calloc(1, sizeof(*k))) == NULL)
		return NULL;
	k->state = st;
	snprintf(k->user, sizeof(k->user), "%s", user);
	snprintf(k->service, sizeof(k->service), "%s", service);
	TAILQ_INSERT_TAIL(&keepers, k, entry);
	return k;
}

struct keeper *
keeper_adopt(struct ipc_chan *chan, int pidfd, const char *user,
    const char *service)
{
	struct keeper *k;

	/* It is not killed from here: it ends its transaction itself. */
	if (pidfd != -1)
		close(pidfd);
	if ((k = keeper_new(user, service, KS_PROVEN)) == NULL) {
		ipc_chan_free(chan);
		return NULL;
	}
	if (watch(k, chan) == -1)
		k->state = KS_ENDED;
	return k;
}

/* A helper from the zygote: it learns whom it keeps, and the open asked
 * for meanwhile follows. */
static void
got_helper(struct spawn_wait *w, const struct spawn_child *child)
{
	struct keeper *k = (struct keeper *)((char *)w -
	    offsetof(struct keeper, wait));
	struct ipc_chan *chan;

	k->state = KS_PROVEN;
	if (child == NULL) {
		lost(k, "no PAM helper");
		return;
	}
	close(child->pidfd);
	if ((chan = ipc_chan_new(child->fd, true)) == NULL) {
		close(child->fd);
		lost(k, "out of memory");
		return;
	}
	ipc_chan_take_fds(chan, 0);
	if (watch(k, chan) == -1) {
		lost(k, "cannot watch");
		return;
	}
	send_keeper(k, MSG_KEEPER_BEGIN, -1, &k->begin);
	if (k->chan != NULL && k->open_pending)
		keeper_open(k, &k->open);
}

struct keeper *
keeper_take(struct spawn_ctl *helpers, const struct msg_pam_begin *begin,
    const char *service)
{
	struct keeper *k;

	if ((k = keeper_new(begin->user, service, KS_TAKING)) == NULL)
		return NULL;
	k->helpers = helpers;
	k->begin = *begin;
	k->wait.ready = got_helper;
	spawn_ctl_take(helpers, &k->wait);
	return k;
}

void
keeper_set_owner(struct keeper *k, const struct keeper_owner *owner)
{
	k->owner = owner != NULL ? *owner : (struct keeper_owner){ 0 };
}

bool
keeper_opened(const struct keeper *k)
{
	return k->open_asked;
}

bool
keeper_lost(const struct keeper *k)
{
	return k->state == KS_ENDED;
}

bool
keeper_started(const struct keeper *k)
{
	return k->start_asked;
}

void
keeper_open(struct keeper *k, const struct msg_keeper_open *m)
{
	if (&k->open != m)
		k->open = *m;
	k->open_asked = k->owed = true;
	if (k->state == KS_TAKING) {
		k->open_pending = true;
		return;
	}
	if (k->state != KS_PROVEN) {
		say(k, REPLY_SYSTEM_ERROR, "Session keeper lost");
		return;
	}
	k->state = KS_OPENING;
	send_keeper(k, MSG_KEEPER_OPEN, -1, &k->open);
}

void
keeper_start(struct keeper *k, int *fds, size_t n,
    const struct msg_session_start *m)
{
	size_t i;

	k->owed = k->start_asked = true;
	if (k->state != KS_OPEN) {
		for (i = 0; i < n; i++)
			close(fds[i]);
		say(k, REPLY_SYSTEM_ERROR, "Session keeper lost");
		return;
	}
	k->state = KS_STARTING;
	for (i = 0; i < n; i++) {
		if (k->chan == NULL)
			close(fds[i]);
		else
			send_keeper(k, MSG_SESSION_FD, fds[i], NULL);
	}
	if (k->chan != NULL)
		send_keeper(k, MSG_SESSION_START, -1, m);
}

void
keeper_wait(struct keeper *k)
{
	k->owed = true;
	if (k->state == KS_ENDED)
		say(k, REPLY_OK, k->end_text);
}

void
keeper_hangup(struct keeper *k)
{
	keeper_wait(k);
	if (k->state == KS_RUNNING)
		send_keeper(k, MSG_SESSION_CLOSE, -1, NULL);
}

void
keeper_release(struct keeper *k, bool hang_up)
{
	k->owner = (struct keeper_owner){ 0 };
	k->owed = false;
	k->released = true;
	if (k->state == KS_RUNNING || k->state == KS_STARTING) {
		if (hang_up && k->chan != NULL)
			send_keeper(k, MSG_SESSION_CLOSE, -1, NULL);
		return;
	}
	/* No process: the helper sees its channel close and ends its
	 * transaction (pam_close_session when it was open). */
	keeper_free(k);
}

unsigned
keeper_count(const char *service, const char *user)
{
	const struct keeper *k;
	unsigned n = 0;

	TAILQ_FOREACH(k, &keepers, entry)
		n += k->open_asked && k->state != KS_ENDED &&
		    strcmp(k->service, service) == 0 &&
		    (user == NULL || strcmp(k->user, user) == 0);
	return n;
}

unsigned
keeper_count_released(void)
{
	const struct keeper *k;
	unsigned n = 0;

	TAILQ_FOREACH(k, &keepers, entry)
		n += k->released;
	return n;
}

void
keeper_let_go_all(void)
{
	struct keeper *k;

	while ((k = TAILQ_FIRST(&keepers)) != NULL)
		keeper_free(k);
}
