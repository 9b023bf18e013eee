/* SPDX-License-Identifier: ISC */
/* names.h: what a user or mechanism name may be, checked by the worker
 * (to reply 504) and again by the broker (which trusts no worker). */
#ifndef LB_NAMES_H
#define LB_NAMES_H

#include <stdbool.h>
#include <stddef.h>

/* 1..USER_NAME_MAX-1 bytes of UTF-8 without C0 or C1 control characters,
 * Unicode formatting characters (bidi overrides, zero-width), '/', ':' or
 * a leading '-': what PAM, NSS and Kerberos principals accept, and nothing
 * that could confuse a log line, a terminal or a path. */
bool name_user_valid(const char *user);

/* 1..MECH_NAME_MAX-1 bytes of lower-case letters, digits and '-'. */
bool name_mech_valid(const char *mech);

/* Replaces in s what could drive a terminal, C0 controls, DEL and C1
 * controls (in UTF-8), by '?': text a person will see, from a PAM module
 * or from a broker that may be an impostor. */
void name_text_sanitize(char *s);

/* 0..CONTEXT_COMMAND_MAX-1 bytes of UTF-8 without the characters a
 * user name may not hold but '/' and ':': a command line to show (a
 * context's command); "" is none. */
bool name_text_valid(const char *text);

/* The same for 0..cap-1 bytes: a session's variable value, terminal
 * name or command word. */
bool name_text_fits(const char *text, size_t cap);

/* An environment variable's name: 1..SESSION_ENV_NAME_MAX-1 upper-case
 * letters, digits and '_', not beginning with a digit. */
bool name_env_valid(const char *name);

/* A single IPv4 or IPv6 address in its usual text form (no prefix). */
bool name_address_valid(const char *addr);

#endif
