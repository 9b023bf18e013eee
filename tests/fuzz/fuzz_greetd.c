/* SPDX-License-Identifier: ISC */
/*
 * fuzz_greetd.c: libFuzzer over what a greeter controls: bytes into the
 * worker's greetd front end (frames, JSON, the requests they map to),
 * with a broker of the fuzzer's own that answers every request of the
 * session: prompts, rounds, partial successes, outcomes, by a script the
 * first byte picks.  Every reply the front end writes must be one whole
 * frame of greetd's JSON.  Build: CC=clang meson setup build-fuzz
 * -Dfuzz=true.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "client_proto.h"
#include "front.h"
#include "fuzz_session.h"
#include "msg.h"
#include "reply.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct wsession ws;

/* Each reply in out: a length word and that much JSON of an object with
 * a type greetd knows. */
static void
check_replies(const char *out, size_t n)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o, *type;
	const char *t;
	uint32_t len;
	size_t at = 0;

	while (at < n) {
		if (n - at < sizeof(len))
			abort();
		memcpy(&len, out + at, sizeof(len));
		at += sizeof(len);
		if (len > n - at)
			abort();
		json_tokener_reset(tok);
		o = json_tokener_parse_ex(tok, out + at, (int)len);
		if (o == NULL || json_tokener_get_parse_end(tok) != len ||
		    !json_object_object_get_ex(o, "type", &type))
			abort();
		t = json_object_get_string(type);
		if (strcmp(t, "success") != 0 && strcmp(t, "error") != 0 &&
		    strcmp(t, "auth_message") != 0)
			abort();
		json_object_put(o);
		at += len;
	}
	json_tokener_free(tok);
}

/* The broker's answer to a request of the session, by the script and
 * how many it has answered; prompts as the mechanism begun shows them
 * (one at a time, or in rounds). */
static void
answer(struct ipc_chan *broker, const struct ipc_msg *in, unsigned script,
    unsigned k)
{
	static const struct msg_prompt pw = { PROMPT_SECRET, "Password: " };
	static const struct msg_prompt info = { PROMPT_INFO, "Hello\nthere" };
	static const struct msg_round r = { "name", "one\ntwo", 2,
	    { false, true }, { "Password: ", "Code: " } };
	static const struct msg_round none = { "", "", 0, { false }, { "" } };
	static const struct msg_offer next = { "alice",
	    { 2, { "scram-sha-256", "keyboard-interactive" } } };
	static struct msg_reply reply;
	static bool rounds;
	struct msg_auth_begin b;
	uint32_t attempt = ws.attempt;

	switch (in->hdr.type) {
	case MSG_AUTH_BEGIN:
		if (msg_read_auth_begin(in, &b) == -1)
			abort();
		rounds = strcmp(b.mech, "keyboard-interactive") == 0;
		break;
	case MSG_AUTH_ANSWER:
	case MSG_AUTH_DATA:
		break;
	case MSG_SESSION_ENV:
	case MSG_SESSION_OPEN:
	case MSG_SESSION_START:
		reply.code = (script + k) % 3 == 0 ? REPLY_NOT_PERMITTED :
		    REPLY_OK;
		(void)msg_send(broker, MSG_RESULT, attempt, -1, &reply);
		return;
	default:
		return;
	}
	switch ((script + k) % 9) {
	case 0:
	case 1:
	case 2:
	case 3:
		if (rounds)
			(void)msg_send(broker, MSG_ROUND, attempt, -1,
			    (script + k) % 2 ? &none : &r);
		else
			(void)msg_send(broker, MSG_PROMPT, attempt, -1,
			    (script + k) % 2 ? &info : &pw);
		break;
	case 4:
		(void)msg_send(broker, MSG_OFFER, attempt, -1, &next);
		reply.code = REPLY_PARTIAL;
		(void)msg_send(broker, MSG_RESULT, attempt, -1, &reply);
		break;
	case 5:
		reply.code = REPLY_OK;
		(void)msg_send(broker, MSG_RESULT, attempt, -1, &reply);
		break;
	case 6:
		reply.code = REPLY_AUTH_FAILED;
		(void)msg_send(broker, MSG_RESULT, attempt, -1, &reply);
		break;
	case 7:
		reply.code = REPLY_LOCKED_OUT;
		(void)msg_send(broker, MSG_RESULT, attempt, -1, &reply);
		break;
	default:
		reply.code = REPLY_TOO_MANY_ATTEMPTS;
		(void)msg_send(broker, MSG_CLOSE, attempt, -1, &reply);
		break;
	}
}

/* The broker answers what the session sent; the session takes the
 * answers, and the front end runs what became due. */
static void
exchange(struct ipc_chan *worker, struct ipc_chan *broker, unsigned script,
    unsigned *k)
{
	struct ipc_msg m;
	int rounds;

	for (rounds = 0; rounds < 64 && ws.state != WS_CLOSING; rounds++) {
		(void)ipc_chan_flush(worker);
		while (ipc_chan_read(broker) > 0)
			while (ipc_chan_get(broker, &m) == 1)
				answer(broker, &m, script, (*k)++);
		(void)ipc_chan_flush(broker);
		if (ipc_chan_read(worker) <= 0)
			break;
		while (ipc_chan_get(worker, &m) == 1)
			if (ws_on_broker(&ws, &m) == -1)
				abort();
		while (ws.state != WS_CLOSING && ws.outlen == 0 &&
		    ws_wants_request(&ws) && front_greetd.handle(&ws))
			continue;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct msg_assign assign = { 1000,
	    { 3, { "scram-sha-256", "password", "keyboard-interactive" } },
	    FRONT_GREETD };
	struct ipc_chan *worker, *broker;
	size_t room, off = 0, n;
	unsigned script, k = 0;
	char *space;

	if (size < 1 ||
	    fuzz_session_start(&ws, &assign, &worker, &broker) == -1)
		return 0;
	front_greetd.start(&ws);
	script = data[0];
	data++, size--;
	while (off < size && ws.state != WS_CLOSING) {
		space = front_greetd.space(&room);
		if ((n = size - off < room ? size - off : room) == 0)
			break;
		memcpy(space, data + off, n);
		front_greetd.added(n);
		off += n;
		while (ws.state != WS_CLOSING && ws_wants_request(&ws)) {
			ws.outlen = 0;
			if (!front_greetd.handle(&ws))
				break;
			exchange(worker, broker, script, &k);
			check_replies(ws.out, ws.outlen);
		}
	}
	front_greetd.reset();
	ipc_chan_free(worker);
	ipc_chan_free(broker);
	return 0;
}
