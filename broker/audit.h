/* SPDX-License-Identifier: ISC */
/* audit.h: one audit line per authentication attempt (doc/architecture.md
 * gives the format).  Never a secret. */
#ifndef LB_AUDIT_H
#define LB_AUDIT_H

#include <sys/socket.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

/* A verifier's detail word, and a rule's name ("service:line" or a
 * limit), with their NULs. */
#define AUDIT_DETAIL_MAX	128
#define AUDIT_RULE_MAX		(POLICY_NAME_MAX + 32)

/* One attempt as its audit line names it.  Strings from outside (user,
 * remote user and host) were checked when they came in. */
struct audit_record {
	uint32_t session;
	const struct ucred *peer;
	const char *service;
	const char *rhost;		/* the front end's context; "": none */
	const char *ruser;
	const char *user;
	const char *mech;
	size_t step;			/* of the chain, from 1 */
	const char *rule;		/* "": none */
	uint64_t duration_ms;
	const char *detail;		/* the verifier's word; "": none */
	const char *authzid;		/* acted for (act-for); "": none */
	bool warning;			/* a factor let through unproven */
};

/* The attempt r ended with outcome. */
void audit_attempt(const struct audit_record *r, const char *outcome);

/* A connection refused before any attempt (peer not allowed, busy), by
 * the rule or limit named.  Refusals (this and audit_session) are
 * rate-limited: past 20 a second, one line counts the rest. */
void audit_refused(const struct ucred *peer, const char *rule,
    const char *outcome);

/* A decision on a session outside any attempt (a refused context), by
 * the rule named. */
void audit_session(uint32_t session, const struct ucred *peer,
    const char *service, const char *rule, const char *outcome);

/* A user's session (broker/keeper.h) as its audit line names it. */
struct audit_session_end {
	uint32_t session;		/* the login's connection */
	const char *service;
	const char *user;
	const char *tty;		/* PAM_TTY or the terminal; "": none */
	const char *outcome;		/* "session-ended", "keeper-lost" */
	const char *status;		/* "exit 0", "signal 9" */
	uint64_t duration_ms;
};

/* A user's session ended (or can no longer be followed). */
void audit_session_end(const struct audit_session_end *e);

#endif
