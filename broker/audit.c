/* audit.c: attempt records. */
#include "audit.h"

#include "clock.h"
#include "log.h"
#include "session.h"

void
audit_attempt(const struct session *s, const char *outcome)
{
	/* The user name was checked by name_user_valid: no control
	 * characters can forge a second line. */
	log_msg(LOG_NOTICE, "audit: session=%u peer_uid=%u peer_pid=%d "
	    "service=%s rhost=%s ruser=%s user=%s mech=%s step=%zu rule=%s "
	    "outcome=%s duration_ms=%llu%s%s",
	    s->id, (unsigned)s->peer.uid, (int)s->peer.pid, s->svc->name,
	    s->remote_host[0] != '\0' ? s->remote_host : "-",
	    s->remote_user[0] != '\0' ? s->remote_user : "-", s->user,
	    s->mech, s->step + 1, s->rule_name[0] != '\0' ? s->rule_name : "-",
	    outcome,
	    (unsigned long long)(clock_now_ms() - s->attempt_started_ms),
	    s->vdetail[0] != '\0' ? " detail=" : "", s->vdetail);
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
audit_session(const struct session *s, const char *rule, const char *outcome)
{
	log_msg(LOG_NOTICE, "audit: session=%u peer_uid=%u peer_pid=%d "
	    "service=%s rule=%s outcome=%s", s->id, (unsigned)s->peer.uid,
	    (int)s->peer.pid, s->svc->name, rule, outcome);
}
