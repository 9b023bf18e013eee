/* audit.c: attempt records. */
#include "audit.h"

#include "clock.h"
#include "config.h"
#include "log.h"
#include "session.h"

void
audit_attempt(const struct session *s, const char *outcome)
{
	/* The user name was checked by name_user_valid: no control
	 * characters can forge a second line. */
	log_msg(LOG_NOTICE, "audit: session=%u peer_uid=%u peer_pid=%d "
	    "service=%s user=%s mech=%s outcome=%s duration_ms=%llu%s%s",
	    s->id, (unsigned)s->peer.uid, (int)s->peer.pid,
	    s->conf->pam_service, s->user, s->mech, outcome,
	    (unsigned long long)(clock_now_ms() - s->attempt_started_ms),
	    s->vdetail[0] != '\0' ? " detail=" : "", s->vdetail);
}

void
audit_refused(const struct ucred *peer, const char *outcome)
{
	log_msg(LOG_NOTICE, "audit: session=- peer_uid=%u peer_pid=%d "
	    "outcome=%s", (unsigned)peer->uid, (int)peer->pid, outcome);
}
