/* SPDX-License-Identifier: ISC */
/*
 * gss_helper.h: one gssapi-with-mic exchange in its own process, forked
 * by the GSSAPI zygote (loginbroker-gss).  It waits for the broker's
 * GSS_BEGIN, opens the keytab, accepts the client's context tokens
 * (AUTH_DATA in, its own tokens out as DATA), checks the client's MIC over
 * the session binding, decides whether the principal may log in as the
 * user (krb5_kuserok), keeps delegated credentials in the cache the
 * broker named, reports GSS_RESULT and exits.  Every byte it parses came
 * from a client: it is the only process that does so with a keytab at
 * hand, and the broker kills it on timeout.
 */
#ifndef LB_GSS_HELPER_H
#define LB_GSS_HELPER_H

/* Tokens one exchange may take before its MIC: Kerberos needs one,
 * SPNEGO a few. */
#define GSS_LEGS_MAX	8

/* In the zygote: load the Kerberos libraries once, so that each helper
 * forks with them in place: 0, or -1. */
int gss_libraries_load(void);

/* A helper's body (a spawner_child_fn); arg is unused. */
void gss_helper_main(int sock, void *arg);

#endif
