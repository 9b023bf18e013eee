/* SPDX-License-Identifier: ISC */
/*
 * groups_helper.h: one user's group names, looked up through NSS in a
 * process of its own, forked by the groups zygote (loginbroker-groups).
 * It waits for the broker's GROUPS_BEGIN, asks NSS, reports
 * GROUPS_RESULT and exits: a slow or hung directory stalls this one
 * login, which the broker bounds with its session timeout, never the
 * broker's event loop.
 */
#ifndef LB_GROUPS_HELPER_H
#define LB_GROUPS_HELPER_H

/* A helper's body (a spawner_child_fn); arg is unused.  A lookup that
 * NSS could not answer (an error, not "no such user") ends the helper
 * with no result, which the broker takes as an error: a group rule is
 * never matched against a list cut short. */
void groups_helper_main(int sock, void *arg);

#endif
