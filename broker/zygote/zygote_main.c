/* SPDX-License-Identifier: ISC */
/* zygote_main.c: a helper zygote's start, from exec to serving. */
#include "zygote_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "ipc_chan.h"

static _Noreturn void
usage(const char *prog, bool become)
{
	fprintf(stderr, "usage: %s --spares N%s\n"
	    "(started by loginbrokerd, not by hand)\n", prog,
	    become ? " --user NAME --fallback-id N" : "");
	exit(2);
}

/* argv[i + 1] as a number from 1 to max. */
static unsigned long
number(const char *prog, char **argv, int i, unsigned long max, bool become)
{
	char *end;
	unsigned long v = strtoul(argv[i + 1], &end, 10);

	if (*end != '\0' || v == 0 || v > max)
		usage(prog, become);
	return v;
}

void
zygote_main(const char *prog, int argc, char **argv,
    enum zygote_confinement confinement, struct sandbox_identity *become,
    int (*load)(void), spawner_child_fn helper)
{
	unsigned long spares = 0, fallback = 0;
	const char *user = NULL;
	struct ipc_chan *chan;
	int i, sigfd;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--spares") == 0)
			spares = number(prog, argv, i, 16, become != NULL);
		else if (become != NULL && strcmp(argv[i], "--user") == 0)
			user = argv[i + 1];
		else if (become != NULL &&
		    strcmp(argv[i], "--fallback-id") == 0)
			fallback = number(prog, argv, i, UINT32_MAX - 1, true);
		else
			usage(prog, become != NULL);
	}
	if (i != argc || spares == 0 ||
	    (become != NULL && (user == NULL || fallback == 0)))
		usage(prog, become != NULL);
	if (spawner_zygote_check(prog) == -1)
		exit(1);
	if (become != NULL && sandbox_identity_lookup(user, (uint32_t)fallback,
	    become) == -1) {
		fprintf(stderr, "%s: no usable user %s nor id %lu\n", prog,
		    user, fallback);
		exit(1);
	}
	if (confinement == ZYGOTE_PRIVILEGED)
		sandbox_privileged_helper(NULL, 0, become != NULL);
	else if (become == NULL ||
	    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		fprintf(stderr, "%s: cannot confine itself\n", prog);
		exit(1);
	} else
		sandbox_helper_become(become);
	if ((load != NULL && load() == -1) ||
	    (sigfd = spawner_prepare()) == -1 ||
	    (chan = ipc_chan_new(SPAWNER_ZYGOTE_FD, true)) == NULL) {
		fprintf(stderr, "%s: cannot set up\n", prog);
		exit(1);
	}
	spawner_run(chan, sigfd, (unsigned)spares, helper, become);
}
