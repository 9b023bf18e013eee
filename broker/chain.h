/*
 * chain.h: the policy's word on one login: which rule decides it, from the
 * user, the user's groups and the front end's context, and whether the
 * user is locked out.  session.c turns the answer into replies.
 */
#ifndef LB_CHAIN_H
#define LB_CHAIN_H

#include <stddef.h>

#include "policy.h"

struct session;

enum chain_start {
	CHAIN_GO,		/* s->rule allows s->mech first */
	CHAIN_LOCKED,		/* too many failures: wait */
	CHAIN_DENIED,		/* a deny rule, or no rule at all: the dialog
				 * runs and fails */
	CHAIN_NOT_PERMITTED,	/* s->rule begins with other mechanisms: the
				 * dialog runs and fails, as for a deny */
};

/* Decides whether s->user may begin a login with s->mech; sets s->rule
 * (NULL unless allowed or not permitted) and s->rule_name. */
enum chain_start chain_first(struct session *s);

/* The names of the mechanisms in set, in table order, separated by sep,
 * into buf[cap]. */
void chain_mech_names(policy_mechs set, const char *sep, char *buf,
    size_t cap);

#endif
