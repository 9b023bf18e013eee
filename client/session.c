/* SPDX-License-Identifier: ISC */
/* session.c: a logged-in front end's session requests (doc/protocol.md,
 * "Sessions"). */
#include "loginbroker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "conn.h"
#include "reply.h"

/* "session VERB WORD...", with descriptors for start: an op of its own,
 * resumable after LB_EAGAIN as every other. */
static int
session_request(struct lb_conn *c, const char *const *words, size_t n,
    const int *fds, size_t nfds)
{
	int rc;

	if ((rc = conn_begin_op(c, OP_SESSION)) != LB_OK)
		return rc;
	if (c->step == STEP_START && (rc = conn_queue_fds(c, words, n, fds,
	    nfds)) != LB_OK)
		return conn_end_op(c, rc);
	if ((rc = conn_exchange(c)) != LB_OK)
		return conn_end_op(c, rc);
	return conn_end_op(c, c->code == REPLY_OK ? LB_OK :
	    conn_status(c->code));
}

int
lb_session_env(struct lb_conn *c, const char *name, const char *value)
{
	char word[SESSION_ENV_LEN];
	const char *words[3] = { "session", "env", word };

	if (snprintf(word, sizeof(word), "%s=%s", name, value) >=
	    (int)sizeof(word))
		return LB_REFUSED;
	return session_request(c, words, 3, NULL, 0);
}

int
lb_session_open(struct lb_conn *c, const char *tty)
{
	const char *words[3] = { "session", "open", tty };

	return session_request(c, words, tty != NULL ? 3 : 2, NULL, 0);
}

int
lb_session_start(struct lb_conn *c, const char *const *argv,
    const int *fds, size_t nfds)
{
	const char *words[LINE_MAX_WORDS] = { "session", "start" };
	size_t n = 2;

	for (; argv != NULL && argv[n - 2] != NULL; n++)
		if (n == LINE_MAX_WORDS)
			return LB_REFUSED;
		else
			words[n] = argv[n - 2];
	return session_request(c, words, n, fds, nfds);
}

/* "exit N" or "signal N", the broker's word for how the process ended,
 * as a wait(2) status: 0, or -1. */
static int
parse_status(const char *text, int *status)
{
	char kind[8];
	int n, end = 0;

	if (sscanf(text, "%7s %d%n", kind, &n, &end) != 2 ||
	    text[end] != '\0' || n < 0 || n > 255)
		return -1;
	if (strcmp(kind, "exit") == 0)
		*status = n << 8;
	else if (strcmp(kind, "signal") == 0 && n > 0 && n < 128)
		*status = n;
	else
		return -1;
	return 0;
}

/* wait and close: the reply carries the process's end. */
static int
session_end_request(struct lb_conn *c, const char *verb, int *status)
{
	const char *words[2] = { "session", verb };
	int rc = session_request(c, words, 2, NULL, 0);

	if (rc == LB_OK && status != NULL &&
	    parse_status(lb_last_text(c), status) == -1)
		return LB_PROTOCOL_ERROR;
	return rc;
}

int
lb_session_wait(struct lb_conn *c, int *status)
{
	return session_end_request(c, "wait", status);
}

int
lb_session_close(struct lb_conn *c, int *status)
{
	return session_end_request(c, "close", status);
}
