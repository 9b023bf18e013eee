/* SPDX-License-Identifier: ISC */
/*
 * policy_live.h: the policy in force.  Each session holds a reference to
 * the policy it started under; a reload replaces the policy for new
 * sessions only, and a policy with errors never replaces a good one.
 */
#ifndef LB_POLICY_LIVE_H
#define LB_POLICY_LIVE_H

#include "policy.h"

struct config;


/* Puts p (its reference is taken over) in force and remembers path for
 * reloads. */
void policy_live_set(const char *path, struct policy *p);

/* The policy in force (borrowed: take a reference to keep it). */
struct policy *policy_live(void);

/* Re-reads the file (SIGHUP).  Process settings are checked but take
 * effect at restart; errors are logged and the old policy stays.  A
 * policy that needs a new helper (a PAM zygote) is put in force only once
 * that helper is ready; until then the old one serves, and the loop never
 * waits for it. */
void policy_live_reload(const struct config *conf);

/* Drops the policy in force (shutdown). */
void policy_live_clear(void);

#endif
