/* audit.c: attempt records. */
#include "audit.h"

#include "log.h"

/* "-" for a field that has no value. */
static const char *
or_dash(const char *s)
{
	return s[0] != '\0' ? s : "-";
}

void
audit_attempt(const struct audit_record *r, const char *outcome)
{
	log_msg(LOG_NOTICE, "audit: session=%u peer_uid=%u peer_pid=%d "
	    "service=%s rhost=%s ruser=%s user=%s mech=%s step=%zu rule=%s "
	    "outcome=%s duration_ms=%llu%s%s",
	    r->session, (unsigned)r->peer->uid, (int)r->peer->pid, r->service,
	    or_dash(r->rhost), or_dash(r->ruser), r->user, r->mech, r->step,
	    or_dash(r->rule), outcome, (unsigned long long)r->duration_ms,
	    r->detail[0] != '\0' ? " detail=" : "", r->detail);
}

void
audit_refused(const struct ucred *peer, const char *rule,
    const char *outcome)
{
	log_msg(LOG_NOTICE, "audit: session=- peer_uid=%u peer_pid=%d "
	    "rule=%s outcome=%s", (unsigned)peer->uid, (int)peer->pid, rule,
	    outcome);
}

void
audit_session(uint32_t session, const struct ucred *peer, const char *service,
    const char *rule, const char *outcome)
{
	log_msg(LOG_NOTICE, "audit: session=%u peer_uid=%u peer_pid=%d "
	    "service=%s rule=%s outcome=%s", session, (unsigned)peer->uid,
	    (int)peer->pid, service, rule, outcome);
}
