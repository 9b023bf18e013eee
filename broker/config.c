/* config.c: defaults and the "key value" file parser. */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"
#include "verify.h"

#ifndef LB_WORKER_PATH
#define LB_WORKER_PATH "/usr/libexec/loginbroker-worker"
#endif

void
config_defaults(struct config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->socket_path, sizeof(c->socket_path),
	    "/run/loginbroker/socket");
	c->socket_mode = 0660;
	snprintf(c->pam_service, sizeof(c->pam_service), "loginbroker");
	c->allow_password_change = true;
	snprintf(c->mechanisms[0], sizeof(c->mechanisms[0]), "password");
	snprintf(c->mechanisms[1], sizeof(c->mechanisms[1]),
	    "keyboard-interactive");
	c->nmechanisms = 2;
	snprintf(c->worker_path, sizeof(c->worker_path), "%s", LB_WORKER_PATH);
	snprintf(c->worker_user, sizeof(c->worker_user), "loginbroker");
	c->worker_fallback_id = 64999;
	c->spare_workers = 2;
	c->spare_pam_helpers = 2;
	c->launcher_recycle = 1000;
	c->max_sessions = 256;
	c->max_attempts = 3;
	c->failure_delay_ms = 2000;
	c->prompt_timeout_ms = 60000;
	c->session_timeout_ms = 120000;
	c->idle_timeout_ms = 60000;
}

enum key_type { K_STRING, K_UINT, K_BOOL, K_MODE, K_OWNER, K_GROUP,
	K_UID_LIST, K_GID_LIST, K_MECH_LIST };

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
	STR("socket", socket_path),
	OF("socket_owner", K_OWNER, socket_owner),
	OF("socket_group", K_GROUP, socket_group),
	OF("socket_mode", K_MODE, socket_mode),
	OF("allow_peer_uid", K_UID_LIST, peer_uids),
	OF("allow_peer_gid", K_GID_LIST, peer_gids),
	STR("pam_service", pam_service),
	OF("allow_password_change", K_BOOL, allow_password_change),
	OF("mechanisms", K_MECH_LIST, mechanisms),
	STR("worker_path", worker_path),
	STR("worker_user", worker_user),
	UINT("worker_fallback_id", worker_fallback_id, 1, UINT32_MAX - 1),
	UINT("spare_workers", spare_workers, 1, 16),
	UINT("spare_pam_helpers", spare_pam_helpers, 1, 16),
	UINT("launcher_recycle", launcher_recycle, 1, 1000000),
	OF("sandbox_debug", K_BOOL, sandbox_debug),
	UINT("max_sessions", max_sessions, 1, 65536),
	UINT("max_attempts", max_attempts, 1, 100),
	UINT("failure_delay_ms", failure_delay_ms, 0, 60000),
	UINT("prompt_timeout_ms", prompt_timeout_ms, 100, 3600000),
	UINT("session_timeout_ms", session_timeout_ms, 100, 86400000),
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
apply(struct config *c, const struct key *k, char *value)
{
	void *field = (char *)c + k->offset;
	unsigned long v;
	unsigned id;
	char *tok, *save;
	size_t *count = NULL, n = 0;

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
	case K_UID_LIST:
	case K_GID_LIST:
	case K_MECH_LIST:
		break;
	}
	count = k->type == K_UID_LIST ? &c->npeer_uids :
	    k->type == K_GID_LIST ? &c->npeer_gids : &c->nmechanisms;
	for (tok = strtok_r(value, " \t,", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t,", &save), n++) {
		if (k->type == K_MECH_LIST) {
			if (n == MECH_MAX)
				return "too many mechanisms";
			if (!name_mech_valid(tok))
				return "invalid mechanism name";
			snprintf(c->mechanisms[n], MECH_NAME_MAX, "%s", tok);
			continue;
		}
		if (n == CONFIG_PEERS_MAX)
			return "too many entries";
		if (parse_id(tok, k->type == K_GID_LIST, &id) == -1)
			return "unknown user or group";
		((unsigned *)field)[n] = id;
	}
	*count = n;
	return NULL;
}

int
config_load(struct config *c, const char *path)
{
	char line[512], *key, *value, *end;
	const char *err;
	unsigned lineno = 0;
	size_t i;
	FILE *f;
	int rc = 0;

	if ((f = fopen(path, "re")) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			fprintf(stderr, "%s:%u: line too long\n", path, lineno);
			rc = -1;
			break;
		}
		line[strcspn(line, "#\n")] = '\0';
		key = line + strspn(line, " \t");
		if (*key == '\0')
			continue;
		value = key + strcspn(key, " \t");
		if (*value != '\0')
			*value++ = '\0';
		value += strspn(value, " \t");
		for (end = value + strlen(value); end > value &&
		    (end[-1] == ' ' || end[-1] == '\t'); end--)
			end[-1] = '\0';
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
			if (strcmp(keys[i].name, key) == 0)
				break;
		if (i == sizeof(keys) / sizeof(keys[0]))
			err = "unknown key";
		else if (*value == '\0')
			err = "missing value";
		else
			err = apply(c, &keys[i], value);
		if (err != NULL) {
			fprintf(stderr, "%s:%u: %s: %s\n", path, lineno, key,
			    err);
			rc = -1;
		}
	}
	fclose(f);
	return rc;
}

int
config_check(const struct config *c)
{
	size_t i;

	for (i = 0; i < c->nmechanisms; i++) {
		if (verifier_find(c->mechanisms[i]) == NULL) {
			fprintf(stderr, "mechanisms: no mechanism named %s\n",
			    c->mechanisms[i]);
			return -1;
		}
	}
	if (c->socket_path[0] != '/') {
		fprintf(stderr, "socket: must be an absolute path\n");
		return -1;
	}
	return 0;
}
