/* SPDX-License-Identifier: ISC */
/* config.c: defaults and the process settings of the configuration file. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utmpx.h>

#include "lockout.h"

#ifndef LB_SYSCONFDIR
#define LB_SYSCONFDIR "/etc"
#endif
#ifndef LB_WORKER_PATH
#define LB_WORKER_PATH "/usr/libexec/loginbroker-worker"
#endif
#ifndef LB_PAM_PATH
#define LB_PAM_PATH "/usr/libexec/loginbroker-pam"
#endif
#ifndef LB_GSS_PATH
#define LB_GSS_PATH "/usr/libexec/loginbroker-gss"
#endif

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->listen[FRONT_LINE].path, sizeof(c->listen[0].path),
	    "/run/loginbroker/socket");
	c->listen[FRONT_LINE].mode = 0660;
	c->listen[FRONT_GREETD].mode = 0660;
	snprintf(c->lockout_file, sizeof(c->lockout_file),
	    "/var/lib/loginbroker/lockout");
	snprintf(c->totp_file, sizeof(c->totp_file), "%s/loginbroker/totp",
	    LB_SYSCONFDIR);
	c->totp_window = 1;
	snprintf(c->worker_path, sizeof(c->worker_path), "%s", LB_WORKER_PATH);
	snprintf(c->pam_path, sizeof(c->pam_path), "%s", LB_PAM_PATH);
	snprintf(c->gss_path, sizeof(c->gss_path), "%s", LB_GSS_PATH);
	snprintf(c->ccache_dir, sizeof(c->ccache_dir),
	    "/run/loginbroker/ccache");
	snprintf(c->scram_path, sizeof(c->scram_path), "%s", LB_SCRAM_PATH);
	snprintf(c->scram_file, sizeof(c->scram_file), "%s/loginbroker/scram",
	    LB_SYSCONFDIR);
	snprintf(c->duo_path, sizeof(c->duo_path), "%s", LB_DUO_PATH);
	snprintf(c->groups_path, sizeof(c->groups_path), "%s",
	    LB_GROUPS_PATH);
	snprintf(c->duo_file, sizeof(c->duo_file), "%s/loginbroker/duo.conf",
	    LB_SYSCONFDIR);
	snprintf(c->sessions_dir, sizeof(c->sessions_dir),
	    "/run/loginbroker/sessions");
	snprintf(c->utmp_file, sizeof(c->utmp_file), "%s", _PATH_UTMPX);
	snprintf(c->wtmp_file, sizeof(c->wtmp_file), "%s", _PATH_WTMPX);
	snprintf(c->worker_user, sizeof(c->worker_user), "loginbroker");
	snprintf(c->pid_file, sizeof(c->pid_file),
	    "/run/loginbroker/loginbrokerd.pid");
	c->worker_fallback_id = 64999;
	c->spare_workers = 2;
	c->spare_pam_helpers = 2;
	c->launcher_recycle = 1000;
	c->max_sessions = 256;
	c->lockout_users = LOCKOUT_USERS_DEFAULT;
	c->failure_delay_ms = 2000;
	c->idle_timeout_ms = 60000;
}

enum key_type { K_STRING, K_UINT, K_BOOL, K_MODE, K_OWNER, K_GROUP };

struct key {
	const char *name;
	enum key_type type;
	size_t offset;
	size_t size;		/* K_STRING: buffer size */
	unsigned long min, max;	/* K_UINT */
};

#define STR(n, f)	{ n, K_STRING, offsetof(struct config, f), \
			  sizeof(((struct config *)0)->f), 0, 0 }
#define UINT(n, f, lo, hi) { n, K_UINT, offsetof(struct config, f), 0, lo, hi }
#define OF(n, t, f)	{ n, t, offsetof(struct config, f), 0, 0, 0 }

static const struct key keys[] = {
	STR("socket", listen[FRONT_LINE].path),
	OF("socket_owner", K_OWNER, listen[FRONT_LINE].owner),
	OF("socket_group", K_GROUP, listen[FRONT_LINE].group),
	OF("socket_mode", K_MODE, listen[FRONT_LINE].mode),
	STR("greetd_socket", listen[FRONT_GREETD].path),
	OF("greetd_socket_owner", K_OWNER, listen[FRONT_GREETD].owner),
	OF("greetd_socket_group", K_GROUP, listen[FRONT_GREETD].group),
	OF("greetd_socket_mode", K_MODE, listen[FRONT_GREETD].mode),
	STR("lockout_file", lockout_file),
	UINT("lockout_users", lockout_users, LOCKOUT_USERS_MIN,
	    LOCKOUT_USERS_MAX),
	STR("totp_file", totp_file),
	UINT("totp_window", totp_window, 0, 10),
	STR("worker_path", worker_path),
	STR("pam_path", pam_path),
	STR("gss_path", gss_path),
	STR("ccache_dir", ccache_dir),
	STR("scram_path", scram_path),
	STR("scram_file", scram_file),
	STR("duo_path", duo_path),
	STR("groups_path", groups_path),
	STR("duo_file", duo_file),
	STR("sessions_dir", sessions_dir),
	STR("utmp_file", utmp_file),
	STR("wtmp_file", wtmp_file),
	STR("pid_file", pid_file),
	STR("worker_user", worker_user),
	UINT("worker_fallback_id", worker_fallback_id, 1, UINT32_MAX - 1),
	UINT("spare_workers", spare_workers, 1, 16),
	UINT("spare_pam_helpers", spare_pam_helpers, 1, 16),
	UINT("launcher_recycle", launcher_recycle, 1, 1000000),
	OF("sandbox_debug", K_BOOL, sandbox_debug),
	UINT("max_sessions", max_sessions, 1, 65536),
	UINT("failure_delay_ms", failure_delay_ms, 0, 60000),
	UINT("idle_timeout_ms", idle_timeout_ms, 100, 86400000),
};

static int
parse_ulong(const char *s, int base, unsigned long min, unsigned long max,
    unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, base);
	return *s == '\0' || *s == '-' || *end != '\0' || errno != 0 ||
	    *out < min || *out > max ? -1 : 0;
}

/* A user or group by name or number. */
static int
parse_id(const char *s, bool group, unsigned *out)
{
	unsigned long v;
	struct passwd *pw;
	struct group *gr;

	if (parse_ulong(s, 10, 0, UINT32_MAX - 1, &v) == 0) {
		*out = (unsigned)v;
		return 0;
	}
	if (group && (gr = getgrnam(s)) != NULL) {
		*out = gr->gr_gid;
		return 0;
	}
	if (!group && (pw = getpwnam(s)) != NULL) {
		*out = pw->pw_uid;
		return 0;
	}
	return -1;
}

/* Applies one value; returns an error text or NULL. */
static const char *
apply(struct config *c, const struct key *k, const char *value)
{
	void *field = (char *)c + k->offset;
	unsigned long v;
	unsigned id;

	switch (k->type) {
	case K_STRING:
		if (strlen(value) >= k->size)
			return "value too long";
		memcpy(field, value, strlen(value) + 1);
		return NULL;
	case K_UINT:
		if (parse_ulong(value, 10, k->min, k->max, &v) == -1)
			return "number out of range";
		*(unsigned *)field = (unsigned)v;
		return NULL;
	case K_BOOL:
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
			return "expected yes or no";
		*(bool *)field = strcmp(value, "yes") == 0;
		return NULL;
	case K_MODE:
		if (parse_ulong(value, 8, 0, 0777, &v) == -1)
			return "expected an octal mode";
		*(mode_t *)field = (mode_t)v;
		return NULL;
	case K_OWNER:
	case K_GROUP:
		if (parse_id(value, k->type == K_GROUP, &id) == -1)
			return "unknown user or group";
		*(unsigned *)field = id;
		return NULL;
	}
	return NULL;
}

const char *
config_set(void *ctx, const char *key, const char *value, bool *bad_key)
{
	static char err[96];
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(keys[i].name, key) == 0)
			break;
	if (i == sizeof(keys) / sizeof(keys[0])) {
		*bad_key = true;
		snprintf(err, sizeof(err), "unknown keyword '%.40s'", key);
		return err;
	}
	return value != NULL ? apply(ctx, &keys[i], value) : NULL;
}

int
config_program_check(const char *key, const char *path, char *why,
    size_t cap)
{
	struct stat st;

	if (stat(path, &st) == -1)
		snprintf(why, cap, "%s %s: %s", key, path, strerror(errno));
	else if (!S_ISREG(st.st_mode) || access(path, X_OK) == -1)
		snprintf(why, cap, "%s %s: not an executable file", key, path);
	else
		return 0;
	return -1;
}

int
config_check(const struct config *c, const struct policy *p, char *why,
    size_t cap)
{
	char reason[160];

	if (c->listen[FRONT_LINE].path[0] != '/') {
		snprintf(why, cap, "socket: must be an absolute path");
		return -1;
	}
	if (c->listen[FRONT_GREETD].path[0] != '\0' &&
	    c->listen[FRONT_GREETD].path[0] != '/') {
		snprintf(why, cap, "greetd_socket: must be an absolute path");
		return -1;
	}
	if (strcmp(c->listen[FRONT_LINE].path,
	    c->listen[FRONT_GREETD].path) == 0) {
		snprintf(why, cap, "greetd_socket: must differ from socket");
		return -1;
	}
	/* A detached broker works from /: a relative path would name
	 * another file than the check saw. */
	if (c->lockout_file[0] != '/' || (c->pid_file[0] != '\0' &&
	    c->pid_file[0] != '/')) {
		snprintf(why, cap, "%s: must be an absolute path",
		    c->lockout_file[0] != '/' ? "lockout_file" : "pid_file");
		return -1;
	}
	if (config_program_check("worker_path", c->worker_path, why, cap) ==
	    -1 || config_program_check("pam_path", c->pam_path, why, cap) == -1)
		return -1;
	/* A lockout that cannot record a failure would lock nobody. */
	if (p->lockout_failures > 0 && lockout_usable(c->lockout_file, reason,
	    sizeof(reason)) == -1) {
		snprintf(why, cap, "lockout_file %s: %s (the policy's lockout "
		    "needs it)", c->lockout_file, reason);
		return -1;
	}
	return 0;
}

/* What runs without a configuration file, and what a file without any
 * service gets: anyone who can open the socket, PAM service loginbroker. */
static const char builtin_service[] =
    "service default {\n"
    "\tpeer any\n"
    "\tallow password or keyboard-interactive\n"
    "}\n";

struct policy *
config_read(const char *path, struct config *conf,
    bool (*mech_available)(const char *), struct policy_errors *errs)
{
	const struct policy_hooks hooks = { config_set, mech_available, conf };
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
