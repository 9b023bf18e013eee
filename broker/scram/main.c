/*
 * loginbroker-scram: the SCRAM zygote, exec'd by the broker
 * (broker/verifiers/zygotes.c) with its channel on fd 3.  It confines
 * itself (sandbox_privileged_helper: no network, a read-only view of the
 * filesystem, three capabilities, enough to read the root-only stored-key
 * file), loads GNU SASL and forks one helper per scram-sha-256 attempt
 * (scram_helper.h).  It links only GNU SASL, ipc and sandbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc_chan.h"
#include "sandbox.h"
#include "scram_helper.h"
#include "spawner.h"

int
main(int argc, char **argv)
{
	unsigned long spares = 0;
	struct ipc_chan *chan;
	char *end = "";
	int sigfd;

	if (argc == 3 && strcmp(argv[1], "--spares") == 0)
		spares = strtoul(argv[2], &end, 10);
	if (*end != '\0' || spares == 0 || spares > 16) {
		fprintf(stderr, "usage: loginbroker-scram --spares N\n"
		    "(started by loginbrokerd, not by hand)\n");
		return 2;
	}
	if (spawner_zygote_check("loginbroker-scram") == -1)
		return 1;
	sandbox_privileged_helper(NULL, 0);
	if (scram_libraries_load() == -1 || (sigfd = spawner_prepare()) == -1 ||
	    (chan = ipc_chan_new(SPAWNER_ZYGOTE_FD, true)) == NULL) {
		fprintf(stderr, "loginbroker-scram: cannot set up\n");
		return 1;
	}
	spawner_run(chan, sigfd, (unsigned)spares, scram_helper_main, NULL);
}
