/*
 * fuzz_client_proto.c: libFuzzer over what a client controls: bytes into
 * the worker's line reader and protocol state machine, in a dialog state
 * (or the middle of a factor chain) picked by the first byte, with the
 * broker's end draining what the worker sends.  In the mechanism-data
 * state (a gssapi-with-mic token awaited) it also checks the relay: the
 * bytes of every AUTH_DATA are the canonical base64 the client sent,
 * within the bound.  Build: CC=clang meson setup build-fuzz -Dfuzz=true.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base64.h"
#include "client_proto.h"
#include "line.h"
#include "mech.h"
#include "msg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct wsession ws;
static struct line_reader in;

/* A session waiting at a password prompt, a two-prompt round or, for
 * data, a mechanism's 300. */
static void
enter_dialog(const char *mech, size_t answers, bool data)
{
	ws.dialog = mech_dialog_find(mech);
	ws.answers_expected = answers;
	ws.data_expected = data;
	ws.state = WS_DIALOG;
}

/* The relay's promise for one "pass WORD" line: the bytes the broker got
 * are WORD decoded, and WORD their one canonical text. */
static void
check_relay(const char *line, size_t len, const struct ipc_msg *m)
{
	static struct line_words words;
	static struct msg_data d;
	static char text[BASE64_LEN(MECH_DATA_MAX) + 1];

	if (m->hdr.type != MSG_AUTH_DATA)
		return;
	if (msg_read_auth_data(m, &d) == -1 ||
	    line_split(line, len, &words) != LINE_OK || words.n != 2)
		abort();
	if (d.len == 0 ? strcmp(words.w[1], "=") != 0 :
	    base64_encode(d.bytes, d.len, text, sizeof(text)) < 0 ||
	    strcmp(text, words.w[1]) != 0)
		abort();
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
	int sv[2], mode;

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
	switch ((mode = data[0] % 6)) {
	case 5:
		enter_dialog("gssapi-with-mic", 0, true);
		break;
	case 4:
		/* Past a partial success: the chain's user is fixed. */
		snprintf(ws.chain_user, sizeof(ws.chain_user), "alice");
		break;
	case 1:
		enter_dialog("password", 1, false);
		break;
	case 2:
		enter_dialog("keyboard-interactive", 2, false);
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
					if (st == LINE_OK)
						check_relay(line, len, &m);
			if (ws.state == WS_WAIT_BROKER && mode == 5)
				enter_dialog("gssapi-with-mic", 0, true);
			else if (ws.state == WS_WAIT_BROKER)
				enter_dialog("keyboard-interactive", 2, false);
		}
	}
	ipc_chan_free(worker);
	ipc_chan_free(broker);
	return 0;
}
