/* SPDX-License-Identifier: ISC */
/* session.c: the broker's per-connection state machine. */
#include "session.h"

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "chain.h"
#include "config.h"
#include "listener.h"
#include "lockout.h"
#include "log.h"
#include "msg.h"
#include "names.h"
#include "reply.h"
#include "session_io.h"
#include "session_requests.h"
#include "verify.h"

/* How long a worker may take to write its last reply and go. */
#define CLOSE_GRACE_MS	2000

static struct session_list live = TAILQ_HEAD_INITIALIZER(live);
static struct session_list graveyard = TAILQ_HEAD_INITIALIZER(graveyard);
static unsigned nlive;
static uint32_t next_id = 1;
static bool stopping;		/* session_end_all: hang up no session */

static const char *const state_names[SS_STATE_COUNT] = {
	[SS_LAUNCHING] = "launching",
	[SS_IDLE] = "idle",
	[SS_RESOLVING] = "resolving",
	[SS_VERIFYING] = "verifying",
	[SS_PROMPTING] = "prompting",
	[SS_DELAYING] = "delaying",
	[SS_LOGGED_IN] = "logged-in",
	[SS_SESSION_BUSY] = "session-busy",
	[SS_CLOSING] = "closing",
};

/* How the session does I/O: the event loop's, or a test's. */
static const struct session_io *io = &session_io_loop;

static struct spawn_ctl *workers;

void
session_init(struct spawn_ctl *w)
{
	workers = w;
}

void
session_set_io(const struct session_io *with)
{
	io = with;
}

static void got_worker(struct spawn_wait *w, const struct spawn_child *c);
static void arm_timer(struct session *s);
static void violation(struct session *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

void
session_new(const struct config *conf, struct policy *p,
    const struct policy_service *svc, int client_fd, enum front_end front,
    const struct ucred *peer)
{
	struct session *s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		log_msg(LOG_ERR, "cannot start a session: %s", strerror(errno));
		listener_refuse(client_fd, front, REPLY_SYSTEM_ERROR,
		    "System error");
		return;
	}
	s->id = next_id++;
	s->state = SS_LAUNCHING;
	s->peer = *peer;
	s->conf = conf;
	s->policy = policy_ref(p);
	s->svc = svc;
	s->offer = policy_first_mechs(svc, NULL, NULL);
	s->client_fd = client_fd;
	s->front = front;
	s->worker_pidfd = -1;
	s->worker_wait.ready = got_worker;
	s->worker_ev.fd = -1;
	s->timer_ev.fd = -1;
	s->grace_deadline = io->now() + svc->session_timeout_ms;
	TAILQ_INSERT_TAIL(&live, s, entry);
	nlive++;
	arm_timer(s);
	if (!s->dead)
		spawn_ctl_take(workers, &s->worker_wait);
}

/* Arms the timer for the earliest deadline in force. */
static void
arm_timer(struct session *s)
{
	uint64_t d[] = { s->grace_deadline, s->prompt_deadline, s->reply_at,
	    s->close_deadline, s->verify_deadline };
	uint64_t next = 0;
	size_t i;

	for (i = 0; i < sizeof(d) / sizeof(d[0]); i++)
		if (d[i] != 0 && (next == 0 || d[i] < next))
			next = d[i];
	/* A session whose deadlines cannot be kept must not go on. */
	if (!s->dead && io->arm(s, next) == -1)
		session_end(s, LOG_ERR, "cannot arm the session timer");
}

static void
set_state(struct session *s, enum session_state st)
{
	s->state = st;
	if (st != SS_PROMPTING)
		s->wants_data = false;
	s->prompt_deadline = st == SS_PROMPTING ?
	    io->now() + s->svc->prompt_timeout_ms : 0;
	if (st == SS_LOGGED_IN || st == SS_CLOSING)
		s->grace_deadline = 0;
	/* A greeter's connection waits for the next person without a
	 * clock: its login time runs from a login's first step (at
	 * AUTH_BEGIN) until the login ends. */
	if (s->front == FRONT_GREETD && st == SS_IDLE && s->step == 0)
		s->grace_deadline = 0;
	if (st == SS_CLOSING)
		s->close_deadline = io->now() + CLOSE_GRACE_MS;
	arm_timer(s);
}

/* Sends the worker a message (m NULL for an empty one) with fd, or -1. */
static void
send_worker(struct session *s, uint32_t type, int fd, const void *m)
{
	/* Ended on the way here (a timer that could not be armed). */
	if (s->dead) {
		if (fd != -1)
			close(fd);
		return;
	}
	/* ASSIGN names the session; the rest, the attempt they belong to,
	 * so that the worker can drop those of one its client has left. */
	if (io->send(s, type, type == MSG_ASSIGN ? s->id : s->attempts, fd,
	    m) == -1) {
		if (errno == EPIPE)
			session_on_worker_gone(s);
		else
			session_end(s, LOG_ERR, "worker channel full");
	}
}

/* The mechanisms in the offer by name, as ASSIGN and OFFER carry them. */
static void
offer_names(policy_mechs offer, struct msg_mechs *out)
{
	int m;

	out->n = 0;
	for (m = 0; m < MECH_COUNT && out->n < MECH_MAX; m++)
		if (offer & (1u << m))
			snprintf(out->name[out->n++], sizeof(out->name[0]),
			    "%s", mech_name(m));
}

/* What the client may begin now changed: tell the worker. */
static void
send_offer(struct session *s)
{
	struct msg_offer m;

	memcpy(m.user, s->chain_user, sizeof(m.user));
	offer_names(s->offer, &m.mechs);
	send_worker(s, MSG_OFFER, -1, &m);
}

/* A reply with a code and text, and with a success the mechanism's final
 * data (final_len bytes, maybe none): RESULT answers a request, CLOSE
 * answers and ends the connection. */
static void
reply_with(struct session *s, uint32_t type, uint32_t code, const char *text,
    const void *final, size_t final_len)
{
	static struct msg_reply m;

	m.code = code;
	snprintf(m.text, sizeof(m.text), "%s", text);
	m.final.len = (uint32_t)final_len;
	if (final_len > 0)
		memcpy(m.final.bytes, final, final_len);
	send_worker(s, type, -1, &m);
	explicit_bzero(&m.final, sizeof(m.final));
	if (!s->dead && type == MSG_CLOSE)
		set_state(s, SS_CLOSING);
}

static void
send_reply(struct session *s, uint32_t type, uint32_t code, const char *text)
{
	reply_with(s, type, code, text, NULL, 0);
}

/* A ready worker: it gets the client and the session's parameters in one
 * message, and greets the client at once. */
static void
got_worker(struct spawn_wait *w, const struct spawn_child *c)
{
	struct session *s = (struct session *)((char *)w -
	    offsetof(struct session, worker_wait));
	struct msg_assign m;
	int fd;

	if (c == NULL) {
		listener_refuse(s->client_fd, s->front, REPLY_SYSTEM_ERROR,
		    "System error");
		s->client_fd = -1;
		session_end(s, LOG_ERR, "no worker can be started");
		return;
	}
	if (io->attach(s, c) == -1 ||
	    (fd = fcntl(s->client_fd, F_DUPFD_CLOEXEC, 0)) == -1) {
		session_end(s, LOG_ERR, "cannot take the worker's channel");
		return;
	}
	log_msg(LOG_DEBUG, "session %u: worker %d for peer uid %u pid %d",
	    s->id, (int)c->pid, (unsigned)s->peer.uid, (int)s->peer.pid);
	m.idle_timeout_ms = s->conf->idle_timeout_ms;
	offer_names(s->offer, &m.offer);
	m.front = s->front;
	/* The channel owns this copy of the client's socket from here on;
	 * the broker keeps its own only to say 505 if the worker dies. */
	set_state(s, SS_IDLE);
	send_worker(s, MSG_ASSIGN, fd, &m);
}

/* The audit line of the attempt in progress on s, ended with outcome:
 * once per attempt, whatever crosses it. */
static void
record_attempt(struct session *s, const char *outcome)
{
	const struct audit_record r = {
		.session = s->id,
		.peer = &s->peer,
		.service = s->svc->name,
		.rhost = s->remote_host,
		.ruser = s->remote_user,
		.user = s->user,
		.mech = s->mech,
		.step = s->step + 1,
		.rule = s->rule_name,
		.duration_ms = io->now() - s->attempt_started_ms,
		.detail = s->vdetail,
		.authzid = s->act_for_asked[0] != '\0' ? s->act_for_asked :
		    s->act_for,
		.warning = s->audit_warning,
	};

	char user[LOG_QUOTED_MAX(USER_NAME_MAX)];

	if (s->attempt_recorded)
		return;
	s->attempt_recorded = true;
	audit_attempt(&r, outcome);
	/* The lock took effect when the guess was charged; it stands, and
	 * is told, unless proving the factor lifted it. */
	if (s->charge_locked)
		log_msg(LOG_WARNING, "session %u: user %s locked out for %us "
		    "after %u failures (rule %s)", s->id,
		    log_quote(s->user, user, sizeof(user)),
		    s->policy->lockout_duration_s, s->policy->lockout_failures,
		    s->rule_name);
}

/* An attempt has begun and not yet been decided, so not yet audited (a
 * failure is audited when it is decided, before its delay). */
static bool
attempt_undecided(const struct session *s)
{
	return (s->state == SS_RESOLVING || s->state == SS_VERIFYING ||
	    s->state == SS_PROMPTING) &&
	    !s->attempt_recorded;
}

/* The worker broke the protocol: it may be compromised.  Kill it, log it,
 * and count the attempt in progress as failed. */
static void
violation(struct session *s, const char *fmt, ...)
{
	char why[256], line[320], rule[AUDIT_RULE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (attempt_undecided(s))
		record_attempt(s, "worker-violation");
	else {
		snprintf(rule, sizeof(rule), "%s:protocol", s->svc->name);
		audit_session(s->id, &s->peer, s->svc->name, rule,
		    "worker-violation");
	}
	snprintf(line, sizeof(line), "worker %d broke the protocol in state "
	    "%s: %s; killed", (int)s->worker_pid, state_names[s->state], why);
	session_end(s, LOG_WARNING, line);
}

/* Stops whatever works on the attempt (its verifier, or the lookup of
 * the user's groups). */
static void
stop_verifier(struct session *s)
{
	if (s->verifier != NULL && s->verifier->cancel != NULL)
		s->verifier->cancel(&s->attempt);
	s->verifier = NULL;
	s->verify_deadline = 0;
}

/* Drops an initial response held while resolving (it may be a secret). */
static void
drop_early(struct session *s)
{
	if (s->early.data == NULL)
		return;
	explicit_bzero((void *)s->early.data, s->early.len);
	free((void *)s->early.data);
	s->early.data = NULL;
}

/* The attempt ends early: nothing works on it, and nothing it held is
 * kept. */
static void
cancel_verifier(struct session *s)
{
	stop_verifier(s);
	drop_early(s);
}

static void fail_later(struct session *s, const char *outcome);

/* The policy's word on the first factor of s's login, for a user in
 * groups[ngroups]: the rule, now fixed for the chain, and its name for
 * the audit log. */
static enum chain_start
first_factor(struct session *s, const char *const *groups, size_t ngroups)
{
	const struct chain_query q = {
		.policy = s->policy,
		.svc = s->svc,
		.user = s->user,
		.groups = groups,
		.ngroups = ngroups,
		.mech = s->mech,
		.from = s->has_context ? &s->remote_addr : NULL,
		.remote_user = s->remote_user[0] != '\0' ? s->remote_user :
		    NULL,
	};

	return chain_first(&q, &s->rule, s->rule_name, sizeof(s->rule_name));
}

/* The user is locked out: at the start of a factor, or at an answer
 * because other connections' guesses locked it meanwhile. */
static void
locked_out(struct session *s)
{
	cancel_verifier(s);
	snprintf(s->rule_name, sizeof(s->rule_name), "lockout");
	record_attempt(s, "locked-out");
	set_state(s, SS_IDLE);
	send_reply(s, MSG_RESULT, REPLY_LOCKED_OUT, "Account locked after "
	    "too many failures; try again later");
}

static struct lockout_rules
lockout_rules_of(const struct session *s)
{
	return (struct lockout_rules){ s->policy->lockout_failures,
	    s->policy->lockout_window_s, s->policy->lockout_duration_s };
}

/* A guess is charged when its answer reaches the broker, before it is
 * verified: a client that then leaves, aborts or times out, or whose
 * helper is killed, has used it.  Once per attempt; proving the factor
 * refunds it (decide). */
static void
charge_guess(struct session *s)
{
	struct lockout_rules rules = lockout_rules_of(s);

	if (rules.failures == 0 || s->charged)
		return;
	s->charged = true;
	s->charge_locked = lockout_failed(s->user, time(NULL), &rules,
	    &s->charge_window);
}

/* Whether another connection's guesses locked the user since this
 * attempt began (its own charge may lock, and still be verified). */
static bool
locked_meanwhile(const struct session *s)
{
	return s->policy->lockout_failures != 0 && !s->charge_locked &&
	    lockout_remaining(s->user, time(NULL)) > 0;
}

static void expect_answer(struct session *s);
static void partial_success(struct session *s);
static void look_up_groups(struct session *s);
static struct session *session_of(struct attempt *a);
static void decide(struct session *s, enum verdict v, const char *detail,
    const void *final, size_t final_len);
static void begin_factor(struct session *s, const char *const *groups,
    size_t ngroups);
static void take_early(struct session *s);

static void
on_auth_begin(struct session *s, const struct ipc_msg *in)
{
	const struct verifier *v;
	struct msg_auth_begin begin;
	int m;

	if (msg_read_auth_begin(in, &begin) == -1) {
		violation(s, "malformed AUTH_BEGIN");
		return;
	}
	memcpy(s->mech, begin.mech, sizeof(s->mech));
	memcpy(s->user, begin.user, sizeof(s->user));
	/* The worker checked all of this already against the offer it was
	 * given; a worker that did not is not to be trusted with anything
	 * else either. */
	if (!name_mech_valid(s->mech) || !name_user_valid(s->user)) {
		violation(s, "invalid mechanism or user name");
		return;
	}
	m = mech_by_name(s->mech);
	if (m == -1 || !(s->offer & (1u << m)) ||
	    (v = verifier_of(m)) == NULL) {
		violation(s, "mechanism %s not offered", s->mech);
		return;
	}
	if (s->step > 0 && strcmp(s->user, s->chain_user) != 0) {
		violation(s, "user changed in the middle of a chain");
		return;
	}
	if (begin.initial && !v->initial_response) {
		violation(s, "initial response to %s", s->mech);
		return;
	}
	if (s->grace_deadline == 0 && !s->logged_in)
		s->grace_deadline = io->now() + s->svc->session_timeout_ms;
	/* An initial response follows the begin: if the attempt ends before
	 * it is awaited, it is ignored as an answer that crossed. */
	s->answer_may_cross = s->initial_pending = begin.initial;
	s->context_closed = true;
	if (s->attempts >= s->svc->attempts) {
		send_reply(s, MSG_CLOSE, REPLY_TOO_MANY_ATTEMPTS,
		    "Too many attempts");
		return;
	}
	s->attempts++;
	s->attempt_recorded = false;
	s->audit_warning = false;
	s->final_ack = false;
	if (s->step == 0) {
		s->act_for[0] = '\0';
		s->secret_proven = s->failed_open = false;
		/* A new login: the PAM helper a factor kept is not its. */
		session_requests_end(s, false);
	}
	s->act_for_asked[0] = '\0';
	s->charged = s->charge_locked = false;
	s->attempt_started_ms = s->answered_ms = io->now();
	s->vdetail[0] = '\0';
	drop_early(s);
	s->attempt = (struct attempt){ .user = s->user, .svc = s->svc,
	    .remote_host = s->remote_host, .remote_user = s->remote_user,
	    .command = s->remote_command, .peer_uid = s->peer.uid,
	    .initial = begin.initial };
	set_state(s, SS_VERIFYING);
	if (s->dead)
		return;
	if (s->step == 0 && chain_needs_groups(s->svc))
		look_up_groups(s);
	else
		begin_factor(s, NULL, 0);
}

/* The attempt could not begin: audited, and 505. */
static void
begin_failed(struct session *s)
{
	s->verifier = NULL;
	/* An initial response still on its way has no attempt left. */
	s->answer_may_cross = s->initial_pending;
	record_attempt(s, "error");
	set_state(s, SS_IDLE);
	send_reply(s, MSG_RESULT, REPLY_SYSTEM_ERROR, "System error");
}

/* A rule of the service names groups: a helper looks up the user's
 * (NSS may be slow, or hang) while the loop serves everyone else, and
 * the session timeout bounds the wait. */
static void
look_up_groups(struct session *s)
{
	/* Until a rule decides, the audit log names the lookup. */
	snprintf(s->rule_name, sizeof(s->rule_name), "%s:groups",
	    s->svc->name);
	/* An initial response that comes meanwhile is held (hold_early). */
	s->answer_may_cross = false;
	set_state(s, SS_RESOLVING);
	if (s->dead)
		return;
	s->verifier = &groups_lookup;
	if (groups_lookup.begin(&s->attempt) == -1) {
		snprintf(s->vdetail, sizeof(s->vdetail), "groups:unavailable");
		begin_failed(s);
	}
}

void
attempt_groups(struct attempt *a, const char *const *groups, size_t n)
{
	struct session *s = session_of(a);

	if (s->state != SS_RESOLVING) {
		session_end(s, LOG_ERR, "groups looked up out of turn");
		return;
	}
	stop_verifier(s);
	s->answer_may_cross = s->initial_pending;
	set_state(s, SS_VERIFYING);
	if (s->dead)
		return;
	begin_factor(s, groups, n);
	take_early(s);
}

/* The factor's verifier begins, once the policy has its say on the
 * first factor (groups[ngroups] the user's, when the rules need them). */
static void
begin_factor(struct session *s, const char *const *groups, size_t ngroups)
{
	const struct verifier *v = verifier_of(mech_by_name(s->mech));
	enum chain_start start;

	/* Later factors check the lock too: one that asks nothing would
	 * never meet the check at an answer. */
	start = s->step == 0 ? first_factor(s, groups, ngroups) :
	    locked_meanwhile(s) ? CHAIN_LOCKED : CHAIN_GO;
	if (start == CHAIN_LOCKED) {
		locked_out(s);
		return;
	}
	/* Neither a deny rule nor a user's rule that begins with another
	 * mechanism is announced: the dialog runs as for anyone, and fails
	 * at its end like a wrong password (sshd's DenyUsers). */
	s->refusal = start == CHAIN_DENIED ? "denied" :
	    start == CHAIN_NOT_PERMITTED ? "mechanism-not-permitted" : NULL;
	/* Except a dialog that acts beyond the broker: no one's phone gets
	 * a push for a login that cannot succeed. */
	if (s->refusal != NULL && v->acts_outside) {
		fail_later(s, s->refusal);
		s->refusal = NULL;
		return;
	}
	s->verifier = v;
	if (v->begin(&s->attempt) == -1) {
		begin_failed(s);
		return;
	}
	/* The initial response is the answer to a data prompt that was
	 * never sent. */
	if (s->attempt.initial && s->state == SS_VERIFYING)
		expect_answer(s);
}

/* A trusted front end tells who it serves, once, before any login. */
static void
on_context(struct session *s, const struct ipc_msg *in)
{
	char rule[AUDIT_RULE_MAX];
	struct policy_net addr;
	struct msg_context m;

	if (msg_read_context(in, &m) == -1 ||
	    policy_net_parse(m.host, &addr) == -1 ||
	    strchr(m.host, '/') != NULL || (m.user[0] != '\0' &&
	    !name_user_valid(m.user)) || !name_text_valid(m.command)) {
		violation(s, "malformed CONTEXT");
		return;
	}
	/* An honest worker asks once, before any login, and answers a
	 * second request itself. */
	if (s->context_closed) {
		violation(s, "CONTEXT more than once or after a login");
		return;
	}
	s->context_closed = true;
	if (!policy_peer_trusted(s->svc, s->peer.uid, s->peer.gid)) {
		snprintf(rule, sizeof(rule), "%s:trusted-peer", s->svc->name);
		audit_session(s->id, &s->peer, s->svc->name, rule,
		    "context-refused");
		send_reply(s, MSG_RESULT, REPLY_NOT_PERMITTED,
		    "Not permitted: not a trusted front end");
		return;
	}
	s->has_context = true;
	s->remote_addr = addr;
	memcpy(s->remote_host, m.host, sizeof(s->remote_host));
	memcpy(s->remote_user, m.user, sizeof(s->remote_user));
	memcpy(s->remote_command, m.command, sizeof(s->remote_command));
	s->offer = policy_first_mechs(s->svc, &addr, m.user[0] != '\0' ?
	    m.user : NULL);
	send_offer(s);
	send_reply(s, MSG_RESULT, REPLY_OK, "Context set");
}

/* An answer to what was shown: answers to a prompt or round, or data to
 * mechanism data, and nothing else.  False when the session ended. */
static bool
take_answer(struct session *s, bool data)
{
	if (data != s->wants_data) {
		violation(s, data ? "AUTH_DATA to a prompt" :
		    "AUTH_ANSWER to mechanism data");
		return false;
	}
	s->initial_pending = false;
	/* The lock is checked at every answer, not only at the start. */
	if (locked_meanwhile(s)) {
		locked_out(s);
		return false;
	}
	s->answered_ms = io->now();
	set_state(s, SS_VERIFYING);
	return !s->dead;
}

/* How many answers make sense is the mechanism's: its verifier says. */
static void
on_auth_answer(struct session *s, const struct ipc_msg *in)
{
	static struct msg_answers a;
	int rc;

	if (!take_answer(s, false))
		return;
	if ((rc = msg_read_auth_answer(in, &a)) == 0) {
		/* An acknowledged message guesses nothing. */
		if (a.n > 0)
			charge_guess(s);
		rc = s->verifier->answer(&s->attempt, &a);
	}
	msg_answers_wipe(&a);
	if (rc == -1)
		violation(s, "malformed AUTH_ANSWER");
}

/* The client's data, decoded by the worker. */
static void
on_auth_data(struct session *s, const struct ipc_msg *in)
{
	static struct msg_data d;
	int rc;

	if (!take_answer(s, true))
		return;
	/* The client took a proven factor's final data: the chain goes on
	 * (whatever it says back, it guesses nothing). */
	if (s->final_ack) {
		s->final_ack = false;
		if (msg_read_auth_data(in, &d) == -1)
			violation(s, "malformed AUTH_DATA");
		else
			partial_success(s);
		explicit_bzero(&d, sizeof(d));
		return;
	}
	if ((rc = msg_read_auth_data(in, &d)) == 0) {
		charge_guess(s);
		rc = s->verifier->data(&s->attempt, &d);
	}
	explicit_bzero(&d, sizeof(d));
	if (rc == -1)
		violation(s, "malformed AUTH_DATA");
}

/* The worker ends the connection (quit, its idle timeout, the client
 * hung up), in any state: its going is no failure, a held reply is not
 * sent, and it has a grace to go. */
static void
on_leaving(struct session *s, const struct ipc_msg *in)
{
	if (msg_read(in, MSG_LEAVING, NULL) == -1) {
		violation(s, "malformed LEAVING");
		return;
	}
	if (attempt_undecided(s)) {
		cancel_verifier(s);
		record_attempt(s, "aborted");
	}
	s->reply_at = 0;
	set_state(s, SS_CLOSING);
}

static void
on_auth_abort(struct session *s, const struct ipc_msg *in)
{
	if (msg_read(in, MSG_AUTH_ABORT, NULL) == -1) {
		violation(s, "malformed AUTH_ABORT");
		return;
	}
	cancel_verifier(s);
	record_attempt(s, "aborted");
	set_state(s, SS_IDLE);
}

/* The client's initial response, come while its groups are looked up:
 * held until the factor begins (take_early); one, and only after a
 * begin that announced it. */
static void
hold_early(struct session *s, const struct ipc_msg *in)
{
	uint8_t *copy;

	if (!s->initial_pending) {
		violation(s, "%s before its prompt", msg_name(in->hdr.type));
		return;
	}
	s->initial_pending = false;
	if ((copy = malloc(in->len > 0 ? in->len : 1)) == NULL) {
		decide(s, VERDICT_ERROR, "out of memory", NULL, 0);
		return;
	}
	memcpy(copy, in->data, in->len);
	s->early = *in;
	s->early.data = copy;
}

/* The held initial response, as if it came now: taken when the factor
 * waits for it, dropped (an answer that crossed) when the attempt ended
 * first. */
static void
take_early(struct session *s)
{
	struct ipc_msg m = s->early;

	if (m.data == NULL)
		return;
	if (s->state == SS_PROMPTING && !s->dead) {
		s->early.data = NULL;
		session_on_message(s, &m);
		s->early = m;
	}
	drop_early(s);
}

void
session_violation(struct session *s, const char *why)
{
	violation(s, "%s", why);
}

void
session_answer(struct session *s, uint32_t code, const char *text)
{
	set_state(s, SS_LOGGED_IN);
	send_reply(s, MSG_RESULT, code, text);
}

void
session_busy(struct session *s)
{
	set_state(s, SS_SESSION_BUSY);
}

#define IN(st)	(1u << (st))

/* Which worker message is legal in which state (OpenSSH's monitor table).
 * Everything else, and any message carrying a descriptor, is fatal. */
static const struct dispatch {
	uint32_t type;
	unsigned states;
	void (*handle)(struct session *, const struct ipc_msg *);
} worker_dispatch[] = {
	{ MSG_AUTH_BEGIN, IN(SS_IDLE), on_auth_begin },
	{ MSG_AUTH_ANSWER, IN(SS_PROMPTING), on_auth_answer },
	{ MSG_AUTH_ANSWER, IN(SS_RESOLVING), hold_early },
	{ MSG_AUTH_DATA, IN(SS_PROMPTING), on_auth_data },
	{ MSG_AUTH_DATA, IN(SS_RESOLVING), hold_early },
	{ MSG_AUTH_ABORT, IN(SS_PROMPTING), on_auth_abort },
	{ MSG_CONTEXT, IN(SS_IDLE), on_context },
	{ MSG_LEAVING, IN(SS_IDLE) | IN(SS_RESOLVING) | IN(SS_VERIFYING) |
	    IN(SS_PROMPTING) | IN(SS_DELAYING) | IN(SS_LOGGED_IN) |
	    IN(SS_SESSION_BUSY), on_leaving },
};

/* A session request (session_requests.h), legal once logged in. */
static bool
session_request(struct session *s, const struct ipc_msg *m)
{
	size_t i;

	for (i = 0; i < session_nrequests; i++) {
		if (session_requests[i].type != m->hdr.type)
			continue;
		if (s->state != SS_LOGGED_IN)
			return false;
		session_requests[i].handle(s, m);
		return true;
	}
	return false;
}

void
session_on_message(struct session *s, const struct ipc_msg *m)
{
	size_t i;

	/* After CLOSE the worker may still have had something in flight;
	 * it goes within CLOSE_GRACE_MS whatever it says. */
	if (s->state == SS_CLOSING && m->fd == -1)
		return;
	/* A descriptor comes only as a session's stdin, stdout or stderr. */
	if (m->fd != -1 && m->hdr.type != MSG_SESSION_FD) {
		close(m->fd);
		violation(s, "message type %u with a descriptor",
		    m->hdr.type);
		return;
	}
	if (s->answer_may_cross && (m->hdr.type == MSG_AUTH_ANSWER ||
	    m->hdr.type == MSG_AUTH_DATA || m->hdr.type == MSG_AUTH_ABORT)) {
		s->answer_may_cross = false;
		return;
	}
	s->answer_may_cross = false;
	if (session_request(s, m))
		return;
	if (m->fd != -1)
		close(m->fd);
	for (i = 0; i < sizeof(worker_dispatch) / sizeof(worker_dispatch[0]);
	    i++) {
		if (worker_dispatch[i].type != m->hdr.type ||
		    !(worker_dispatch[i].states & IN(s->state)))
			continue;
		worker_dispatch[i].handle(s, m);
		return;
	}
	violation(s, "message type %u out of sequence", m->hdr.type);
}

/* The worker closed its channel: the client left, or the worker ended. */
void
session_on_worker_gone(struct session *s)
{
	if (attempt_undecided(s))
		record_attempt(s, "aborted");
	/* Gone without CLOSE or LEAVING: the client left, or the worker
	 * died.  A client still there is told, not just hung up on. */
	if (s->state != SS_CLOSING && s->client_fd != -1)
		listener_tell(s->client_fd, s->front, REPLY_SYSTEM_ERROR,
		    "System error");
	session_end(s, LOG_DEBUG, s->logged_in ?
	    "logged-in connection closed" : "connection closed");
}

void
session_on_frame_error(struct session *s, int err)
{
	violation(s, "malformed frame (%s)", strerror(err));
}

/* A prompt, round or data from the verifier goes to the client; its
 * answer is awaited for prompt_timeout_ms. */
static void
show_client(struct session *s, uint32_t type, const void *m)
{
	if (s->state != SS_VERIFYING) {
		session_end(s, LOG_ERR, "verifier prompted out of turn");
		return;
	}
	expect_answer(s);
	send_worker(s, type, -1, m);
}

/* The client's answer is awaited: data for a verifier that takes data,
 * answers for the others (plain's data comes split into answers). */
static void
expect_answer(struct session *s)
{
	s->answer_may_cross = false;
	set_state(s, SS_PROMPTING);
	s->wants_data = s->verifier->data != NULL;
}

/* The session that owns attempt a. */
static struct session *
session_of(struct attempt *a)
{
	return (struct session *)((char *)a - offsetof(struct session,
	    attempt));
}

static void decide(struct session *s, enum verdict v, const char *detail,
    const void *final, size_t final_len);
static void final_before_partial(struct session *s, const void *final,
    size_t len);

void
attempt_data(struct attempt *a, const void *bytes, size_t len)
{
	static struct msg_data d;
	struct session *s = session_of(a);

	if (len > sizeof(d.bytes)) {
		decide(s, VERDICT_ERROR, "mechanism data too long", NULL, 0);
		return;
	}
	d.len = (uint32_t)len;
	memcpy(d.bytes, bytes, len);
	show_client(s, MSG_DATA, &d);
	explicit_bzero(&d, sizeof(d));
}

void
attempt_prompt(struct attempt *a, enum prompt_kind kind, const char *text)
{
	struct msg_prompt m = { .kind = (uint8_t)kind };

	snprintf(m.text, sizeof(m.text), "%s", text);
	show_client(session_of(a), MSG_PROMPT, &m);
}

void
attempt_round(struct attempt *a, const struct msg_round *r)
{
	show_client(session_of(a), MSG_ROUND, r);
}

/* What the client is told when an attempt ends without success, after
 * the secret was proven or the dialog broke a bound. */
static const struct {
	const char *outcome;
	uint32_t code;
	const char *text;
} settled[] = {
	[VERDICT_ERROR] = { "error", REPLY_SYSTEM_ERROR, "System error" },
	[VERDICT_EXPIRED] = { "password-expired", REPLY_PASSWORD_EXPIRED,
	    "Password expired and not changed" },
	[VERDICT_DISABLED] = { "account-disabled", REPLY_ACCOUNT_DISABLED,
	    "Account expired or disabled" },
	[VERDICT_LIMIT] = { "dialog-limit", REPLY_DIALOG_LIMIT,
	    "Too many prompts or rounds" },
};

/* The same reply after the same delay, counted from the last answer,
 * whatever the reason: a wrong password, an unknown user and a deny rule
 * look alike. */
static void
fail_later(struct session *s, const char *outcome)
{
	uint64_t now = io->now();

	record_attempt(s, outcome);
	if (s->attempts >= s->svc->attempts) {
		s->held_type = MSG_CLOSE;
		s->held_code = REPLY_TOO_MANY_ATTEMPTS;
		s->held_text = "Authentication failed; too many attempts";
	} else {
		s->held_type = MSG_RESULT;
		s->held_code = REPLY_AUTH_FAILED;
		s->held_text = "Authentication failed";
	}
	set_state(s, SS_DELAYING);
	s->reply_at = s->answered_ms + s->conf->failure_delay_ms;
	if (s->reply_at < now + 1)
		s->reply_at = now + 1;
	arm_timer(s);
}

/* A factor is proven and the chain wants more: the next step's
 * mechanisms, as many 306 lines, and the chain is fixed to this user. */
static void
partial_success(struct session *s)
{
	char next[MECH_MAX * MECH_NAME_MAX];

	record_attempt(s, "partial");
	s->step++;
	s->offer = s->rule->steps[s->step];
	snprintf(s->chain_user, sizeof(s->chain_user), "%s", s->user);
	set_state(s, SS_IDLE);
	send_offer(s);
	chain_mech_names(s->offer, "\n", next, sizeof(next));
	if (!s->dead)
		send_reply(s, MSG_RESULT, REPLY_PARTIAL, next);
}

/* A factor proven with final data (SCRAM's server-final) that the chain
 * follows with another: a 306 carries no data, so the data goes to the
 * client as a last 300, which it takes with "pass =" (on_auth_data)
 * before the 306, having checked it. */
static void
final_before_partial(struct session *s, const void *final, size_t len)
{
	static struct msg_data d;

	d.len = (uint32_t)(len <= sizeof(d.bytes) ? len : 0);
	memcpy(d.bytes, final, d.len);
	s->final_ack = true;
	set_state(s, SS_PROMPTING);
	s->wants_data = true;
	send_worker(s, MSG_DATA, -1, &d);
	explicit_bzero(&d, sizeof(d));
}

/* Removes the session's delegated credentials, if any. */
static void
drop_credentials(struct session *s)
{
	if (s->ccache[0] != '\0' && unlink(s->ccache) == -1 &&
	    errno != ENOENT)
		log_msg(LOG_ERR, "session %u: %s: %s", s->id, s->ccache,
		    strerror(errno));
	s->ccache[0] = '\0';
}

void
attempt_credentials(struct attempt *a, const char *path)
{
	struct session *s = session_of(a);

	drop_credentials(s);
	snprintf(s->ccache, sizeof(s->ccache), "%s", path);
}

void
attempt_keep_helper(struct attempt *a, struct ipc_chan *chan, int pidfd)
{
	session_keep_helper(session_of(a), chan, pidfd);
}

int
attempt_act_for(struct attempt *a, const char *authzid)
{
	struct session *s = session_of(a);

	if (s->rule == NULL || !name_user_valid(authzid) ||
	    !policy_rule_acts_for(s->rule, authzid))
		return -1;
	snprintf(s->act_for_asked, sizeof(s->act_for_asked), "%s", authzid);
	return 0;
}

void
attempt_deadline(struct attempt *a, unsigned ms)
{
	struct session *s = session_of(a);

	s->verify_deadline = io->now() + ms;
	arm_timer(s);
}

void
attempt_verified(struct attempt *a, enum verdict v, const char *detail)
{
	decide(session_of(a), v, detail, NULL, 0);
}

void
attempt_verified_data(struct attempt *a, enum verdict v, const char *detail,
    const void *final, size_t final_len)
{
	decide(session_of(a), v, detail, final, final_len);
}

/* The verifier decided the attempt: the reply, the audit line, the
 * lockout, and the session's next state. */
static void
decide(struct session *s, enum verdict v, const char *detail,
    const void *final, size_t final_len)
{
	struct lockout_rules rules = lockout_rules_of(s);
	bool guessed = s->verifier == NULL || !s->verifier->no_secret;
	char text[16 + USER_NAME_MAX];
	size_t len;

	snprintf(s->vdetail, sizeof(s->vdetail), "%s", detail);
	cancel_verifier(s);
	/* Decided while a prompt was out (the verifier failed): the worker
	 * may be sending the client's answer as the result goes to it. */
	s->answer_may_cross = s->state == SS_PROMPTING || s->initial_pending;
	if (s->refusal != NULL) {
		/* Nothing kept for a refusal: credentials, a PAM helper. */
		drop_credentials(s);
		session_requests_end(s, false);
		fail_later(s, s->refusal);
		s->refusal = NULL;
		return;
	}
	/* A factor let through unproven may stand in for itself, never for
	 * a whole login: one that would complete with no secret proven is
	 * an error. */
	if (v == VERDICT_FAILOPEN)
		s->failed_open = true;
	if ((v == VERDICT_OK || v == VERDICT_FAILOPEN) && s->failed_open &&
	    s->step + 1 >= s->rule->nsteps && !s->secret_proven &&
	    !(v == VERDICT_OK && guessed)) {
		v = VERDICT_ERROR;
		len = strlen(s->vdetail);
		snprintf(s->vdetail + len, sizeof(s->vdetail) - len,
		    ":nothing-proven");
	}
	/* A factor proven (a right secret, even one expired or of a
	 * disabled account) gives its guess back. */
	if (s->charged && (v == VERDICT_OK || v == VERDICT_EXPIRED ||
	    v == VERDICT_DISABLED)) {
		lockout_refund(s->user, &rules, s->charge_window);
		s->charge_locked = false;	/* the lock it made is lifted */
	}
	switch (v) {
	case VERDICT_FAILOPEN:
		/* Nothing is proven, but the service's failmode lets the
		 * login go on: loudly, every time. */
		s->audit_warning = true;
		/* FALLTHROUGH */
	case VERDICT_OK:
		/* What this factor asked for holds only now it is proven. */
		if (v == VERDICT_OK && s->act_for_asked[0] != '\0')
			memcpy(s->act_for, s->act_for_asked,
			    sizeof(s->act_for));
		s->secret_proven |= guessed && v == VERDICT_OK;
		if (s->step + 1 < s->rule->nsteps && final_len > 0) {
			final_before_partial(s, final, final_len);
			return;
		}
		if (s->step + 1 < s->rule->nsteps) {
			partial_success(s);
			return;
		}
		if (s->ccache[0] != '\0')
			log_msg(LOG_INFO, "session %u: delegated credentials "
			    "in FILE:%s", s->id, s->ccache);
		record_attempt(s, "success");
		/* A login that proved no secret (unix alone) clears no
		 * count of guesses at one. */
		if (rules.failures != 0 && s->secret_proven)
			lockout_succeeded(s->user);
		s->logged_in = true;
		set_state(s, SS_LOGGED_IN);
		/* A front end of a service with sessions may now pass its
		 * terminal or pipes. */
		if (s->svc->sessions.enabled)
			io->take_fds(s);
		/* A front end must know whom it serves when that is not the
		 * user who proved it. */
		snprintf(text, sizeof(text), "Logged in%s%s", s->act_for[0] !=
		    '\0' ? " as " : "", s->act_for);
		reply_with(s, MSG_RESULT, REPLY_OK, text, final,
		    final_len <= MECH_FINAL_MAX ? final_len : 0);
		return;
	case VERDICT_ERROR:
	case VERDICT_EXPIRED:
	case VERDICT_DISABLED:
	case VERDICT_LIMIT:
		record_attempt(s, settled[v].outcome);
		set_state(s, SS_IDLE);
		send_reply(s, MSG_RESULT, settled[v].code, settled[v].text);
		return;
	case VERDICT_FAILED:
		break;
	}
	/* A failure without an answer counts too, unless no secret was
	 * asked (unix): else anyone could lock anyone out. */
	if (guessed)
		charge_guess(s);
	fail_later(s, "failure");
}

/* The attempt in progress waited too long: audited, and the connection
 * closed with 510 and text. */
static void
attempt_timed_out(struct session *s, const char *text)
{
	cancel_verifier(s);
	record_attempt(s, "timeout");
	send_reply(s, MSG_CLOSE, REPLY_TIMED_OUT, text);
}

void
session_on_deadline(struct session *s)
{
	uint64_t now = io->now();

	if (s->dead)
		return;
	if (s->close_deadline != 0 && now >= s->close_deadline) {
		session_end(s, LOG_WARNING,
		    "worker did not close in time; killed");
		return;
	}
	if (s->reply_at != 0 && now >= s->reply_at) {
		s->reply_at = 0;
		if (s->held_type == MSG_RESULT)
			set_state(s, SS_IDLE);
		send_reply(s, s->held_type, s->held_code, s->held_text);
		return;
	}
	if (s->verify_deadline != 0 && now >= s->verify_deadline) {
		snprintf(s->vdetail, sizeof(s->vdetail), "%s:timeout", s->mech);
		attempt_timed_out(s, "Timed out waiting for the factor");
		return;
	}
	if (s->prompt_deadline != 0 && now >= s->prompt_deadline) {
		attempt_timed_out(s, "Timed out waiting for an answer");
		return;
	}
	if (s->grace_deadline != 0 && now >= s->grace_deadline) {
		/* A directory that does not answer, for the audit log. */
		if (s->state == SS_RESOLVING)
			snprintf(s->vdetail, sizeof(s->vdetail),
			    "groups:timeout");
		if (attempt_undecided(s))
			record_attempt(s, "timeout");
		cancel_verifier(s);
		if (s->state == SS_LAUNCHING) {
			session_end(s, LOG_WARNING, "no worker in time");
			return;
		}
		s->reply_at = 0;
		send_reply(s, MSG_CLOSE, REPLY_TIMED_OUT, "Login time exceeded");
		return;
	}
	arm_timer(s);
}

void
session_end(struct session *s, int prio, const char *why)
{
	if (s->dead)
		return;
	log_msg(prio, "session %u: %s", s->id, why);
	cancel_verifier(s);
	session_requests_end(s, stopping);
	drop_credentials(s);
	spawn_ctl_cancel(workers, &s->worker_wait);
	if (s->client_fd != -1)
		close(s->client_fd);
	io->release(s);
	policy_unref(s->policy);
	s->policy = NULL;
	s->dead = true;
	TAILQ_REMOVE(&live, s, entry);
	TAILQ_INSERT_TAIL(&graveyard, s, entry);
	nlive--;
}

unsigned
session_count(void)
{
	return nlive;
}

unsigned
session_count_peer(const char *svc_name, uid_t uid)
{
	const struct session *s;
	unsigned n = 0;

	TAILQ_FOREACH(s, &live, entry)
		n += s->peer.uid == uid && strcmp(s->svc->name, svc_name) == 0;
	return n;
}

void
session_end_all(void)
{
	/* Running user sessions go on without the broker. */
	stopping = true;
	while (!TAILQ_EMPTY(&live))
		session_end(TAILQ_FIRST(&live), LOG_INFO, "broker stopping");
}

void
session_reap(void)
{
	struct session *s;

	while ((s = TAILQ_FIRST(&graveyard)) != NULL) {
		TAILQ_REMOVE(&graveyard, s, entry);
		explicit_bzero(s, sizeof(*s));
		free(s);
	}
}
