/* SPDX-License-Identifier: ISC */
/*
 * helper_run.h: one attempt's helper, as a verifier drives it: a child of
 * a helper zygote (zygotes.h) taken for the attempt, its channel watched
 * by the event loop, its messages dispatched through the verifier's
 * table, and the child killed when the attempt ends early.  PAM's and
 * GSSAPI's verifiers differ only in their messages.
 */
#ifndef LB_HELPER_RUN_H
#define LB_HELPER_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "ipc_chan.h"
#include "spawn_ctl.h"

struct attempt;
struct helper_run;

/* A message the helper may send; its handler decides whether it is legal
 * now: 0, -1 (the attempt then ends as a protocol error), or 1 when it
 * ended the run and gave the attempt on (no more is read: the run may be
 * gone, and another verifier may hold the attempt). */
struct helper_msg {
	uint32_t type;
	int (*handle)(struct helper_run *run, const struct ipc_msg *in);
};

struct helper_ops {
	const char *what;		/* "PAM helper", for audit details */
	const struct helper_msg *msgs;
	size_t nmsgs;
	/* The helper is there: send it the attempt's first message with
	 * helper_run_send. */
	void (*ready)(struct helper_run *run);
};

struct helper_run {
	struct attempt *a;
	const struct helper_ops *ops;
	struct spawn_ctl *helpers;
	struct spawn_wait wait;
	int pidfd;			/* -1: none, or it ends by itself */
	struct ipc_chan *chan;
	struct event ev;
};

/* Asks helpers for a helper for attempt a (a->vstate must point to the
 * verifier's state, which embeds run: the run ends when it changes). */
void helper_run_start(struct helper_run *run, struct attempt *a,
    struct spawn_ctl *helpers, const struct helper_ops *ops);

/* Sends the helper a message and flushes it: 0, or -1 with errno after
 * deciding the attempt (ERANGE: too long for one message, VERDICT_LIMIT
 * with limit_detail; ENOBUFS: the helper does not read).  A helper gone
 * is no error here: what it said last, or its end, is read next. */
int helper_run_send(struct helper_run *run, uint32_t type, const void *m,
    const char *limit_detail);

/* The helper gave its last word and exits by itself: it is not killed
 * (a PAM helper, which ends its transaction with pam_end). */
void helper_run_finished(struct helper_run *run);

/* The helper lives on beyond the attempt (a PAM helper that keeps the
 * login's session): its channel and pidfd become the caller's, and the
 * run lets go of it. */
void helper_run_hand_over(struct helper_run *run, struct ipc_chan **chan,
    int *pidfd);

/* Stops watching the helper and kills it unless it finished; then, once
 * it has exited (at once when it finished, or when it cannot be
 * watched), calls gone(ctx) unless gone is NULL: what a killed helper was
 * writing is cleaned up after it, not under it.  Safe to call twice. */
void helper_run_stop(struct helper_run *run, void (*gone)(void *ctx),
    void *ctx);

/* At shutdown: calls every gone still waiting for a killed helper's end
 * at once (a cache such a helper still writes is swept at the next
 * start). */
void helper_run_stop_waiting(void);

#endif
