/* SPDX-License-Identifier: ISC */
/* launcher.c: confine once, then fork a confined child per session. */
#include "launcher.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ipc_proto.h"
#include "sandbox.h"
#include "spawner.h"

/* A session child needs stdio, its channel and the client: eight is
 * plenty, and it can never fork. */
static const struct sandbox_limits session_limits = { 8, 0, 256u << 20 };

static struct sandbox_program session_filter;
static session_main_fn session_main;

static _Noreturn void
fatal(const char *why)
{
	fprintf(stderr, "launcher: %s\n", why);
	_exit(1);
}

/* In a fresh child: narrow the limits, stack the session filter (compiled
 * once by the launcher), then wait for a client. */
static void
child_main(int sock, void *arg)
{
	struct ipc_chan *chan;
	struct ipc_msg m;
	int rc;

	sandbox_limit(&session_limits);
	sandbox_load(&session_filter);
	if ((chan = ipc_chan_new(sock, true)) == NULL)
		_exit(1);
	/* EOF: the broker dropped us unused (retired launcher, shutdown). */
	if ((rc = ipc_chan_wait(chan, &m, -1)) == 0)
		_exit(0);
	if (rc != 1 || m.hdr.type != MSG_ASSIGN || m.fd == -1)
		_exit(1);
	session_main(chan, m.fd, &m);
	_exit(1);
}

static _Noreturn void
usage(void)
{
	fprintf(stderr, "usage: loginbroker-worker --user NAME "
	    "--fallback-id ID --spares N --max-children N [--sandbox-debug]\n"
	    "(started by loginbrokerd, not by hand)\n");
	exit(2);
}

static unsigned
number(const char *s, unsigned long max)
{
	char *end;
	unsigned long v;

	v = strtoul(s, &end, 10);
	if (*s == '\0' || *end != '\0' || v > max)
		usage();
	return (unsigned)v;
}

void
launcher_parse_args(int argc, char **argv, struct launcher_opts *o)
{
	int i;

	memset(o, 0, sizeof(*o));
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--sandbox-debug") == 0)
			o->sandbox_debug = true;
		else if (i + 1 == argc)
			usage();
		else if (strcmp(argv[i], "--user") == 0)
			o->user = argv[++i];
		else if (strcmp(argv[i], "--fallback-id") == 0)
			o->fallback_id = number(argv[++i], UINT32_MAX);
		else if (strcmp(argv[i], "--spares") == 0)
			o->spares = number(argv[++i], LAUNCHER_SPARES_MAX);
		else if (strcmp(argv[i], "--max-children") == 0)
			o->max_children = number(argv[++i], 65536);
		else
			usage();
	}
	if (o->user == NULL || o->spares == 0 || o->max_children == 0)
		usage();
}

_Noreturn void
launcher_run(const struct launcher_opts *o, session_main_fn run)
{
	struct sandbox_identity id;
	struct sandbox_limits lim;
	struct ipc_chan *broker;
	struct stat st;
	int sigfd;

	if (fstat(LAUNCHER_FD, &st) == -1 || !S_ISSOCK(st.st_mode))
		fatal("fd 3 is not the broker's channel");
	if (sandbox_identity_lookup(o->user, o->fallback_id, &id) == -1)
		fatal("no usable sandbox user or fallback id");
	if ((sigfd = spawner_prepare()) == -1)
		fatal("signalfd");
	if ((broker = ipc_chan_new(LAUNCHER_FD, true)) == NULL)
		fatal("out of memory");
	session_main = run;

	/* RLIMIT_NPROC counts every process of the sandbox user: room for a
	 * retiring launcher's sessions beside ours, and for workers that are
	 * still on their way out.  Descriptors in flight to the broker count
	 * against RLIMIT_NOFILE (ETOOMANYREFS), one per child handed over. */
	lim.nproc = 2 * ((rlim_t)o->max_children + o->spares) + 64;
	lim.nofile = lim.nproc + 32;
	lim.as_bytes = 256u << 20;
	/* Compiled once here; each child only loads it. */
	sandbox_compile(SANDBOX_SESSION, o->sandbox_debug, &session_filter);
	sandbox_drop(&id, NULL, &lim);
	sandbox_filter(SANDBOX_LAUNCHER, o->sandbox_debug);
	spawner_run(broker, sigfd, o->spares, child_main, NULL);
}
