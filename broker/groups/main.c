/* SPDX-License-Identifier: ISC */
/*
 * loginbroker-groups: the groups zygote, exec'd by the broker
 * (broker/verifiers/groups_lookup.c) with its channel on fd 3 when a
 * policy's rule names groups.  Group names are what every user may read,
 * so it becomes the workers' user at once, with no capability, and keeps
 * the host's view (NSS may ask nscd, sssd or a directory server); it
 * forks one helper per lookup (groups_helper.h).  It links only ipc and
 * sandbox.
 */
#include "groups_helper.h"
#include "zygote_main.h"

int
main(int argc, char **argv)
{
	static struct sandbox_identity become;

	zygote_main("loginbroker-groups", argc, argv, ZYGOTE_AS_USER, &become,
	    NULL, groups_helper_main);
}
