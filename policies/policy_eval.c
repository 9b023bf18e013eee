/* SPDX-License-Identifier: ISC */
/* policy_eval.c: which service a peer gets and which rule decides a login. */
#include "policy.h"

#include <stdio.h>
#include <string.h>

static bool
peer_in(const struct policy_peer *list, size_t n, uid_t uid, gid_t gid)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i].kind == PEER_ANY ||
		    (list[i].kind == PEER_UID && list[i].id == uid) ||
		    (list[i].kind == PEER_GID && list[i].id == gid))
			return true;
	return false;
}

const struct policy_service *
policy_service_for_peer(const struct policy *p, uid_t uid, gid_t gid)
{
	size_t i;

	for (i = 0; i < p->nservices; i++)
		if (peer_in(p->services[i].peers, p->services[i].npeers, uid,
		    gid))
			return &p->services[i];
	return NULL;
}

bool
policy_peer_trusted(const struct policy_service *svc, uid_t uid, gid_t gid)
{
	return peer_in(svc->trusted, svc->ntrusted, uid, gid);
}

static bool
net_contains(const struct policy_net *net, const struct policy_net *a)
{
	unsigned full = net->prefix / 8, rest = net->prefix % 8;

	if (net->family != a->family ||
	    memcmp(net->addr, a->addr, full) != 0)
		return false;
	return rest == 0 || ((net->addr[full] ^ a->addr[full]) &
	    (uint8_t)(0xff << (8 - rest))) == 0;
}

/* An empty list holds; a list holds when one of the values is in it. */
static bool
names_hold(const struct policy_names *list, const char *const *values,
    size_t nvalues)
{
	size_t i, j;

	if (list->n == 0)
		return true;
	for (i = 0; i < list->n; i++)
		for (j = 0; j < nvalues; j++)
			if (values[j] != NULL &&
			    strcmp(list->name[i], values[j]) == 0)
				return true;
	return false;
}

/* The conditions a front end's context decides. */
static bool
context_holds(const struct policy_rule *r, const struct policy_net *from,
    const char *remote_user)
{
	size_t i;
	bool in = r->nfrom == 0;

	for (i = 0; i < r->nfrom && from != NULL && !in; i++)
		in = net_contains(&r->from[i], from);
	return in && names_hold(&r->remote_users, &remote_user, 1);
}

const struct policy_rule *
policy_match(const struct policy_service *svc, const struct policy_query *q)
{
	const struct policy_rule *r;
	size_t i;

	for (i = 0; i < svc->nrules; i++) {
		r = &svc->rules[i];
		if (names_hold(&r->users, &q->user, 1) &&
		    names_hold(&r->groups, q->groups, q->ngroups) &&
		    context_holds(r, q->from, q->remote_user))
			return r;
	}
	return NULL;
}

bool
policy_rule_acts_for(const struct policy_rule *r, const char *user)
{
	/* An empty list grants nothing (as a condition it would hold). */
	return r->act_for.n > 0 && names_hold(&r->act_for, &user, 1);
}

bool
policy_service_uses(const struct policy_service *svc, policy_mechs mechs)
{
	size_t i, j;

	for (i = 0; i < svc->nrules; i++)
		for (j = 0; j < svc->rules[i].nsteps; j++)
			if (svc->rules[i].steps[j] & mechs)
				return true;
	return false;
}

bool
policy_session_env_allowed(const struct policy_service *svc,
    const char *name)
{
	/* An empty list holds as a condition; here it allows nothing. */
	return svc->sessions.env.n > 0 &&
	    names_hold(&svc->sessions.env, &name, 1);
}

bool
policy_session_command_allowed(const struct policy_service *svc,
    const char *path)
{
	size_t i;

	for (i = 0; i < svc->sessions.ncommands; i++)
		if (strcmp(svc->sessions.commands[i], path) == 0)
			return true;
	return false;
}

policy_mechs
policy_first_mechs(const struct policy_service *svc,
    const struct policy_net *from, const char *remote_user)
{
	policy_mechs m = 0;
	size_t i;

	for (i = 0; i < svc->nrules; i++)
		if (!svc->rules[i].deny &&
		    context_holds(&svc->rules[i], from, remote_user))
			m |= svc->rules[i].steps[0];
	return m;
}

void
policy_rule_name(const struct policy_service *svc,
    const struct policy_rule *r, char *buf, size_t cap)
{
	if (r == NULL)
		snprintf(buf, cap, "%s:no-rule", svc->name);
	else
		snprintf(buf, cap, "%s:%u", svc->name, r->line);
}
