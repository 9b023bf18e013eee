/* SPDX-License-Identifier: ISC */
/*
 * sasl_client.h: the SASL mechanisms libloginbroker runs itself
 * (scram-sha-256, plain), by GNU SASL: fed the broker's data, giving the
 * client's.  Internal to the library.
 */
#ifndef LB_SASL_CLIENT_H
#define LB_SASL_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct lb_sasl;

/* A client of GNU SASL's mechanism mech ("SCRAM-SHA-256", "PLAIN") for
 * user with password, no authorization id and no channel binding; NULL on
 * failure, with why in err[cap]. */
struct lb_sasl *lb_sasl_new(const char *mech, const char *user,
    const char *password, char *err, size_t cap);

/* Takes the broker's next data (none for the first message) and writes
 * the client's next data into out[cap]: its length, or -1 with why in err
 * (the broker's data is malformed, or does not verify). */
ssize_t lb_sasl_step(struct lb_sasl *s, const uint8_t *in, size_t inlen,
    uint8_t *out, size_t cap, char *err, size_t errcap);

/* Whether the exchange is complete: for SCRAM, the broker proved that it
 * knows the password (its server signature verified). */
bool lb_sasl_done(const struct lb_sasl *s);

/* Frees s, wiping the password and what was derived from it (NULL is
 * fine). */
void lb_sasl_free(struct lb_sasl *s);

#endif
