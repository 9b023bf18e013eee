/*
 * loginbroker-gss: the GSSAPI zygote, exec'd by the broker
 * (broker/verifiers/zygotes.c) with its channel on fd 3.  It loads the
 * Kerberos libraries, confines itself (sandbox_privileged_helper: no
 * network, three capabilities) and forks one helper per gssapi-with-mic
 * attempt (gss_helper.h).  It links only Kerberos, ipc and sandbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gss_helper.h"
#include "ipc_chan.h"
#include "sandbox.h"
#include "spawner.h"

/* The channel to the broker, as the broker's exec leaves it. */
#define ZYGOTE_FD	3

static _Noreturn void
usage(void)
{
	fprintf(stderr, "usage: loginbroker-gss --spares N\n"
	    "(started by loginbrokerd, not by hand)\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	unsigned long spares = 0;
	struct ipc_chan *chan;
	struct stat st;
	char *end;
	int sigfd;

	if (argc != 3 || strcmp(argv[1], "--spares") != 0)
		usage();
	spares = strtoul(argv[2], &end, 10);
	if (*end != '\0' || spares == 0 || spares > 16)
		usage();
	if (fstat(ZYGOTE_FD, &st) == -1 || !S_ISSOCK(st.st_mode)) {
		fprintf(stderr, "loginbroker-gss: fd 3 is not the broker's "
		    "channel\n");
		return 1;
	}
	sandbox_privileged_helper();
	if (gss_libraries_load() == -1 || (sigfd = spawner_prepare()) == -1 ||
	    (chan = ipc_chan_new(ZYGOTE_FD, true)) == NULL) {
		fprintf(stderr, "loginbroker-gss: cannot set up\n");
		return 1;
	}
	spawner_run(chan, sigfd, (unsigned)spares, gss_helper_main, NULL);
}
