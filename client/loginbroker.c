/* loginbroker.c: the client library: one request at a time, resumable. */
#include "loginbroker.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "base64.h"
#include "gss_initiator.h"
#include "ipc_proto.h"
#include "line.h"
#include "mechs.h"
#include "reply.h"

#define MECHS_MAX	MECH_MAX
#define TEXT_MAX	(4 * CONV_MAX_TEXT)

enum phase {
	PH_GREETING,	/* the greeting is not read yet */
	PH_READY,
	PH_BROKEN,	/* a reply could not be parsed, or the broker left */
};

enum op {
	OP_NONE,
	OP_LSAUTH,
	OP_LOGIN,
	OP_CONTEXT,
};

enum step {
	STEP_START,
	STEP_SEND,
	STEP_READ,
};

struct lb_conn {
	int fd;
	bool nonblock;
	enum phase phase;
	enum op op;
	enum step step;
	short want;
	/* the reply being read */
	int code;
	size_t nlines;
	char text[TEXT_MAX];
	size_t nmechs;
	char mechs[MECHS_MAX][MECH_NAME_MAX];
	const char *mech_ptrs[MECHS_MAX];
	struct {			/* the round of a 305 reply */
		char name[CONV_MAX_TEXT];
		char instruction[ROUND_INSTRUCTION_MAX];
		int n;
		struct lb_kbdint_prompt prompts[ROUND_MAX_PROMPTS];
		char text[ROUND_MAX_PROMPTS][CONV_MAX_TEXT];
	} round;
	char data[BASE64_LEN(MECH_DATA_MAX) + 1];	/* a 300's word */
	struct lb_gss *gss;		/* a gssapi-with-mic login's */
	struct line_reader in;
	size_t outlen, outoff;
	char out[LINE_MAX_BYTES];
	char answers[ROUND_MAX_PROMPTS][CONV_MAX_ANSWER];
};

/* How a login answers 3xx replies: the caller's callback of either kind,
 * and the function that turns the current reply into a pass request;
 * data says whether it answers mechanism data (300) or prompts. */
struct answerer {
	int (*answer)(struct lb_conn *c, const struct answerer *a);
	bool data;
	lb_prompt_fn prompt;
	lb_kbdint_fn kbdint;
	void *arg;
};

struct lb_conn *
lb_open(const char *socket_path, int flags)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct lb_conn *c;
	int fd;

	if (strlen(socket_path) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	memcpy(sun.sun_path, socket_path, strlen(socket_path) + 1);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return NULL;
	/* A local connect completes at once: no need to make it resumable. */
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    ((flags & LB_NONBLOCK) && fcntl(fd, F_SETFL, O_NONBLOCK) == -1) ||
	    (c = calloc(1, sizeof(*c))) == NULL) {
		int saved = errno;

		close(fd);
		errno = saved;
		return NULL;
	}
	c->fd = fd;
	c->nonblock = (flags & LB_NONBLOCK) != 0;
	c->phase = PH_GREETING;
	c->want = POLLIN;
	line_reader_reset(&c->in);
	return c;
}

void
lb_close(struct lb_conn *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	lb_gss_free(c->gss);
	explicit_bzero(c, sizeof(*c));
	free(c);
}

int
lb_fd(const struct lb_conn *c)
{
	return c->fd;
}

short
lb_want(const struct lb_conn *c)
{
	return c->want;
}

int
lb_last_code(const struct lb_conn *c)
{
	return c->code;
}

const char *
lb_last_text(const struct lb_conn *c)
{
	return c->text;
}

static int
broken(struct lb_conn *c)
{
	c->phase = PH_BROKEN;
	c->op = OP_NONE;
	return LB_PROTOCOL_ERROR;
}

/* Queues a request line; the words are quoted as needed. */
static int
queue_request(struct lb_conn *c, const char *const *words, size_t n)
{
	struct line_out o;
	size_t i;

	line_out_init(&o, c->out, sizeof(c->out));
	for (i = 0; i < n; i++)
		line_out_word(&o, words[i]);
	if (!line_out_end(&o)) {
		explicit_bzero(c->out, sizeof(c->out));
		return LB_REFUSED;	/* too long, or CR/LF in a word */
	}
	c->outlen = o.len;
	c->outoff = 0;
	return LB_OK;
}

/* Writes the queued request; wipes it once sent (it may be a password). */
static int
send_request(struct lb_conn *c)
{
	ssize_t n;

	while (c->outoff < c->outlen) {
		n = send(c->fd, c->out + c->outoff, c->outlen - c->outoff,
		    MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			c->want = POLLOUT;
			return LB_EAGAIN;
		}
		if (n <= 0)
			return broken(c);
		c->outoff += (size_t)n;
	}
	explicit_bzero(c->out, c->outlen);
	c->outlen = c->outoff = 0;
	return LB_OK;
}

/* One tagged line of a round (doc/protocol.md): 0, or -1 if malformed. */
static int
take_round_line(struct lb_conn *c, const struct line_words *w)
{
	size_t len;

	if (c->nlines == 0)
		memset(&c->round, 0, sizeof(c->round));
	if (w->n != 2)
		return -1;
	if (strcmp(w->w[0], "name") == 0) {
		snprintf(c->round.name, sizeof(c->round.name), "%s", w->w[1]);
	} else if (strcmp(w->w[0], "instruction") == 0) {
		len = strlen(c->round.instruction);
		snprintf(c->round.instruction + len,
		    sizeof(c->round.instruction) - len, "%s%s",
		    len > 0 ? "\n" : "", w->w[1]);
	} else if (strcmp(w->w[0], "echo") == 0 ||
	    strcmp(w->w[0], "noecho") == 0) {
		if (c->round.n == ROUND_MAX_PROMPTS)
			return -1;
		snprintf(c->round.text[c->round.n], CONV_MAX_TEXT, "%s",
		    w->w[1]);
		c->round.prompts[c->round.n].text = c->round.text[c->round.n];
		c->round.prompts[c->round.n++].echo = w->w[0][0] == 'e';
	} else {
		return -1;
	}
	return 0;
}

/* Adds one reply line to the reply being read: 1 when it was the last
 * line, 0 when more follow, -1 when it is malformed. */
static int
take_line(struct lb_conn *c, const char *line, size_t len)
{
	static struct line_words words;
	int code;
	size_t i, tl;

	if (len < 3 || line[0] < '1' || line[0] > '5' || line[1] < '0' ||
	    line[1] > '9' || line[2] < '0' || line[2] > '9' ||
	    (len > 3 && line[3] != ' ' && line[3] != '-'))
		return -1;
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (c->nlines > 0 && code != c->code)
		return -1;
	if (line_split(len > 4 ? line + 4 : "", len > 4 ? len - 4 : 0,
	    &words) != LINE_OK)
		return -1;
	if (c->nlines == 0) {
		c->text[0] = '\0';
		c->data[0] = '\0';
		c->nmechs = 0;
	}
	c->code = code;
	/* Lines of a reply are lines of its text; a list reply (lsauth) has
	 * one name per line. */
	tl = strlen(c->text);
	if (c->nlines > 0 && tl + 1 < sizeof(c->text))
		c->text[tl++] = '\n';
	for (i = 0; i < words.n; i++) {
		snprintf(c->text + tl, sizeof(c->text) - tl, "%s%s",
		    i > 0 ? " " : "", words.w[i]);
		tl = strlen(c->text);
	}
	/* Mechanism data: one line, one word, no longer than a step's. */
	if (code == REPLY_DATA && (c->nlines > 0 || words.n != 1 ||
	    strlen(words.w[0]) >= sizeof(c->data) || line[3] != ' '))
		return -1;
	if (code == REPLY_DATA)
		memcpy(c->data, words.w[0], strlen(words.w[0]) + 1);
	if (words.n == 1 && c->nmechs < MECHS_MAX)
		snprintf(c->mechs[c->nmechs++], MECH_NAME_MAX, "%s",
		    words.w[0]);
	if (code == REPLY_ROUND && take_round_line(c, &words) == -1)
		return -1;
	c->nlines++;
	explicit_bzero(words.store, sizeof(words.store));
	return len > 3 && line[3] == '-' ? 0 : 1;
}

/* Reads until a whole reply is in c->code and c->text. */
static int
read_reply(struct lb_conn *c)
{
	enum line_status st;
	const char *line;
	size_t len, room;
	char *space;
	ssize_t n;
	int rc;

	for (;;) {
		st = line_reader_next(&c->in, &line, &len);
		if (st == LINE_OK) {
			if ((rc = take_line(c, line, len)) == -1)
				return broken(c);
			if (rc == 1) {
				c->nlines = 0;
				return LB_OK;
			}
			continue;
		}
		if (st != LINE_NEED_MORE)
			return broken(c);
		space = line_reader_space(&c->in, &room);
		n = recv(c->fd, space, room, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			c->want = POLLIN;
			return LB_EAGAIN;
		}
		if (n <= 0)
			return broken(c);
		line_reader_added(&c->in, (size_t)n);
	}
}

/* What a final reply means to the caller. */
static int
status_of(int code)
{
	switch (code) {
	case REPLY_OK:
		return LB_OK;
	case REPLY_PARTIAL:
		return LB_PARTIAL;
	case REPLY_AUTH_FAILED:
	case REPLY_TOO_MANY_ATTEMPTS:
	case REPLY_PASSWORD_EXPIRED:
	case REPLY_ACCOUNT_DISABLED:
	case REPLY_LOCKED_OUT:
		return LB_DENIED;
	case REPLY_SYSTEM_ERROR:
	case REPLY_TIMED_OUT:
	case REPLY_BUSY:
		return LB_UNAVAILABLE;
	default:
		return code >= 500 ? LB_REFUSED : LB_PROTOCOL_ERROR;
	}
}

/* Reads the greeting once per connection. */
static int
greet(struct lb_conn *c)
{
	int rc;

	if (c->phase == PH_READY)
		return LB_OK;
	if (c->phase == PH_BROKEN)
		return LB_PROTOCOL_ERROR;
	if ((rc = read_reply(c)) != LB_OK)
		return rc;
	if (c->code == REPLY_GREETING) {
		c->phase = PH_READY;
		return LB_OK;
	}
	/* A refusal instead of the greeting (502, 511): no service here. */
	c->phase = PH_BROKEN;
	return c->code >= 500 ? LB_UNAVAILABLE : LB_PROTOCOL_ERROR;
}

/* Runs the send/read steps of the current request: LB_OK when a whole
 * reply is in. */
static int
exchange(struct lb_conn *c)
{
	int rc;

	if (c->step == STEP_SEND) {
		if ((rc = send_request(c)) != LB_OK)
			return rc;
		c->step = STEP_READ;
	}
	return read_reply(c);
}

/* Starts op, or checks that the caller resumes the op in progress. */
static int
begin_op(struct lb_conn *c, enum op op)
{
	int rc;

	if ((rc = greet(c)) != LB_OK)
		return rc;
	if (c->op != OP_NONE && c->op != op)
		return LB_REFUSED;
	if (c->op == OP_NONE) {
		c->op = op;
		c->step = STEP_START;
	}
	return LB_OK;
}

static int
end_op(struct lb_conn *c, int rc)
{
	if (rc != LB_EAGAIN) {
		c->op = OP_NONE;
		c->want = POLLIN;
	}
	return rc;
}

static int mech_list(struct lb_conn *c, const char *const **names,
    size_t *n);

int
lb_list_mechanisms(struct lb_conn *c, const char *const **names, size_t *n)
{
	static const char *const verb[] = { "lsauth" };
	int rc;

	if ((rc = begin_op(c, OP_LSAUTH)) != LB_OK)
		return rc;
	if (c->step == STEP_START) {
		queue_request(c, verb, 1);
		c->step = STEP_SEND;
	}
	if ((rc = exchange(c)) != LB_OK)
		return end_op(c, rc);
	if (c->code == REPLY_GREETING)
		c->nmechs = 0;		/* 201: none available */
	else if (c->code != REPLY_OK)
		return end_op(c, status_of(c->code));
	return end_op(c, mech_list(c, names, n));
}

/* The one-name lines of the last reply (lsauth, 306) as a list. */
static int
mech_list(struct lb_conn *c, const char *const **names, size_t *n)
{
	size_t i;

	for (i = 0; i < c->nmechs; i++)
		c->mech_ptrs[i] = c->mechs[i];
	*names = c->mech_ptrs;
	*n = c->nmechs;
	return LB_OK;
}

int
lb_next_mechanisms(struct lb_conn *c, const char *const **names, size_t *n)
{
	if (c->code != REPLY_PARTIAL || c->op != OP_NONE)
		return LB_REFUSED;
	return mech_list(c, names, n);
}

int
lb_set_context(struct lb_conn *c, const char *address,
    const char *remote_user)
{
	const char *words[3] = { "context", address, remote_user };
	int rc;

	if ((rc = begin_op(c, OP_CONTEXT)) != LB_OK)
		return rc;
	if (c->step == STEP_START) {
		if ((rc = queue_request(c, words, remote_user != NULL ? 3 : 2))
		    != LB_OK)
			return end_op(c, rc);
		c->step = STEP_SEND;
	}
	if ((rc = exchange(c)) != LB_OK)
		return end_op(c, rc);
	return end_op(c, status_of(c->code));
}

/* Queues "pass" with the first n answers, then wipes them. */
static int
queue_answers(struct lb_conn *c, size_t n)
{
	const char *words[1 + ROUND_MAX_PROMPTS] = { "pass" };
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		words[1 + i] = c->answers[i];
	rc = queue_request(c, words, 1 + n);
	explicit_bzero(c->answers, sizeof(c->answers));
	return rc;
}

/* Asks the prompt callback for one message or prompt: 0 or -1. */
static int
ask(lb_prompt_fn prompt, void *arg, enum lb_prompt_kind kind,
    const char *text, char *answer)
{
	struct lb_prompt p = { kind, text, kind == LB_PROMPT_VISIBLE };

	answer[0] = '\0';
	if (prompt(&p, answer, CONV_MAX_ANSWER, arg) == -1)
		return -1;
	answer[CONV_MAX_ANSWER - 1] = '\0';
	return 0;
}

/* lb_login: one callback per message, and per prompt of a round. */
static int
answer_prompts(struct lb_conn *c, const struct answerer *a)
{
	static const enum lb_prompt_kind kinds[] = {
		[REPLY_PROMPT_SECRET - 300] = LB_PROMPT_SECRET,
		[REPLY_PROMPT_VISIBLE - 300] = LB_PROMPT_VISIBLE,
		[REPLY_INFO - 300] = LB_PROMPT_INFO,
		[REPLY_ERROR_INFO - 300] = LB_PROMPT_ERROR,
	};
	lb_prompt_fn prompt = a->prompt;
	void *arg = a->arg;
	char heading[CONV_MAX_TEXT + ROUND_INSTRUCTION_MAX + 2];
	enum lb_prompt_kind kind;
	int i;

	if (c->code != REPLY_ROUND) {
		kind = kinds[c->code - 300];
		if (ask(prompt, arg, kind, c->text, c->answers[0]) == -1)
			return LB_ABORTED;
		return queue_answers(c, kind == LB_PROMPT_SECRET ||
		    kind == LB_PROMPT_VISIBLE ? 1 : 0);
	}
	snprintf(heading, sizeof(heading), "%s%s%s", c->round.name,
	    c->round.name[0] != '\0' && c->round.instruction[0] != '\0' ?
	    "\n" : "", c->round.instruction);
	if (heading[0] != '\0' &&
	    ask(prompt, arg, LB_PROMPT_INFO, heading, c->answers[0]) == -1)
		return LB_ABORTED;
	for (i = 0; i < c->round.n; i++)
		if (ask(prompt, arg, c->round.prompts[i].echo ?
		    LB_PROMPT_VISIBLE : LB_PROMPT_SECRET,
		    c->round.prompts[i].text, c->answers[i]) == -1)
			return LB_ABORTED;
	return queue_answers(c, (size_t)c->round.n);
}

/* lb_login_kbdint: one callback per round; a single prompt or message
 * (301-304) comes as a round of one prompt or none. */
static int
answer_round(struct lb_conn *c, const struct answerer *a)
{
	struct lb_kbdint_response responses[ROUND_MAX_PROMPTS];
	int i, rc;

	if (c->code != REPLY_ROUND) {
		memset(&c->round, 0, sizeof(c->round));
		if (c->code == REPLY_PROMPT_SECRET ||
		    c->code == REPLY_PROMPT_VISIBLE) {
			c->round.n = 1;
			c->round.prompts[0].text = c->text;
			c->round.prompts[0].echo =
			    c->code == REPLY_PROMPT_VISIBLE;
		} else {
			snprintf(c->round.instruction,
			    sizeof(c->round.instruction), "%s", c->text);
		}
	}
	memset(responses, 0, sizeof(responses));
	rc = a->kbdint(c->round.name, c->round.instruction, c->round.n,
	    c->round.prompts, responses, a->arg);
	for (i = 0; i < c->round.n; i++) {
		if (responses[i].text == NULL)
			continue;
		if (rc == 0)
			snprintf(c->answers[i], CONV_MAX_ANSWER, "%s",
			    responses[i].text);
		explicit_bzero(responses[i].text, strlen(responses[i].text));
		free(responses[i].text);
	}
	if (rc == -1) {
		explicit_bzero(c->answers, sizeof(c->answers));
		return LB_ABORTED;
	}
	return queue_answers(c, (size_t)c->round.n);
}

static int
login(struct lb_conn *c, const char *mech, const char *user,
    const struct answerer *a)
{
	const char *words[3] = { "login", mech, user };
	int rc;

	if ((rc = begin_op(c, OP_LOGIN)) != LB_OK)
		return rc;
	if (c->step == STEP_START) {
		if ((rc = queue_request(c, words, 3)) != LB_OK)
			return end_op(c, rc);
		c->step = STEP_SEND;
	}
	for (;;) {
		if ((rc = exchange(c)) != LB_OK)
			return end_op(c, rc);
		if (c->code < REPLY_DATA || c->code > REPLY_ROUND)
			return end_op(c, status_of(c->code));
		if ((c->code == REPLY_DATA) != a->data)
			return end_op(c, broken(c));
		if ((rc = a->answer(c, a)) != LB_OK)
			return end_op(c, rc);
		c->step = STEP_SEND;
	}
}

int
lb_login(struct lb_conn *c, const char *mech, const char *user,
    lb_prompt_fn prompt, void *arg)
{
	struct answerer a = { answer_prompts, false, prompt, NULL, arg };

	return login(c, mech, user, &a);
}

int
lb_login_kbdint(struct lb_conn *c, const char *user, lb_kbdint_fn kbdint,
    void *arg)
{
	struct answerer a = { answer_round, false, NULL, kbdint, arg };

	return login(c, "keyboard-interactive", user, &a);
}

/* What a gssapi-with-mic login needs across its steps. */
struct gss_args {
	const char *user;
	const char *target_host;
	int flags;
};

/* One data step's buffers: too large for a caller's stack. */
struct data_step {
	uint8_t in[MECH_DATA_MAX], out[MECH_DATA_MAX];
	char b64[BASE64_LEN(MECH_DATA_MAX) + 1];
};

/* The broker's data through the initiator, the client's back in
 * "pass DATA"; why it failed, if it does, as the last text. */
static int
step_data(struct lb_conn *c, const struct gss_args *g, struct data_step *d)
{
	const char *words[2] = { "pass", d->b64 };
	ssize_t inlen, outlen;

	if (c->gss == NULL && (c->gss = lb_gss_new(g->target_host,
	    (g->flags & LB_DELEGATE) != 0, c->text, sizeof(c->text))) == NULL)
		return LB_ABORTED;
	if ((inlen = base64_decode(strcmp(c->data, "=") == 0 ? "" : c->data,
	    d->in, sizeof(d->in))) == -1)
		return broken(c);
	if ((outlen = lb_gss_step(c->gss, g->user, d->in, (size_t)inlen,
	    d->out, sizeof(d->out), c->text, sizeof(c->text))) == -1)
		return LB_ABORTED;
	if (outlen == 0)
		snprintf(d->b64, sizeof(d->b64), "=");
	else
		(void)base64_encode(d->out, (size_t)outlen, d->b64,
		    sizeof(d->b64));
	return queue_request(c, words, 2);
}

static int
answer_data(struct lb_conn *c, const struct answerer *a)
{
	struct data_step *d;
	int rc;

	if ((d = malloc(sizeof(*d))) == NULL)
		return LB_ABORTED;
	rc = step_data(c, a->arg, d);
	explicit_bzero(d, sizeof(*d));
	free(d);
	return rc;
}

int
lb_login_gssapi(struct lb_conn *c, const char *user, const char *target_host,
    int flags)
{
	struct gss_args g = { user, target_host, flags };
	struct answerer a = { answer_data, true, NULL, NULL, &g };
	int rc;

	rc = login(c, mech_name(MECH_GSSAPI), user, &a);
	if (rc == LB_EAGAIN)
		return rc;
	/* A success is believed only once the broker proved itself
	 * (mutual authentication) and took the MIC. */
	if ((rc == LB_OK || rc == LB_PARTIAL) && !lb_gss_done(c->gss))
		rc = broken(c);
	lb_gss_free(c->gss);
	c->gss = NULL;
	return rc;
}

const char *
lb_strerror(int status)
{
	switch (status) {
	case LB_OK:
		return "success";
	case LB_EAGAIN:
		return "would block";
	case LB_DENIED:
		return "authentication failed";
	case LB_UNAVAILABLE:
		return "service unavailable";
	case LB_PROTOCOL_ERROR:
		return "protocol error";
	case LB_REFUSED:
		return "request refused";
	case LB_ABORTED:
		return "aborted";
	case LB_PARTIAL:
		return "partial success: another factor is needed";
	default:
		return "unknown status";
	}
}
