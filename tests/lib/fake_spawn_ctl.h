/* SPDX-License-Identifier: ISC */
/* fake_spawn_ctl.h: the caller's end of the children it hands out. */
#ifndef LB_FAKE_SPAWN_CTL_H
#define LB_FAKE_SPAWN_CTL_H

enum fake_peer {
	FAKE_WORKER,
	FAKE_HELPER,
};

/* The caller's end of the channel of the last child of that kind handed
 * out, or -1. */
int fake_peer_fd(enum fake_peer kind);

/* Closes both ends the caller holds. */
void fake_peers_close(void);

#endif
