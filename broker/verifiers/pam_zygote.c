/* pam_zygote.c: start and find the PAM zygotes (loginbroker-pam). */
#include "pam_zygote.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "log.h"
#include "spawn_ctl.h"
#include "spawn_exec.h"
#include "stderr_relay.h"
#include "verify.h"

struct zygote {
	char service[64];
	char name[96];			/* for the log */
	struct spawn_ctl *ctl;
};

static const struct config *conf;
static struct zygote zygotes[PAM_ZYGOTES_MAX];
static size_t nzygotes;
static struct stderr_relay relay;	/* every zygote's, when open */
static bool relay_open;

/* The zygote program, with a relay as its stderr (a module may write to
 * it: quoted and bounded, as a worker's) and the broker's environment (PAM modules may read it); fork + exec, as the
 * worker launcher: the zygote gets none of the broker's memory, and its
 * children are forked from a small process. */
static pid_t
start_zygote(int chan_fd, void *ctx)
{
	const struct zygote *z = ctx;
	char spares[16];
	char *argv[] = { "loginbroker-pam", "--service", (char *)z->service,
	    "--spares", spares, NULL };

	snprintf(spares, sizeof(spares), "%u", conf->spare_pam_helpers);
	return spawn_exec(chan_fd, stderr_relay_fd(&relay), conf->pam_path, argv, environ);
}

/* A slot whose controller could not even be made counts as failed. */
static enum spawn_state
zygote_state(const struct zygote *z)
{
	return z->ctl != NULL ? spawn_ctl_state(z->ctl) : SPAWN_FAILED;
}

static struct zygote *
find(const char *service)
{
	size_t i;

	for (i = 0; i < nzygotes; i++)
		if (strcmp(zygotes[i].service, service) == 0)
			return &zygotes[i];
	return NULL;
}

struct spawn_ctl *
pam_zygote_find(const char *service)
{
	struct zygote *z = find(service);

	return z != NULL && zygote_state(z) == SPAWN_READY ? z->ctl : NULL;
}

int
pam_zygote_state(const char *service)
{
	struct zygote *z = find(service);

	if (z == NULL || zygote_state(z) == SPAWN_FAILED)
		return -1;
	return zygote_state(z) == SPAWN_STARTING ? 1 : 0;
}

/* The zygote is up, or could not start (its stack is broken): whoever
 * waits for it asks again. */
static void
zygote_settled(void *ctx)
{
	struct zygote *z = ctx;

	if (zygote_state(z) == SPAWN_FAILED)
		log_msg(LOG_ERR, "the %s did not start", z->name);
	verifiers_settled();
}

int
pam_zygote_start(const struct config *c, const char *service)
{
	struct zygote *z;
	struct spawn_params p;

	conf = c;
	if (!relay_open) {
		if (stderr_relay_open(&relay, "pam") == -1) {
			log_msg(LOG_ERR, "PAM stderr relay: %s", strerror(errno));
			return -1;
		}
		relay_open = true;
	}
	if ((z = find(service)) != NULL) {
		if (zygote_state(z) != SPAWN_FAILED)
			return 0;
		/* A stack that failed before may be mended now. */
		if (z->ctl != NULL)
			spawn_ctl_free(z->ctl);
	} else if (nzygotes == PAM_ZYGOTES_MAX ||
	    strlen(service) >= sizeof(z->service)) {
		log_msg(LOG_ERR, "PAM service %s: too many PAM services",
		    service);
		return -1;
	} else {
		z = &zygotes[nzygotes++];
		snprintf(z->service, sizeof(z->service), "%s", service);
		snprintf(z->name, sizeof(z->name), "PAM zygote of %s",
		    service);
	}
	p = (struct spawn_params){ z->name, start_zygote, zygote_settled, z,
	    c->spare_pam_helpers, 0 };
	/* On failure the slot stays, as one that failed to start. */
	return (z->ctl = spawn_ctl_start(&p)) != NULL ? 0 : -1;
}
