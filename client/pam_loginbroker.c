/* SPDX-License-Identifier: ISC */
/*
 * pam_loginbroker.so: a PAM module that hands the whole authentication to
 * loginbrokerd (doc/pam_loginbroker.8), so that sshd, login, su and
 * display managers use the broker unchanged.  It speaks the line protocol
 * (doc/protocol.md) itself with the framing of ipc/line.c: libloginbroker
 * would pull Kerberos and GNU SASL into every process that loads PAM.
 * Every prompt goes through the application's conversation; nothing is
 * written to stdout or stderr; a connect, a request and a whole reply
 * each take at most timeout= seconds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_appl.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>

#include "clock.h"
#include "ipc_proto.h"
#include "line.h"
#include "mechs.h"
#include "names.h"
#include "reply.h"

#define DEFAULT_SOCKET		"/run/loginbroker/socket"
#define DEFAULT_TIMEOUT_S	60
/* Factors in one chain (policy.h's POLICY_STEPS_MAX), and mech=
 * arguments: one per factor. */
#define CHAIN_STEPS_MAX		4
/* What the broker's helpers set in their environment: this module must
 * never run inside the broker's own PAM transactions. */
#define HELPER_ENV		"LOGINBROKER_PAM_HELPER"
/* The most lines one reply may have (a 305's instruction may take a line
 * a character, ROUND_INSTRUCTION_MAX of them) and the most prompts and
 * messages one factor may show (16 PAM calls of 32 messages, one at a
 * time): a server that goes on past them is not believed. */
#define REPLY_LINES_MAX		(ROUND_INSTRUCTION_MAX + 2 * ROUND_MAX_PROMPTS)
#define FACTOR_EXCHANGES_MAX	(LOGIN_MAX_ROUNDS * CONV_MAX_MESSAGES)
/* pam_set_data's name for what acct_mgmt reports. */
#define ACCOUNT_DATA		"pam_loginbroker_account"

struct args {
	const char *socket;
	int timeout_ms;
	size_t nmechs;
	const char *mechs[CHAIN_STEPS_MAX];
};

/* The texts a reply keeps: a round's name and prompts; a list's first
 * entries (lsauth, 306: only the first is used). */
#define REPLY_TEXTS_MAX		(ROUND_MAX_PROMPTS + 1)

/* One whole reply: its code and its lines' words after the code.  A
 * prompt's or message's lines (301-304) are one text, joined. */
struct reply {
	int code;
	size_t nlines, nprompts;
	char text[REPLY_TEXTS_MAX][CONV_MAX_TEXT];
	char tag[REPLY_TEXTS_MAX][16];			/* 305's tags */
	char instruction[CONV_MAX_TEXT];		/* 305's, joined */
};

struct conn {
	int fd;
	int timeout_ms;
	uint64_t deadline;		/* of the exchange in progress */
	struct line_reader in;
	struct line_words words;
	char out[LINE_MAX_BYTES];
};

/* A bad argument is logged and left out: the defaults stand. */
static void
parse_args(int argc, const char **argv, struct args *a, pam_handle_t *ph)
{
	char *end;
	long v;
	int i;

	*a = (struct args){ DEFAULT_SOCKET, DEFAULT_TIMEOUT_S * 1000, 0, { 0 } };
	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "socket=", 7) == 0) {
			a->socket = argv[i] + 7;
		} else if (strncmp(argv[i], "timeout=", 8) == 0) {
			errno = 0;
			v = strtol(argv[i] + 8, &end, 10);
			if (errno != 0 || end == argv[i] + 8 || *end != '\0' ||
			    v < 1 || v > 3600)
				pam_syslog(ph, LOG_ERR, "%s: expected 1-3600 "
				    "seconds", argv[i]);
			else
				a->timeout_ms = (int)v * 1000;
		} else if (strncmp(argv[i], "mech=", 5) == 0) {
			if (a->nmechs == CHAIN_STEPS_MAX)
				pam_syslog(ph, LOG_ERR, "%s: more than %d "
				    "factors", argv[i], CHAIN_STEPS_MAX);
			else
				a->mechs[a->nmechs++] = argv[i] + 5;
		} else {
			pam_syslog(ph, LOG_ERR, "unknown argument %s", argv[i]);
		}
	}
}

/* Starts the clock of one exchange: a connect, a request, a reply. */
static void
arm(struct conn *c)
{
	c->deadline = clock_now_ms() + (uint64_t)c->timeout_ms;
}

/* Connects within the timeout (a broker whose backlog is full makes a
 * blocking connect wait for ever; SO_SNDTIMEO bounds it).  0, or -1. */
static int
conn_open(struct conn *c, const struct args *a)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { a->timeout_ms / 1000, 0 };

	c->fd = -1;
	c->timeout_ms = a->timeout_ms;
	line_reader_reset(&c->in);
	if (strlen(a->socket) >= sizeof(sun.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun.sun_path, a->socket, strlen(a->socket) + 1);
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) ==
	    -1 || connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	return 0;
}

static void
conn_close(struct conn *c)
{
	if (c->fd != -1)
		close(c->fd);
	c->fd = -1;
	line_reader_reset(&c->in);
	explicit_bzero(&c->words, sizeof(c->words));
	explicit_bzero(c->out, sizeof(c->out));
}

/* Waits until the exchange's deadline for fd to be ready for events: 0,
 * or -1. */
static int
wait_for(const struct conn *c, short events)
{
	struct pollfd pfd = { c->fd, events, 0 };
	int n;

	while ((n = poll(&pfd, 1, clock_poll_timeout(c->deadline))) == -1 &&
	    errno == EINTR)
		;
	if (n == 0)
		errno = ETIMEDOUT;
	return n == 1 ? 0 : -1;
}

/* Sends one request of n words; the line is wiped once sent (it may hold
 * an answer).  0, or -1. */
static int
send_words(struct conn *c, const char *const *words, size_t n)
{
	struct line_out o;
	size_t i, off = 0;
	ssize_t w;
	int rc = -1;

	line_out_init(&o, c->out, sizeof(c->out));
	for (i = 0; i < n; i++)
		line_out_word(&o, words[i]);
	if (!line_out_end(&o))
		goto out;
	arm(c);
	while (off < o.len) {
		if (wait_for(c, POLLOUT) == -1)
			goto out;
		if ((w = send(c->fd, c->out + off, o.len - off,
		    MSG_NOSIGNAL | MSG_DONTWAIT)) == -1) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			goto out;
		}
		off += (size_t)w;
	}
	rc = 0;
out:
	explicit_bzero(c->out, sizeof(c->out));
	return rc;
}

/* The next line's words into c->words: 0, or -1. */
static int
next_line(struct conn *c)
{
	enum line_status st;
	const char *line;
	size_t len, room;
	char *space;
	ssize_t n;

	for (;;) {
		st = line_reader_next(&c->in, &line, &len);
		if (st == LINE_OK) {
			st = line_split(line, len, &c->words);
			line_reader_done(&c->in);
			return st == LINE_OK && c->words.n > 0 ? 0 : -1;
		}
		if (st != LINE_NEED_MORE)
			return -1;
		space = line_reader_space(&c->in, &room);
		if (room == 0 || wait_for(c, POLLIN) == -1)
			return -1;
		if ((n = recv(c->fd, space, room, MSG_DONTWAIT)) <= 0) {
			if (n == -1 && (errno == EINTR || errno == EAGAIN))
				continue;
			return -1;
		}
		line_reader_added(&c->in, (size_t)n);
	}
}

/* Appends a line of text to buf[cap], a newline between lines, cut at
 * the bound. */
static void
add_line(char *buf, size_t cap, const char *text)
{
	size_t len = strlen(buf);

	snprintf(buf + len, cap - len, "%s%s", len > 0 ? "\n" : "", text);
}

/* Keeps one line's text in r by the reply's kind: a prompt's or
 * message's lines joined, a round's lines by their tags (its prompts
 * bounded as the protocol bounds them), a list's first entries.  0, or
 * -1 for a reply no broker sends. */
static int
keep_line(struct reply *r, const char *const *words, size_t n)
{
	char text[CONV_MAX_TEXT];

	snprintf(text, sizeof(text), "%s", n > 0 ? words[n == 2 &&
	    r->code == REPLY_ROUND ? 1 : 0] : "");
	/* The broker filters its text, but an impostor at the socket path
	 * would not. */
	name_text_sanitize(text);
	if (r->code >= REPLY_PROMPT_SECRET && r->code <= REPLY_ERROR_INFO) {
		r->nlines = 1;
		add_line(r->text[0], sizeof(r->text[0]), text);
		return 0;
	}
	if (r->code == REPLY_ROUND && n == 2) {
		if (strcmp(words[0], "instruction") == 0) {
			add_line(r->instruction, sizeof(r->instruction), text);
			return 0;
		}
		if ((strcmp(words[0], "echo") == 0 ||
		    strcmp(words[0], "noecho") == 0) &&
		    ++r->nprompts > ROUND_MAX_PROMPTS)
			return -1;
		if (r->nlines == REPLY_TEXTS_MAX)
			return -1;
		snprintf(r->tag[r->nlines], sizeof(r->tag[0]), "%s", words[0]);
	} else if (r->nlines == REPLY_TEXTS_MAX) {
		return 0;	/* a long list: the rest unused */
	}
	snprintf(r->text[r->nlines++], sizeof(r->text[0]), "%s", text);
	return 0;
}

/* Reads one reply, every continuation line included, within the
 * timeout: 0, or -1.  A line is "NNN WORD..." or, when more follow,
 * "NNN-WORD...": the code and the first word share one. */
static int
read_reply(struct conn *c, struct reply *r)
{
	const char *w0, *words[3] = { "", "", "" };
	size_t i, n, lines = 0;
	bool more;

	memset(r, 0, sizeof(*r));
	arm(c);
	do {
		if (++lines > REPLY_LINES_MAX || next_line(c) == -1)
			return -1;
		w0 = c->words.w[0];
		if (w0[0] < '2' || w0[0] > '5' || w0[1] < '0' || w0[1] > '9' ||
		    w0[2] < '0' || w0[2] > '9' ||
		    (w0[3] != '\0' && w0[3] != '-'))
			return -1;
		more = w0[3] == '-';
		r->code = (w0[0] - '0') * 100 + (w0[1] - '0') * 10 +
		    (w0[2] - '0');
		/* The line's words after the code. */
		n = 0;
		if (more)
			words[n++] = w0 + 4;
		for (i = 1; i < c->words.n && n < 3; i++)
			words[n++] = c->words.w[i];
		if (keep_line(r, words, n) == -1)
			return -1;
	} while (more);
	explicit_bzero(&c->words, sizeof(c->words));
	return 0;
}

/* One conversation call of n messages; answers in resp (freed by the
 * caller with free_responses).  A PAM code. */
static int
converse(pam_handle_t *ph, const struct pam_message *msgs, int n,
    struct pam_response **resp)
{
	const struct pam_message *ptrs[ROUND_MAX_PROMPTS + 1];
	const struct pam_conv *conv;
	int i;

	*resp = NULL;
	if (pam_get_item(ph, PAM_CONV, (const void **)&conv) != PAM_SUCCESS ||
	    conv == NULL || conv->conv == NULL)
		return PAM_CONV_ERR;
	for (i = 0; i < n; i++)
		ptrs[i] = &msgs[i];
	return conv->conv(n, ptrs, resp, conv->appdata_ptr);
}

static void
free_responses(struct pam_response *r, int n)
{
	int i;

	for (i = 0; r != NULL && i < n; i++)
		if (r[i].resp != NULL) {
			explicit_bzero(r[i].resp, strlen(r[i].resp));
			free(r[i].resp);
		}
	free(r);
}

/* Shows or asks what the reply holds and sends the "pass" that answers
 * it: 0, or a PAM code. */
static int
answer(pam_handle_t *ph, struct conn *c, const struct reply *r, int flags)
{
	struct pam_message msgs[ROUND_MAX_PROMPTS + 1];
	const char *words[ROUND_MAX_PROMPTS + 1] = { "pass" };
	struct pam_response *resp = NULL;
	int n = 0, i, first, rc;

	if (r->code == REPLY_ROUND) {
		/* One call: the instruction, then every prompt (sshd makes
		 * it one keyboard-interactive round). */
		if (r->instruction[0] != '\0' && !(flags & PAM_SILENT))
			msgs[n++] = (struct pam_message){ PAM_TEXT_INFO,
			    r->instruction };
		first = n;
		for (i = 0; i < (int)r->nlines; i++)
			if (strcmp(r->tag[i], "echo") == 0 ||
			    strcmp(r->tag[i], "noecho") == 0)
				msgs[n++] = (struct pam_message){
				    r->tag[i][0] == 'e' ? PAM_PROMPT_ECHO_ON :
				    PAM_PROMPT_ECHO_OFF, r->text[i] };
	} else {
		static const int styles[] = { PAM_PROMPT_ECHO_OFF,
		    PAM_PROMPT_ECHO_ON, PAM_TEXT_INFO, PAM_ERROR_MSG };

		msgs[n++] = (struct pam_message){
		    styles[r->code - REPLY_PROMPT_SECRET], r->text[0] };
		first = r->code <= REPLY_PROMPT_VISIBLE ? 0 : 1;
		/* PAM_SILENT: no message, but it is still acknowledged. */
		if (first == 1 && (flags & PAM_SILENT))
			n = 0;
	}
	/* A conversation's own codes (PAM_CONV_AGAIN...) are no result of
	 * an authentication. */
	if (n > 0 && (rc = converse(ph, msgs, n, &resp)) != PAM_SUCCESS) {
		free_responses(resp, n);
		return rc == PAM_BUF_ERR ? PAM_BUF_ERR : PAM_CONV_ERR;
	}
	for (i = first; i < n; i++) {
		if (resp == NULL || resp[i].resp == NULL) {
			free_responses(resp, n);
			return PAM_CONV_ERR;
		}
		words[1 + i - first] = resp[i].resp;
	}
	rc = send_words(c, words, (size_t)(1 + (n > first ? n - first : 0)));
	free_responses(resp, n);
	return rc == 0 ? 0 : PAM_AUTHINFO_UNAVAIL;
}

/* A final reply as a PAM result.  512 and 513 prove the secret and are
 * the account's word: authentication succeeds, and acct_mgmt reports
 * them (as pam_unix does); it says yes only after a 200. */
static int
final_result(pam_handle_t *ph, int code)
{
	switch (code) {
	case REPLY_OK:
	case REPLY_PASSWORD_EXPIRED:
	case REPLY_ACCOUNT_DISABLED:
		if (pam_set_data(ph, ACCOUNT_DATA, (void *)(long)code,
		    NULL) != PAM_SUCCESS)
			return PAM_SYSTEM_ERR;
		return PAM_SUCCESS;
	case REPLY_AUTH_FAILED:
	case REPLY_BAD_USERNAME:
	case REPLY_DIALOG_LIMIT:
	case REPLY_UNKNOWN_MECHANISM:
		return PAM_AUTH_ERR;
	/* Locked out: trying again now cannot succeed. */
	case REPLY_TOO_MANY_ATTEMPTS:
	case REPLY_LOCKED_OUT:
		return PAM_MAXTRIES;
	default:
		return PAM_AUTHINFO_UNAVAIL;
	}
}

/* Runs one factor with mech to its final reply: its code in *code, or a
 * PAM code for a broken exchange.  next names what may follow a 306. */
static int
factor(pam_handle_t *ph, struct conn *c, const char *mech, const char *user,
    int flags, struct reply *r)
{
	const char *login[] = { "login", mech, user };
	unsigned exchanges = 0;
	int rc;

	if (send_words(c, login, 3) == -1 || read_reply(c, r) == -1)
		return PAM_AUTHINFO_UNAVAIL;
	while (r->code >= REPLY_PROMPT_SECRET && r->code <= REPLY_ROUND) {
		if (++exchanges > FACTOR_EXCHANGES_MAX)
			return PAM_AUTHINFO_UNAVAIL;
		if ((rc = answer(ph, c, r, flags)) != 0)
			return rc;
		if (read_reply(c, r) == -1)
			return PAM_AUTHINFO_UNAVAIL;
	}
	/* Mechanism data (300) is for clients that run a mechanism of their
	 * own, not for a person behind PAM. */
	return r->code == REPLY_DATA ? PAM_AUTHINFO_UNAVAIL : PAM_SUCCESS;
}

/* The context a front end passes (PAM_RHOST, PAM_RUSER): 0, or a PAM
 * code when the broker refuses it (the peer must be a trusted-peer).  The
 * broker takes an address only: a host name (login -h, sshd's UseDNS) is
 * left out, and so is the context. */
static int
send_context(pam_handle_t *ph, struct conn *c, struct reply *r)
{
	const char *rhost = NULL, *ruser = NULL;
	const char *words[3] = { "context" };
	unsigned char addr[sizeof(struct in6_addr)];

	if (pam_get_item(ph, PAM_RHOST, (const void **)&rhost) != PAM_SUCCESS ||
	    rhost == NULL || rhost[0] == '\0')
		return 0;
	if (inet_pton(AF_INET, rhost, addr) != 1 &&
	    inet_pton(AF_INET6, rhost, addr) != 1) {
		pam_syslog(ph, LOG_NOTICE, "PAM_RHOST %s is not an address: "
		    "no context passed", rhost);
		return 0;
	}
	(void)pam_get_item(ph, PAM_RUSER, (const void **)&ruser);
	words[1] = rhost;
	words[2] = ruser != NULL ? ruser : "";
	if (send_words(c, words, ruser != NULL && ruser[0] != '\0' ? 3 : 2) ==
	    -1 || read_reply(c, r) == -1)
		return PAM_AUTHINFO_UNAVAIL;
	if (r->code != REPLY_OK) {
		pam_syslog(ph, LOG_ERR, "context %s refused: %d %s", rhost,
		    r->code, r->text[0]);
		return PAM_AUTHINFO_UNAVAIL;
	}
	return 0;
}

/* The mechanism for factor step: mech= when given, else the first the
 * broker offers (lsauth before the first, the 306's list after it) that
 * prompts a person.  0, or -1. */
static int
pick_mech(struct conn *c, const struct args *a, size_t step,
    struct reply *r, char *mech, size_t cap)
{
	const char *lsauth[] = { "lsauth" };
	const char *name = "";
	size_t i;

	if (step < a->nmechs) {
		name = a->mechs[step];
	} else {
		if (step == 0 && (send_words(c, lsauth, 1) == -1 ||
		    read_reply(c, r) == -1 || r->code != REPLY_OK))
			return -1;
		for (i = 0; i < r->nlines && name[0] == '\0'; i++)
			if (mech_name_prompts_person(r->text[i]))
				name = r->text[i];
	}
	if (name[0] == '\0' || strlen(name) >= cap)
		return -1;
	memcpy(mech, name, strlen(name) + 1);
	return 0;
}

static int
authenticate(pam_handle_t *ph, int flags, const struct args *a,
    const char *user)
{
	char mech[MECH_NAME_MAX];
	struct reply *r;
	struct conn *c;
	size_t step;
	int rc;

	/* On the heap: the application's stack is not ours to size. */
	r = calloc(1, sizeof(*r));
	c = calloc(1, sizeof(*c));
	if (r == NULL || c == NULL) {
		free(r);
		free(c);
		return PAM_BUF_ERR;
	}
	rc = PAM_AUTHINFO_UNAVAIL;
	if (conn_open(c, a) == -1) {
		pam_syslog(ph, LOG_ERR, "%s: %s", a->socket, strerror(errno));
		goto out;
	}
	/* The greeting; 511 instead when the broker is busy. */
	if (read_reply(c, r) == -1) {
		pam_syslog(ph, LOG_ERR, "%s: no greeting: %s", a->socket,
		    strerror(errno));
		goto out;
	}
	if (r->code != REPLY_GREETING) {
		pam_syslog(ph, LOG_ERR, "%s: %d %s", a->socket, r->code,
		    r->text[0]);
		goto out;
	}
	if ((rc = send_context(ph, c, r)) != 0)
		goto out;
	for (step = 0; step < CHAIN_STEPS_MAX; step++) {
		if (pick_mech(c, a, step, r, mech, sizeof(mech)) == -1) {
			pam_syslog(ph, LOG_ERR, "user %s: no mechanism that "
			    "prompts a person at factor %zu", user, step + 1);
			rc = PAM_AUTHINFO_UNAVAIL;
			goto out;
		}
		if ((rc = factor(ph, c, mech, user, flags, r)) != 0) {
			pam_syslog(ph, LOG_ERR, "user %s: %s: %s", user, mech,
			    rc == PAM_AUTHINFO_UNAVAIL ? "the broker hung up, "
			    "timed out or replied out of protocol" :
			    pam_strerror(ph, rc));
			goto out;
		}
		if (r->code != REPLY_PARTIAL)
			break;
	}
	/* A chain longer than any policy's is not the broker's. */
	rc = step == CHAIN_STEPS_MAX ? PAM_AUTHINFO_UNAVAIL :
	    final_result(ph, r->code);
	if (rc == PAM_AUTHINFO_UNAVAIL)
		pam_syslog(ph, LOG_ERR, "user %s: %d %s", user, r->code,
		    r->text[0]);
out:
	conn_close(c);
	explicit_bzero(r, sizeof(*r));
	free(r);
	free(c);
	return rc;
}

PAM_EXTERN int
pam_sm_authenticate(pam_handle_t *ph, int flags, int argc, const char **argv)
{
	struct args a;
	const char *user;
	int rc;

	/* The broker's own PAM stack must never hand its logins back to
	 * the broker: that would loop. */
	if (getenv(HELPER_ENV) != NULL) {
		pam_syslog(ph, LOG_ERR, "used inside loginbrokerd's own PAM "
		    "service: refused (remove pam_loginbroker from it)");
		return PAM_AUTHINFO_UNAVAIL;
	}
	parse_args(argc, argv, &a, ph);
	/* What an earlier authentication of this handle said of the account
	 * is not this one's. */
	(void)pam_set_data(ph, ACCOUNT_DATA, NULL, NULL);
	if ((rc = pam_get_user(ph, &user, NULL)) != PAM_SUCCESS)
		return rc;
	if (user == NULL || user[0] == '\0')
		return PAM_USER_UNKNOWN;
	return authenticate(ph, flags, &a, user);
}

PAM_EXTERN int
pam_sm_setcred(pam_handle_t *ph, int flags, int argc, const char **argv)
{
	return PAM_SUCCESS;
}

/* What the broker said of the account when it proved the secret; a
 * login this module did not authenticate (a public key) is not its to
 * judge. */
PAM_EXTERN int
pam_sm_acct_mgmt(pam_handle_t *ph, int flags, int argc, const char **argv)
{
	const void *data = NULL;

	if (pam_get_data(ph, ACCOUNT_DATA, &data) != PAM_SUCCESS ||
	    data == NULL)
		return PAM_IGNORE;
	switch ((long)data) {
	case REPLY_OK:
		return PAM_SUCCESS;
	case REPLY_PASSWORD_EXPIRED:
		return PAM_NEW_AUTHTOK_REQD;
	default:
		return PAM_ACCT_EXPIRED;
	}
}
