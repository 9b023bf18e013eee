/* SPDX-License-Identifier: ISC */
/*
 * gss_binding.h: what a gssapi-with-mic client signs with its MIC, so that
 * a captured token and MIC prove nothing on another connection or for
 * another attempt (doc/protocol.md, "gssapi-with-mic"):
 *
 *     string    nonce       the 32 bytes of the attempt's first 300 DATA
 *     string    user        the user name of the login request
 *     string    mechanism   "gssapi-with-mic"
 *
 * where string is a 32-bit big-endian length and the bytes, as in SSH
 * (RFC 4251).  The broker and the client library build it here alike.
 */
#ifndef LB_GSS_BINDING_H
#define LB_GSS_BINDING_H

#include <stddef.h>
#include <stdint.h>

/* The nonce the broker sends as an attempt's first mechanism data. */
#define GSS_NONCE_LEN	32

/* Writes the binding of nonce and user into out[cap]: its length, or 0
 * when it does not fit. */
size_t gss_binding(const uint8_t nonce[GSS_NONCE_LEN], const char *user,
    uint8_t *out, size_t cap);

#endif
