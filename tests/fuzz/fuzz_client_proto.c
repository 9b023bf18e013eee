/*
 * fuzz_client_proto.c: libFuzzer over what a client controls: bytes into
 * the worker's line reader and protocol state machine, in a dialog state
 * (or the middle of a factor chain) picked by the first byte, with the
 * broker's end draining what the worker sends.  Build: CC=clang meson setup build-fuzz -Dfuzz=true.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "client_proto.h"
#include "mech.h"
#include "msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct wsession ws;
static struct line_reader in;

/* A session waiting at a password prompt or a two-prompt round. */
static void
enter_dialog(const char *mech, size_t answers)
{
	ws.dialog = mech_dialog_find(mech);
	ws.answers_expected = answers;
	ws.state = WS_DIALOG;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct msg_assign assign = { 1000,
	    { 2, { "password", "keyboard-interactive" } } };
	struct ipc_chan *worker, *broker;
	struct ipc_msg m;
	enum line_status st;
	const char *line;
	size_t len, room, off = 0, n;
	char *space;
	int sv[2];

	if (size < 1 ||
	    socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == -1)
		return 0;
	worker = ipc_chan_new(sv[0], false);
	broker = ipc_chan_new(sv[1], false);
	ws_init(&ws, worker);
	/* The broker's ASSIGN, over the channel as the worker gets it. */
	if (msg_send_assign(broker, 0, -1, &assign) == -1 ||
	    ipc_chan_flush(broker) != 1 || ipc_chan_read(worker) <= 0 ||
	    ipc_chan_get(worker, &m) != 1 || ws_start(&ws, &m) == -1)
		abort();
	switch (data[0] % 5) {
	case 4:
		/* Past a partial success: the chain's user is fixed. */
		snprintf(ws.chain_user, sizeof(ws.chain_user), "alice");
		break;
	case 1:
		enter_dialog("password", 1);
		break;
	case 2:
		enter_dialog("keyboard-interactive", 2);
		break;
	case 3:
		ws.state = WS_LOGGED_IN;
		break;
	}
	line_reader_reset(&in);
	data++, size--;
	while (off < size && ws.state != WS_CLOSING) {
		space = line_reader_space(&in, &room);
		n = size - off < room ? size - off : room;
		memcpy(space, data + off, n);
		line_reader_added(&in, n);
		off += n;
		while (ws.state != WS_CLOSING && ws_wants_request(&ws) &&
		    (st = line_reader_next(&in, &line, &len)) != LINE_NEED_MORE) {
			ws.outlen = 0;
			if (st == LINE_OK)
				ws_on_line(&ws, line, len);
			else
				ws_on_bad_line(&ws, st);
			/* The broker reads; the next request finds a prompt
			 * again, so that every state keeps being exercised. */
			(void)ipc_chan_flush(worker);
			while (ipc_chan_read(broker) > 0)
				while (ipc_chan_get(broker, &m) == 1)
					;
			if (ws.state == WS_WAIT_BROKER)
				enter_dialog("keyboard-interactive", 2);
		}
	}
	ipc_chan_free(worker);
	ipc_chan_free(broker);
	return 0;
}
