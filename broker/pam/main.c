/* SPDX-License-Identifier: ISC */
/*
 * loginbroker-pam: the PAM zygote of one PAM service, exec'd by the
 * broker (broker/verifiers/pam_zygote.c) with its channel on fd 3.  It
 * loads the stack once (pam_start, no user yet) and forks one helper per
 * attempt (pam_helper.h), each running one transaction in its own copy of
 * the handle.  Exec'd rather than forked from the broker: a fresh address
 * space with none of the broker's memory, and cheap forks of a small
 * process.  It runs as root, as PAM modules need, and links only PAM and
 * ipc.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc_chan.h"
#include "pam_helper.h"
#include "spawner.h"

static _Noreturn void
usage(void)
{
	fprintf(stderr, "usage: loginbroker-pam --service NAME --spares N\n"
	    "(started by loginbrokerd, not by hand)\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static struct pam_stack stack;
	const char *service = NULL;
	unsigned long spares = 0;
	struct ipc_chan *chan;
	char *end;
	int i, sigfd;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--service") == 0)
			service = argv[i + 1];
		else if (strcmp(argv[i], "--spares") == 0)
			spares = strtoul(argv[i + 1], &end, 10);
		else
			usage();
	}
	if (i != argc || service == NULL || spares == 0 || spares > 16)
		usage();
	if (spawner_zygote_check("loginbroker-pam") == -1)
		return 1;
	if ((sigfd = spawner_prepare()) == -1 ||
	    (chan = ipc_chan_new(SPAWNER_ZYGOTE_FD, true)) == NULL) {
		fprintf(stderr, "loginbroker-pam: cannot set up\n");
		return 1;
	}
	/* pam_loginbroker refuses to run here: a stack of the broker's own
	 * that named it would hand each login back to the broker. */
	if (setenv("LOGINBROKER_PAM_HELPER", "1", 1) == -1) {
		fprintf(stderr, "loginbroker-pam: cannot set up\n");
		return 1;
	}
	pam_stack_load(&stack, service);
	spawner_run(chan, sigfd, (unsigned)spares, pam_helper_main, &stack);
}
