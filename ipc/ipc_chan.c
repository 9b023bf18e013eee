/* SPDX-License-Identifier: ISC */
/* ipc_chan.c: buffered message channel with optional descriptor passing. */
#include "ipc_chan.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "clock.h"
#include "ipc_payload.h"

/*
 * A received descriptor travels with the first byte of its message, and the
 * kernel ends a read right after the bytes that carried descriptors, so the
 * message owning one starts inside the byte window [lo, hi) of the read that
 * brought it.  A flagged message claims the descriptor whose window holds
 * its first byte; a descriptor whose window passes unclaimed is a protocol
 * error, never a leak.
 */
struct rfd {
	size_t lo, hi;
	int fd;
};

/* A descriptor to send with the message that starts at offset off. */
struct wfd {
	size_t off;
	int fd;
};

struct ipc_chan {
	int fd;
	bool fdpass;
	size_t fds_in;		/* descriptors from the peer taken at once */
	bool broken;		/* the peer sent garbage: refuse everything */
	uint32_t pid;
	size_t rlen;		/* bytes in rbuf */
	size_t rtaken;		/* bytes of the message handed out last */
	size_t nrfds;
	size_t wlen;
	size_t nwfds;
	struct rfd rfds[IPC_CHAN_FDS];
	struct wfd wfds[IPC_CHAN_FDS];
	uint8_t rbuf[IPC_CHAN_RBUF];
	uint8_t wbuf[IPC_CHAN_WBUF];
};

struct ipc_chan *
ipc_chan_new(int fd, bool fdpass)
{
	struct ipc_chan *c;

	/* No calloc: the large buffers stay untouched until used. */
	if ((c = malloc(sizeof(*c))) == NULL)
		return NULL;
	c->fd = fd;
	c->fdpass = fdpass;
	c->fds_in = fdpass ? IPC_CHAN_FDS : 0;
	c->broken = false;
	c->pid = (uint32_t)getpid();
	c->rlen = c->rtaken = c->nrfds = 0;
	c->wlen = c->nwfds = 0;
	return c;
}

void
ipc_chan_take_fds(struct ipc_chan *c, size_t max)
{
	c->fds_in = c->fdpass ? (max < IPC_CHAN_FDS ? max : IPC_CHAN_FDS) : 0;
}

void
ipc_chan_free(struct ipc_chan *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nrfds; i++)
		close(c->rfds[i].fd);
	for (i = 0; i < c->nwfds; i++)
		close(c->wfds[i].fd);
	explicit_bzero(c->rbuf, c->rlen);
	explicit_bzero(c->wbuf, c->wlen);
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

int
ipc_chan_fd(const struct ipc_chan *c)
{
	return c->fd;
}

size_t
ipc_chan_queued(const struct ipc_chan *c)
{
	return c->wlen;
}

/* Drops n bytes from the front of buf[len], wiping what is left behind. */
static void
shift_wipe(uint8_t *buf, size_t len, size_t n)
{
	memmove(buf, buf + n, len - n);
	explicit_bzero(buf + len - n, n);
}

/* Forgets the message handed out by the last ipc_chan_get. */
static void
release_taken(struct ipc_chan *c)
{
	size_t i;

	if (c->rtaken == 0)
		return;
	shift_wipe(c->rbuf, c->rlen, c->rtaken);
	c->rlen -= c->rtaken;
	/* A window may begin inside the message just taken; every window
	 * ends after it, or ipc_chan_get would have refused the channel. */
	for (i = 0; i < c->nrfds; i++) {
		c->rfds[i].lo = c->rfds[i].lo > c->rtaken ?
		    c->rfds[i].lo - c->rtaken : 0;
		c->rfds[i].hi -= c->rtaken;
	}
	c->rtaken = 0;
}

/* Queues the descriptors of one read; any beyond the bound break the
 * channel (and are closed, never leaked). */
static void
take_fds(struct ipc_chan *c, struct msghdr *mh, size_t lo, size_t hi)
{
	struct cmsghdr *cm;
	size_t i, n;
	int fd;

	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(fd));
			if (c->nrfds >= c->fds_in) {
				close(fd);
				c->broken = true;
				continue;
			}
			c->rfds[c->nrfds++] = (struct rfd){ lo, hi, fd };
		}
	}
	if (mh->msg_flags & MSG_CTRUNC)
		c->broken = true;
}

ssize_t
ipc_chan_read(struct ipc_chan *c)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(IPC_CHAN_FDS * sizeof(int))];
	} cmsg;
	struct iovec iov;
	struct msghdr mh;
	ssize_t n;

	release_taken(c);
	if (c->rlen == sizeof(c->rbuf)) {
		errno = ENOBUFS;
		return -1;
	}
	iov.iov_base = c->rbuf + c->rlen;
	iov.iov_len = sizeof(c->rbuf) - c->rlen;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cmsg.buf;
	mh.msg_controllen = sizeof(cmsg.buf);
	do {
		/* Never blocks, whatever the descriptor's own mode: a peer
		 * must not be able to stall this process. */
		n = recvmsg(c->fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	} while (n == -1 && errno == EINTR);
	if (n <= 0)
		return n;
	take_fds(c, &mh, c->rlen, c->rlen + (size_t)n);
	c->rlen += (size_t)n;
	return n;
}

/* Breaks the channel: the peer cannot be trusted to frame messages, so no
 * queued descriptor will ever be claimed either. */
static int
refuse(struct ipc_chan *c, int err)
{
	while (c->nrfds > 0)
		close(c->rfds[--c->nrfds].fd);
	c->broken = true;
	errno = err;
	return -1;
}

int
ipc_chan_get(struct ipc_chan *c, struct ipc_msg *m)
{
	struct ipc_hdr hdr;

	release_taken(c);
	if (c->broken)
		return refuse(c, EBADMSG);
	if (c->rlen < IPC_HDR_SIZE)
		return 0;
	if (ipc_hdr_decode(c->rbuf, &hdr) == -1)
		return refuse(c, errno);
	if (c->rlen < hdr.len)
		return 0;

	m->hdr = hdr;
	m->data = c->rbuf + IPC_HDR_SIZE;
	m->len = hdr.len - IPC_HDR_SIZE;
	m->fd = -1;
	if (hdr.flags & IPC_F_FD) {
		/* The message starts at offset 0 of rbuf. */
		if (c->nrfds == 0 || c->rfds[0].lo > 0)
			return refuse(c, EBADMSG);
		m->fd = c->rfds[0].fd;
		memmove(c->rfds, c->rfds + 1, --c->nrfds * sizeof(c->rfds[0]));
	}
	if (c->nrfds > 0 && c->rfds[0].hi <= hdr.len) {
		/* A descriptor no message claimed. */
		if (m->fd != -1)
			close(m->fd);
		m->fd = -1;
		return refuse(c, EBADMSG);
	}
	c->rtaken = hdr.len;
	return 1;
}

void
ipc_chan_begin(struct ipc_chan *c, struct ipc_writer *w)
{
	size_t room = sizeof(c->wbuf) - c->wlen;

	room = room > IPC_HDR_SIZE ? room - IPC_HDR_SIZE : 0;
	ipc_writer_init(w, c->wbuf + c->wlen + (room > 0 ? IPC_HDR_SIZE : 0),
	    room < IPC_PAYLOAD_MAX ? room : IPC_PAYLOAD_MAX);
}

int
ipc_chan_commit(struct ipc_chan *c, struct ipc_writer *w, uint32_t type,
    uint32_t peerid, int fd)
{
	struct ipc_hdr hdr;
	int err = 0;

	if (!ipc_writer_ok(w))
		err = w->cap < IPC_PAYLOAD_MAX ? ENOBUFS : ERANGE;
	else if (IPC_HDR_SIZE + w->len > sizeof(c->wbuf) - c->wlen)
		err = ENOBUFS;	/* no room left even for the header */
	else if (fd != -1 && !c->fdpass)
		err = EINVAL;
	else if (fd != -1 && c->nwfds == IPC_CHAN_FDS)
		err = ENOBUFS;
	if (err != 0) {
		ipc_writer_wipe(w);
		if (fd != -1)
			close(fd);
		errno = err;
		return -1;
	}
	hdr.type = type;
	hdr.len = (uint16_t)(IPC_HDR_SIZE + w->len);
	hdr.flags = fd != -1 ? IPC_F_FD : 0;
	hdr.peerid = peerid;
	hdr.pid = c->pid;
	if (fd != -1)
		c->wfds[c->nwfds++] = (struct wfd){ c->wlen, fd };
	ipc_hdr_encode(&hdr, c->wbuf + c->wlen);
	c->wlen += IPC_HDR_SIZE + w->len;
	return 0;
}

int
ipc_chan_compose(struct ipc_chan *c, uint32_t type, uint32_t peerid,
    int fd, const void *data, size_t len)
{
	struct ipc_writer w;

	if (len > IPC_PAYLOAD_MAX) {
		if (fd != -1)
			close(fd);
		errno = ERANGE;
		return -1;
	}
	ipc_chan_begin(c, &w);
	if (len > w.cap) {
		w.overflow = true;
	} else if (len > 0) {
		memcpy(w.buf, data, len);
		w.len = len;
	}
	return ipc_chan_commit(c, &w, type, peerid, fd);
}

/* Sends wbuf[0..end), with fd attached to its first byte when fd != -1. */
static ssize_t
send_some(struct ipc_chan *c, size_t end, int fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} cmsg;
	struct iovec iov = { c->wbuf, end };
	struct msghdr mh;
	struct cmsghdr *cm;
	ssize_t n;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (fd != -1) {
		memset(&cmsg, 0, sizeof(cmsg));
		mh.msg_control = cmsg.buf;
		mh.msg_controllen = sizeof(cmsg.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	do {
		n = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	} while (n == -1 && errno == EINTR);
	return n;
}

int
ipc_chan_flush(struct ipc_chan *c)
{
	size_t end, i;
	ssize_t n;
	int fd;

	while (c->wlen > 0) {
		/* A descriptor goes alone with the first bytes of its message,
		 * so that the reader can tell which message owns it. */
		fd = -1;
		end = c->wlen;
		if (c->nwfds > 0 && c->wfds[0].off == 0) {
			fd = c->wfds[0].fd;
			if (c->nwfds > 1)
				end = c->wfds[1].off;
		} else if (c->nwfds > 0) {
			end = c->wfds[0].off;
		}
		if ((n = send_some(c, end, fd)) == -1)
			return errno == EAGAIN ? 0 : -1;
		if (fd != -1) {
			close(fd);
			memmove(c->wfds, c->wfds + 1,
			    --c->nwfds * sizeof(c->wfds[0]));
		}
		shift_wipe(c->wbuf, c->wlen, (size_t)n);
		c->wlen -= (size_t)n;
		for (i = 0; i < c->nwfds; i++)
			c->wfds[i].off -= (size_t)n;
	}
	return 1;
}

/* Polls the channel's socket for events until deadline_ms (0: forever). */
static int
wait_for(struct ipc_chan *c, short events, uint64_t deadline_ms)
{
	struct pollfd pfd = { c->fd, events, 0 };
	int rc;

	do {
		rc = poll(&pfd, 1, clock_poll_timeout(deadline_ms));
	} while (rc == -1 && errno == EINTR);
	if (rc == 0)
		errno = ETIMEDOUT;
	return rc > 0 ? 0 : -1;
}

static uint64_t
deadline_after(int timeout_ms)
{
	return timeout_ms < 0 ? 0 : clock_now_ms() + (uint64_t)timeout_ms;
}

int
ipc_chan_flush_wait(struct ipc_chan *c, int timeout_ms)
{
	uint64_t deadline = deadline_after(timeout_ms);
	int rc;

	while ((rc = ipc_chan_flush(c)) == 0)
		if (wait_for(c, POLLOUT, deadline) == -1)
			return -1;
	return rc == 1 ? 0 : -1;
}

int
ipc_chan_wait(struct ipc_chan *c, struct ipc_msg *m, int timeout_ms)
{
	uint64_t deadline = deadline_after(timeout_ms);
	ssize_t n;
	int rc;

	/* Poll before reading, so that the timeout holds on blocking
	 * sockets too. */
	while ((rc = ipc_chan_get(c, m)) == 0) {
		if (wait_for(c, POLLIN, deadline) == -1)
			return -1;
		n = ipc_chan_read(c);
		if (n == 0)
			return 0;
		if (n == -1 && errno != EAGAIN)
			return -1;
	}
	return rc;
}
