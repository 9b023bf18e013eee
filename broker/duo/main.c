/* SPDX-License-Identifier: ISC */
/*
 * loginbroker-duo: the Duo zygote, exec'd by the broker
 * (broker/verifiers/zygotes.c) with its channel on fd 3.  It confines
 * itself as the other helper zygotes do (sandbox_privileged_helper), but
 * keeps the network: its helpers are the only processes of loginbroker
 * that connect to Duo's service, and each becomes the unprivileged user
 * it is given (the workers' own) as soon as it has read the keys.  It forks one helper per duo attempt
 * (duo_helper.h).  It links only libduo, ipc and sandbox.
 *
 * "loginbroker-duo --check FILE..." reads key files and says on stdout
 * what is wrong with each (never a key): how loginbrokerd checks them
 * without holding a key itself.
 */
#include <stdio.h>
#include <string.h>

#include "duo_helper.h"
#include "zygote_main.h"

static int
check(int n, char **files)
{
	struct duo_keys k;
	char why[160];
	int i, rc = 0;

	for (i = 0; i < n; i++)
		if (duo_keys_read(files[i], &k, why, sizeof(why)) == -1) {
			printf("duo key file %s: %s\n", files[i], why);
			rc = 1;
		}
	return rc;
}

int
main(int argc, char **argv)
{
	static struct sandbox_identity become;

	if (argc >= 2 && strcmp(argv[1], "--check") == 0)
		return check(argc - 2, argv + 2);
	zygote_main("loginbroker-duo", argc, argv, ZYGOTE_PRIVILEGED, &become,
	    NULL, duo_helper_main);
}
