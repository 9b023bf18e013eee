/* SPDX-License-Identifier: ISC */
/*
 * loginbroker-worker: the unprivileged side.  Started by loginbrokerd
 * only, with its channel on fd 3; links no credential library.
 */
#include "launcher.h"
#include "session_loop.h"

int
main(int argc, char **argv)
{
	struct launcher_opts o;

	launcher_parse_args(argc, argv, &o);
	launcher_run(&o, session_loop);
}
