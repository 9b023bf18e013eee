/* SPDX-License-Identifier: ISC */
/*
 * groups_lookup.c: a user's groups for a service whose rules name groups,
 * from a helper of the groups zygote (zygotes.h, broker/groups/).  NSS
 * may be slow or hang (a directory server gone); asked in the event loop,
 * it would stall every session.  The session waits in SS_RESOLVING with
 * this as its verifier, the loop serves everyone else, and the session
 * timeout bounds the wait.  A helper that dies, or says anything but
 * GROUPS_RESULT, is an error: the login fails closed, never matched
 * against groups it may not have.
 */
#include <stdio.h>
#include <stdlib.h>

#include "attempt.h"
#include "config.h"
#include "helper_run.h"
#include "msg.h"
#include "policy.h"
#include "verify.h"
#include "zygotes.h"

struct groups_run {
	struct helper_run helper;	/* first: a run is its helper's */
	struct attempt *a;
};

static const struct config *conf;

static int
groups_check(const struct config *c, const struct policy *p)
{
	return zygote_program_check("groups_path", c->groups_path);
}

/* The zygote becomes the workers' user at once: group names are for
 * anyone to read. */
static int
groups_prepare(const struct config *c, const struct policy *p)
{
	conf = c;
	return zygote_start_as_workers_user(c, c->groups_path);
}

static int
groups_prepared(const struct policy *p)
{
	return zygote_state(conf->groups_path, NULL);
}

static void
send_begin(struct helper_run *h)
{
	struct groups_run *run = (struct groups_run *)h;
	struct msg_groups_begin m;

	snprintf(m.user, sizeof(m.user), "%s", run->a->user);
	(void)helper_run_send(h, MSG_GROUPS_BEGIN, &m, "user name too long");
}

/* The helper's one word: the groups go to the session, which ends this
 * run (groups_cancel) and begins the factor. */
static int
on_result(struct helper_run *h, const struct ipc_msg *in)
{
	static struct msg_groups g;
	struct attempt *a = ((struct groups_run *)h)->a;
	const char *names[GROUPS_MAX];
	uint32_t i;

	if (msg_read_groups_result(in, &g) == -1)
		return -1;
	for (i = 0; i < g.n; i++)
		names[i] = g.name[i];
	helper_run_finished(h);
	attempt_groups(a, names, g.n);
	return 1;
}

static const struct helper_msg helper_msgs[] = {
	{ MSG_GROUPS_RESULT, on_result },
};

static const struct helper_ops groups_helper_ops = {
	"groups helper", helper_msgs,
	sizeof(helper_msgs) / sizeof(helper_msgs[0]), send_begin,
};

static int
groups_begin(struct attempt *a)
{
	struct spawn_ctl *helpers = zygote_find(conf->groups_path, NULL);
	struct groups_run *run;

	if (helpers == NULL || (run = calloc(1, sizeof(*run))) == NULL)
		return -1;
	run->a = a;
	a->vstate = run;
	helper_run_start(&run->helper, a, helpers, &groups_helper_ops);
	return 0;
}

static void
groups_cancel(struct attempt *a)
{
	struct groups_run *run = a->vstate;

	if (run == NULL)
		return;
	a->vstate = NULL;
	helper_run_stop(&run->helper, NULL, NULL);
	free(run);
}

const struct verifier groups_lookup = {
	.check = groups_check,
	.prepare = groups_prepare,
	.prepared = groups_prepared,
	.begin = groups_begin,
	.cancel = groups_cancel,
};
