/* SPDX-License-Identifier: ISC */
/* chain.c: match a login against the policy. */
#include "chain.h"

#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "lockout.h"

/* The user's group names, primary first; none for a user NSS does not
 * know (PAM may still know it: such a user matches no group rule). */
static size_t
user_groups(const char *user, char names[][POLICY_NAME_MAX],
    const char **ptrs)
{
	gid_t gids[POLICY_GROUPS_MAX];
	int ngids = POLICY_GROUPS_MAX, i;
	struct passwd *pw;
	struct group *gr;
	size_t n = 0;

	if ((pw = getpwnam(user)) == NULL)
		return 0;
	/* Over the bound: the first POLICY_GROUPS_MAX count. */
	if (getgrouplist(user, pw->pw_gid, gids, &ngids) == -1)
		ngids = POLICY_GROUPS_MAX;
	for (i = 0; i < ngids; i++) {
		if ((gr = getgrgid(gids[i])) == NULL)
			continue;
		snprintf(names[n], POLICY_NAME_MAX, "%s", gr->gr_name);
		ptrs[n] = names[n];
		n++;
	}
	return n;
}

/* Whether any rule of svc names groups: only then are the user's groups
 * looked up (NSS, which may be slow, runs in the event loop). */
static bool
names_groups(const struct policy_service *svc)
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
	static char names[POLICY_GROUPS_MAX][POLICY_NAME_MAX];
	static const char *groups[POLICY_GROUPS_MAX];
	struct policy_query pq = {
		.user = q->user,
		.groups = groups,
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
	if (names_groups(q->svc))
		pq.ngroups = user_groups(q->user, names, groups);
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
