/* SPDX-License-Identifier: ISC */
/* audit.c: attempt records, each field that comes from outside quoted
 * (log_quote) so that no value can end its field or its line. */
#include "audit.h"

#include <time.h>

#include "clock.h"
#include "ipc_proto.h"
#include "log.h"
#include "msg.h"

/* The longest audit line, with every quoted field at its worst, must fit
 * a log line: otherwise a long name could push the outcome off it. */
#define Q(len)	LOG_QUOTED_MAX(len)
_Static_assert(256 + Q(POLICY_NAME_MAX) + 2 * Q(MSG_HOST_MAX) +
    2 * Q(USER_NAME_MAX) + MECH_NAME_MAX + Q(AUDIT_RULE_MAX) +
    Q(AUDIT_DETAIL_MAX) < LOG_LINE_MAX, "an audit line can be cut");

/* Refusals outside attempts (busy, peer not allowed, a context refused)
 * come at a client's pace: at most this many lines a second, the rest
 * counted in one line. */
#define REFUSALS_PER_SEC	20

static uint64_t window_start_ms;
static unsigned window_lines, window_dropped;

/* True when another refusal line may be written now. */
static bool
refusal_allowed(void)
{
	uint64_t now = clock_now_ms();

	if (now - window_start_ms >= 1000) {
		if (window_dropped > 0)
			log_msg(LOG_NOTICE, "audit: session=- outcome=suppressed "
			    "count=%u", window_dropped);
		window_start_ms = now;
		window_lines = window_dropped = 0;
	}
	if (window_lines >= REFUSALS_PER_SEC) {
		window_dropped++;
		return false;
	}
	window_lines++;
	return true;
}

void
audit_attempt(const struct audit_record *r, const char *outcome)
{
	char service[Q(POLICY_NAME_MAX)], rhost[Q(MSG_HOST_MAX)];
	char ruser[Q(USER_NAME_MAX)], user[Q(USER_NAME_MAX)];
	char rule[Q(AUDIT_RULE_MAX)], detail[Q(AUDIT_DETAIL_MAX)];
	char authzid[Q(USER_NAME_MAX)];

	log_msg(r->warning ? LOG_WARNING : LOG_NOTICE, "audit: session=%u "
	    "peer_uid=%u peer_pid=%d service=%s rhost=%s ruser=%s user=%s mech=%s step=%zu rule=%s "
	    "outcome=%s duration_ms=%llu%s%s%s%s",
	    r->session, (unsigned)r->peer->uid, (int)r->peer->pid,
	    log_quote(r->service, service, sizeof(service)),
	    log_quote(r->rhost, rhost, sizeof(rhost)),
	    log_quote(r->ruser, ruser, sizeof(ruser)),
	    log_quote(r->user, user, sizeof(user)), r->mech, r->step,
	    log_quote(r->rule, rule, sizeof(rule)), outcome,
	    (unsigned long long)r->duration_ms,
	    r->authzid[0] != '\0' ? " authzid=" : "", r->authzid[0] != '\0' ?
	    log_quote(r->authzid, authzid, sizeof(authzid)) : "",
	    r->detail[0] != '\0' ? " detail=" : "", r->detail[0] != '\0' ?
	    log_quote(r->detail, detail, sizeof(detail)) : "");
}

void
audit_refused(const struct ucred *peer, const char *rule,
    const char *outcome)
{
	char qrule[Q(AUDIT_RULE_MAX)];

	if (refusal_allowed())
		log_msg(LOG_NOTICE, "audit: session=- peer_uid=%u peer_pid=%d "
		    "rule=%s outcome=%s", (unsigned)peer->uid, (int)peer->pid,
		    log_quote(rule, qrule, sizeof(qrule)), outcome);
}

void
audit_session(uint32_t session, const struct ucred *peer, const char *service,
    const char *rule, const char *outcome)
{
	char qservice[Q(POLICY_NAME_MAX)], qrule[Q(AUDIT_RULE_MAX)];

	if (refusal_allowed())
		log_msg(LOG_NOTICE, "audit: session=%u peer_uid=%u "
		    "peer_pid=%d service=%s rule=%s outcome=%s", session,
		    (unsigned)peer->uid, (int)peer->pid,
		    log_quote(service, qservice, sizeof(qservice)),
		    log_quote(rule, qrule, sizeof(qrule)), outcome);
}

void
audit_session_end(const struct audit_session_end *e)
{
	char service[Q(POLICY_NAME_MAX)], user[Q(USER_NAME_MAX)];
	char tty[Q(SESSION_TTY_MAX)], status[Q(128)];

	log_msg(LOG_NOTICE, "audit: session=%u service=%s user=%s tty=%s "
	    "outcome=%s status=%s duration_ms=%llu", e->session,
	    log_quote(e->service, service, sizeof(service)),
	    log_quote(e->user, user, sizeof(user)),
	    log_quote(e->tty, tty, sizeof(tty)), e->outcome,
	    log_quote(e->status, status, sizeof(status)),
	    (unsigned long long)e->duration_ms);
}
