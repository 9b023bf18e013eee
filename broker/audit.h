/* audit.h: one audit line per authentication attempt (doc/architecture.md
 * gives the format).  Never a secret. */
#ifndef LB_AUDIT_H
#define LB_AUDIT_H

#include <sys/socket.h>

struct session;

/* The attempt in progress on s ended with outcome. */
void audit_attempt(const struct session *s, const char *outcome);

/* A connection refused before any attempt (peer not allowed, busy), by
 * the rule or limit named. */
void audit_refused(const struct ucred *peer, const char *rule,
    const char *outcome);

/* A decision on s outside any attempt (a refused context), by the rule
 * named. */
void audit_session(const struct session *s, const char *rule,
    const char *outcome);

#endif
