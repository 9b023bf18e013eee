/* SPDX-License-Identifier: ISC */
/*
 * loginbroker-gss: the GSSAPI zygote, exec'd by the broker
 * (broker/verifiers/zygotes.c) with its channel on fd 3.  It confines
 * itself (sandbox_privileged_helper: no network, a read-only view of the
 * filesystem but the cache directories, three capabilities), loads the
 * Kerberos libraries and forks one helper per gssapi-with-mic attempt
 * (gss_helper.h).  It links only Kerberos, ipc and sandbox.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gss_helper.h"
#include "ipc_chan.h"
#include "ipc_proto.h"
#include "sandbox.h"
#include "spawner.h"

static _Noreturn void
usage(void)
{
	fprintf(stderr, "usage: loginbroker-gss --spares N --ccache-dir DIR\n"
	    "(started by loginbrokerd, not by hand)\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	/* What a helper writes: delegated caches, and in a directory of
	 * root's among them the replay cache (never a shared /var/tmp). */
	const char *writable[1] = { NULL };
	char rcache[SANDBOX_PATH_MAX];
	unsigned long spares = 0;
	struct ipc_chan *chan;
	char *end = "";
	int i, sigfd;

	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--spares") == 0)
			spares = strtoul(argv[i + 1], &end, 10);
		else if (strcmp(argv[i], "--ccache-dir") == 0)
			writable[0] = argv[i + 1];
		else
			usage();
	}
	if (i != argc || *end != '\0' || spares == 0 || spares > 16 ||
	    writable[0] == NULL || writable[0][0] != '/')
		usage();
	snprintf(rcache, sizeof(rcache), "%s/" GSS_RCACHE_DIR, writable[0]);
	if (setenv("KRB5RCACHEDIR", rcache, 1) == -1)
		return 1;
	if (spawner_zygote_check("loginbroker-gss") == -1)
		return 1;
	sandbox_privileged_helper(writable, 1, false);
	if (gss_libraries_load() == -1 || (sigfd = spawner_prepare()) == -1 ||
	    (chan = ipc_chan_new(SPAWNER_ZYGOTE_FD, true)) == NULL) {
		fprintf(stderr, "loginbroker-gss: cannot set up\n");
		return 1;
	}
	spawner_run(chan, sigfd, (unsigned)spares, gss_helper_main, NULL);
}
