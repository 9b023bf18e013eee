/* SPDX-License-Identifier: ISC */
/* fd_budget.c: what the descriptor limit lets the broker carry. */
#include "fd_budget.h"

#include "zygotes.h"
#include "spawn_ctl.h"

/* The broker's own: stdio, the log, epoll, signalfd, the listener and its
 * spare, both stderr relays (pipe and timer), the lockout file, a
 * configuration being read, and room for what libc opens on its own. */
#define FD_OWN		48

/* One spawn_ctl (the worker launcher, each helper zygote, as many as reloads
 * may have started): its retry timer, two spawners' channels and pidfds
 * while one is replaced, and its ready children's channels and pidfds. */
#define FD_PER_SPAWN_CTL	(1 + 2 * 2 + 2 * SPAWN_IDLE_MAX)

rlim_t
fd_budget_raise(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 0;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		/* Failing keeps the old limit, which the budget then uses. */
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1 &&
		    getrlimit(RLIMIT_NOFILE, &rl) == -1)
			return 0;
	}
	return rl.rlim_cur;
}

unsigned
fd_budget_sessions(rlim_t nofile)
{
	const rlim_t reserve = FD_OWN +
	    (1 + ZYGOTES_MAX) * FD_PER_SPAWN_CTL;

	if (nofile == RLIM_INFINITY || nofile / FD_PER_SESSION > 1u << 30)
		return 1u << 30;
	return nofile > reserve ? (unsigned)((nofile - reserve) /
	    FD_PER_SESSION) : 0;
}
