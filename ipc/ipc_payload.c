/* SPDX-License-Identifier: ISC */
/* ipc_payload.c: bounded, sticky-error payload writer and reader. */
#include "ipc_payload.h"

#include <errno.h>
#include <string.h>

void
ipc_writer_init(struct ipc_writer *w, void *buf, size_t cap)
{
	w->buf = buf;
	w->cap = cap;
	w->len = 0;
	w->overflow = false;
}

void
ipc_writer_wipe(struct ipc_writer *w)
{
	if (w->len > 0)
		explicit_bzero(w->buf, w->len);
	w->len = 0;
	w->overflow = false;
}

bool
ipc_writer_ok(const struct ipc_writer *w)
{
	return !w->overflow;
}

/* Reserves n bytes, or marks the writer overflowed. */
static uint8_t *
writer_reserve(struct ipc_writer *w, size_t n)
{
	uint8_t *p;

	if (w->overflow || n > w->cap - w->len) {
		w->overflow = true;
		return NULL;
	}
	p = w->buf + w->len;
	w->len += n;
	return p;
}

void
ipc_put_u8(struct ipc_writer *w, uint8_t v)
{
	uint8_t *p = writer_reserve(w, 1);

	if (p != NULL)
		*p = v;
}

void
ipc_put_u32(struct ipc_writer *w, uint32_t v)
{
	uint8_t *p = writer_reserve(w, 4);

	if (p != NULL)
		ipc_be32_put(p, v);
}

void
ipc_put_u64(struct ipc_writer *w, uint64_t v)
{
	uint8_t *p = writer_reserve(w, 8);

	if (p != NULL)
		ipc_be64_put(p, v);
}

void
ipc_put_bytes(struct ipc_writer *w, const void *src, size_t n)
{
	uint8_t *p;

	if (n > IPC_PAYLOAD_MAX) {
		w->overflow = true;
		return;
	}
	ipc_put_u32(w, (uint32_t)n);
	p = writer_reserve(w, n);
	if (p != NULL && n > 0)
		memcpy(p, src, n);
}

void
ipc_put_str(struct ipc_writer *w, const char *s)
{
	ipc_put_bytes(w, s, strlen(s));
}

void
ipc_reader_init(struct ipc_reader *r, const void *data, size_t len)
{
	r->data = data;
	r->len = len;
	r->off = 0;
	r->bad = false;
}

int
ipc_reader_end(const struct ipc_reader *r)
{
	if (r->bad || r->off != r->len) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}

/* Takes n bytes, or marks the reader bad. */
static const uint8_t *
reader_take(struct ipc_reader *r, size_t n)
{
	const uint8_t *p;

	if (r->bad || n > r->len - r->off) {
		r->bad = true;
		return NULL;
	}
	p = r->data + r->off;
	r->off += n;
	return p;
}

uint8_t
ipc_get_u8(struct ipc_reader *r)
{
	const uint8_t *p = reader_take(r, 1);

	return p != NULL ? *p : 0;
}

uint32_t
ipc_get_u32(struct ipc_reader *r)
{
	const uint8_t *p = reader_take(r, 4);

	return p != NULL ? ipc_be32_get(p) : 0;
}

uint64_t
ipc_get_u64(struct ipc_reader *r)
{
	const uint8_t *p = reader_take(r, 8);

	return p != NULL ? ipc_be64_get(p) : 0;
}

size_t
ipc_get_bytes(struct ipc_reader *r, void *dst, size_t cap)
{
	uint32_t n = ipc_get_u32(r);
	const uint8_t *p;

	if (r->bad)
		return 0;
	if (n > cap) {
		r->bad = true;
		return 0;
	}
	p = reader_take(r, n);
	if (p == NULL)
		return 0;
	if (n > 0)
		memcpy(dst, p, n);
	return n;
}

void
ipc_get_str(struct ipc_reader *r, char *dst, size_t cap)
{
	size_t n;

	if (cap == 0) {
		r->bad = true;
		return;
	}
	dst[0] = '\0';
	n = ipc_get_bytes(r, dst, cap - 1);
	if (r->bad)
		return;
	if (memchr(dst, '\0', n) != NULL) {
		r->bad = true;
		explicit_bzero(dst, n);
		dst[0] = '\0';
		return;
	}
	dst[n] = '\0';
}
