/* SPDX-License-Identifier: ISC */
/* fuzz_session.c: a worker session started as the broker starts one. */
#include "fuzz_session.h"

#include <stdlib.h>
#include <sys/socket.h>

int
fuzz_session_start(struct wsession *ws, const struct msg_assign *assign,
    struct ipc_chan **worker, struct ipc_chan **broker)
{
	struct ipc_msg m;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == -1)
		return -1;
	*worker = ipc_chan_new(sv[0], false);
	*broker = ipc_chan_new(sv[1], false);
	ws_init(ws, *worker);
	/* The broker's ASSIGN, over the channel as the worker gets it. */
	if (msg_send_assign(*broker, 0, -1, assign) == -1 ||
	    ipc_chan_flush(*broker) != 1 || ipc_chan_read(*worker) <= 0 ||
	    ipc_chan_get(*worker, &m) != 1 || ws_start(ws, &m) == -1)
		abort();
	return 0;
}
