/* SPDX-License-Identifier: ISC */
/* loginbroker.c: the client library's requests and replies: one at a
 * time, resumable. */
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

#include "conn.h"
#include "reply.h"

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
	login_end(c);
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

int
conn_broken(struct lb_conn *c)
{
	c->phase = PH_BROKEN;
	c->op = OP_NONE;
	return LB_PROTOCOL_ERROR;
}

int
conn_queue(struct lb_conn *c, const char *const *words, size_t n)
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
	c->nout_fds = 0;
	c->step = STEP_SEND;
	return LB_OK;
}

int
conn_queue_fds(struct lb_conn *c, const char *const *words, size_t n,
    const int *fds, size_t nfds)
{
	int rc;

	if (nfds > SESSION_FDS_MAX)
		return LB_REFUSED;
	if ((rc = conn_queue(c, words, n)) != LB_OK)
		return rc;
	if (nfds > 0)
		memcpy(c->out_fds, fds, nfds * sizeof(int));
	c->nout_fds = nfds;
	return LB_OK;
}

/* Writes from the queued request, its descriptors with the first byte:
 * what send(2) returns. */
static ssize_t
send_some(struct lb_conn *c)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(SESSION_FDS_MAX * sizeof(int))];
	} cmsg;
	struct iovec iov = { c->out + c->outoff, c->outlen - c->outoff };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cm;

	if (c->outoff > 0 || c->nout_fds == 0)
		return send(c->fd, iov.iov_base, iov.iov_len, MSG_NOSIGNAL);
	memset(&cmsg, 0, sizeof(cmsg));
	mh.msg_control = cmsg.buf;
	mh.msg_controllen = CMSG_SPACE(c->nout_fds * sizeof(int));
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(c->nout_fds * sizeof(int));
	memcpy(CMSG_DATA(cm), c->out_fds, c->nout_fds * sizeof(int));
	return sendmsg(c->fd, &mh, MSG_NOSIGNAL);
}

/* Writes the queued request; wipes it once sent (it may be a password). */
static int
send_request(struct lb_conn *c)
{
	ssize_t n;

	while (c->outoff < c->outlen) {
		n = send_some(c);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			c->want = POLLOUT;
			return LB_EAGAIN;
		}
		if (n <= 0)
			return conn_broken(c);
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

/* Decodes a reply's data word ("=" is none) into c->data: 0, or -1
 * with why as the text. */
static int
take_data(struct lb_conn *c, const char *word)
{
	ssize_t n = base64_decode(strcmp(word, "=") == 0 ? "" : word, c->data,
	    sizeof(c->data));

	if (n == -1) {
		snprintf(c->text, sizeof(c->text), "Mechanism data that is not "
		    "base64, or too long");
		return -1;
	}
	c->has_data = true;
	c->datalen = (size_t)n;
	return 0;
}

/* Adds one reply line to the reply being read: 1 when it was the last
 * line, 0 when more follow, -1 when it is malformed. */
static int
take_line(struct lb_conn *c, const char *line, size_t len)
{
	static struct line_words words;
	size_t i, n, tl;
	int code;

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
		c->has_data = false;
		c->datalen = 0;
		c->nmechs = 0;
	}
	c->code = code;
	/* Mechanism data: a 300's one word, or the second word of a success
	 * of one line (200 TEXT DATA). */
	n = words.n;
	if (code == REPLY_DATA && (c->nlines > 0 || n != 1 || line[3] != ' '))
		return -1;
	if ((code == REPLY_DATA || (code == REPLY_OK && c->nlines == 0 &&
	    n == 2 && line[3] == ' ')) && take_data(c, words.w[--n]) == -1)
		return -1;
	/* Lines of a reply are lines of its text; a list reply (lsauth) has
	 * one name per line. */
	tl = strlen(c->text);
	if (c->nlines > 0 && tl + 1 < sizeof(c->text))
		c->text[tl++] = '\n';
	for (i = 0; i < n; i++) {
		snprintf(c->text + tl, sizeof(c->text) - tl, "%s%s",
		    i > 0 ? " " : "", words.w[i]);
		tl = strlen(c->text);
	}
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
				return conn_broken(c);
			if (rc == 1) {
				c->nlines = 0;
				return LB_OK;
			}
			continue;
		}
		if (st != LINE_NEED_MORE)
			return conn_broken(c);
		space = line_reader_space(&c->in, &room);
		n = recv(c->fd, space, room, 0);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && errno == EAGAIN) {
			c->want = POLLIN;
			return LB_EAGAIN;
		}
		if (n <= 0)
			return conn_broken(c);
		line_reader_added(&c->in, (size_t)n);
	}
}

int
conn_status(int code)
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

int
conn_exchange(struct lb_conn *c)
{
	int rc;

	if (c->step == STEP_SEND) {
		if ((rc = send_request(c)) != LB_OK)
			return rc;
		c->step = STEP_READ;
	}
	return read_reply(c);
}

int
conn_begin_op(struct lb_conn *c, enum op op)
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

int
conn_end_op(struct lb_conn *c, int rc)
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

	if ((rc = conn_begin_op(c, OP_LSAUTH)) != LB_OK)
		return rc;
	if (c->step == STEP_START)
		conn_queue(c, verb, 1);
	if ((rc = conn_exchange(c)) != LB_OK)
		return conn_end_op(c, rc);
	if (c->code == REPLY_GREETING)
		c->nmechs = 0;		/* 201: none available */
	else if (c->code != REPLY_OK)
		return conn_end_op(c, conn_status(c->code));
	return conn_end_op(c, mech_list(c, names, n));
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
    const char *remote_user, const char *command)
{
	/* "" names no remote user before a command. */
	const char *words[4] = { "context", address,
	    remote_user != NULL ? remote_user : "", command };
	int rc;

	if ((rc = conn_begin_op(c, OP_CONTEXT)) != LB_OK)
		return rc;
	if (c->step == STEP_START && (rc = conn_queue(c, words,
	    command != NULL ? 4 : remote_user != NULL ? 3 : 2)) != LB_OK)
		return conn_end_op(c, rc);
	if ((rc = conn_exchange(c)) != LB_OK)
		return conn_end_op(c, rc);
	return conn_end_op(c, conn_status(c->code));
}

const char *
lb_strerror(int status)
{
	switch (status) {
	case LB_OK:
		return "success";
	case LB_CONTINUE:
		return "the broker's data needs an answer";
	case LB_INTERACT:
		return "the person must answer";
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
