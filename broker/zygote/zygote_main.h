/* SPDX-License-Identifier: ISC */
/*
 * zygote_main.h: the body of a helper zygote program (loginbroker-scram,
 * loginbroker-duo): it checks that the broker exec'd it, confines itself
 * (sandbox_privileged_helper), loads its libraries once and forks one
 * helper per attempt.
 */
#ifndef LB_ZYGOTE_MAIN_H
#define LB_ZYGOTE_MAIN_H

#include "sandbox.h"
#include "spawner.h"

/* Runs the zygote prog with argv: "--spares N", and with become not NULL
 * also "--user NAME --fallback-id N", the unprivileged user its helpers
 * become (resolved into *become, as the worker launcher does) before
 * they use the network they keep; each helper gets become as its arg.
 * load (NULL: nothing) runs once after confinement, 0 or -1.  Exits 2 on
 * a usage error, 1 when it cannot set up. */
_Noreturn void zygote_main(const char *prog, int argc, char **argv,
    struct sandbox_identity *become, int (*load)(void),
    spawner_child_fn helper);

#endif
