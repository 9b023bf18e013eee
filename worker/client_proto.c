/* SPDX-License-Identifier: ISC */
/* client_proto.c: requests, replies and the worker's session states. */
#include "client_proto.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base64.h"
#include "mech.h"
#include "names.h"
#include "reply.h"

void
ws_init(struct wsession *ws, struct ipc_chan *chan)
{
	/* out is read only up to outlen: zeroing it would touch every page
	 * of it in each fresh worker, for nothing. */
	memset(ws, 0, offsetof(struct wsession, out));
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

	if (ws->reply_to != NULL) {
		ws->reply_to(ws, code, more, words, n);
		return;
	}
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
ws_reply_data(struct wsession *ws, const struct msg_data *d)
{
	static char b64[BASE64_LEN(MECH_DATA_MAX) + 1];
	const char *word = b64;

	if (d->len == 0)
		snprintf(b64, sizeof(b64), "=");
	else
		(void)base64_encode(d->bytes, d->len, b64, sizeof(b64));
	ws_reply_words(ws, REPLY_DATA, false, &word, 1);
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
		name_text_sanitize(line);
		ws_reply_words(ws, code, i < n, &word, 1);
		start = i + 1;
	}
}

/* Sends a message to the broker (m NULL for an empty one); a failure
 * closes the session. */
static void
send_broker(struct wsession *ws, uint32_t type, const void *m)
{
	if (msg_send(ws->broker, type, 0, -1, m) == -1) {
		ws_reply(ws, REPLY_SYSTEM_ERROR, "Internal error");
		ws->state = WS_CLOSING;
	}
}

static bool
mech_offered(const struct wsession *ws, const char *mech)
{
	size_t i;

	for (i = 0; i < ws->offer.n; i++)
		if (strcmp(ws->offer.name[i], mech) == 0)
			return true;
	return false;
}

static void
req_lsauth(struct wsession *ws, const struct line_words *req)
{
	size_t i;

	if (ws->offer.n == 0) {
		ws_reply(ws, REPLY_GREETING, "No mechanisms available");
		return;
	}
	for (i = 0; i < ws->offer.n; i++) {
		const char *name = ws->offer.name[i];

		ws_reply_words(ws, REPLY_OK, i + 1 < ws->offer.n, &name, 1);
	}
}

/* The client's data, read (the dialog may make it answers) and held
 * until it goes to the broker (send_client_data). */
static struct {
	uint32_t type;			/* MSG_AUTH_DATA or MSG_AUTH_ANSWER */
	struct msg_data data;
	struct msg_answers answers;
} client_data;

/* Reads a data word, base64 ("=": none), as the dialog takes it: 0, or
 * -1 after replying 501. */
static int
read_client_data(struct wsession *ws, const struct mech_dialog *dialog,
    const char *word)
{
	struct msg_data *d = &client_data.data;
	ssize_t n = 0;

	/* "=" is the one text of no data: an empty word is none. */
	if (strcmp(word, "=") != 0 && (word[0] == '\0' ||
	    (n = base64_decode(word, d->bytes, sizeof(d->bytes))) == -1)) {
		/* What was decoded before the error may be a password. */
		explicit_bzero(&client_data, sizeof(client_data));
		ws_reply(ws, REPLY_MISSING_ARGUMENT, "Invalid base64");
		return -1;
	}
	d->len = (uint32_t)n;
	client_data.type = MSG_AUTH_DATA;
	if (dialog->read_data == NULL)
		return 0;
	client_data.type = MSG_AUTH_ANSWER;
	if (dialog->read_data(d->bytes, d->len, &client_data.answers) == 0)
		return 0;
	explicit_bzero(&client_data, sizeof(client_data));
	ws_reply(ws, REPLY_MISSING_ARGUMENT, "Malformed message");
	return -1;
}

/* Sends the data read, and wipes it: it may hold a password. */
static void
send_client_data(struct wsession *ws)
{
	send_broker(ws, client_data.type, client_data.type == MSG_AUTH_DATA ?
	    (const void *)&client_data.data :
	    (const void *)&client_data.answers);
	explicit_bzero(&client_data, sizeof(client_data));
	if (ws->state != WS_CLOSING)
		ws->state = WS_WAIT_BROKER;
}

/* "login MECH USER [DATA]": DATA is the initial response of a mechanism
 * that takes one. */
static void
req_login(struct wsession *ws, const struct line_words *req)
{
	const struct mech_dialog *dialog = mech_dialog_find(req->w[1]);
	const char *mech = req->w[1], *user = req->w[2];
	struct msg_auth_begin m;

	if (ws->state == WS_LOGGED_IN) {
		ws_reply(ws, REPLY_ALREADY_LOGGED_IN, "Already logged in");
		return;
	}
	if (dialog == NULL) {
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
	if (req->n == 4 && !dialog->initial_response) {
		ws_reply(ws, REPLY_MISSING_ARGUMENT,
		    "Mechanism takes no initial response");
		return;
	}
	if (req->n == 4 && read_client_data(ws, dialog, req->w[3]) == -1)
		return;
	/* A new login abandons the one in progress, as sshd allows. */
	if (ws->state == WS_DIALOG)
		send_broker(ws, MSG_AUTH_ABORT, NULL);
	ws->dialog = dialog;
	snprintf(m.mech, sizeof(m.mech), "%s", mech);
	snprintf(m.user, sizeof(m.user), "%s", user);
	m.initial = req->n == 4;
	ws->context_closed = true;
	ws->attempt++;
	send_broker(ws, MSG_AUTH_BEGIN, &m);
	if (m.initial)
		send_client_data(ws);
	else if (ws->state != WS_CLOSING)
		ws->state = WS_WAIT_BROKER;
}

/* "pass DATA": the client's mechanism data. */
static void
pass_data(struct wsession *ws, const struct line_words *req)
{
	if (req->n != 2) {
		ws_reply(ws, REPLY_MISSING_ARGUMENT, "Expected 1 answer");
		return;
	}
	if (read_client_data(ws, ws->dialog, req->w[1]) == 0)
		send_client_data(ws);
}

static void
req_pass(struct wsession *ws, const struct line_words *req)
{
	static struct msg_answers answers;
	char why[64];
	size_t i;

	if (ws->state != WS_DIALOG) {
		ws_reply(ws, REPLY_NO_AUTH_IN_PROGRESS,
		    "No authentication in progress");
		return;
	}
	if (ws->data_expected) {
		pass_data(ws, req);
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
			ws_abandon(ws);
			ws_reply(ws, REPLY_DIALOG_LIMIT, "Answer too long");
			return;
		}
	}
	answers.n = (uint32_t)(req->n - 1);
	for (i = 1; i < req->n; i++)
		memcpy(answers.text[i - 1], req->w[i], strlen(req->w[i]) + 1);
	send_broker(ws, MSG_AUTH_ANSWER, &answers);
	msg_answers_wipe(&answers);
	if (ws->state != WS_CLOSING)
		ws->state = WS_WAIT_BROKER;
}

/* "context ADDRESS [REMOTE-USER]": a front end names whom it serves; the
 * broker decides whether this peer may. */
static void
req_context(struct wsession *ws, const struct line_words *req)
{
	struct msg_context m;
	const char *ruser = req->n >= 3 ? req->w[2] : "";
	const char *command = req->n == 4 ? req->w[3] : "";

	/* The broker takes one context, before any login; asking again is
	 * answered here, so the broker can count it as a worker's fault. */
	if (ws->state != WS_IDLE || ws->context_closed) {
		ws_reply(ws, ws->state == WS_LOGGED_IN ? REPLY_ALREADY_LOGGED_IN :
		    REPLY_NOT_PERMITTED, "Context comes once, before any login");
		return;
	}
	if (!name_address_valid(req->w[1])) {
		ws_reply(ws, REPLY_MISSING_ARGUMENT, "Invalid address");
		return;
	}
	/* "" names no remote user before a command. */
	if (ruser[0] != '\0' && !name_user_valid(ruser)) {
		ws_reply(ws, REPLY_BAD_USERNAME, "Invalid remote user name");
		return;
	}
	if (!name_text_valid(command)) {
		ws_reply(ws, REPLY_MISSING_ARGUMENT, "Invalid command");
		return;
	}
	snprintf(m.host, sizeof(m.host), "%s", req->w[1]);
	snprintf(m.user, sizeof(m.user), "%s", ruser);
	snprintf(m.command, sizeof(m.command), "%s", command);
	ws->context_closed = true;
	send_broker(ws, MSG_CONTEXT, &m);
	if (ws->state != WS_CLOSING)
		ws->state = WS_WAIT_BROKER;
}

void
ws_on_fds(struct wsession *ws, const int *fds, size_t n, bool truncated)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (ws->nfds == SESSION_FDS_MAX) {
			close(fds[i]);
			ws->fds_overflow = true;
			continue;
		}
		ws->fds[ws->nfds++] = fds[i];
	}
	ws->fds_overflow |= truncated;
}

void
ws_drop_fds(struct wsession *ws)
{
	while (ws->nfds > 0)
		close(ws->fds[--ws->nfds]);
	ws->fds_overflow = false;
}

/* A session request goes to the broker, which answers it. */
static void
send_session(struct wsession *ws, uint32_t type, const void *m)
{
	send_broker(ws, type, m);
	if (ws->state != WS_CLOSING)
		ws->state = WS_WAIT_BROKER;
}

/* "session env NAME=VALUE": a variable for the user's process; which
 * names are allowed is the broker's to say. */
static void
session_env(struct wsession *ws, const struct line_words *req)
{
	static struct msg_session_env m;
	const char *eq;

	if (req->n != 3 || (eq = strchr(req->w[2], '=')) == NULL ||
	    (size_t)(eq - req->w[2]) >= sizeof(m.name)) {
		ws_reply(ws, REPLY_MISSING_ARGUMENT, "Expected NAME=VALUE");
		return;
	}
	snprintf(m.name, sizeof(m.name), "%.*s", (int)(eq - req->w[2]),
	    req->w[2]);
	if (!name_env_valid(m.name) || !name_text_fits(eq + 1,
	    sizeof(m.value))) {
		ws_reply(ws, REPLY_MISSING_ARGUMENT, "Invalid variable");
		return;
	}
	snprintf(m.value, sizeof(m.value), "%s", eq + 1);
	send_session(ws, MSG_SESSION_ENV, &m);
}

/* "session open [TTY]": PAM's session, with PAM_TTY. */
static void
session_open(struct wsession *ws, const struct line_words *req)
{
	struct msg_session_open m;
	const char *tty = req->n == 3 ? req->w[2] : "";

	if (req->n > 3 || !name_text_fits(tty, sizeof(m.tty)) ||
	    strchr(tty, ' ') != NULL) {
		ws_reply(ws, REPLY_MISSING_ARGUMENT, "Invalid terminal name");
		return;
	}
	snprintf(m.tty, sizeof(m.tty), "%s", tty);
	send_session(ws, MSG_SESSION_OPEN, &m);
}

/* "session start [PATH [ARG...]]", with the client's descriptors for
 * stdin, stdout and stderr: the login shell, or a command. */
static void
session_start(struct wsession *ws, const struct line_words *req)
{
	static struct msg_session_start m;
	size_t i;

	if (ws->fds_overflow) {
		ws_drop_fds(ws);
		ws_reply(ws, REPLY_MISSING_ARGUMENT, "At most 3 descriptors");
		return;
	}
	memset(&m, 0, sizeof(m));
	for (i = 2; i < req->n; i++) {
		if (!name_text_fits(req->w[i], sizeof(m.arg[0])) ||
		    (i == 2 && req->w[i][0] != '/')) {
			ws_drop_fds(ws);
			ws_reply(ws, REPLY_MISSING_ARGUMENT, i == 2 ?
			    "The command must be an absolute path" :
			    "Invalid argument");
			return;
		}
		snprintf(m.arg[m.argc++], sizeof(m.arg[0]), "%s", req->w[i]);
	}
	/* Each descriptor in a message of its own, the start last. */
	for (i = 0; i < ws->nfds && ws->state != WS_CLOSING; i++)
		if (msg_send(ws->broker, MSG_SESSION_FD, 0, ws->fds[i],
		    NULL) == -1) {
			ws_reply(ws, REPLY_SYSTEM_ERROR, "Internal error");
			ws->state = WS_CLOSING;
		}
	/* The channel owns (or closed) every one of them now. */
	ws->nfds = 0;
	send_session(ws, MSG_SESSION_START, &m);
}

static void
session_wait(struct wsession *ws, const struct line_words *req)
{
	send_session(ws, MSG_SESSION_WAIT, NULL);
}

static void
session_close(struct wsession *ws, const struct line_words *req)
{
	send_session(ws, MSG_SESSION_CLOSE, NULL);
}

/* "session VERB ...": what a logged-in front end asks of its session. */
static void
req_session(struct wsession *ws, const struct line_words *req)
{
	static const struct {
		const char *verb;
		void (*handle)(struct wsession *, const struct line_words *);
		bool more;		/* takes words after the verb */
	} verbs[] = {
		{ "env", session_env, true },
		{ "open", session_open, true },
		{ "start", session_start, true },
		{ "wait", session_wait, false },
		{ "close", session_close, false },
	};
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (strcmp(verbs[i].verb, req->w[1]) == 0)
			break;
	if (i == sizeof(verbs) / sizeof(verbs[0]))
		ws_reply(ws, REPLY_UNKNOWN_COMMAND, "Unknown session request");
	else if (!verbs[i].more && req->n > 2)
		ws_reply(ws, REPLY_MISSING_ARGUMENT, "Wrong number of arguments");
	else if (ws->state != WS_LOGGED_IN)
		ws_reply(ws, REPLY_NOT_PERMITTED, "Not logged in");
	else
		verbs[i].handle(ws, req);
}

void
ws_leave(struct wsession *ws)
{
	send_broker(ws, MSG_LEAVING, NULL);
	ws->state = WS_CLOSING;
}

static void
leave(struct wsession *ws, int code, const char *text)
{
	ws_reply(ws, code, text);
	ws_leave(ws);
}

static void
req_quit(struct wsession *ws, const struct line_words *req)
{
	leave(ws, REPLY_OK, "Bye");
}

/* Every request: its verb, the arguments it takes, and its handler, which
 * checks the session state itself because each state refuses differently
 * (503, 507). */
static const struct request {
	const char *verb;
	size_t min_args, max_args;
	void (*handle)(struct wsession *, const struct line_words *);
	/* The word that names a user (0: none), and what 504 says when it
	 * is not UTF-8 while the rest of the line is. */
	size_t user_word;
	const char *bad_user;
} requests[] = {
	{ "context", 1, 3, req_context, 2, "Invalid remote user name" },
	{ "lsauth", 0, 0, req_lsauth, 0, NULL },
	{ "login", 2, 3, req_login, 2, "Invalid user name" },
	{ "pass", 0, ROUND_MAX_PROMPTS, req_pass, 0, NULL },
	{ "quit", 0, 0, req_quit, 0, NULL },
	{ "session", 1, LINE_MAX_WORDS - 1, req_session, 0, NULL },
};

/* The request of a line's first word, or NULL. */
static const struct request *
find_request(const struct line_words *req)
{
	size_t i;

	for (i = 0; req->n > 0 && i < sizeof(requests) / sizeof(requests[0]);
	    i++)
		if (strcmp(requests[i].verb, req->w[0]) == 0)
			return &requests[i];
	return NULL;
}

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
	ws_drop_fds(ws);
	ws_reply(ws, REPLY_UNKNOWN_COMMAND, line_errors[why]);
}

void
ws_request(struct wsession *ws, const struct line_words *req)
{
	const struct request *r = find_request(req);
	size_t nargs;

	if (req->n == 0) {
		ws_reply(ws, REPLY_UNKNOWN_COMMAND, "Empty line");
		return;
	}
	if (r == NULL) {
		ws_reply(ws, REPLY_UNKNOWN_COMMAND, "Unknown command");
		return;
	}
	/* Descriptors go with "session start" alone. */
	if (ws->nfds > 0 || ws->fds_overflow) {
		if (strcmp(r->verb, "session") != 0 || req->n < 2 ||
		    strcmp(req->w[1], "start") != 0) {
			ws_drop_fds(ws);
			ws_reply(ws, REPLY_UNKNOWN_COMMAND, "Descriptors come "
			    "only with session start");
			return;
		}
	}
	nargs = req->n - 1;
	if (nargs < r->min_args || nargs > r->max_args)
		ws_reply(ws, REPLY_MISSING_ARGUMENT, "Wrong number of arguments");
	else
		r->handle(ws, req);
}

void
ws_on_line(struct wsession *ws, const char *line, size_t len)
{
	static struct line_words req;
	const struct request *r;
	enum line_status st;

	st = line_split(line, len, &req);
	r = st == LINE_OK || st == LINE_BAD_UTF8 ? find_request(&req) : NULL;
	/* A user name that cannot be one is 504, as the protocol this comes
	 * from answers; anything else of the line that is not UTF-8 500. */
	if (st == LINE_BAD_UTF8 && r != NULL && r->user_word != 0 &&
	    req.n - 1 >= r->min_args && req.n - 1 <= r->max_args &&
	    req.bad_utf8 == 1u << r->user_word) {
		ws_reply(ws, REPLY_BAD_USERNAME, r->bad_user);
		goto out;
	}
	if (st != LINE_OK)
		ws_on_bad_line(ws, st);
	else
		ws_request(ws, &req);
out:
	/* Descriptors the request did not take are not kept for another. */
	ws_drop_fds(ws);
	/* The words may hold a password. */
	line_words_wipe(&req, len);
}

void
ws_abandon(struct wsession *ws)
{
	if (ws->state != WS_DIALOG)
		return;
	send_broker(ws, MSG_AUTH_ABORT, NULL);
	/* Its outcome may be on its way already (a verifier that failed
	 * meanwhile): it is dropped as a reply to an attempt left. */
	ws->abandoned = ws->attempt;
	ws->dialog = NULL;
	if (ws->state != WS_CLOSING)
		ws->state = WS_IDLE;
}

void
ws_on_idle_timeout(struct wsession *ws)
{
	leave(ws, REPLY_TIMED_OUT, "Idle timeout");
}

void
ws_on_client_gone(struct wsession *ws)
{
	/* Told already when the worker itself was leaving. */
	if (ws->state != WS_CLOSING)
		send_broker(ws, MSG_LEAVING, NULL);
	ws->state = WS_CLOSING;
}

int
ws_start(struct wsession *ws, const struct ipc_msg *assign)
{
	struct msg_assign m;

	if (ws->state != WS_GREETING || msg_read_assign(assign, &m) == -1)
		return -1;
	ws->idle_timeout_ms = m.idle_timeout_ms;
	ws->offer = m.offer;
	ws->front = (enum front_end)m.front;
	/* The broker has greeted the client already (listener.c). */
	ws->state = WS_IDLE;
	return 0;
}

static int
on_prompt(struct wsession *ws, const struct ipc_msg *in)
{
	struct msg_prompt m;

	if (msg_read_prompt(in, &m) == -1 || ws->dialog->show == NULL)
		return -1;
	ws->answers_expected = m.kind == PROMPT_SECRET ||
	    m.kind == PROMPT_VISIBLE ? 1 : 0;
	ws->data_expected = false;
	/* The state first: showing may end the session (a reply that does
	 * not fit, a front end's choice). */
	ws->state = WS_DIALOG;
	ws->dialog->show(ws, m.kind, m.text);
	return 0;
}

static int
on_round(struct wsession *ws, const struct ipc_msg *in)
{
	static struct msg_round m;

	if (msg_read_round(in, &m) == -1 || ws->dialog->show_round == NULL)
		return -1;
	ws->answers_expected = m.n;
	ws->data_expected = false;
	ws->state = WS_DIALOG;
	ws->dialog->show_round(ws, &m);
	return 0;
}

static int
on_data(struct wsession *ws, const struct ipc_msg *in)
{
	static struct msg_data m;

	if (msg_read_data(in, &m) == -1 || ws->dialog->show_data == NULL)
		return -1;
	ws->answers_expected = 0;
	ws->data_expected = true;
	ws->state = WS_DIALOG;
	ws->dialog->show_data(ws, &m);
	return 0;
}

/* "200 TEXT DATA": a success with the mechanism's final data, which the
 * client checks before it trusts the success (SASL's server-final). */
static void
reply_success_data(struct wsession *ws, const struct msg_reply *m)
{
	static char b64[BASE64_LEN(MECH_DATA_MAX) + 1];
	char text[CONV_MAX_TEXT];
	const char *words[2] = { text, b64 };

	snprintf(text, sizeof(text), "%s", m->text);
	name_text_sanitize(text);
	(void)base64_encode(m->final.bytes, m->final.len, b64, sizeof(b64));
	ws_reply_words(ws, (int)m->code, false, words, 2);
}

/* The outcome of a login or pass; 200 logs the connection in. */
static int
on_result(struct wsession *ws, const struct ipc_msg *in)
{
	static struct msg_reply m;

	if (msg_read_result(in, &m) == -1)
		return -1;
	/* 200 logs in only as the end of an authentication; it also
	 * acknowledges a context.  A session request's answer leaves the
	 * connection logged in.  The state first: replying may end the
	 * session. */
	ws->logged_in |= m.code == REPLY_OK && ws->dialog != NULL;
	ws->state = ws->logged_in ? WS_LOGGED_IN : WS_IDLE;
	ws->dialog = NULL;
	if (m.final.len > 0)
		reply_success_data(ws, &m);
	else
		ws_reply(ws, (int)m.code, m.text);
	return 0;
}

/* What may begin now: sent before the RESULT of a context or of a factor
 * that the chain follows with another. */
static int
on_offer(struct wsession *ws, const struct ipc_msg *in)
{
	struct msg_offer m;

	if (msg_read_offer(in, &m) == -1)
		return -1;
	memcpy(ws->chain_user, m.user, sizeof(ws->chain_user));
	ws->offer = m.mechs;
	return 0;
}

static int
on_close(struct wsession *ws, const struct ipc_msg *in)
{
	static struct msg_reply m;

	if (msg_read_close(in, &m) == -1)
		return -1;
	/* Closing first: a front end that holds replies sends this one. */
	ws->state = WS_CLOSING;
	ws_reply(ws, (int)m.code, m.text);
	return 0;
}

#define IN(s)	(1u << (s))

/* What the broker may send in which state; anything else is a bug. */
static const struct broker_msg {
	uint32_t type;
	unsigned states;
	int (*handle)(struct wsession *, const struct ipc_msg *);
} broker_msgs[] = {
	{ MSG_PROMPT, IN(WS_WAIT_BROKER), on_prompt },
	{ MSG_ROUND, IN(WS_WAIT_BROKER), on_round },
	{ MSG_DATA, IN(WS_WAIT_BROKER), on_data },
	{ MSG_OFFER, IN(WS_WAIT_BROKER), on_offer },
	/* An attempt may end while a prompt is out: its verifier failed. */
	{ MSG_RESULT, IN(WS_WAIT_BROKER) | IN(WS_DIALOG), on_result },
	{ MSG_CLOSE, IN(WS_IDLE) | IN(WS_WAIT_BROKER) | IN(WS_DIALOG) |
	    IN(WS_LOGGED_IN), on_close },
};

int
ws_on_broker(struct wsession *ws, const struct ipc_msg *m)
{
	size_t i;

	/* Sent for an attempt the client has since left (a new login, or
	 * one abandoned, crossed the broker's reply): nothing to show. */
	if (m->hdr.type != MSG_CLOSE && (m->hdr.peerid < ws->attempt ||
	    (ws->abandoned != 0 && m->hdr.peerid <= ws->abandoned)))
		return 0;
	for (i = 0; i < sizeof(broker_msgs) / sizeof(broker_msgs[0]); i++) {
		if (broker_msgs[i].type != m->hdr.type)
			continue;
		if (!(broker_msgs[i].states & IN(ws->state)) || m->fd != -1)
			return -1;
		return broker_msgs[i].handle(ws, m);
	}
	return -1;
}
