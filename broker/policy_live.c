/* policy_live.c: load, hold and reload the policy. */
#include "policy_live.h"

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "log.h"
#include "verify.h"

/* What runs without a configuration file, and what a file without any
 * service gets: anyone who can open the socket, PAM service loginbroker. */
static const char builtin_service[] =
    "service default {\n"
    "\tpeer any\n"
    "\tallow password or keyboard-interactive\n"
    "}\n";

static struct policy *live;
static char live_path[256];

struct policy *
policy_live_read(const char *path, struct config *conf,
    struct policy_errors *errs)
{
	const struct policy_hooks hooks = { config_set, verifier_exists, conf };
	struct policy *p, *builtin;

	p = path != NULL ? policy_load(path, &hooks, errs) :
	    policy_parse("(built-in)", builtin_service,
	    sizeof(builtin_service) - 1, &hooks, errs);
	if (p == NULL || p->nservices > 0)
		return p;
	if ((builtin = policy_parse("(built-in)", builtin_service,
	    sizeof(builtin_service) - 1, &hooks, errs)) == NULL) {
		policy_unref(p);
		return NULL;
	}
	p->services[p->nservices++] = builtin->services[0];
	policy_unref(builtin);
	return p;
}

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

void
policy_live_reload(const struct config *conf)
{
	static struct policy_errors errs;
	struct config scratch = *conf;
	struct policy *p;
	size_t i;

	p = policy_live_read(live_path[0] != '\0' ? live_path : NULL,
	    &scratch, &errs);
	if (p == NULL) {
		for (i = 0; i < errs.n; i++)
			log_msg(LOG_ERR, "reload: %s", errs.text[i]);
		log_msg(LOG_ERR, "reload refused: the policy in force stays");
		return;
	}
	if (verifiers_prepare(conf, p) == -1) {
		policy_unref(p);
		log_msg(LOG_ERR, "reload refused: cannot prepare its "
		    "mechanisms; the policy in force stays");
		return;
	}
	policy_live_set(NULL, p);
	log_msg(LOG_INFO, "reloaded %s: %zu service%s",
	    live_path[0] != '\0' ? live_path : "(built-in)", p->nservices,
	    p->nservices == 1 ? "" : "s");
}

void
policy_live_clear(void)
{
	policy_unref(live);
	live = NULL;
}
