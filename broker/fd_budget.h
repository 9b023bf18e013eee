/* SPDX-License-Identifier: ISC */
/*
 * fd_budget.h: what the descriptor limit lets the broker carry.  Every
 * session costs descriptors in the broker; one that cannot get them must
 * be refused with 511 at the door, not fail half-way with 505.
 */
#ifndef LB_FD_BUDGET_H
#define LB_FD_BUDGET_H

#include <sys/resource.h>

/* The most a session holds in the broker: the client's socket, the
 * worker's channel, pidfd and timer, and during an attempt the PAM
 * helper's channel and pidfd; once logged in with sessions, instead of
 * those two, its keeper's channel and a start's three descriptors on
 * their way. */
#define FD_PER_SESSION	8

/* Raises RLIMIT_NOFILE's soft limit to the hard one: the limit now in
 * force, or 0 when it cannot be read. */
rlim_t fd_budget_raise(void);

/* How many sessions nofile descriptors carry once the broker's own, its
 * spawners' and their ready children's are set aside (0: none). */
unsigned fd_budget_sessions(rlim_t nofile);

#endif
