/* SPDX-License-Identifier: ISC */
/*
 * fuzz_session.h: a worker session for a fuzz target, as the worker has
 * one after the broker's ASSIGN, over a socketpair whose other end plays
 * the broker.
 */
#ifndef LB_FUZZ_SESSION_H
#define LB_FUZZ_SESSION_H

#include "client_proto.h"

/* Starts ws with assign; *worker and *broker are the pair's two ends
 * (the caller frees both).  -1 when no socketpair could be made; aborts
 * when the session refuses the ASSIGN. */
int fuzz_session_start(struct wsession *ws, const struct msg_assign *assign,
    struct ipc_chan **worker, struct ipc_chan **broker);

#endif
