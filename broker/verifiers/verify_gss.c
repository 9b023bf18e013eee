/* SPDX-License-Identifier: ISC */
/*
 * verify_gss.c: the gssapi-with-mic mechanism (doc/protocol.md): a
 * Kerberos login with the ticket the client holds, ended by a MIC over
 * the session binding (ipc/gss_binding.h).  Everything that parses the
 * client's tokens runs in a helper from the GSSAPI zygote (zygotes.h,
 * broker/gss/), the only process that opens the keytab; the event loop
 * only relays tokens, counts them, and decides on what the helper
 * reports (and on the service's realms).
 */
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "attempt.h"
#include "config.h"
#include "gss_binding.h"
#include "helper_run.h"
#include "log.h"
#include "msg.h"
#include "policy.h"
#include "verify.h"
#include "zygotes.h"

/* The name of every delegated cache the broker makes. */
#define CACHE_PREFIX	"krb5cc_lb_"

/* Client tokens one attempt may relay, its MIC included: the helper's
 * bound (GSS_LEGS_MAX) and one. */
#define GSS_CLIENT_DATA_MAX	9

struct gss_run {
	struct helper_run helper;	/* first: a run is its helper's */
	struct attempt *a;
	bool helpers_turn;		/* the client's data is with it */
	unsigned sent;			/* client data relayed */
	uint8_t nonce[GSS_NONCE_LEN];
	char ccache[HELPER_PATH_MAX];	/* for delegated credentials */
};

static const struct config *conf;

static bool
uses_gss(const struct policy_service *svc)
{
	return policy_service_uses(svc, 1u << MECH_GSSAPI);
}

/* A directory of root's, made with mode unless it exists, that no one
 * else may write: 0, or -1 logged. */
static int
root_dir_ready(const char *dir, mode_t mode)
{
	struct stat st;

	if (mkdir(dir, mode) == -1 && errno != EEXIST) {
		log_msg(LOG_ERR, "ccache_dir %s: %s", dir, strerror(errno));
		return -1;
	}
	if (lstat(dir, &st) == -1 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != 0 || (st.st_mode & 022) != 0) {
		log_msg(LOG_ERR, "ccache_dir %s: must be a directory of "
		    "root's that no one else may write", dir);
		return -1;
	}
	return 0;
}

/* The directory of delegated caches, which others may only traverse (a
 * user reaches the cache named to them, nothing else), and in it the
 * helpers' replay cache, root's alone. */
static int
ccache_dir_ready(const char *dir)
{
	char rcache[CONFIG_PATH_MAX + sizeof(GSS_RCACHE_DIR) + 1];

	snprintf(rcache, sizeof(rcache), "%s/" GSS_RCACHE_DIR, dir);
	return root_dir_ready(dir, 0711) == -1 ||
	    root_dir_ready(rcache, 0700) == -1 ? -1 : 0;
}

/* A keytab that cannot be read stops the start (or the reload): every
 * login of the service would fail.  The helper opens it; the broker only
 * looks. */
static int
gss_check(const struct config *c, const struct policy *p)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < p->nservices; i++) {
		if (uses_gss(&p->services[i]) &&
		    access(p->services[i].keytab, R_OK) == -1) {
			log_msg(LOG_ERR, "service %s: keytab %s: %s",
			    p->services[i].name, p->services[i].keytab,
			    strerror(errno));
			rc = -1;
		}
	}
	if (zygote_program_check("gss_path", c->gss_path) == -1)
		rc = -1;
	/* Room for "/krb5cc_lb_" and 16 hex digits in a helper's path. */
	if (c->ccache_dir[0] != '/' ||
	    strlen(c->ccache_dir) >= HELPER_PATH_MAX - 32) {
		log_msg(LOG_ERR, "ccache_dir %s: must be an absolute path of "
		    "at most %d bytes", c->ccache_dir, HELPER_PATH_MAX - 33);
		rc = -1;
	}
	return rc;
}

/* Caches a broker that stopped abruptly left: no session owns them. */
static void
sweep_caches(const char *dir)
{
	struct dirent *d;
	DIR *dp;

	if ((dp = opendir(dir)) == NULL)
		return;
	while ((d = readdir(dp)) != NULL)
		if (strncmp(d->d_name, CACHE_PREFIX, strlen(CACHE_PREFIX)) ==
		    0 && unlinkat(dirfd(dp), d->d_name, 0) == -1)
			log_msg(LOG_ERR, "%s/%s: %s", dir, d->d_name,
			    strerror(errno));
	closedir(dp);
}

static int
gss_prepare(const struct config *c, const struct policy *p)
{
	static bool swept;
	static const char *args[3] = { "--ccache-dir" };

	conf = c;
	if (ccache_dir_ready(c->ccache_dir) == -1)
		return -1;
	if (!swept)
		sweep_caches(c->ccache_dir);
	swept = true;
	args[1] = c->ccache_dir;
	return zygote_start(c, c->gss_path, NULL, args);
}

static int
gss_prepared(const struct policy *p)
{
	return zygote_state(conf->gss_path, NULL);
}

/* The helper's token for the client; an empty one asks for the MIC. */
static int
on_token(struct helper_run *h, const struct ipc_msg *in)
{
	static struct msg_data d;
	struct gss_run *run = (struct gss_run *)h;

	if (!run->helpers_turn || msg_read_data(in, &d) == -1)
		return -1;
	run->helpers_turn = false;
	attempt_data(run->a, d.bytes, d.len);
	return 0;
}

/* Whether a realm (as the helper parsed it, not as displayed) is one
 * the service accepts. */
static bool
realm_allowed(const struct policy_service *svc, const char *realm)
{
	size_t i;

	if (svc->realms.n == 0)
		return true;
	for (i = 0; i < svc->realms.n; i++)
		if (strcmp(realm, svc->realms.name[i]) == 0)
			return true;
	return false;
}

/* What the helper reports, as the attempt's verdict.  A success counts
 * only where one can be: after the client's token and its MIC, with the
 * helper's turn. */
static enum verdict
verdict_of(const struct gss_run *run, const struct msg_gss_result *m)
{
	switch (m->outcome) {
	case MECH_OUTCOME_OK:
		return run->helpers_turn && run->sent >= 2 ? VERDICT_OK :
		    VERDICT_ERROR;
	case MECH_OUTCOME_FAILED:
		return VERDICT_FAILED;
	default:
		return VERDICT_ERROR;
	}
}

static int
on_result(struct helper_run *h, const struct ipc_msg *in)
{
	struct gss_run *run = (struct gss_run *)h;
	struct attempt *a = run->a;
	static struct msg_gss_result m;
	enum verdict v;

	/* The helper is not let off: it has said its last word, and is
	 * killed as the attempt ends, after which any cache it wrote but
	 * the session did not take is removed. */
	if (msg_read_gss_result(in, &m) == -1)
		return -1;
	v = verdict_of(run, &m);
	if (v == VERDICT_OK && !realm_allowed(a->svc, m.realm)) {
		v = VERDICT_FAILED;
		snprintf(m.detail, sizeof(m.detail), "realm-refused:"
		    "principal:%.*s", GSS_PRINCIPAL_MAX - 1, m.principal);
	}
	if (v == VERDICT_OK && m.delegated) {
		attempt_credentials(a, run->ccache);
		run->ccache[0] = '\0';		/* the session's now */
	}
	attempt_verified(a, v, m.detail);
	return 0;
}

static const struct helper_msg helper_msgs[] = {
	{ MSG_DATA, on_token },
	{ MSG_GSS_RESULT, on_result },
};

/* A helper is ready: it gets the attempt, and the client the nonce. */
static void
send_begin(struct helper_run *h)
{
	static struct msg_gss_begin m;
	struct gss_run *run = (struct gss_run *)h;
	const struct policy_service *svc = run->a->svc;

	memset(&m, 0, sizeof(m));
	snprintf(m.user, sizeof(m.user), "%s", run->a->user);
	snprintf(m.keytab, sizeof(m.keytab), "%s", svc->keytab);
	snprintf(m.principal, sizeof(m.principal), "%s", svc->gss_principal);
	m.binding_len = (uint32_t)gss_binding(run->nonce, run->a->user,
	    m.binding, sizeof(m.binding));
	snprintf(m.ccache, sizeof(m.ccache), "%s", run->ccache);
	if (helper_run_send(h, MSG_GSS_BEGIN, &m, "GSS_BEGIN too long") == 0)
		attempt_data(run->a, run->nonce, sizeof(run->nonce));
}

static const struct helper_ops gss_helper_ops = {
	"GSSAPI helper", helper_msgs,
	sizeof(helper_msgs) / sizeof(helper_msgs[0]), send_begin,
};

/* A fresh nonce, and a cache name no one can guess or have made. */
static int
new_run(struct gss_run *run)
{
	uint8_t id[8];
	char hex[2 * sizeof(id) + 1];
	size_t i;

	if (getrandom(run->nonce, sizeof(run->nonce), 0) !=
	    (ssize_t)sizeof(run->nonce) ||
	    getrandom(id, sizeof(id), 0) != (ssize_t)sizeof(id))
		return -1;
	for (i = 0; i < sizeof(id); i++)
		snprintf(hex + 2 * i, 3, "%02x", id[i]);
	return snprintf(run->ccache, sizeof(run->ccache), "%s/" CACHE_PREFIX
	    "%s", conf->ccache_dir, hex) < (int)sizeof(run->ccache) ? 0 : -1;
}

static int
gss_begin(struct attempt *a)
{
	struct spawn_ctl *helpers = zygote_find(conf->gss_path, NULL);
	struct gss_run *run;

	if (helpers == NULL || (run = calloc(1, sizeof(*run))) == NULL)
		return -1;
	if (new_run(run) == -1) {
		free(run);
		return -1;
	}
	run->a = a;
	a->vstate = run;
	helper_run_start(&run->helper, a, helpers, &gss_helper_ops);
	return 0;
}

/* The client's next token, or its MIC: to the helper. */
static int
gss_data(struct attempt *a, const struct msg_data *d)
{
	struct gss_run *run = a->vstate;

	if (++run->sent > GSS_CLIENT_DATA_MAX) {
		attempt_verified(a, VERDICT_LIMIT, "too many GSSAPI tokens");
		return 0;
	}
	if (helper_run_send(&run->helper, MSG_AUTH_DATA, d,
	    "GSSAPI token too long") == 0)
		run->helpers_turn = true;
	return 0;
}

static void
unlink_cache(const char *path)
{
	if (unlink(path) == -1 && errno != ENOENT)
		log_msg(LOG_ERR, "%s: %s", path, strerror(errno));
}

/* Removes a cache no session took (path is malloc'd). */
static void
remove_cache(void *path)
{
	unlink_cache(path);
	free(path);
}

/* A cache the helper may have written but the session did not take is
 * removed once the helper is gone, so that a helper killed while it
 * writes one cannot leave it behind. */
static void
gss_cancel(struct attempt *a)
{
	struct gss_run *run = a->vstate;
	char *path = NULL;

	if (run == NULL)
		return;
	a->vstate = NULL;
	if (run->ccache[0] != '\0' && (path = strdup(run->ccache)) == NULL)
		unlink_cache(run->ccache);	/* now, the best it can */
	helper_run_stop(&run->helper, path != NULL ? remove_cache : NULL,
	    path);
	explicit_bzero(run, sizeof(*run));
	free(run);
}

const struct verifier verify_gss = {
	.check = gss_check,
	.prepare = gss_prepare,
	.prepared = gss_prepared,
	.begin = gss_begin,
	.data = gss_data,
	.cancel = gss_cancel,
};
