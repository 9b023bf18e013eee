/* zygote_main.c: a helper zygote's start, from exec to serving. */
#include "zygote_main.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc_chan.h"
#include "sandbox.h"

void
zygote_main(const char *prog, int argc, char **argv, bool network,
    int (*load)(void), spawner_child_fn helper)
{
	unsigned long spares = 0;
	struct ipc_chan *chan;
	char *end = "";
	int sigfd;

	if (argc == 3 && strcmp(argv[1], "--spares") == 0)
		spares = strtoul(argv[2], &end, 10);
	if (*end != '\0' || spares == 0 || spares > 16) {
		fprintf(stderr, "usage: %s --spares N\n"
		    "(started by loginbrokerd, not by hand)\n", prog);
		exit(2);
	}
	if (spawner_zygote_check(prog) == -1)
		exit(1);
	sandbox_privileged_helper(NULL, 0, network);
	if ((load != NULL && load() == -1) ||
	    (sigfd = spawner_prepare()) == -1 ||
	    (chan = ipc_chan_new(SPAWNER_ZYGOTE_FD, true)) == NULL) {
		fprintf(stderr, "%s: cannot set up\n", prog);
		exit(1);
	}
	spawner_run(chan, sigfd, (unsigned)spares, helper, NULL);
}
