/* SPDX-License-Identifier: ISC */
/*
 * zygote_main.h: the body of a helper zygote program (loginbroker-scram,
 * loginbroker-duo, loginbroker-groups): it checks that the broker exec'd
 * it, confines itself, loads its libraries once and forks one helper per
 * attempt.
 */
#ifndef LB_ZYGOTE_MAIN_H
#define LB_ZYGOTE_MAIN_H

#include "sandbox.h"
#include "spawner.h"

/* How a zygote confines itself. */
enum zygote_confinement {
	/* sandbox_privileged_helper: root with a read-only view, to read
	 * root's keys; in the host's network only with become (Duo). */
	ZYGOTE_PRIVILEGED,
	/* It reads only what every user may (group names): becomes the
	 * unprivileged user at once, with no capability, no_new_privs, and
	 * the host's whole view (NSS may talk to nscd, sssd, a directory). */
	ZYGOTE_AS_USER,
};

/* Runs the zygote prog with argv: "--spares N", and with become not NULL
 * also "--user NAME --fallback-id N", the unprivileged user it or its
 * helpers become (resolved into *become, as the worker launcher does);
 * each helper gets become as its arg.  ZYGOTE_AS_USER needs become.  load
 * (NULL: nothing) runs once after confinement, 0 or -1.  Exits 2 on a
 * usage error, 1 when it cannot set up. */
_Noreturn void zygote_main(const char *prog, int argc, char **argv,
    enum zygote_confinement confinement, struct sandbox_identity *become,
    int (*load)(void), spawner_child_fn helper);

#endif
