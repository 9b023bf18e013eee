/*
 * zygote_main.h: the body of a helper zygote program that takes nothing
 * but "--spares N" (loginbroker-scram, loginbroker-duo): it checks that
 * the broker exec'd it, confines itself (sandbox_privileged_helper),
 * loads its libraries once and forks one helper per attempt.
 */
#ifndef LB_ZYGOTE_MAIN_H
#define LB_ZYGOTE_MAIN_H

#include <stdbool.h>

#include "spawner.h"

/* Runs the zygote prog with argv; network: its helpers may open
 * connections; load (NULL: nothing) runs once after confinement, 0 or
 * -1.  Exits 2 on a usage error, 1 when it cannot set up. */
_Noreturn void zygote_main(const char *prog, int argc, char **argv,
    bool network, int (*load)(void), spawner_child_fn helper);

#endif
