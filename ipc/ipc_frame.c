/* SPDX-License-Identifier: ISC */
/* ipc_frame.c: header encoding and validation. */
#include "ipc_frame.h"

#include <errno.h>

void
ipc_be16_put(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

void
ipc_be32_put(uint8_t *p, uint32_t v)
{
	ipc_be16_put(p, (uint16_t)(v >> 16));
	ipc_be16_put(p + 2, (uint16_t)v);
}

void
ipc_be64_put(uint8_t *p, uint64_t v)
{
	ipc_be32_put(p, (uint32_t)(v >> 32));
	ipc_be32_put(p + 4, (uint32_t)v);
}

uint16_t
ipc_be16_get(const uint8_t *p)
{
	return (uint16_t)((p[0] << 8) | p[1]);
}

uint32_t
ipc_be32_get(const uint8_t *p)
{
	return ((uint32_t)ipc_be16_get(p) << 16) | ipc_be16_get(p + 2);
}

uint64_t
ipc_be64_get(const uint8_t *p)
{
	return ((uint64_t)ipc_be32_get(p) << 32) | ipc_be32_get(p + 4);
}

void
ipc_hdr_encode(const struct ipc_hdr *hdr, uint8_t out[IPC_HDR_SIZE])
{
	ipc_be32_put(out, hdr->type);
	ipc_be16_put(out + 4, hdr->len);
	ipc_be16_put(out + 6, hdr->flags);
	ipc_be32_put(out + 8, hdr->peerid);
	ipc_be32_put(out + 12, hdr->pid);
}

int
ipc_hdr_decode(const uint8_t in[IPC_HDR_SIZE], struct ipc_hdr *hdr)
{
	hdr->type = ipc_be32_get(in);
	hdr->len = ipc_be16_get(in + 4);
	hdr->flags = ipc_be16_get(in + 6);
	hdr->peerid = ipc_be32_get(in + 8);
	hdr->pid = ipc_be32_get(in + 12);
	if (hdr->len < IPC_HDR_SIZE || hdr->len > IPC_MSG_MAX) {
		errno = ERANGE;
		return -1;
	}
	if (hdr->flags & ~IPC_F_ALL) {
		errno = EBADMSG;
		return -1;
	}
	return 0;
}
