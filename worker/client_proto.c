/* client_proto.c: requests, replies and the worker's session states. */
#include "client_proto.h"

#include <stdio.h>
#include <string.h>

#include "ipc_payload.h"
#include "mech.h"
#include "names.h"
#include "reply.h"

void
ws_init(struct wsession *ws, struct ipc_chan *chan)
{
	memset(ws, 0, sizeof(*ws));
	ws->state = WS_GREETING;
	ws->broker = chan;
}

bool
ws_wants_request(const struct wsession *ws)
{
	return ws->state == WS_IDLE || ws->state == WS_DIALOG ||
	    ws->state == WS_LOGGED_IN;
}

/* Appends one finished line to the output, or closes: a reply that does
 * not fit is a bug (WS_OUT_MAX bounds the longest), and nothing from
 * that line on is sent. */
static void
queue_line(struct wsession *ws, struct line_out *o)
{
	if (ws->out_full || !line_out_end(o)) {
		ws->out_full = true;
		ws->state = WS_CLOSING;
		return;
	}
	ws->outlen += o->len;
}

void
ws_reply_words(struct wsession *ws, int code, bool more,
    const char *const *words, size_t n)
{
	struct line_out o;
	char head[8];
	size_t i;

	line_out_init(&o, ws->out + ws->outlen, sizeof(ws->out) - ws->outlen);
	snprintf(head, sizeof(head), "%03d%c", code, more ? '-' : ' ');
	if (n == 0 && !more)
		head[3] = '\0';
	line_out_raw(&o, head);
	for (i = 0; i < n; i++)
		line_out_word(&o, words[i]);
	queue_line(ws, &o);
}

void
ws_sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

void
ws_reply(struct wsession *ws, int code, const char *text)
{
	char line[CONV_MAX_TEXT];
	const char *word = line;
	size_t i, start = 0, n = strlen(text);

	/* One reply line per text line. */
	for (i = 0; i <= n; i++) {
		if (i < n && text[i] != '\n')
			continue;
		snprintf(line, sizeof(line), "%.*s", (int)(i - start),
		    text + start);
		ws_sanitize(line);
		ws_reply_words(ws, code, i < n, &word, 1);
		start = i + 1;
	}
}

void
ws_send(struct wsession *ws, uint32_t type, const void *data, size_t len)
{
	if (ipc_chan_compose(ws->broker, type, 0, -1, data, len) == -1) {
		ws_reply(ws, REPLY_SYSTEM_ERROR, "Internal error");
		ws->state = WS_CLOSING;
	}
}

/* Sends a writer's payload to the broker and wipes it. */
static void
send_writer(struct wsession *ws, uint32_t type, struct ipc_writer *w)
{
	if (!ipc_writer_ok(w)) {
		ws_reply(ws, REPLY_SYSTEM_ERROR, "Internal error");
		ws->state = WS_CLOSING;
	} else {
		ws_send(ws, type, w->buf, w->len);
	}
	ipc_writer_wipe(w);
}

static bool
mech_offered(const struct wsession *ws, const char *mech)
{
	size_t i;

	for (i = 0; i < ws->nmechs; i++)
		if (strcmp(ws->mechs[i], mech) == 0)
			return true;
	return false;
}

static void
req_lsauth(struct wsession *ws, const struct line_words *req)
{
	size_t i;

	if (ws->nmechs == 0) {
		ws_reply(ws, REPLY_GREETING, "No mechanisms available");
		return;
	}
	for (i = 0; i < ws->nmechs; i++) {
		const char *name = ws->mechs[i];

		ws_reply_words(ws, REPLY_OK, i + 1 < ws->nmechs, &name, 1);
	}
}

static void
req_login(struct wsession *ws, const struct line_words *req)
{
	static struct ipc_writer w;
	const char *mech = req->w[1], *user = req->w[2];

	if (ws->state == WS_LOGGED_IN) {
		ws_reply(ws, REPLY_ALREADY_LOGGED_IN, "Already logged in");
		return;
	}
	if (mech_dialog_find(mech) == NULL) {
		ws_reply(ws, REPLY_UNKNOWN_MECHANISM, "Unknown mechanism");
		return;
	}
	/* The policy's order: only what lsauth lists now may begin. */
	if (!mech_offered(ws, mech)) {
		ws_reply(ws, REPLY_NOT_PERMITTED, ws->chain_user[0] != '\0' ?
		    "Mechanism not permitted at this step of the login" :
		    "Mechanism not permitted");
		return;
	}
	if (!name_user_valid(user)) {
		ws_reply(ws, REPLY_BAD_USERNAME, "Invalid user name");
		return;
	}
	if (ws->chain_user[0] != '\0' && strcmp(user, ws->chain_user) != 0) {
		ws_reply(ws, REPLY_NOT_PERMITTED, "This login continues as "
		    "the user who began it");
		return;
	}
	/* A new login abandons the one in progress, as sshd allows. */
	if (ws->state == WS_DIALOG)
		ws_send(ws, MSG_AUTH_ABORT, NULL, 0);
	ws->dialog = mech_dialog_find(mech);
	ipc_writer_init(&w);
	ipc_put_str(&w, mech);
	ipc_put_str(&w, user);
	send_writer(ws, MSG_AUTH_BEGIN, &w);
	if (ws->state != WS_CLOSING)
		ws->state = WS_WAIT_BROKER;
}

static void
req_pass(struct wsession *ws, const struct line_words *req)
{
	static struct ipc_writer w;

	char why[64];
	size_t i;

	if (ws->state != WS_DIALOG) {
		ws_reply(ws, REPLY_NO_AUTH_IN_PROGRESS,
		    "No authentication in progress");
		return;
	}
	/* One answer per prompt; a message is acknowledged with none. */
	if (req->n - 1 != ws->answers_expected) {
		snprintf(why, sizeof(why), "Expected %zu answer%s",
		    ws->answers_expected, ws->answers_expected == 1 ? "" : "s");
		ws_reply(ws, REPLY_MISSING_ARGUMENT, why);
		return;
	}
	/* An answer over PAM's bound ends the attempt, as any broken bound
	 * of the dialog does. */
	for (i = 1; i < req->n; i++) {
		if (strlen(req->w[i]) >= CONV_MAX_ANSWER) {
			ws_send(ws, MSG_AUTH_ABORT, NULL, 0);
			ws_reply(ws, REPLY_DIALOG_LIMIT, "Answer too long");
			ws->dialog = NULL;
			if (ws->state != WS_CLOSING)
				ws->state = WS_IDLE;
			return;
		}
	}
	ipc_writer_init(&w);
	ws->dialog->answer(req, &w);
	send_writer(ws, MSG_AUTH_ANSWER, &w);
	if (ws->state != WS_CLOSING)
		ws->state = WS_WAIT_BROKER;
}

/* "context ADDRESS [REMOTE-USER]": a front end names whom it serves; the
 * broker decides whether this peer may. */
static void
req_context(struct wsession *ws, const struct line_words *req)
{
	static struct ipc_writer w;
	const char *ruser = req->n == 3 ? req->w[2] : "";

	if (ws->state != WS_IDLE) {
		ws_reply(ws, ws->state == WS_LOGGED_IN ? REPLY_ALREADY_LOGGED_IN :
		    REPLY_NOT_PERMITTED, "Context comes once, before any login");
		return;
	}
	if (!name_address_valid(req->w[1])) {
		ws_reply(ws, REPLY_MISSING_ARGUMENT, "Invalid address");
		return;
	}
	if (req->n == 3 && !name_user_valid(ruser)) {
		ws_reply(ws, REPLY_BAD_USERNAME, "Invalid remote user name");
		return;
	}
	ipc_writer_init(&w);
	ipc_put_str(&w, req->w[1]);
	ipc_put_str(&w, ruser);
	send_writer(ws, MSG_CONTEXT, &w);
	if (ws->state != WS_CLOSING)
		ws->state = WS_WAIT_BROKER;
}

static void
req_quit(struct wsession *ws, const struct line_words *req)
{
	ws_reply(ws, REPLY_OK, "Bye");
	ws->state = WS_CLOSING;
}

/* Every request: its verb, the arguments it takes, and its handler, which
 * checks the session state itself because each state refuses differently
 * (503, 507). */
static const struct request {
	const char *verb;
	size_t min_args, max_args;
	void (*handle)(struct wsession *, const struct line_words *);
} requests[] = {
	{ "context", 1, 2, req_context },
	{ "lsauth", 0, 0, req_lsauth },
	{ "login", 2, 2, req_login },
	{ "pass", 0, ROUND_MAX_PROMPTS, req_pass },
	{ "quit", 0, 0, req_quit },
};

static const char *const line_errors[] = {
	[LINE_TOO_LONG] = "Line too long",
	[LINE_HAS_NUL] = "NUL byte in line",
	[LINE_BAD_UTF8] = "Invalid UTF-8",
	[LINE_BAD_QUOTING] = "Unbalanced quote or trailing backslash",
	[LINE_TOO_MANY_WORDS] = "Too many words",
};

void
ws_on_bad_line(struct wsession *ws, enum line_status why)
{
	ws_reply(ws, REPLY_UNKNOWN_COMMAND, line_errors[why]);
}

void
ws_on_line(struct wsession *ws, const char *line, size_t len)
{
	static struct line_words req;
	enum line_status st;
	size_t i, nargs;

	st = line_split(line, len, &req);
	if (st != LINE_OK) {
		ws_on_bad_line(ws, st);
		goto out;
	}
	if (req.n == 0) {
		ws_reply(ws, REPLY_UNKNOWN_COMMAND, "Empty line");
		goto out;
	}
	nargs = req.n - 1;
	for (i = 0; i < sizeof(requests) / sizeof(requests[0]); i++) {
		if (strcmp(requests[i].verb, req.w[0]) != 0)
			continue;
		if (nargs < requests[i].min_args || nargs > requests[i].max_args)
			ws_reply(ws, REPLY_MISSING_ARGUMENT,
			    "Wrong number of arguments");
		else
			requests[i].handle(ws, &req);
		goto out;
	}
	ws_reply(ws, REPLY_UNKNOWN_COMMAND, "Unknown command");
out:
	/* The words may hold a password. */
	explicit_bzero(req.store, sizeof(req.store));
}

void
ws_on_idle_timeout(struct wsession *ws)
{
	ws_reply(ws, REPLY_TIMED_OUT, "Idle timeout");
	ws->state = WS_CLOSING;
}

/* The rest of r is the mechanisms that may begin now (ASSIGN, OFFER):
 * 0, or -1 when malformed. */
static int
read_offer(struct wsession *ws, struct ipc_reader *r)
{
	uint32_t i, n = ipc_get_u32(r);

	if (n > MECH_MAX)
		return -1;
	for (i = 0; i < n; i++)
		ipc_get_str(r, ws->mechs[i], sizeof(ws->mechs[i]));
	if (ipc_reader_end(r) == -1)
		return -1;
	ws->nmechs = n;
	return 0;
}

int
ws_start(struct wsession *ws, const uint8_t *data, size_t len)
{
	struct ipc_reader r;

	ipc_reader_init(&r, data, len);
	ws->idle_timeout_ms = ipc_get_u32(&r);
	if (ws->state != WS_GREETING || read_offer(ws, &r) == -1)
		return -1;
	/* The broker has greeted the client already (listener.c). */
	ws->state = WS_IDLE;
	return 0;
}

static int
on_prompt(struct wsession *ws, struct ipc_reader *r)
{
	char text[CONV_MAX_TEXT];
	uint8_t kind = ipc_get_u8(r);

	ipc_get_str(r, text, sizeof(text));
	if (ipc_reader_end(r) == -1 || kind < PROMPT_SECRET ||
	    kind > PROMPT_ERROR || ws->dialog->show == NULL)
		return -1;
	ws->answers_expected = kind == PROMPT_SECRET ||
	    kind == PROMPT_VISIBLE ? 1 : 0;
	ws->dialog->show(ws, kind, text);
	ws->state = WS_DIALOG;
	return 0;
}

static int
on_round(struct wsession *ws, struct ipc_reader *r)
{
	static struct round round;
	size_t i;

	ipc_get_str(r, round.name, sizeof(round.name));
	ipc_get_str(r, round.instruction, sizeof(round.instruction));
	round.n = ipc_get_u32(r);
	if (round.n > ROUND_MAX_PROMPTS || ws->dialog->show_round == NULL)
		return -1;
	for (i = 0; i < round.n; i++) {
		round.echo[i] = ipc_get_u8(r) != 0;
		ipc_get_str(r, round.prompt[i], sizeof(round.prompt[i]));
	}
	if (ipc_reader_end(r) == -1)
		return -1;
	ws->answers_expected = round.n;
	ws->dialog->show_round(ws, &round);
	ws->state = WS_DIALOG;
	return 0;
}

/* Relays a reply the broker decided (code, text): the code, or -1. */
static int
relay_reply(struct wsession *ws, struct ipc_reader *r)
{
	char text[CONV_MAX_TEXT];
	uint32_t code = ipc_get_u32(r);

	ipc_get_str(r, text, sizeof(text));
	if (ipc_reader_end(r) == -1 || code < 200 || code > 599)
		return -1;
	ws_reply(ws, (int)code, text);
	return (int)code;
}

/* The outcome of a login or pass; 200 logs the connection in. */
static int
on_result(struct wsession *ws, struct ipc_reader *r)
{
	int code = relay_reply(ws, r);

	if (code == -1)
		return -1;
	/* 200 logs in only as the end of an authentication; it also
	 * acknowledges a context. */
	ws->state = code == REPLY_OK && ws->dialog != NULL ? WS_LOGGED_IN :
	    WS_IDLE;
	ws->dialog = NULL;
	return 0;
}

/* What may begin now: sent before the RESULT of a context or of a factor
 * that the chain follows with another. */
static int
on_offer(struct wsession *ws, struct ipc_reader *r)
{
	ipc_get_str(r, ws->chain_user, sizeof(ws->chain_user));
	return read_offer(ws, r);
}

static int
on_close(struct wsession *ws, struct ipc_reader *r)
{
	if (relay_reply(ws, r) == -1)
		return -1;
	ws->state = WS_CLOSING;
	return 0;
}

#define IN(s)	(1u << (s))

/* What the broker may send in which state; anything else is a bug. */
static const struct broker_msg {
	uint32_t type;
	unsigned states;
	int (*handle)(struct wsession *, struct ipc_reader *);
} broker_msgs[] = {
	{ MSG_PROMPT, IN(WS_WAIT_BROKER), on_prompt },
	{ MSG_ROUND, IN(WS_WAIT_BROKER), on_round },
	{ MSG_OFFER, IN(WS_WAIT_BROKER), on_offer },
	{ MSG_RESULT, IN(WS_WAIT_BROKER), on_result },
	{ MSG_CLOSE, IN(WS_IDLE) | IN(WS_WAIT_BROKER) | IN(WS_DIALOG) |
	    IN(WS_LOGGED_IN), on_close },
};

int
ws_on_broker(struct wsession *ws, const struct ipc_msg *m)
{
	struct ipc_reader r;
	size_t i;

	for (i = 0; i < sizeof(broker_msgs) / sizeof(broker_msgs[0]); i++) {
		if (broker_msgs[i].type != m->hdr.type)
			continue;
		if (!(broker_msgs[i].states & IN(ws->state)) || m->fd != -1)
			return -1;
		ipc_reader_init(&r, m->data, m->len);
		return broker_msgs[i].handle(ws, &r);
	}
	return -1;
}
