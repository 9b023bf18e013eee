/* SPDX-License-Identifier: ISC */
/* zygotes.c: start and find the helper zygotes (loginbroker-*). */
#include "zygotes.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "spawn_ctl.h"
#include "spawn_exec.h"
#include "stderr_relay.h"
#include "verify.h"

/* The most arguments a zygote program gets. */
#define ZYGOTE_ARGS_MAX	8

struct zygote {
	char path[CONFIG_PATH_MAX];
	char service[64];		/* "": none */
	const char *const *args;	/* more, or NULL */
	char name[CONFIG_PATH_MAX + 96];	/* for the log */
	struct spawn_ctl *ctl;
};

static const struct config *conf;
static struct zygote zygotes[ZYGOTES_MAX];
static size_t nzygotes;
static struct stderr_relay relay;	/* every zygote's, when open */
static bool relay_open;

/* The program's name as it runs (its comm). */
static const char *
program_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash != NULL ? slash + 1 : path;
}

/* The zygote program, with a relay as its stderr (a module or library
 * may write to it: quoted and bounded, as a worker's) and the broker's
 * environment (PAM modules and Kerberos read it); exec'd, as the
 * worker launcher: the zygote gets none of the broker's memory, and its
 * children are forked from a small process. */
static pid_t
start_zygote(int chan_fd, void *ctx)
{
	const struct zygote *z = ctx;
	char spares[16];
	char *argv[ZYGOTE_ARGS_MAX + 1] = { (char *)program_name(z->path),
	    "--spares", spares };
	size_t n = 3, i;

	snprintf(spares, sizeof(spares), "%u", conf->spare_pam_helpers);
	if (z->service[0] != '\0') {
		argv[n++] = "--service";
		argv[n++] = (char *)z->service;
	}
	for (i = 0; z->args != NULL && z->args[i] != NULL &&
	    n < ZYGOTE_ARGS_MAX; i++)
		argv[n++] = (char *)z->args[i];
	argv[n] = NULL;
	return spawn_exec(chan_fd, stderr_relay_fd(&relay), z->path, argv,
	    environ);
}

/* A slot whose controller could not even be made counts as failed. */
static enum spawn_state
state_of(const struct zygote *z)
{
	return z->ctl != NULL ? spawn_ctl_state(z->ctl) : SPAWN_FAILED;
}

static struct zygote *
find(const char *path, const char *service)
{
	size_t i;

	if (service == NULL)
		service = "";
	for (i = 0; i < nzygotes; i++)
		if (strcmp(zygotes[i].path, path) == 0 &&
		    strcmp(zygotes[i].service, service) == 0)
			return &zygotes[i];
	return NULL;
}

struct spawn_ctl *
zygote_find(const char *path, const char *service)
{
	struct zygote *z = find(path, service);

	return z != NULL && state_of(z) == SPAWN_READY ? z->ctl : NULL;
}

int
zygote_state(const char *path, const char *service)
{
	struct zygote *z = find(path, service);

	if (z == NULL || state_of(z) == SPAWN_FAILED)
		return -1;
	return state_of(z) == SPAWN_STARTING ? 1 : 0;
}

/* The zygote is up, or could not start (its stack is broken): whoever
 * waits for it asks again. */
static void
zygote_settled(void *ctx)
{
	struct zygote *z = ctx;

	if (state_of(z) == SPAWN_FAILED)
		log_msg(LOG_ERR, "the %s did not start", z->name);
	verifiers_settled();
}

/* A new slot, or NULL (logged) when there is no room. */
static struct zygote *
add(const char *path, const char *service)
{
	struct zygote *z;

	if (nzygotes == ZYGOTES_MAX || strlen(path) >= sizeof(z->path) ||
	    strlen(service) >= sizeof(z->service)) {
		log_msg(LOG_ERR, "%s %s: too many helper zygotes", path,
		    service);
		return NULL;
	}
	z = &zygotes[nzygotes++];
	snprintf(z->path, sizeof(z->path), "%s", path);
	snprintf(z->service, sizeof(z->service), "%s", service);
	snprintf(z->name, sizeof(z->name), "zygote %s%s%s",
	    program_name(path), service[0] != '\0' ? " of " : "", service);
	return z;
}

int
zygote_start(const struct config *c, const char *path, const char *service,
    const char *const *args)
{
	struct zygote *z;
	struct spawn_params p;

	conf = c;
	if (!relay_open) {
		if (stderr_relay_open(&relay, "helper") == -1) {
			log_msg(LOG_ERR, "helper stderr relay: %s",
			    strerror(errno));
			return -1;
		}
		relay_open = true;
	}
	if ((z = find(path, service)) != NULL) {
		if (state_of(z) != SPAWN_FAILED)
			return 0;
		/* A stack that failed before may be mended now. */
		if (z->ctl != NULL)
			spawn_ctl_free(z->ctl);
	} else if ((z = add(path, service != NULL ? service : "")) == NULL) {
		return -1;
	}
	z->args = args;
	p = (struct spawn_params){ z->name, start_zygote, zygote_settled, z,
	    c->spare_pam_helpers, 0 };
	/* On failure the slot stays, as one that failed to start. */
	return (z->ctl = spawn_ctl_start(&p)) != NULL ? 0 : -1;
}

int
zygote_start_as_workers_user(const struct config *c, const char *path)
{
	static char fallback[16];
	static const char *args[] = { "--user", NULL, "--fallback-id",
	    fallback, NULL };

	args[1] = c->worker_user;
	snprintf(fallback, sizeof(fallback), "%u", c->worker_fallback_id);
	return zygote_start(c, path, NULL, args);
}

int
zygote_program_check(const char *key, const char *path)
{
	char why[CONFIG_PATH_MAX + 64];

	if (config_program_check(key, path, why, sizeof(why)) == -1) {
		log_msg(LOG_ERR, "%s", why);
		return -1;
	}
	return 0;
}

int
zygote_file_check(const char *what, const char *path, bool secret)
{
	struct stat st;

	if (path[0] != '/' || strlen(path) >= HELPER_PATH_MAX ||
	    strncmp(path, "/run/", 5) == 0 || strncmp(path, "/dev/", 5) == 0) {
		log_msg(LOG_ERR, "%s %s: must be an absolute path of at most "
		    "%d bytes outside /run and /dev", what, path,
		    HELPER_PATH_MAX - 1);
		return -1;
	}
	if (!secret)
		return 0;
	/* lstat: a helper may open it O_NOFOLLOW, so a link would pass
	 * here and fail every login. */
	if (lstat(path, &st) == -1) {
		log_msg(LOG_ERR, "%s %s: %s", what, path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 077)) {
		log_msg(LOG_ERR, "%s %s: must be a file of root's that no one "
		    "else may read or write", what, path);
		return -1;
	}
	return 0;
}
