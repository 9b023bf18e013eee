/* SPDX-License-Identifier: ISC */
/*
 * verify_scram.c: the scram-sha-256 mechanism (RFC 5802, RFC 7677,
 * doc/protocol.md): client-first, server-first, client-final, and the
 * success carrying server-final.  Everything that parses the client's
 * messages runs in a helper from the SCRAM zygote (zygotes.h,
 * broker/scram/), the only process that reads the stored keys; the event
 * loop only relays, bounds and counts the messages, and decides on what
 * the helper reports.
 */
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "attempt.h"
#include "config.h"
#include "helper_run.h"
#include "msg.h"
#include "policy.h"
#include "verify.h"
#include "zygotes.h"

/* The client's messages: client-first and client-final, each at most
 * this long (a 255-byte name escaped, a nonce, a proof: well under). */
#define SCRAM_CLIENT_STEPS	2
#define SCRAM_MESSAGE_MAX	2048

struct scram_run {
	struct helper_run helper;	/* first: a run is its helper's */
	struct attempt *a;
	bool ready;			/* the helper has its SCRAM_BEGIN */
	bool helpers_turn;		/* the client's message is with it */
	unsigned sent;			/* client messages relayed */
	struct msg_data *held;		/* client-first, before ready */
};

static const struct config *conf;

/* The stored keys must be there, root's and private, and the zygote
 * program executable: else no login of the mechanism could work. */
static int
scram_check(const struct config *c, const struct policy *p)
{
	int rc = zygote_file_check("scram_file", c->scram_file, true);

	return zygote_program_check("scram_path", c->scram_path) == -1 ? -1 :
	    rc;
}

static int
scram_prepare(const struct config *c, const struct policy *p)
{
	conf = c;
	return zygote_start(c, c->scram_path, NULL, NULL);
}

static int
scram_prepared(const struct policy *p)
{
	return zygote_state(conf->scram_path, NULL);
}

/* Server-first, for the client. */
static int
on_data(struct helper_run *h, const struct ipc_msg *in)
{
	static struct msg_data d;
	struct scram_run *run = (struct scram_run *)h;

	/* server-first is short: a longer one is a helper gone bad,
	 * perhaps sending what it can read. */
	if (!run->helpers_turn || run->sent != 1 ||
	    msg_read_data(in, &d) == -1 || d.len > SCRAM_MESSAGE_MAX)
		return -1;
	run->helpers_turn = false;
	attempt_data(run->a, d.bytes, d.len);
	return 0;
}

/* The helper's last word.  A success counts only after client-final;
 * its server-final goes with the success for the client to check.  An
 * authorization identity of another user needs the policy's act-for. */
static int
on_result(struct helper_run *h, const struct ipc_msg *in)
{
	static struct msg_scram_result m;
	struct scram_run *run = (struct scram_run *)h;
	enum verdict v;

	if (msg_read_scram_result(in, &m) == -1)
		return -1;
	v = m.outcome == MECH_OUTCOME_FAILED ? VERDICT_FAILED :
	    m.outcome == MECH_OUTCOME_OK && run->helpers_turn &&
	    run->sent == SCRAM_CLIENT_STEPS && m.final.len > 0 ? VERDICT_OK :
	    VERDICT_ERROR;
	if (v == VERDICT_OK && m.authzid[0] != '\0' &&
	    strcmp(m.authzid, run->a->user) != 0 &&
	    attempt_act_for(run->a, m.authzid) == -1) {
		v = VERDICT_FAILED;
		snprintf(m.detail, sizeof(m.detail), "authzid-refused");
	}
	/* Nothing of its own to end: it is killed with the attempt, so
	 * that one taken over cannot linger after its last word. */
	attempt_verified_data(run->a, v, m.detail, m.final.bytes,
	    v == VERDICT_OK ? m.final.len : 0);
	return 0;
}

static const struct helper_msg helper_msgs[] = {
	{ MSG_DATA, on_data },
	{ MSG_SCRAM_RESULT, on_result },
};

/* A client message to the helper. */
static void
relay(struct scram_run *run, const struct msg_data *d)
{
	if (helper_run_send(&run->helper, MSG_AUTH_DATA, d,
	    "SCRAM message too long") == 0)
		run->helpers_turn = true;
}

/* A helper is ready: it gets the attempt, and then client-first if the
 * login carried it, or the client an empty challenge to send it. */
static void
send_begin(struct helper_run *h)
{
	struct scram_run *run = (struct scram_run *)h;
	struct msg_data *held = run->held;
	struct msg_scram_begin m;

	memset(&m, 0, sizeof(m));
	snprintf(m.user, sizeof(m.user), "%s", run->a->user);
	snprintf(m.store, sizeof(m.store), "%s", conf->scram_file);
	if (helper_run_send(h, MSG_SCRAM_BEGIN, &m,
	    "SCRAM_BEGIN too long") == -1)
		return;
	run->ready = true;
	if (held != NULL) {
		run->held = NULL;
		relay(run, held);
		explicit_bzero(held, sizeof(*held));
		free(held);
	} else if (!run->a->initial)
		attempt_data(run->a, "", 0);
}

static const struct helper_ops scram_helper_ops = {
	"SCRAM helper", helper_msgs,
	sizeof(helper_msgs) / sizeof(helper_msgs[0]), send_begin,
};

static int
scram_begin(struct attempt *a)
{
	struct spawn_ctl *helpers = zygote_find(conf->scram_path, NULL);
	struct scram_run *run;

	if (helpers == NULL || (run = calloc(1, sizeof(*run))) == NULL)
		return -1;
	run->a = a;
	a->vstate = run;
	helper_run_start(&run->helper, a, helpers, &scram_helper_ops);
	return 0;
}

/* client-first or client-final: bounded, counted, to the helper (held
 * until it is ready: an initial response may come before). */
static int
scram_data(struct attempt *a, const struct msg_data *d)
{
	struct scram_run *run = a->vstate;

	if (++run->sent > SCRAM_CLIENT_STEPS || d->len > SCRAM_MESSAGE_MAX) {
		attempt_verified(a, VERDICT_LIMIT, run->sent >
		    SCRAM_CLIENT_STEPS ? "too many SCRAM messages" :
		    "SCRAM message too long");
		return 0;
	}
	if (run->ready) {
		relay(run, d);
		return 0;
	}
	if ((run->held = malloc(sizeof(*run->held))) == NULL) {
		attempt_verified(a, VERDICT_ERROR, "out of memory");
		return 0;
	}
	memcpy(run->held, d, sizeof(*d));
	return 0;
}

static void
scram_cancel(struct attempt *a)
{
	struct scram_run *run = a->vstate;

	if (run == NULL)
		return;
	a->vstate = NULL;
	helper_run_stop(&run->helper, NULL, NULL);
	if (run->held != NULL) {
		explicit_bzero(run->held, sizeof(*run->held));
		free(run->held);
	}
	explicit_bzero(run, sizeof(*run));
	free(run);
}

const struct verifier verify_scram = {
	.check = scram_check,
	.prepare = scram_prepare,
	.prepared = scram_prepared,
	.begin = scram_begin,
	.data = scram_data,
	.cancel = scram_cancel,
	.initial_response = true,
};
