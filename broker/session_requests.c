/* SPDX-License-Identifier: ISC */
/*
 * session_requests.c: what a logged-in front end asks of the user's
 * session (doc/protocol.md, "Sessions"), checked against the service's
 * policy here and carried out by the session's keeper (keeper.h).  Every
 * refusal is answered and audited; nothing is started for one.
 */
#include "session_requests.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "config.h"
#include "keeper.h"
#include "log.h"
#include "msg.h"
#include "names.h"
#include "reply.h"
#include "zygotes.h"

/* What the front end said before the open, and the descriptors of the
 * start on their way; made at the first request. */
struct user_session {
	struct msg_keeper_open open;
	size_t nfds;
	int fds[SESSION_FDS_MAX];
};

/* The PAM_TTY of a session whose front end names none, as sshd's "ssh". */

/* The user the session is for: the one the login completed as. */
static const char *
login_user(const struct session *s)
{
	return s->act_for[0] != '\0' ? s->act_for : s->user;
}

static void
drop_fds(struct user_session *us)
{
	while (us->nfds > 0)
		close(us->fds[--us->nfds]);
}

/* A refusal: answered with code and text, audited with why. */
static void
refuse(struct session *s, uint32_t code, const char *text, const char *why)
{
	char rule[AUDIT_RULE_MAX];

	if (s->us != NULL)
		drop_fds(s->us);
	snprintf(rule, sizeof(rule), "%s:sessions", s->svc->name);
	audit_session(s->id, &s->peer, s->svc->name, rule, why);
	session_answer(s, code, text);
}

/* The session's state for a request, or NULL after refusing it (the
 * service has no sessions, the peer is no trusted front end, no
 * memory). */
static struct user_session *
usable(struct session *s)
{
	if (!s->svc->sessions.enabled) {
		refuse(s, REPLY_NOT_PERMITTED, "Not permitted: no sessions "
		    "here", "session-refused:disabled");
		return NULL;
	}
	/* What a session claims (its terminal, its seat) is a front end's
	 * word, as the context is: only a trusted one may say it. */
	if (!policy_peer_trusted(s->svc, s->peer.uid, s->peer.gid)) {
		refuse(s, REPLY_NOT_PERMITTED, "Not permitted: not a trusted "
		    "front end", "session-refused:trusted-peer");
		return NULL;
	}
	if (s->us == NULL && (s->us = calloc(1, sizeof(*s->us))) == NULL) {
		session_answer(s, REPLY_SYSTEM_ERROR, "System error");
		return NULL;
	}
	return s->us;
}

/* The keeper's answers go to the front end while it is connected. */
static void
keeper_said(void *ctx, uint32_t code, const char *text)
{
	struct session *s = ctx;

	if (s->state == SS_SESSION_BUSY)
		session_answer(s, code, text);
}

static void
on_env(struct session *s, const struct ipc_msg *in)
{
	static struct msg_session_env m;
	struct user_session *us;
	char *slot;
	size_t i, len;

	if (msg_read_session_env(in, &m) == -1 || !name_env_valid(m.name) ||
	    !name_text_fits(m.value, sizeof(m.value))) {
		session_violation(s, "malformed SESSION_ENV");
		return;
	}
	if ((us = usable(s)) == NULL)
		return;
	if (s->keeper != NULL && keeper_opened(s->keeper)) {
		refuse(s, REPLY_NOT_PERMITTED, "Not permitted: the session is "
		    "open", "session-refused:env-after-open");
		return;
	}
	if (!policy_session_env_allowed(s->svc, m.name)) {
		refuse(s, REPLY_NOT_PERMITTED, "Not permitted: variable not "
		    "allowed", "session-refused:env");
		return;
	}
	/* Set again: the new value replaces the old. */
	len = strlen(m.name);
	for (i = 0; i < us->open.nenv; i++)
		if (strncmp(us->open.env[i], m.name, len) == 0 &&
		    us->open.env[i][len] == '=')
			break;
	if (i == SESSION_ENV_MAX) {
		refuse(s, REPLY_NOT_PERMITTED, "Not permitted: too many "
		    "variables", "session-refused:env-count");
		return;
	}
	slot = us->open.env[i];
	if (snprintf(slot, sizeof(us->open.env[0]), "%s=%s", m.name,
	    m.value) >= (int)sizeof(us->open.env[0])) {
		slot[0] = '\0';
		refuse(s, REPLY_MISSING_ARGUMENT, "Variable too long",
		    "session-refused:env-length");
		return;
	}
	if (i == us->open.nenv)
		us->open.nenv++;
	session_answer(s, REPLY_OK, "Set");
}

/* The keeper for a login: the PAM helper that proved it, or a fresh one
 * that checks the account of a login proven otherwise (or for another
 * user than it proved: act-for). */
static struct keeper *
keeper_for(struct session *s)
{
	struct msg_pam_begin begin = { .keep = true };
	struct spawn_ctl *helpers;

	/* Kept for another user than the login's (act-for), or gone before
	 * its open: a fresh one. */
	if (s->keeper != NULL && (s->act_for[0] != '\0' ||
	    keeper_lost(s->keeper))) {
		keeper_release(s->keeper, false);
		s->keeper = NULL;
	}
	if (s->keeper != NULL)
		return s->keeper;
	if ((helpers = zygote_find(s->conf->pam_path,
	    s->svc->pam_service)) == NULL)
		return NULL;
	snprintf(begin.user, sizeof(begin.user), "%s", login_user(s));
	snprintf(begin.rhost, sizeof(begin.rhost), "%s", s->remote_host);
	snprintf(begin.ruser, sizeof(begin.ruser), "%s", s->remote_user);
	return s->keeper = keeper_take(helpers, &begin, s->svc->name);
}

static void
on_open(struct session *s, const struct ipc_msg *in)
{
	const struct policy_sessions *policy = &s->svc->sessions;
	struct msg_session_open m;
	struct user_session *us;
	struct keeper *k;

	if (msg_read_session_open(in, &m) == -1 ||
	    !name_text_fits(m.tty, sizeof(m.tty)) ||
	    strchr(m.tty, ' ') != NULL) {
		session_violation(s, "malformed SESSION_OPEN");
		return;
	}
	if ((us = usable(s)) == NULL)
		return;
	if (s->keeper != NULL && keeper_opened(s->keeper)) {
		refuse(s, REPLY_NOT_PERMITTED, "Not permitted: the session is "
		    "open already", "session-refused:twice");
		return;
	}
	if (keeper_count(s->svc->name, NULL) >= policy->max ||
	    keeper_count(s->svc->name, login_user(s)) >= policy->per_user) {
		refuse(s, REPLY_NOT_PERMITTED, "Not permitted: too many "
		    "sessions", "session-refused:limit");
		return;
	}
	if ((k = keeper_for(s)) == NULL) {
		log_msg(LOG_ERR, "session %u: no session keeper for PAM "
		    "service %s", s->id, s->svc->pam_service);
		session_answer(s, REPLY_SYSTEM_ERROR, "System error");
		return;
	}
	us->open.session = s->id;
	us->open.peer_uid = s->peer.uid;
	snprintf(us->open.service, sizeof(us->open.service), "%s",
	    s->svc->name);
	snprintf(us->open.tty, sizeof(us->open.tty), "%s",
	    m.tty[0] != '\0' ? m.tty : SESSION_TTY_DEFAULT);
	snprintf(us->open.state_dir, sizeof(us->open.state_dir), "%s",
	    s->conf->sessions_dir);
	snprintf(us->open.utmp, sizeof(us->open.utmp), "%s",
	    s->conf->utmp_file);
	snprintf(us->open.wtmp, sizeof(us->open.wtmp), "%s",
	    s->conf->wtmp_file);
	/* Delegated credentials are the keeper's from here on. */
	memcpy(us->open.ccache, s->ccache, sizeof(us->open.ccache));
	s->ccache[0] = '\0';
	keeper_set_owner(k, &(struct keeper_owner){ keeper_said, s });
	session_busy(s);
	keeper_open(k, &us->open);
}

/* A descriptor for the start that follows: only an honest worker's few. */
static void
on_fd(struct session *s, const struct ipc_msg *in)
{
	int fd = in->fd;

	if (fd == -1 || msg_read(in, MSG_SESSION_FD, NULL) == -1 ||
	    !s->svc->sessions.enabled || (s->us != NULL &&
	    s->us->nfds == SESSION_FDS_MAX)) {
		if (fd != -1)
			close(fd);
		session_violation(s, "unexpected SESSION_FD");
		return;
	}
	if (usable(s) == NULL) {
		close(fd);
		return;
	}
	s->us->fds[s->us->nfds++] = fd;
}

static void
on_start(struct session *s, const struct ipc_msg *in)
{
	static struct msg_session_start m;
	struct user_session *us;
	uint32_t i;

	if (msg_read_session_start(in, &m) == -1) {
		session_violation(s, "malformed SESSION_START");
		return;
	}
	for (i = 0; i < m.argc; i++)
		if (!name_text_fits(m.arg[i], sizeof(m.arg[0]))) {
			session_violation(s, "malformed SESSION_START");
			return;
		}
	if ((us = usable(s)) == NULL)
		return;
	/* Not opened, or its open failed. */
	if (s->keeper == NULL || !keeper_opened(s->keeper) ||
	    (keeper_lost(s->keeper) && !keeper_started(s->keeper))) {
		refuse(s, REPLY_NOT_PERMITTED, "Not permitted: open the "
		    "session first", "session-refused:not-open");
		return;
	}
	if (keeper_started(s->keeper)) {
		refuse(s, REPLY_NOT_PERMITTED, "Not permitted: the session is "
		    "started already", "session-refused:twice");
		return;
	}
	/* The login shell always; any other program only by name. */
	if (m.argc > 0 && !policy_session_command_allowed(s->svc, m.arg[0])) {
		refuse(s, REPLY_NOT_PERMITTED, "Not permitted: command not "
		    "allowed", "session-refused:command");
		return;
	}
	session_busy(s);
	keeper_start(s->keeper, us->fds, us->nfds, &m);
	us->nfds = 0;		/* the keeper's now */
}

/* wait, and close (which hangs the process up first): answered when the
 * user's process has ended, with its status. */
static void
on_wait_or_close(struct session *s, const struct ipc_msg *in)
{
	bool close_it = in->hdr.type == MSG_SESSION_CLOSE;

	if (msg_read(in, in->hdr.type, NULL) == -1) {
		session_violation(s, "malformed SESSION_WAIT or _CLOSE");
		return;
	}
	if (usable(s) == NULL)
		return;
	if (s->keeper == NULL || !keeper_started(s->keeper)) {
		refuse(s, REPLY_NOT_PERMITTED, "Not permitted: no session "
		    "started", "session-refused:not-started");
		return;
	}
	session_busy(s);
	if (close_it)
		keeper_hangup(s->keeper);
	else
		keeper_wait(s->keeper);
}

const struct session_request session_requests[] = {
	{ MSG_SESSION_ENV, on_env },
	{ MSG_SESSION_OPEN, on_open },
	{ MSG_SESSION_FD, on_fd },
	{ MSG_SESSION_START, on_start },
	{ MSG_SESSION_WAIT, on_wait_or_close },
	{ MSG_SESSION_CLOSE, on_wait_or_close },
};
const size_t session_nrequests = sizeof(session_requests) /
    sizeof(session_requests[0]);

void
session_keep_helper(struct session *s, struct ipc_chan *chan, int pidfd)
{
	session_requests_end(s, false);
	s->keeper = keeper_adopt(chan, pidfd, s->user, s->svc->name);
}

void
session_requests_end(struct session *s, bool stopping)
{
	if (s->keeper != NULL)
		keeper_release(s->keeper, !stopping &&
		    !s->svc->sessions.outlive_client);
	s->keeper = NULL;
	if (s->us != NULL) {
		drop_fds(s->us);
		explicit_bzero(s->us, sizeof(*s->us));
		free(s->us);
		s->us = NULL;
	}
}
