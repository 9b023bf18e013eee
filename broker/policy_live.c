/* SPDX-License-Identifier: ISC */
/* policy_live.c: hold the policy in force, and put a reloaded one in
 * force once its mechanisms are ready. */
#include "policy_live.h"

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "verify.h"

static struct policy *live;
static char live_path[256];
/* A reloaded policy waiting for its mechanisms (a new PAM zygote). */
static struct policy *pending;

void
policy_live_set(const char *path, struct policy *p)
{
	if (path != NULL)
		snprintf(live_path, sizeof(live_path), "%s", path);
	policy_unref(live);
	live = p;
}

struct policy *
policy_live(void)
{
	return live;
}

static const char *
live_name(void)
{
	return live_path[0] != '\0' ? live_path : "(built-in)";
}

/* Puts the pending policy in force once its mechanisms are ready, or
 * drops it when they cannot be; called again whenever a helper that a
 * mechanism prepares becomes ready or fails to. */
static void
settle(void)
{
	int state;

	if (pending == NULL || (state = verifiers_prepared(pending)) == 1)
		return;
	if (state == -1) {
		log_msg(LOG_ERR, "reload refused: cannot prepare its "
		    "mechanisms; the policy in force stays");
		policy_unref(pending);
	} else {
		log_msg(LOG_INFO, "reloaded %s: %zu service%s", live_name(),
		    pending->nservices, pending->nservices == 1 ? "" : "s");
		policy_live_set(NULL, pending);
	}
	pending = NULL;
}

void
policy_live_reload(const struct config *conf)
{
	static struct policy_errors errs;
	struct config scratch = *conf;
	struct policy *p;
	char why[512];
	size_t i;

	p = config_read(live_path[0] != '\0' ? live_path : NULL, &scratch,
	    verifier_exists, &errs);
	if (p == NULL) {
		for (i = 0; i < errs.n; i++)
			log_msg(LOG_ERR, "reload: %s", errs.text[i]);
		log_msg(LOG_ERR, "reload refused: the policy in force stays");
		return;
	}
	/* The new policy with the settings in force (a lockout it adds
	 * needs the lockout file in force), and the file's own settings,
	 * which the next restart takes. */
	if (config_check(conf, p, why, sizeof(why)) == -1 ||
	    config_check(&scratch, p, why, sizeof(why)) == -1) {
		log_msg(LOG_ERR, "reload: %s", why);
		log_msg(LOG_ERR, "reload refused: the policy in force stays");
		policy_unref(p);
		return;
	}
	verifiers_on_settled(settle);
	if (verifiers_prepare(conf, p) == -1) {
		policy_unref(p);
		log_msg(LOG_ERR, "reload refused: cannot prepare its "
		    "mechanisms; the policy in force stays");
		return;
	}
	/* A newer reload replaces one still waiting. */
	policy_unref(pending);
	pending = p;
	settle();
}

void
policy_live_clear(void)
{
	policy_unref(pending);
	pending = NULL;
	policy_unref(live);
	live = NULL;
}
