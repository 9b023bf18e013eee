/* SPDX-License-Identifier: ISC */
/*
 * login.c: libloginbroker's logins, one engine for all of them.  An
 * attempt sends the login, then reads replies and answers the data of the
 * mechanisms the library runs itself (scram-sha-256 and plain by GNU SASL,
 * gssapi-with-mic for lb_login_gssapi), until the caller must act
 * (LB_INTERACT, LB_CONTINUE) or the broker decides.  The step API hands
 * that to its caller; lb_login and lb_login_kbdint answer it from their
 * callbacks in the same loop.
 */
#include "loginbroker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conn.h"
#include "gss_initiator.h"
#include "mechs.h"
#include "reply.h"
#include "sasl_client.h"

_Static_assert(LB_ASK_MAX == ROUND_MAX_PROMPTS, "LB_ASK_MAX");
_Static_assert(LB_ANSWER_MAX == CONV_MAX_ANSWER - 1, "LB_ANSWER_MAX");
_Static_assert(LB_DATA_MAX == MECH_DATA_MAX, "LB_DATA_MAX");

/* How the library runs a mechanism. */
struct mech_row {
	const char *name;
	const char *sasl;	/* GNU SASL's name: the library runs it, the
				 * password asked first */
	bool prompts;		/* the broker may ask the person (301-305) */
	bool data;		/* the broker may send data (300) */
};

/* Mechanisms the library knows; the last row is any other, whose prompts
 * and data go to the caller. */
static const struct mech_row rows[] = {
	{ "scram-sha-256", "SCRAM-SHA-256", false, true },
	{ "plain", "PLAIN", false, false },
	{ "unix", NULL, false, false },
	{ "gssapi-with-mic", NULL, false, true },
	{ NULL, NULL, true, true },
};

/* The data steps of a mechanism the library runs: the broker's data in,
 * the client's into c->login.out; done once the broker proved itself. */
struct driver {
	ssize_t (*step)(struct lb_conn *c, const uint8_t *in, size_t inlen);
	bool (*done)(const struct lb_conn *c);
	int (*fail)(struct lb_conn *c);		/* what a failed step means */
};

static ssize_t
sasl_step(struct lb_conn *c, const uint8_t *in, size_t inlen)
{
	return lb_sasl_step(c->login.sasl, in, inlen, c->login.out,
	    sizeof(c->login.out), c->text, sizeof(c->text));
}

static bool
sasl_done(const struct lb_conn *c)
{
	return lb_sasl_done(c->login.sasl);
}

static ssize_t
gss_step(struct lb_conn *c, const uint8_t *in, size_t inlen)
{
	return lb_gss_step(c->login.gss, c->login.user, in, inlen,
	    c->login.out, sizeof(c->login.out), c->text, sizeof(c->text));
}

static bool
gss_done(const struct lb_conn *c)
{
	return lb_gss_done(c->login.gss);
}

/* The initiator failed: the caller's ticket cannot do it. */
static int
aborted(struct lb_conn *c)
{
	return LB_ABORTED;
}

/* SASL data that does not verify: the broker is not what it claims. */
static const struct driver sasl_driver = { sasl_step, sasl_done,
    conn_broken };
static const struct driver gss_driver = { gss_step, gss_done, aborted };

void
login_end(struct lb_conn *c)
{
	lb_gss_free(c->login.gss);
	lb_sasl_free(c->login.sasl);
	explicit_bzero(&c->login, sizeof(c->login));
}

/* Messages are shown; every other entry asks. */
static bool
asks(unsigned long id)
{
	return id != LB_INTERACT_INFO && id != LB_INTERACT_ERROR;
}

static void
list_add(struct attempt *a, unsigned long id, const char *prompt)
{
	a->list[a->nlist++] = (struct lb_interact){ .id = id,
	    .prompt = prompt };
	a->nasks += asks(id);
}

/* Ends the list being built: the caller's turn. */
static int
list_end(struct attempt *a, enum wait next)
{
	a->list[a->nlist] = (struct lb_interact){ .id = LB_INTERACT_LIST_END };
	a->wait = next;
	return LB_INTERACT;
}

/* A round's instruction, an entry a line; the last entry takes the rest
 * of a longer one. */
static void
list_lines(struct attempt *a, const char *instruction)
{
	char *line = a->lines, *nl;
	size_t n;

	snprintf(a->lines, sizeof(a->lines), "%s", instruction);
	for (n = 1; *line != '\0'; n++, line = nl + 1) {
		if ((nl = n < INFO_LINES_MAX ? strchr(line, '\n') : NULL) !=
		    NULL)
			*nl = '\0';
		list_add(a, LB_INTERACT_INFO, line);
		if (nl == NULL)
			break;
	}
}

/* Queues words, then bytes as one more word in base64 ("=" for none),
 * and wipes the copies: PLAIN's message holds the password. */
static int
queue_data(struct lb_conn *c, const char **words, size_t n,
    const void *bytes, size_t len)
{
	struct attempt *a = &c->login;
	int rc = LB_REFUSED;

	if (base64_encode(bytes, len, a->b64, sizeof(a->b64)) != -1) {
		words[n] = len > 0 ? a->b64 : "=";
		rc = conn_queue(c, words, n + 1);
	}
	explicit_bzero(a->b64, sizeof(a->b64));
	explicit_bzero(a->out, sizeof(a->out));
	return rc;
}

/* A new attempt: the login goes out now, or for a mechanism GNU SASL
 * runs, with its first message once the password is in. */
static int
begin_attempt(struct lb_conn *c, const char *mech, const char *user)
{
	const char *words[3] = { "login", mech, user };
	struct attempt *a = &c->login;

	login_end(c);
	for (a->row = rows; a->row->name != NULL &&
	    strcmp(a->row->name, mech) != 0; a->row++)
		;
	if ((size_t)snprintf(a->mech, sizeof(a->mech), "%s", mech) >=
	    sizeof(a->mech) ||
	    (size_t)snprintf(a->user, sizeof(a->user), "%s", user) >=
	    sizeof(a->user))
		return LB_REFUSED;
	if (a->row->sasl == NULL)
		return conn_queue(c, words, 3);
	list_add(a, LB_INTERACT_PASS, "Password: ");
	return list_end(a, WAIT_SECRET);
}

/* The caller's results of the list, into a->answers as C strings. */
static int
take_results(struct attempt *a)
{
	const struct lb_interact *e;
	size_t n = 0;

	if (a->wait != WAIT_SECRET && a->wait != WAIT_PROMPTS)
		return LB_OK;
	for (e = a->list; e->id != LB_INTERACT_LIST_END; e++) {
		if (!asks(e->id))
			continue;
		if (e->len > LB_ANSWER_MAX || (e->len > 0 &&
		    (e->result == NULL || memchr(e->result, '\0', e->len))))
			return LB_REFUSED;
		if (e->len > 0)
			memcpy(a->answers[n], e->result, e->len);
		a->answers[n++][e->len] = '\0';
	}
	return LB_OK;
}

static int
send_nothing(struct lb_conn *c, const void *in, size_t inlen)
{
	return LB_REFUSED;	/* no attempt waits for the caller */
}

/* The password is in: the mechanism's first message goes with the login
 * (an initial response). */
static int
send_first(struct lb_conn *c, const void *in, size_t inlen)
{
	struct attempt *a = &c->login;
	const char *words[4] = { "login", a->mech, a->user };
	ssize_t n;

	a->sasl = lb_sasl_new(a->row->sasl, a->user, a->answers[0], c->text,
	    sizeof(c->text));
	explicit_bzero(a->answers[0], sizeof(a->answers[0]));
	if (a->sasl == NULL)
		return LB_ABORTED;
	a->driver = &sasl_driver;
	if ((n = a->driver->step(c, NULL, 0)) == -1)
		return LB_ABORTED;
	return queue_data(c, words, 3, a->out, (size_t)n);
}

/* "pass" with an answer per prompt of the list, then wiped. */
static int
send_answers(struct lb_conn *c, const void *in, size_t inlen)
{
	const char *words[1 + ROUND_MAX_PROMPTS] = { "pass" };
	struct attempt *a = &c->login;
	size_t i;
	int rc;

	for (i = 0; i < a->nasks; i++)
		words[1 + i] = a->answers[i];
	rc = conn_queue(c, words, 1 + a->nasks);
	explicit_bzero(a->answers, sizeof(a->answers));
	return rc;
}

static int
send_data(struct lb_conn *c, const void *in, size_t inlen)
{
	const char *words[2] = { "pass" };

	return queue_data(c, words, 1, in, inlen);
}

/* What goes out when the caller has done its part, by what it was. */
static int (*const sends[])(struct lb_conn *c, const void *in,
    size_t inlen) = {
	[WAIT_NONE] = send_nothing,
	[WAIT_SECRET] = send_first,
	[WAIT_PROMPTS] = send_answers,
	[WAIT_DATA] = send_data,
};

/* 300: the broker's data, to the mechanism the library runs, or to the
 * caller. */
static int
on_data(struct lb_conn *c)
{
	const char *words[2] = { "pass" };
	struct attempt *a = &c->login;
	ssize_t n;

	if (!a->row->data)
		return conn_broken(c);
	if (a->driver == NULL) {
		a->wait = WAIT_DATA;
		return LB_CONTINUE;
	}
	if ((n = a->driver->step(c, c->data, c->datalen)) == -1)
		return a->driver->fail(c);
	return queue_data(c, words, 1, a->out, (size_t)n);
}

/* 301-305: what to show and ask, as a list. */
static int
on_prompts(struct lb_conn *c)
{
	static const unsigned long ids[] = {
		[REPLY_PROMPT_SECRET - REPLY_DATA] = LB_INTERACT_NOECHOPROMPT,
		[REPLY_PROMPT_VISIBLE - REPLY_DATA] = LB_INTERACT_ECHOPROMPT,
		[REPLY_INFO - REPLY_DATA] = LB_INTERACT_INFO,
		[REPLY_ERROR_INFO - REPLY_DATA] = LB_INTERACT_ERROR,
	};
	struct attempt *a = &c->login;
	int i;

	if (!a->row->prompts)
		return conn_broken(c);
	a->nlist = a->nasks = 0;
	if (c->code != REPLY_ROUND) {
		list_add(a, ids[c->code - REPLY_DATA], c->text);
		return list_end(a, WAIT_PROMPTS);
	}
	if (c->round.name[0] != '\0')
		list_add(a, LB_INTERACT_INFO, c->round.name);
	list_lines(a, c->round.instruction);
	for (i = 0; i < c->round.n; i++)
		list_add(a, c->round.prompts[i].echo ? LB_INTERACT_ECHOPROMPT :
		    LB_INTERACT_NOECHOPROMPT, c->round.prompts[i].text);
	return list_end(a, WAIT_PROMPTS);
}

/* 200, 306: believed only once the mechanism the library runs is
 * complete with the final data the success carries, the broker proven
 * (SCRAM's server signature, GSSAPI's mutual authentication). */
static int
on_success(struct lb_conn *c)
{
	const struct driver *d = c->login.driver;
	const char *why = NULL;
	char text[TEXT_MAX];
	ssize_t n = 0;

	if (d != NULL && c->has_data &&
	    (n = d->step(c, c->data, c->datalen)) != 0)
		why = n > 0 ? "its final data wants an answer" : c->text;
	else if (d != NULL && !d->done(c))
		why = c->has_data ? "the exchange is not complete" :
		    "a success without the mechanism's final data";
	if (why == NULL)
		return conn_status(c->code);
	snprintf(text, sizeof(text), "The broker did not prove itself: %.256s",
	    why);
	memcpy(c->text, text, sizeof(c->text));
	return conn_broken(c);
}

/* What the reply just read means to the attempt. */
static int
take_reply(struct lb_conn *c)
{
	if (c->code == REPLY_DATA)
		return on_data(c);
	if (c->code > REPLY_DATA && c->code <= REPLY_ROUND)
		return on_prompts(c);
	if (c->code == REPLY_OK || c->code == REPLY_PARTIAL)
		return on_success(c);
	return conn_status(c->code);
}

/* Sends what is queued and reads replies, the data of a mechanism the
 * library runs answered here, until the caller's turn or the outcome. */
static int
run(struct lb_conn *c)
{
	int rc;

	while ((rc = conn_exchange(c)) == LB_OK) {
		rc = take_reply(c);
		if (c->step != STEP_SEND)	/* nothing queued */
			return rc;
	}
	return rc;
}

/* The end of a login call: the attempt ends unless it waits for the
 * caller or the socket. */
static int
finish(struct lb_conn *c, int rc)
{
	if (rc != LB_INTERACT && rc != LB_CONTINUE && rc != LB_EAGAIN)
		login_end(c);
	return conn_end_op(c, rc);
}

/* A login call's arguments: how it begins, and for the callback logins
 * how each list is answered (into c->login.answers). */
struct call {
	int (*begin)(struct lb_conn *c, const struct call *k);
	const char *mech, *user;
	const void *in;
	size_t inlen;
	const char *target_host;
	int flags;
	int (*answer)(struct lb_conn *c, const struct call *k);
	lb_prompt_fn prompt;
	lb_kbdint_fn kbdint;
	void *arg;
};

/* Every login call: begins (unless it resumes one that would block),
 * runs the exchange, and for the callback logins answers each list. */
static int
login_call(struct lb_conn *c, const struct call *k)
{
	int rc;

	if ((rc = conn_begin_op(c, OP_LOGIN)) != LB_OK)
		return rc;
	if (c->step == STEP_START)
		rc = k->begin(c, k);
	if (rc == LB_OK)
		rc = run(c);
	while (rc == LB_INTERACT && k->answer != NULL) {
		if (k->answer(c, k) == -1)
			rc = LB_ABORTED;
		else if ((rc = sends[c->login.wait](c, NULL, 0)) == LB_OK)
			rc = run(c);
	}
	/* The callbacks answer no mechanism data. */
	if (rc == LB_CONTINUE && k->answer != NULL)
		rc = conn_broken(c);
	return finish(c, rc);
}

static int
begin_start(struct lb_conn *c, const struct call *k)
{
	return begin_attempt(c, k->mech, k->user);
}

static int
begin_step(struct lb_conn *c, const struct call *k)
{
	int rc;

	if ((rc = take_results(&c->login)) != LB_OK)
		return rc;
	return sends[c->login.wait](c, k->in, k->inlen);
}

/* What a step call hands back with rc. */
static int
hand_back(struct lb_conn *c, int rc, struct lb_interact **prompt_need,
    const void **out, size_t *outlen)
{
	bool data = (rc == LB_CONTINUE || rc == LB_OK) && c->has_data;

	*prompt_need = rc == LB_INTERACT ? c->login.list : NULL;
	*out = data ? c->data : NULL;
	*outlen = data ? c->datalen : 0;
	return rc;
}

int
lb_client_start(struct lb_conn *c, const char *mech, const char *user,
    struct lb_interact **prompt_need, const void **out, size_t *outlen)
{
	const struct call k = { .begin = begin_start, .mech = mech,
	    .user = user };

	return hand_back(c, login_call(c, &k), prompt_need, out, outlen);
}

int
lb_client_step(struct lb_conn *c, const void *in, size_t inlen,
    struct lb_interact **prompt_need, const void **out, size_t *outlen)
{
	const struct call k = { .begin = begin_step, .in = in,
	    .inlen = inlen };

	return hand_back(c, login_call(c, &k), prompt_need, out, outlen);
}

/* lb_login: a callback per entry of the list. */
static int
answer_prompts(struct lb_conn *c, const struct call *k)
{
	static const enum lb_prompt_kind kinds[] = {
		[LB_INTERACT_USER] = LB_PROMPT_VISIBLE,
		[LB_INTERACT_AUTHNAME] = LB_PROMPT_VISIBLE,
		[LB_INTERACT_PASS] = LB_PROMPT_SECRET,
		[LB_INTERACT_ECHOPROMPT] = LB_PROMPT_VISIBLE,
		[LB_INTERACT_NOECHOPROMPT] = LB_PROMPT_SECRET,
		[LB_INTERACT_INFO] = LB_PROMPT_INFO,
		[LB_INTERACT_ERROR] = LB_PROMPT_ERROR,
	};
	struct attempt *a = &c->login;
	const struct lb_interact *e;
	char shown[CONV_MAX_ANSWER], *answer;
	struct lb_prompt p;
	size_t n = 0;

	for (e = a->list; e->id != LB_INTERACT_LIST_END; e++) {
		p = (struct lb_prompt){ kinds[e->id], e->prompt,
		    kinds[e->id] == LB_PROMPT_VISIBLE };
		answer = asks(e->id) ? a->answers[n++] : shown;
		answer[0] = '\0';
		if (k->prompt(&p, answer, CONV_MAX_ANSWER, k->arg) == -1)
			return -1;
		answer[CONV_MAX_ANSWER - 1] = '\0';
	}
	return 0;
}

/* lb_login_kbdint: one callback per list; a single prompt or message
 * (301-304) comes as a round of one prompt or none. */
static int
answer_round(struct lb_conn *c, const struct call *k)
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
	rc = k->kbdint(c->round.name, c->round.instruction, c->round.n,
	    c->round.prompts, responses, k->arg);
	for (i = 0; i < c->round.n; i++) {
		if (responses[i].text == NULL)
			continue;
		if (rc == 0)
			snprintf(c->login.answers[i], CONV_MAX_ANSWER, "%s",
			    responses[i].text);
		explicit_bzero(responses[i].text, strlen(responses[i].text));
		free(responses[i].text);
	}
	return rc;
}

int
lb_login(struct lb_conn *c, const char *mech, const char *user,
    lb_prompt_fn prompt, void *arg)
{
	const struct call k = { .begin = begin_start, .mech = mech,
	    .user = user, .answer = answer_prompts, .prompt = prompt,
	    .arg = arg };

	return login_call(c, &k);
}

int
lb_login_kbdint(struct lb_conn *c, const char *user, lb_kbdint_fn kbdint,
    void *arg)
{
	const struct call k = { .begin = begin_start,
	    .mech = mech_name(MECH_KBDINT), .user = user,
	    .answer = answer_round, .kbdint = kbdint, .arg = arg };

	return login_call(c, &k);
}

/* gssapi-with-mic's initiator answers the broker's data. */
static int
begin_gss(struct lb_conn *c, const struct call *k)
{
	struct attempt *a = &c->login;
	int rc;

	if ((rc = begin_attempt(c, k->mech, k->user)) != LB_OK)
		return rc;
	if ((a->gss = lb_gss_new(k->target_host, (k->flags & LB_DELEGATE) !=
	    0, c->text, sizeof(c->text))) == NULL)
		return LB_ABORTED;
	a->driver = &gss_driver;
	return LB_OK;
}

int
lb_login_gssapi(struct lb_conn *c, const char *user, const char *target_host,
    int flags)
{
	const struct call k = { .begin = begin_gss,
	    .mech = mech_name(MECH_GSSAPI), .user = user,
	    .target_host = target_host, .flags = flags };

	return login_call(c, &k);
}
