/* SPDX-License-Identifier: ISC */
/*
 * session_loop.c: moves bytes between the client, the protocol state
 * machine and the broker.  One request is handled at a time: the next
 * line is not read while a reply is unsent or the broker is deciding,
 * which bounds every buffer and gives a flooding client back-pressure.
 */
#include "session_loop.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client_proto.h"
#include "clock.h"
#include "front.h"

/* Room for a session's descriptors, rounded up by CMSG_SPACE: what one
 * read may bring, each one counted. */
#define CMSG_FDS_BUF	CMSG_SPACE(SESSION_FDS_MAX * sizeof(int))
#define CMSG_FDS_MAX	((CMSG_FDS_BUF - CMSG_LEN(0)) / sizeof(int))

static const struct front *const fronts[FRONT_COUNT] = {
	[FRONT_LINE] = &front_line,
	[FRONT_GREETD] = &front_greetd,
};

static struct wsession ws;
static const struct front *front = &front_line;
static uint32_t session;

/* Ends the worker.  _exit: no atexit handlers may run confined. */
static _Noreturn void
finish(int status, const char *why)
{
	if (why != NULL)
		fprintf(stderr, "worker %d session %u: %s\n", (int)getpid(),
		    session, why);
	front->reset();
	_exit(status);
}

/* The client hung up: the broker hears it from us, not as a worker that
 * vanished (which it would report to the client as 505). */
static _Noreturn void
client_gone(void)
{
	ws_on_client_gone(&ws);
	(void)ipc_chan_flush(ws.broker);
	finish(0, NULL);
}

/* Writes what the client can take now: true when all of it went. */
static bool
flush_client(int fd)
{
	ssize_t n;

	while (ws.outlen > 0) {
		n = send(fd, ws.out, ws.outlen, MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN)
			return false;
		if (n <= 0)
			client_gone();
		memmove(ws.out, ws.out + n, ws.outlen - (size_t)n);
		ws.outlen -= (size_t)n;
	}
	return true;
}

/* Handles buffered requests while the protocol wants them: true when it
 * handled any. */
static bool
handle_requests(void)
{
	bool handled = false;

	while (ws.outlen == 0 && ws_wants_request(&ws) && front->handle(&ws))
		handled = true;
	return handled;
}

/* Hands the descriptors of one read to the protocol, which keeps them
 * for the request they came with; one that passes none closes them. */
static void
take_fds(struct msghdr *mh)
{
	struct cmsghdr *cm;
	int fds[CMSG_FDS_MAX];
	size_t n;

	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		if (n > CMSG_FDS_MAX)
			n = CMSG_FDS_MAX;	/* the buffer holds no more */
		memcpy(fds, CMSG_DATA(cm), n * sizeof(int));
		/* Past SESSION_FDS_MAX: closed there, and the start refused. */
		ws_on_fds(&ws, fds, n, false);
	}
	if (!front->takes_fds)
		ws_drop_fds(&ws);
	else if (mh->msg_flags & MSG_CTRUNC)
		ws_on_fds(&ws, NULL, 0, true);
}

static void
read_client(int fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_FDS_BUF];
	} cmsg;
	struct iovec iov;
	struct msghdr mh;
	size_t room;
	char *space = front->space(&room);
	ssize_t n;

	if (room == 0)
		return;
	iov = (struct iovec){ space, room };
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cmsg.buf;
	mh.msg_controllen = sizeof(cmsg.buf);
	/* More descriptors than the buffer holds are closed by the kernel
	 * (MSG_CTRUNC): a client cannot make us hold more. */
	n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC);
	if (n > 0)
		take_fds(&mh);
	if (n == 0)
		client_gone();
	if (n == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		client_gone();
	}
	front->added((size_t)n);
}

static void
read_broker(void)
{
	struct ipc_msg m;
	ssize_t n;
	int rc;

	n = ipc_chan_read(ws.broker);
	if (n == 0)
		finish(0, NULL);
	if (n == -1 && errno != EAGAIN)
		finish(1, "broker channel read failed");
	while ((rc = ipc_chan_get(ws.broker, &m)) == 1)
		if (ws_on_broker(&ws, &m) == -1)
			finish(1, "unexpected message from the broker");
	if (rc == -1)
		finish(1, "malformed message from the broker");
}

_Noreturn void
session_loop(struct ipc_chan *broker, int client_fd,
    const struct ipc_msg *assign)
{
	struct pollfd pfd[2];
	uint64_t idle_deadline = 0;
	int timeout;

	session = assign->hdr.peerid;
	ws_init(&ws, broker);
	if (ws_start(&ws, assign) == -1)
		finish(1, "malformed ASSIGN from the broker");
	front = fronts[ws.front];
	front->start(&ws);
	if (fcntl(client_fd, F_SETFL, O_NONBLOCK) == -1 ||
	    fcntl(ipc_chan_fd(broker), F_SETFL, O_NONBLOCK) == -1)
		finish(1, "cannot make descriptors non-blocking");

	for (;;) {
		/* Each reply goes out before the next buffered line is
		 * handled, while the socket takes it: pipelined requests
		 * need no new bytes to be answered. */
		while (flush_client(client_fd)) {
			/* Only a whole request restarts the idle clock: a
			 * client dribbling a byte at a time does not. */
			if (handle_requests())
				idle_deadline = 0;
			if (ws.outlen == 0)
				break;
		}
		if (ipc_chan_flush(broker) == -1)
			finish(0, NULL);
		if (ws.state == WS_CLOSING && ws.outlen == 0) {
			shutdown(client_fd, SHUT_RDWR);
			finish(0, NULL);
		}

		/* The idle clock runs only while we wait for the client's
		 * next request; while a prompt is out, the service's prompt
		 * timeout (the broker's) says how long a person may think. */
		if (ws_wants_request(&ws) && ws.state != WS_DIALOG &&
		    ws.idle_timeout_ms > 0 && front->idle_clock(&ws)) {
			if (idle_deadline == 0)
				idle_deadline = clock_now_ms() +
				    ws.idle_timeout_ms;
		} else {
			idle_deadline = 0;
		}
		pfd[0].fd = client_fd;
		pfd[0].events = ws.outlen > 0 ? POLLOUT :
		    ws_wants_request(&ws) ? POLLIN : 0;
		pfd[1].fd = ipc_chan_fd(broker);
		pfd[1].events = POLLIN |
		    (ipc_chan_queued(broker) > 0 ? POLLOUT : 0);
		timeout = clock_poll_timeout(idle_deadline);
		if (poll(pfd, 2, timeout) == -1) {
			if (errno == EINTR)
				continue;
			finish(1, "poll failed");
		}
		if (idle_deadline != 0 && clock_poll_timeout(idle_deadline) == 0) {
			ws_on_idle_timeout(&ws);
			continue;
		}
		if (pfd[1].revents & (POLLIN | POLLHUP | POLLERR))
			read_broker();
		if (pfd[0].revents & POLLIN)
			read_client(client_fd);
		else if (pfd[0].revents & (POLLHUP | POLLERR))
			client_gone();
	}
}
