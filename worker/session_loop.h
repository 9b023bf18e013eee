/* SPDX-License-Identifier: ISC */
/* session_loop.h: a confined session worker's event loop. */
#ifndef LB_SESSION_LOOP_H
#define LB_SESSION_LOOP_H

#include <stdint.h>

#include "ipc_chan.h"

/* Serves one client on client_fd, talking to the broker over broker, until
 * either side is done; then ends the process.  assign is the broker's
 * ASSIGN message, which carries the session's parameters. */
_Noreturn void session_loop(struct ipc_chan *broker, int client_fd,
    const struct ipc_msg *assign);

#endif
