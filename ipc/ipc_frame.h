/* SPDX-License-Identifier: ISC */
/*
 * ipc_frame.h: the fixed header that starts every message between
 * loginbroker's processes, modelled on OpenBSD's imsg.
 *
 * Wire layout (16 bytes, big-endian, encoded field by field):
 *   u32 type | u16 total length (header included) | u16 flags |
 *   u32 peer id (a session id) | u32 sender pid
 */
#ifndef LB_IPC_FRAME_H
#define LB_IPC_FRAME_H

#include <stddef.h>
#include <stdint.h>

#define IPC_HDR_SIZE	16
/* Hard bound for one message, header included: logins never need more,
 * so a larger token is refused cleanly instead of buffered. */
#define IPC_MSG_MAX	16384
#define IPC_PAYLOAD_MAX	(IPC_MSG_MAX - IPC_HDR_SIZE)

/* The message carries one descriptor (SCM_RIGHTS). */
#define IPC_F_FD	0x0001
#define IPC_F_ALL	IPC_F_FD

struct ipc_hdr {
	uint32_t type;
	uint16_t len;
	uint16_t flags;
	uint32_t peerid;
	uint32_t pid;
};

/* Writes hdr into out[IPC_HDR_SIZE]. */
void ipc_hdr_encode(const struct ipc_hdr *hdr, uint8_t out[IPC_HDR_SIZE]);

/* Reads a header from in[IPC_HDR_SIZE]; -1 with errno ERANGE when the length
 * is below the header size or above IPC_MSG_MAX, EBADMSG on unknown flags. */
int ipc_hdr_decode(const uint8_t in[IPC_HDR_SIZE], struct ipc_hdr *hdr);

/* Big-endian integer helpers shared by the header and payload codecs. */
void ipc_be16_put(uint8_t *p, uint16_t v);
void ipc_be32_put(uint8_t *p, uint32_t v);
void ipc_be64_put(uint8_t *p, uint64_t v);
uint16_t ipc_be16_get(const uint8_t *p);
uint32_t ipc_be32_get(const uint8_t *p);
uint64_t ipc_be64_get(const uint8_t *p);

#endif
