/* SPDX-License-Identifier: ISC */
/*
 * scram_helper.h: one scram-sha-256 exchange (RFC 5802, RFC 7677) in its
 * own process, forked by the SCRAM zygote (loginbroker-scram).  It waits
 * for the broker's SCRAM_BEGIN, reads the user's stored keys, runs GNU
 * SASL's server over the client's client-first and client-final messages
 * (AUTH_DATA in, server-first out as DATA), reports SCRAM_RESULT with
 * server-final on success, and exits.  Every byte it parses came from a
 * client: it is the only process that does so with the stored keys at
 * hand, and the broker kills it on timeout.
 */
#ifndef LB_SCRAM_HELPER_H
#define LB_SCRAM_HELPER_H

/* In the zygote: GNU SASL's library and the key that makes an unknown
 * user's salt stable, once, so that each helper forks with them: 0, or
 * -1. */
int scram_libraries_load(void);

/* A helper's body (a spawner_child_fn); arg is unused. */
void scram_helper_main(int sock, void *arg);

#endif
