/* SPDX-License-Identifier: ISC */
/* workers.c: start the worker launcher; relay what workers write to stderr. */
#include "workers.h"

#include <stdio.h>

#include "config.h"
#include "spawn_ctl.h"
#include "spawn_exec.h"
#include "stderr_relay.h"

static const struct config *conf;
static struct stderr_relay relay;

/* The worker program, with an empty environment, the log pipe as its
 * stderr; exec'd (spawn_exec.h), so that every launcher has a fresh
 * address-space layout and stack canary, and no broker memory. */
static pid_t
start_launcher(int chan_fd, void *ctx)
{
	char spares[16], maxc[16], fid[16];
	char *argv[16];
	char *envp[] = { NULL };
	int argc = 0;

	snprintf(spares, sizeof(spares), "%u", conf->spare_workers);
	snprintf(maxc, sizeof(maxc), "%u", conf->max_sessions);
	snprintf(fid, sizeof(fid), "%u", (unsigned)conf->worker_fallback_id);
	argv[argc++] = "loginbroker-worker";
	argv[argc++] = "--user";
	argv[argc++] = (char *)conf->worker_user;
	argv[argc++] = "--fallback-id";
	argv[argc++] = fid;
	argv[argc++] = "--spares";
	argv[argc++] = spares;
	argv[argc++] = "--max-children";
	argv[argc++] = maxc;
	if (conf->sandbox_debug)
		argv[argc++] = "--sandbox-debug";
	argv[argc] = NULL;
	return spawn_exec(chan_fd, stderr_relay_fd(&relay), conf->worker_path, argv, envp);
}

struct spawn_ctl *
workers_start(const struct config *c)
{
	struct spawn_params p = { "worker launcher", start_launcher, NULL,
	    NULL, c->spare_workers, c->launcher_recycle };
	struct spawn_ctl *sc;

	conf = c;
	if (stderr_relay_open(&relay, "worker") == -1)
		return NULL;
	if ((sc = spawn_ctl_start(&p)) == NULL)
		stderr_relay_drain(&relay);	/* show why it failed */
	return sc;
}
