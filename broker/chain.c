/* SPDX-License-Identifier: ISC */
/* chain.c: match a login against the policy. */
#include "chain.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "ipc_proto.h"
#include "lockout.h"

/* The helper's bounds are the policy's. */
_Static_assert(GROUPS_MAX == POLICY_GROUPS_MAX, "groups bound");
_Static_assert(GROUP_NAME_MAX == POLICY_NAME_MAX, "group name bound");

bool
chain_needs_groups(const struct policy_service *svc)
{
	size_t i;

	for (i = 0; i < svc->nrules; i++)
		if (svc->rules[i].groups.n > 0)
			return true;
	return false;
}

enum chain_start
chain_first(const struct chain_query *q, const struct policy_rule **rule,
    char *name, size_t cap)
{
	struct policy_query pq = {
		.user = q->user,
		.groups = q->groups,
		.ngroups = q->ngroups,
		.from = q->from,
		.remote_user = q->remote_user,
	};
	int m = mech_by_name(q->mech);

	*rule = NULL;
	if (q->policy->lockout_failures != 0 &&
	    lockout_remaining(q->user, time(NULL)) > 0) {
		snprintf(name, cap, "lockout");
		return CHAIN_LOCKED;
	}
	*rule = policy_match(q->svc, &pq);
	policy_rule_name(q->svc, *rule, name, cap);
	if (*rule == NULL || (*rule)->deny) {
		*rule = NULL;
		return CHAIN_DENIED;
	}
	if (m == -1 || !((*rule)->steps[0] & (1u << m)))
		return CHAIN_NOT_PERMITTED;
	return CHAIN_GO;
}

void
chain_mech_names(policy_mechs set, const char *sep, char *buf, size_t cap)
{
	size_t len = 0;
	int m, n;

	buf[0] = '\0';
	for (m = 0; m < MECH_COUNT; m++) {
		if (!(set & (1u << m)))
			continue;
		n = snprintf(buf + len, cap - len, "%s%s", len > 0 ? sep : "",
		    mech_name(m));
		if (n < 0 || (size_t)n >= cap - len)
			return;
		len += (size_t)n;
	}
}
