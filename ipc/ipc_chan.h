/* SPDX-License-Identifier: ISC */
/*
 * ipc_chan.h: a buffered, non-blocking message channel over a UNIX stream
 * socket, in the manner of OpenBSD's imsgbuf.
 *
 * Reads and writes cope with partial transfers, several messages per read,
 * EAGAIN and EOF, and never block, whatever the socket's own mode: a peer
 * that stops reading cannot stall the process (the bounded queue fills and
 * the owner ends that peer).  A peer that sends a malformed header breaks the channel
 * for good: every later ipc_chan_get fails, and the owner ends the peer.
 * Descriptor passing is opt-in per channel; one descriptor per message.
 * Received bytes are wiped once the message holding them is consumed, sent
 * bytes once the kernel has them, so secrets do not linger in the buffers.
 */
#ifndef LB_IPC_CHAN_H
#define LB_IPC_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipc_frame.h"

/* Two whole messages fit in the read buffer, four in the write queue; the
 * broker never has more than one request outstanding per peer. */
#define IPC_CHAN_RBUF	(2 * IPC_MSG_MAX)
#define IPC_CHAN_WBUF	(4 * IPC_MSG_MAX)
/* Descriptors waiting in either direction: a burst of connections queues
 * one LAUNCH each while a fresh launcher confines itself. */
#define IPC_CHAN_FDS	16

struct ipc_chan;

struct ipc_msg {
	struct ipc_hdr hdr;
	const uint8_t *data;	/* valid until the next read or get */
	size_t len;
	int fd;			/* -1, or a descriptor the caller now owns */
};

/* Wraps the connected socket fd (the channel owns it from now on); with
 * fdpass the channel sends and accepts descriptors.  NULL on ENOMEM. */
struct ipc_chan *ipc_chan_new(int fd, bool fdpass);

/* From now on at most max descriptors from the peer wait in the channel
 * at once (a channel made with fdpass; at most IPC_CHAN_FDS); one more
 * breaks the channel (and is closed).  0: a peer that may only be given
 * descriptors cannot park any in our unread bytes. */
void ipc_chan_take_fds(struct ipc_chan *c, size_t max);

/* Closes the socket and every queued descriptor and wipes the buffers. */
void ipc_chan_free(struct ipc_chan *c);

/* The socket, for an event loop. */
int ipc_chan_fd(const struct ipc_chan *c);

/* Reads what the socket has: >0 bytes read, 0 on EOF, -1 with errno
 * (EAGAIN: nothing yet; ENOBUFS: the caller left whole messages unread). */
ssize_t ipc_chan_read(struct ipc_chan *c);

/* Takes the next whole message: 1 with *m filled, 0 when more bytes are
 * needed, -1 when the peer sent garbage (errno ERANGE or EBADMSG). */
int ipc_chan_get(struct ipc_chan *c, struct ipc_msg *m);

struct ipc_writer;

/* Starts a message in place at the end of the write queue: w writes its
 * payload there, at most IPC_PAYLOAD_MAX bytes or what the queue has
 * left.  Nothing is queued until ipc_chan_commit, and nothing else may
 * be queued on c in between. */
void ipc_chan_begin(struct ipc_chan *c, struct ipc_writer *w);

/* Queues the message begun with w; fd (or -1) is owned by the channel
 * from now on and closed once sent or on failure.  0, or -1 with errno
 * (ERANGE: over IPC_PAYLOAD_MAX; ENOBUFS: the queue is full), the payload
 * wiped. */
int ipc_chan_commit(struct ipc_chan *c, struct ipc_writer *w, uint32_t type,
    uint32_t peerid, int fd);

/* Queues a message whose payload is data[len]: ipc_chan_begin and
 * ipc_chan_commit in one, for payloads made elsewhere. */
int ipc_chan_compose(struct ipc_chan *c, uint32_t type, uint32_t peerid,
    int fd, const void *data, size_t len);

/* Writes what is queued: 1 when the queue is empty, 0 when the socket is
 * full (wait for POLLOUT), -1 with errno on error (EPIPE: peer gone). */
int ipc_chan_flush(struct ipc_chan *c);

/* Bytes still queued for writing. */
size_t ipc_chan_queued(const struct ipc_chan *c);

/* Blocking forms for processes with one peer.  Flush everything, polling
 * up to timeout_ms (-1: forever): 0, or -1 with errno (ETIMEDOUT). */
int ipc_chan_flush_wait(struct ipc_chan *c, int timeout_ms);

/* Waits for one whole message: 1 with *m filled, 0 on EOF, -1 with errno
 * (ETIMEDOUT, or the reason the peer's bytes were refused). */
int ipc_chan_wait(struct ipc_chan *c, struct ipc_msg *m, int timeout_ms);

#endif
