/* SPDX-License-Identifier: ISC */
/*
 * ipc_payload.h: typed fields inside a message payload.
 *
 * Integers are big-endian; strings and byte strings are a u32 length then
 * the bytes (no terminator on the wire).  Errors are sticky: after the first
 * overflow or malformed field every later call is a no-op, and the final
 * check (ipc_writer_ok, ipc_reader_end) reports it once.  Nothing here copies
 * a C struct onto the wire.
 */
#ifndef LB_IPC_PAYLOAD_H
#define LB_IPC_PAYLOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc_frame.h"

/* A payload written into buf[cap]: a channel's queue (ipc_chan_begin),
 * or a buffer of the caller's. */
struct ipc_writer {
	uint8_t *buf;
	size_t cap;
	size_t len;
	bool overflow;
};

struct ipc_reader {
	const uint8_t *data;
	size_t len;
	size_t off;
	bool bad;
};

/* Starts an empty payload in buf[cap]. */
void ipc_writer_init(struct ipc_writer *w, void *buf, size_t cap);
/* Wipes what was written (it may hold a secret) and starts again. */
void ipc_writer_wipe(struct ipc_writer *w);
/* True when every field fitted. */
bool ipc_writer_ok(const struct ipc_writer *w);

void ipc_put_u8(struct ipc_writer *w, uint8_t v);
void ipc_put_u32(struct ipc_writer *w, uint32_t v);
void ipc_put_u64(struct ipc_writer *w, uint64_t v);
/* A length-prefixed byte string. */
void ipc_put_bytes(struct ipc_writer *w, const void *p, size_t n);
/* A length-prefixed string without its terminator. */
void ipc_put_str(struct ipc_writer *w, const char *s);

/* Reads the payload data[0..len). */
void ipc_reader_init(struct ipc_reader *r, const void *data, size_t len);
/* 0 when every field was valid and the payload was consumed exactly;
 * otherwise -1 with errno EBADMSG. */
int ipc_reader_end(const struct ipc_reader *r);

uint8_t ipc_get_u8(struct ipc_reader *r);
uint32_t ipc_get_u32(struct ipc_reader *r);
uint64_t ipc_get_u64(struct ipc_reader *r);
/* Copies a byte string of at most cap bytes into dst; returns its length. */
size_t ipc_get_bytes(struct ipc_reader *r, void *dst, size_t cap);
/* Copies a string into dst[cap] with its terminator; a string with a NUL
 * byte inside or that does not fit with its terminator is malformed. */
void ipc_get_str(struct ipc_reader *r, char *dst, size_t cap);

#endif
