/* SPDX-License-Identifier: ISC */
/*
 * gss_initiator.h: the client side of gssapi-with-mic (doc/protocol.md),
 * for libloginbroker: the Kerberos initiator, fed the broker's data and
 * giving the client's.  Internal to the library.
 */
#ifndef LB_GSS_INITIATOR_H
#define LB_GSS_INITIATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct lb_gss;

/* An initiator for service host@target_host with the caller's Kerberos
 * credentials (KRB5CCNAME), delegating them when asked; NULL on
 * failure, with why in err[cap]. */
struct lb_gss *lb_gss_new(const char *target_host, bool delegate,
    char *err, size_t cap);

/* Takes the broker's next data (the nonce first, then its tokens) and
 * writes the client's next data (a context token, or once the context is
 * complete and the broker proved itself, the MIC over the session
 * binding of user) into out[cap]: its length, or -1 with why in err. */
ssize_t lb_gss_step(struct lb_gss *g, const char *user, const uint8_t *in,
    size_t inlen, uint8_t *out, size_t cap, char *err, size_t errcap);

/* Whether the MIC was sent: a success may be believed only then. */
bool lb_gss_done(const struct lb_gss *g);

/* Frees g (NULL is fine). */
void lb_gss_free(struct lb_gss *g);

#endif
