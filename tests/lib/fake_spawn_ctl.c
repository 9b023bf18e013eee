/* SPDX-License-Identifier: ISC */
/*
 * fake_spawn_ctl.c: broker/spawn_ctl.h without processes, for fuzz_ipc
 * and test_session.  Every child handed out is one end of a socketpair;
 * the caller holds the other end and plays the child (a worker or a
 * helper), gone bad or not.  Linked before the broker's library, it
 * stands in for spawn_ctl.c.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fake_spawn_ctl.h"
#include "spawn_ctl.h"

struct spawn_ctl {
	struct spawn_params p;
};

static int peers[2] = { -1, -1 };

struct spawn_ctl *
spawn_ctl_start(const struct spawn_params *p)
{
	struct spawn_ctl *sc = calloc(1, sizeof(*sc));

	if (sc != NULL)
		sc->p = *p;
	return sc;
}

void
spawn_ctl_take(struct spawn_ctl *sc, struct spawn_wait *w)
{
	enum fake_peer kind = strcmp(sc->p.name, "worker launcher") == 0 ?
	    FAKE_WORKER : FAKE_HELPER;
	struct spawn_child c = { getpid(), -1, -1 };
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv) == -1) {
		w->ready(w, NULL);
		return;
	}
	if (peers[kind] != -1)
		close(peers[kind]);
	peers[kind] = sv[1];
	c.fd = sv[0];
	w->ready(w, &c);
}

void
spawn_ctl_cancel(struct spawn_ctl *sc, struct spawn_wait *w)
{
}

void
spawn_ctl_stop(struct spawn_ctl *sc)
{
}

void
spawn_ctl_free(struct spawn_ctl *sc)
{
	free(sc);
}

/* Ready at once: there is no process to wait for. */
enum spawn_state
spawn_ctl_state(const struct spawn_ctl *sc)
{
	return SPAWN_READY;
}

int
fake_peer_fd(enum fake_peer kind)
{
	return peers[kind];
}

void
fake_peers_close(void)
{
	for (size_t i = 0; i < 2; i++) {
		if (peers[i] != -1)
			close(peers[i]);
		peers[i] = -1;
	}
}
