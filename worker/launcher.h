/* SPDX-License-Identifier: ISC */
/*
 * launcher.h: the worker launcher.  Exec'd by the broker (as root, with its
 * channel on fd 3), it confines itself (sandbox stage 1 and the launcher
 * filter), then, as a spawner (ipc/spawner.h), forks children and hands
 * their channels to the broker.  Each child stacks the session filter
 * before it waits for work, so confined children stand ready and neither
 * a fork nor the launcher lies on a login's critical path.
 */
#ifndef LB_LAUNCHER_H
#define LB_LAUNCHER_H

#include <stdbool.h>
#include <stdint.h>

#include "ipc_chan.h"

/* The broker's channel. */
#define LAUNCHER_FD	3
/* Ready children the broker may ask to keep. */
#define LAUNCHER_SPARES_MAX	16

struct launcher_opts {
	const char *user;		/* sandbox user */
	uint32_t fallback_id;		/* when user does not exist */
	unsigned spares;		/* ready children to keep */
	unsigned max_children;		/* sessions at once, for RLIMIT_NPROC */
	bool sandbox_debug;		/* trap and log denied calls */
};

/* What a confined child runs once the broker assigns it a client (the
 * ASSIGN message); it must end the process rather than return. */
typedef void (*session_main_fn)(struct ipc_chan *broker, int client_fd,
    const struct ipc_msg *assign);

/* Reads the options loginbrokerd passes (broker/workers.c); exits 2 with a
 * usage message when they are wrong. */
void launcher_parse_args(int argc, char **argv, struct launcher_opts *o);

/* Confines the process and serves the broker until it hangs up. */
_Noreturn void launcher_run(const struct launcher_opts *o,
    session_main_fn session_main);

#endif
