/* SPDX-License-Identifier: ISC */
/*
 * scram_store.h: the SCRAM-SHA-256 stored keys (config scram_file), one
 * line per user in the format Dovecot's passwd-file uses and
 * `doveadm pw -s SCRAM-SHA-256` prints:
 *
 *     USER:{SCRAM-SHA-256}ITER,SALT,STOREDKEY,SERVERKEY
 *
 * SALT, STOREDKEY and SERVERKEY in base64.  No password is ever stored,
 * only what RFC 5802 §3 lets a server verify a proof with.  The file is
 * root's, mode 0600; the SCRAM helpers read it, loginbrokerctl writes it.
 */
#ifndef LB_SCRAM_STORE_H
#define LB_SCRAM_STORE_H

#include <stddef.h>
#include <stdint.h>

#define SCRAM_KEY_LEN		32	/* SHA-256 */
#define SCRAM_SALT_MAX		64
#define SCRAM_ITER_MIN		4096	/* RFC 7677 §4 */
#define SCRAM_ITER_MAX		10000000
/* A line: the user, the scheme, and the fields in base64. */
#define SCRAM_LINE_MAX		(256 + 16 + 10 + 88 + 2 * 44 + 8)

struct scram_entry {
	unsigned iter;
	size_t salt_len;
	uint8_t salt[SCRAM_SALT_MAX];
	uint8_t stored_key[SCRAM_KEY_LEN];
	uint8_t server_key[SCRAM_KEY_LEN];
};

/* Parses "{SCRAM-SHA-256}ITER,SALT,STOREDKEY,SERVERKEY" (nothing after):
 * 0, or -1 when it is not exactly that, or ITER is out of bounds. */
int scram_entry_parse(const char *text, struct scram_entry *e);

/* Derives e from a password (RFC 5802 §3: SaltedPassword by PBKDF2 with
 * iter rounds over a fresh 16-byte salt, then StoredKey and ServerKey):
 * 0, or -1. */
int scram_entry_from_password(const char *password, unsigned iter,
    struct scram_entry *e);

/* Writes e in that form into out[cap]: 0, or -1 when it does not fit. */
int scram_entry_format(const struct scram_entry *e, char *out, size_t cap);

/* Finds user's entry in the file at path: 1, 0 when the user has none,
 * or -1 with errno (EINVAL: the file is not root's 0600, or the user's
 * line is malformed). */
int scram_store_find(const char *path, const char *user,
    struct scram_entry *e);

/* Sets user's entry in the file at path (made root's 0600 if missing),
 * replacing the whole file atomically under a lock (PATH.lock) that other
 * writers take too: 0, or -1 with errno. */
int scram_store_set(const char *path, const char *user,
    const struct scram_entry *e);

#endif
