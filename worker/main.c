/*
 * loginbroker-worker: the unprivileged side.  Started by loginbrokerd
 * only, with its channel on fd 3; links no credential library.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "launcher.h"
#include "session_loop.h"

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

int
main(int argc, char **argv)
{
	struct launcher_opts o = { NULL, 0, 0, 0, false };
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--sandbox-debug") == 0)
			o.sandbox_debug = true;
		else if (i + 1 == argc)
			usage();
		else if (strcmp(argv[i], "--user") == 0)
			o.user = argv[++i];
		else if (strcmp(argv[i], "--fallback-id") == 0)
			o.fallback_id = number(argv[++i], UINT_MAX);
		else if (strcmp(argv[i], "--spares") == 0)
			o.spares = number(argv[++i], LAUNCHER_SPARES_MAX);
		else if (strcmp(argv[i], "--max-children") == 0)
			o.max_children = number(argv[++i], 65536);
		else
			usage();
	}
	if (o.user == NULL || o.spares == 0 || o.max_children == 0)
		usage();
	launcher_run(&o, session_loop);
}
