/* SPDX-License-Identifier: ISC */
/*
 * totp_enroll.h: a new TOTP secret for a user, written to the liboath
 * users file the totp verifier reads (verify_totp.c), and its otpauth://
 * URI for an authenticator app.
 */
#ifndef LB_TOTP_ENROLL_H
#define LB_TOTP_ENROLL_H

#include <stdbool.h>
#include <stddef.h>

#define TOTP_SECRET_BYTES	20	/* RFC 4226's recommended 160 bits */
#define TOTP_URI_MAX		1024

/* Gives user a fresh random secret in the users file at path (created
 * 0600 if missing), replacing an existing one only when replace is set.
 * Writes the otpauth:// URI naming issuer into uri[TOTP_URI_MAX].
 * 0, or -1 with a message on stderr. */
int totp_enroll(const char *path, const char *user, const char *issuer,
    bool replace, char *uri);

#endif
