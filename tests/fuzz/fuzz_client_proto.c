/* SPDX-License-Identifier: ISC */
/*
 * fuzz_client_proto.c: libFuzzer over what a client controls: bytes into
 * the worker's line reader and protocol state machine, in a dialog state
 * (or the middle of a factor chain) picked by the first byte, with the
 * broker's end draining what the worker sends.  It also checks the step
 * framing of every data word (pass DATA, and login's initial response):
 * the bytes of an AUTH_DATA are the canonical base64 the client sent,
 * within the bound, and plain's three answers are exactly the fields of
 * the message it decodes to.  Build: CC=clang meson setup build-fuzz
 * -Dfuzz=true.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base64.h"
#include "client_proto.h"
#include "fuzz_session.h"
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

/* The bytes the client's data word stands for, its one canonical text. */
static size_t
word_bytes(const char *word, uint8_t *out, size_t cap)
{
	static char text[BASE64_LEN(MECH_DATA_MAX) + 1];
	ssize_t n = strcmp(word, "=") == 0 ? 0 : base64_decode(word, out, cap);

	if (n < 0 || (n > 0 && (base64_encode(out, (size_t)n, text,
	    sizeof(text)) < 0 || strcmp(text, word) != 0)))
		abort();
	return (size_t)n;
}

/* The relay's promise for one line with a data word (its last: "pass
 * WORD", "login MECH USER WORD"): an AUTH_DATA holds WORD's bytes; an
 * AUTH_ANSWER of plain holds its three fields, NULs between. */
static void
check_relay(const char *line, size_t len, const struct ipc_msg *m)
{
	static struct line_words words;
	static struct msg_answers a;
	static struct msg_data d;
	static uint8_t bytes[MECH_DATA_MAX];
	size_t n, i, at = 0, flen;

	if (m->hdr.type != MSG_AUTH_DATA && (m->hdr.type != MSG_AUTH_ANSWER ||
	    ws.dialog != mech_dialog_find("plain")))
		return;
	if (line_split(line, len, &words) != LINE_OK || words.n < 2)
		abort();
	n = word_bytes(words.w[words.n - 1], bytes, sizeof(bytes));
	if (m->hdr.type == MSG_AUTH_DATA) {
		if (msg_read_auth_data(m, &d) == -1 || d.len != n ||
		    memcmp(d.bytes, bytes, n) != 0)
			abort();
		return;
	}
	if (msg_read_auth_answer(m, &a) == -1 || a.n != 3)
		abort();
	for (i = 0; i < 3; i++, at += flen + 1) {
		flen = strlen(a.text[i]);
		if (at + flen > n || memcmp(bytes + at, a.text[i], flen) != 0 ||
		    (i < 2 ? at + flen >= n || bytes[at + flen] != '\0' :
		    at + flen != n))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct msg_assign assign = { 1000,
	    { 4, { "password", "keyboard-interactive", "scram-sha-256",
	    "plain" } }, FRONT_LINE };
	struct ipc_chan *worker, *broker;
	struct ipc_msg m;
	enum line_status st;
	const char *line;
	size_t len, room, off = 0, n;
	char *space;
	int mode;

	if (size < 1 ||
	    fuzz_session_start(&ws, &assign, &worker, &broker) == -1)
		return 0;
	switch ((mode = data[0] % 8)) {
	case 7:
		enter_dialog("plain", 0, true);
		break;
	case 6:
		enter_dialog("scram-sha-256", 0, true);
		break;
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
			if (ws.state == WS_WAIT_BROKER && mode >= 5)
				enter_dialog(mode == 5 ? "gssapi-with-mic" :
				    mode == 6 ? "scram-sha-256" : "plain", 0,
				    true);
			else if (ws.state == WS_WAIT_BROKER)
				enter_dialog("keyboard-interactive", 2, false);
		}
	}
	ipc_chan_free(worker);
	ipc_chan_free(broker);
	return 0;
}
