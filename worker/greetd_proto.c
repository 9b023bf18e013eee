/* SPDX-License-Identifier: ISC */
/*
 * greetd_proto.c: greetd's IPC (greetd-ipc(7)) for greeters, spoken over
 * the line protocol's own session state machine (client_proto.c): each
 * greeter request becomes the requests a line client would send, and
 * each reply of the session becomes greetd's, so the broker checks and
 * decides exactly as it does for line clients.
 *
 *   create_session            login MECH USER (the first mechanism
 *                             offered that prompts: password, totp, ...)
 *   auth_message              each prompt or message (301-304), or each
 *                             piece of a keyboard-interactive round (305)
 *   post_auth_message_response  its answer; the last one of a round or
 *                             message sends pass ANSWERS
 *   306                       login NEXT-MECH USER, unasked
 *   start_session             session env N=V..., session open, session
 *                             start CMD
 *   cancel_session            the prompt abandoned, or the connection ended
 *
 * One request, one reply, strictly alternating: a reply the session sends
 * unasked while the greeter owes an answer is held for its next request.
 */
#include "front.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "greetd_msg.h"
#include "mechs.h"
#include "reply.h"

/* A request's length word, then its JSON. */
#define LEN_WORD	sizeof(uint32_t)
/* A round's pieces: its name, its instruction, its prompts. */
#define MESSAGES_MAX	(ROUND_MAX_PROMPTS + 2)
#define MESSAGE_TEXT	(ROUND_INSTRUCTION_MAX + CONV_MAX_TEXT)

enum gstate {
	GS_IDLE,	/* no login in progress: create_session */
	GS_BUSY,	/* a request of ours is with the session */
	GS_ASKING,	/* an auth_message is out: its response */
	GS_LOGGED_IN,	/* start_session */
	GS_STARTED,	/* the user's session runs: nothing more to do */
};

/* What the request with the session is: its reply is taken for it. */
enum job {
	JOB_LOGIN,	/* login or pass: a prompt, 306, the outcome */
	JOB_SESSION,	/* a step of start_session */
};

/* Something to send the session without waiting for the greeter. */
enum due {
	DUE_NONE,
	DUE_LOGIN,	/* the next factor of a chain (306) */
	DUE_PASS,	/* a round with nothing to show */
	DUE_STEP,	/* the next step of start_session */
};

struct message {
	enum prompt_kind kind;
	char text[MESSAGE_TEXT];
};

static struct {
	enum gstate state;
	enum job job;
	enum due due;
	char user[USER_NAME_MAX];
	/* The reply in progress: its lines' text, and for 301-305 the
	 * messages it becomes. */
	int code;
	char text[MESSAGE_TEXT];
	size_t nmsg, next;
	struct message msg[MESSAGES_MAX];
	bool instruction_open;	/* a round's instruction takes more lines */
	/* The greeter's answers to the prompts shown so far (secrets). */
	size_t nanswers;
	char answer[ROUND_MAX_PROMPTS][CONV_MAX_ANSWER + 1];
	/* start_session: its variables, its command in words, the step. */
	struct greetd_request start;
	size_t step;
	size_t ncmd;
	char *cmd[SESSION_ARGV_MAX];
	bool opened;		/* session open succeeded */
	/* An outcome that came while the greeter owed an answer. */
	bool held;
	enum greetd_reply_type held_type;
	char held_text[CONV_MAX_TEXT];
} g;

static struct {
	size_t len;
	char buf[LEN_WORD + GREETD_FRAME_MAX];
} in;

/* Queues one reply frame; one that does not fit ends the connection (a
 * bug: out holds the longest). */
static void
put(struct wsession *ws, enum greetd_reply_type type, enum prompt_kind kind,
    const char *text)
{
	size_t n;

	n = ws->out_full ? 0 : greetd_put_reply(ws->out + ws->outlen,
	    sizeof(ws->out) - ws->outlen, type, kind, text);
	if (n == 0) {
		ws->out_full = true;
		ws->state = WS_CLOSING;
		return;
	}
	ws->outlen += n;
}

static void
put_error(struct wsession *ws, const char *text)
{
	put(ws, GREETD_ERROR, PROMPT_INFO, text);
}

static void
wipe_answers(void)
{
	explicit_bzero(g.answer, sizeof(g.answer));
	g.nanswers = 0;
}

/* Sends the session a request of words (wiped after: they may be
 * answers), for job. */
static void
ask_session(struct wsession *ws, enum job job, char **words, size_t n)
{
	struct line_words req;
	size_t i;

	memset(&req, 0, sizeof(req));
	for (i = 0; i < n; i++)
		req.w[i] = words[i];
	req.n = n;
	g.state = GS_BUSY;
	g.job = job;
	ws_request(ws, &req);
}

/* The first mechanism offered now that prompts a person, which a
 * greeter can show; NULL when there is none. */
static const char *
prompting_mech(const struct wsession *ws)
{
	size_t i;

	for (i = 0; i < ws->offer.n; i++)
		if (mech_name_prompts_person(ws->offer.name[i]))
			return ws->offer.name[i];
	return NULL;
}

static void
begin_login(struct wsession *ws)
{
	char *words[3] = { "login", NULL, g.user };
	const char *mech = prompting_mech(ws);

	if (mech == NULL) {
		g.state = GS_IDLE;
		put_error(ws, "No mechanism a greeter can answer");
		return;
	}
	words[1] = (char *)mech;
	ask_session(ws, JOB_LOGIN, words, 3);
}

/* pass with the answers collected, one per prompt shown. */
static void
send_answers(struct wsession *ws)
{
	char *words[1 + ROUND_MAX_PROMPTS] = { "pass" };
	size_t i;

	for (i = 0; i < g.nanswers; i++)
		words[1 + i] = g.answer[i];
	ask_session(ws, JOB_LOGIN, words, 1 + g.nanswers);
	wipe_answers();
}

/* The next step of start_session: each variable, the open (once), the
 * start. */
static void
session_step(struct wsession *ws)
{
	char *words[2 + SESSION_ARGV_MAX] = { "session" };
	size_t i;

	if (g.step < g.start.nenv) {
		words[1] = "env";
		words[2] = g.start.env[g.step];
		ask_session(ws, JOB_SESSION, words, 3);
		return;
	}
	if (!g.opened) {
		words[1] = "open";
		ask_session(ws, JOB_SESSION, words, 2);
		return;
	}
	words[1] = "start";
	for (i = 0; i < g.ncmd; i++)
		words[2 + i] = g.cmd[i];
	ask_session(ws, JOB_SESSION, words, 2 + g.ncmd);
}

static void
show_next(struct wsession *ws)
{
	const struct message *m = &g.msg[g.next];

	g.state = GS_ASKING;
	put(ws, GREETD_AUTH_MESSAGE, m->kind, m->text);
}

/* Appends a line of text to buf[cap], a newline between lines. */
static void
append(char *buf, size_t cap, const char *line)
{
	size_t len = strlen(buf);

	snprintf(buf + len, cap - len, "%s%s", len > 0 ? "\n" : "", line);
}

static struct message *
new_message(enum prompt_kind kind)
{
	struct message *m;

	if (g.nmsg == MESSAGES_MAX)
		return NULL;
	m = &g.msg[g.nmsg++];
	m->kind = kind;
	m->text[0] = '\0';
	return m;
}

/* One tagged line of a round: its name and instruction are shown as
 * info, each prompt as secret or visible. */
static void
take_round_line(const char *tag, const char *text)
{
	struct message *m;
	bool instruction = strcmp(tag, "instruction") == 0;

	if (text[0] == '\0' && !strcmp(tag, "name"))
		return;
	if (instruction && g.instruction_open && g.nmsg > 0) {
		append(g.msg[g.nmsg - 1].text, MESSAGE_TEXT, text);
		return;
	}
	if (instruction && text[0] == '\0')
		return;
	if ((m = new_message(strcmp(tag, "echo") == 0 ? PROMPT_VISIBLE :
	    strcmp(tag, "noecho") == 0 ? PROMPT_SECRET : PROMPT_INFO)) == NULL)
		return;
	append(m->text, MESSAGE_TEXT, text);
	g.instruction_open = instruction;
}

/* A prompt or message (301-304), line by line. */
static void
take_message_line(int code, const char *text)
{
	static const enum prompt_kind kinds[] = {
		PROMPT_SECRET, PROMPT_VISIBLE, PROMPT_INFO, PROMPT_ERROR,
	};

	if (g.nmsg == 0 && new_message(kinds[code - REPLY_PROMPT_SECRET]) ==
	    NULL)
		return;
	append(g.msg[0].text, MESSAGE_TEXT, text);
}

/* A failure is the greeter's auth_error (it asks again) when the person
 * can do something about it, else an error. */
static enum greetd_reply_type
failure_type(int code)
{
	switch (code) {
	case REPLY_AUTH_FAILED:
	case REPLY_TOO_MANY_ATTEMPTS:
	case REPLY_PASSWORD_EXPIRED:
	case REPLY_ACCOUNT_DISABLED:
	case REPLY_LOCKED_OUT:
		return GREETD_AUTH_ERROR;
	default:
		return GREETD_ERROR;
	}
}

/* An outcome for the greeter: now, or when it next asks, if it owes an
 * answer to a prompt shown (the connection closing: now). */
static void
tell_outcome(struct wsession *ws, enum greetd_reply_type type,
    const char *text)
{
	if (g.state == GS_ASKING && ws->state != WS_CLOSING) {
		g.held = true;
		g.held_type = type;
		snprintf(g.held_text, sizeof(g.held_text), "%s", text);
		return;
	}
	put(ws, type, PROMPT_INFO, text);
}

/* A prompt, a message or a round: shown one message at a time. */
static void
on_prompts(struct wsession *ws)
{
	g.next = 0;
	wipe_answers();
	if (g.nmsg == 0) {
		/* A round of nothing: answered at once, with nothing. */
		g.state = GS_BUSY;
		g.due = DUE_PASS;
		return;
	}
	show_next(ws);
}

/* A failure after the first factor ends the connection: the chain
 * cannot begin again on it (doc/protocol.md, "Partial success"), and what
 * one person left half done must not pass to the next at the greeter. */
static void
on_login_outcome(struct wsession *ws, int code)
{
	wipe_answers();
	if (code == REPLY_PARTIAL) {
		g.state = GS_BUSY;
		g.due = DUE_LOGIN;
		return;
	}
	if (code == REPLY_OK) {
		g.state = GS_LOGGED_IN;
		put(ws, GREETD_SUCCESS, PROMPT_INFO, "");
		return;
	}
	if (ws->chain_user[0] != '\0' && ws->state != WS_CLOSING)
		ws_leave(ws);
	tell_outcome(ws, failure_type(code), g.text);
	g.state = GS_IDLE;
}

static void
on_session_outcome(struct wsession *ws, int code)
{
	if (code != REPLY_OK) {
		g.state = GS_LOGGED_IN;
		put_error(ws, g.text);
		return;
	}
	if (g.step < g.start.nenv) {
		g.step++;
	} else if (!g.opened) {
		g.opened = true;
	} else {
		g.state = GS_STARTED;
		put(ws, GREETD_SUCCESS, PROMPT_INFO, "");
		return;
	}
	g.due = DUE_STEP;
}

/* A whole reply of the session, for the request of ours it answers. */
static void
on_reply_done(struct wsession *ws, int code)
{
	bool prompts = code >= REPLY_PROMPT_SECRET && code <= REPLY_ROUND;

	if (prompts && g.job == JOB_LOGIN && g.state == GS_BUSY)
		on_prompts(ws);
	else if (prompts)
		tell_outcome(ws, GREETD_ERROR, "Unexpected prompt");
	else if (g.job == JOB_SESSION && g.state == GS_BUSY)
		on_session_outcome(ws, code);
	else
		on_login_outcome(ws, code);
	explicit_bzero(g.text, sizeof(g.text));
}

/* Each reply line of the session (client_proto.h's ws_reply_fn): a
 * reply's lines are gathered, and the whole becomes greetd's. */
static void
on_reply_line(struct wsession *ws, int code, bool more,
    const char *const *words, size_t n)
{
	const char *text = n > 0 ? words[0] : "";

	if (g.code == 0) {
		g.code = code;
		g.nmsg = 0;
		g.instruction_open = false;
		g.text[0] = '\0';
	}
	if (code == REPLY_ROUND && n == 2)
		take_round_line(words[0], words[1]);
	else if (code >= REPLY_PROMPT_SECRET && code <= REPLY_ERROR_INFO)
		take_message_line(code, text);
	else
		append(g.text, sizeof(g.text), text);
	if (more)
		return;
	g.code = 0;
	on_reply_done(ws, code);
}

static void
req_create(struct wsession *ws, const struct greetd_request *r)
{
	if (g.state == GS_LOGGED_IN || g.state == GS_STARTED) {
		put_error(ws, "Already logged in");
		return;
	}
	snprintf(g.user, sizeof(g.user), "%s", r->username);
	/* A login in progress is abandoned (counted) before the new one,
	 * which may yet be refused on the spot (an invalid name). */
	ws_abandon(ws);
	wipe_answers();
	begin_login(ws);
}

static void
req_response(struct wsession *ws, const struct greetd_request *r)
{
	const struct message *m;

	if (g.state != GS_ASKING) {
		put_error(ws, "No authentication message is pending");
		return;
	}
	m = &g.msg[g.next++];
	if (m->kind == PROMPT_SECRET || m->kind == PROMPT_VISIBLE)
		memcpy(g.answer[g.nanswers++], r->has_response ? r->response :
		    "", r->has_response ? strlen(r->response) + 1 : 1);
	if (g.next < g.nmsg)
		show_next(ws);
	else
		send_answers(ws);
}

/* greetd runs cmd as one shell line; here it is words at blanks, run
 * without a shell: its first word an absolute path the policy names
 * (session-command), or none for the login shell. */
static int
split_cmd(struct greetd_request *r)
{
	size_t i;
	char *p, *save;

	g.ncmd = 0;
	for (i = 0; i < r->ncmd; i++)
		for (p = strtok_r(r->cmd[i], " \t", &save); p != NULL;
		    p = strtok_r(NULL, " \t", &save)) {
			if (g.ncmd == SESSION_ARGV_MAX)
				return -1;
			g.cmd[g.ncmd++] = p;
		}
	return 0;
}

static void
req_start(struct wsession *ws, const struct greetd_request *r)
{
	if (g.state != GS_LOGGED_IN) {
		put_error(ws, g.state == GS_STARTED ? "The session has started" :
		    "Not logged in");
		return;
	}
	g.start = *r;
	if (split_cmd(&g.start) == -1) {
		put_error(ws, "cmd: too many words");
		return;
	}
	/* Again after a refused start: the session is open, with the
	 * variables of the first. */
	g.step = g.opened ? g.start.nenv : 0;
	session_step(ws);
}

/* Cancels the login: at its first factor the connection begins again;
 * past it, or logged in, the connection ends. */
static void
req_cancel(struct wsession *ws, const struct greetd_request *r)
{
	put(ws, GREETD_SUCCESS, PROMPT_INFO, "");
	ws_abandon(ws);
	wipe_answers();
	g.held = false;
	if (g.state == GS_LOGGED_IN || g.state == GS_STARTED ||
	    ws->chain_user[0] != '\0')
		ws_leave(ws);
	g.state = GS_IDLE;
}

static const struct {
	enum greetd_type type;
	void (*handle)(struct wsession *, const struct greetd_request *);
} requests[] = {
	{ GREETD_CREATE_SESSION, req_create },
	{ GREETD_POST_RESPONSE, req_response },
	{ GREETD_START_SESSION, req_start },
	{ GREETD_CANCEL_SESSION, req_cancel },
};

/* One whole request: a held outcome answers it instead (cancel_session
 * still cancels), else its handler. */
static void
on_request(struct wsession *ws, const char *json, size_t len)
{
	static struct greetd_request r;
	const char *why;
	size_t i;

	if (greetd_parse(json, len, &r, &why) == -1) {
		put_error(ws, why);
	} else if (g.held && r.type != GREETD_CANCEL_SESSION) {
		put(ws, g.held_type, PROMPT_INFO, g.held_text);
		g.held = false;
	} else {
		for (i = 0; i < sizeof(requests) / sizeof(requests[0]); i++)
			if (requests[i].type == r.type)
				requests[i].handle(ws, &r);
	}
	explicit_bzero(&r, sizeof(r));
}

/* A step of our own that is due, run before any request is read. */
static void
run_due(struct wsession *ws)
{
	enum due due = g.due;

	g.due = DUE_NONE;
	if (due == DUE_LOGIN)
		begin_login(ws);
	else if (due == DUE_PASS)
		send_answers(ws);
	else
		session_step(ws);
}

static bool
greetd_handle(struct wsession *ws)
{
	uint32_t len;

	if (g.due != DUE_NONE) {
		run_due(ws);
		return true;
	}
	if (in.len < LEN_WORD)
		return false;
	memcpy(&len, in.buf, LEN_WORD);
	if (len > GREETD_FRAME_MAX) {
		/* No way to find the next request: the end. */
		put_error(ws, "Message too long");
		in.len = 0;
		ws_leave(ws);
		return true;
	}
	if (in.len < LEN_WORD + len)
		return false;
	on_request(ws, in.buf + LEN_WORD, len);
	in.len -= LEN_WORD + len;
	memmove(in.buf, in.buf + LEN_WORD + len, in.len);
	explicit_bzero(in.buf + in.len, LEN_WORD + len);
	return true;
}

/* Nobody at the greeter yet: its connection waits without a clock. */
static bool
greetd_idle_clock(const struct wsession *ws)
{
	return g.state != GS_IDLE || ws->chain_user[0] != '\0';
}

static void
greetd_start(struct wsession *ws)
{
	memset(&g, 0, sizeof(g));
	in.len = 0;
	ws->reply_to = on_reply_line;
}

static char *
greetd_space(size_t *room)
{
	*room = sizeof(in.buf) - in.len;
	return in.buf + in.len;
}

static void
greetd_added(size_t n)
{
	in.len += n;
}

static void
greetd_reset(void)
{
	explicit_bzero(&in, sizeof(in));
	explicit_bzero(&g, sizeof(g));
}

const struct front front_greetd = {
	.start = greetd_start,
	.space = greetd_space,
	.added = greetd_added,
	.handle = greetd_handle,
	.idle_clock = greetd_idle_clock,
	.reset = greetd_reset,
	.takes_fds = false,
};
