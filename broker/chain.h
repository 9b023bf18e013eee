/* SPDX-License-Identifier: ISC */
/*
 * chain.h: the policy's word on one login: which rule decides it, from the
 * user, the user's groups and the front end's context, and whether the
 * user is locked out.  session.c turns the answer into replies.
 */
#ifndef LB_CHAIN_H
#define LB_CHAIN_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"


enum chain_start {
	CHAIN_GO,		/* the rule allows the mechanism first */
	CHAIN_LOCKED,		/* too many failures: wait */
	CHAIN_DENIED,		/* a deny rule, or no rule at all: the dialog
				 * runs and fails */
	CHAIN_NOT_PERMITTED,	/* the rule begins with other mechanisms: the
				 * dialog runs and fails, as for a deny */
};

/* What the first factor of a login is matched on. */
struct chain_query {
	const struct policy *policy;	/* its lockout line */
	const struct policy_service *svc;
	const char *user;
	const char *const *groups;	/* the user's, when the rules name
					 * groups (chain_needs_groups) */
	size_t ngroups;
	const char *mech;
	const struct policy_net *from;	/* the front end's; NULL: none */
	const char *remote_user;	/* NULL: none */
};

/* Whether a rule of svc names groups: only then are a user's groups
 * looked up (in a helper: NSS may be slow). */
bool chain_needs_groups(const struct policy_service *svc);

/* Decides whether q->user may begin a login with q->mech: the deciding
 * rule into *rule (NULL unless allowed or not permitted) and its name
 * for the audit log into name[cap]. */
enum chain_start chain_first(const struct chain_query *q,
    const struct policy_rule **rule, char *name, size_t cap);

/* The names of the mechanisms in set, in table order, separated by sep,
 * into buf[cap]. */
void chain_mech_names(policy_mechs set, const char *sep, char *buf,
    size_t cap);

#endif
