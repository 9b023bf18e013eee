/* SPDX-License-Identifier: ISC */
/*
 * verify_pam.c: the verifiers of the password, keyboard-interactive and
 * plain mechanisms: a PAM transaction in a helper from the PAM zygote
 * (zygotes.h).  They differ only in how the conversation is relayed:
 * password shows PAM's messages one at a time (301-304); keyboard-
 * interactive turns each conversation call into one round, info and error
 * messages gathered into the instruction and prompts into the round's
 * prompts, as sshd does; plain (RFC 4616) shows nothing and answers every
 * secret prompt with the password its one message carried.  The event
 * loop only ever reads and writes the helper's channel; PAM never runs in
 * the broker.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_appl.h>

#include "attempt.h"
#include "config.h"
#include "helper_run.h"
#include "log.h"
#include "msg.h"
#include "policy.h"
#include "verify.h"
#include "zygotes.h"

/* How the conversation reaches the client. */
enum pam_dialog {
	DIALOG_ONE_BY_ONE,	/* password: a message at a time */
	DIALOG_ROUNDS,		/* keyboard-interactive: a call is a round */
	DIALOG_NONE,		/* plain: the password answers, nothing shown */
};

struct pam_run {
	struct helper_run helper;	/* first: a run is its helper's */
	struct attempt *a;
	enum pam_dialog dialog;
	char password[CONV_MAX_ANSWER];	/* plain's; wiped with the run */
	bool in_conv;		/* a conversation call waits for answers */
	unsigned calls;		/* conversation calls so far */
	size_t next;		/* the message shown (password) */
	struct msg_pam_conv conv;	/* the call being relayed */
	struct msg_answers answers;	/* one slot per message of conv */
};

const char *
pam_code_name(uint32_t rc)
{
	static const char *const names[] = {
		[PAM_SUCCESS] = "PAM_SUCCESS",
		[PAM_OPEN_ERR] = "PAM_OPEN_ERR",
		[PAM_SYMBOL_ERR] = "PAM_SYMBOL_ERR",
		[PAM_SERVICE_ERR] = "PAM_SERVICE_ERR",
		[PAM_SYSTEM_ERR] = "PAM_SYSTEM_ERR",
		[PAM_BUF_ERR] = "PAM_BUF_ERR",
		[PAM_PERM_DENIED] = "PAM_PERM_DENIED",
		[PAM_AUTH_ERR] = "PAM_AUTH_ERR",
		[PAM_CRED_INSUFFICIENT] = "PAM_CRED_INSUFFICIENT",
		[PAM_AUTHINFO_UNAVAIL] = "PAM_AUTHINFO_UNAVAIL",
		[PAM_USER_UNKNOWN] = "PAM_USER_UNKNOWN",
		[PAM_MAXTRIES] = "PAM_MAXTRIES",
		[PAM_NEW_AUTHTOK_REQD] = "PAM_NEW_AUTHTOK_REQD",
		[PAM_ACCT_EXPIRED] = "PAM_ACCT_EXPIRED",
		[PAM_SESSION_ERR] = "PAM_SESSION_ERR",
		[PAM_CRED_UNAVAIL] = "PAM_CRED_UNAVAIL",
		[PAM_CRED_EXPIRED] = "PAM_CRED_EXPIRED",
		[PAM_CRED_ERR] = "PAM_CRED_ERR",
		[PAM_NO_MODULE_DATA] = "PAM_NO_MODULE_DATA",
		[PAM_CONV_ERR] = "PAM_CONV_ERR",
		[PAM_AUTHTOK_ERR] = "PAM_AUTHTOK_ERR",
		[PAM_AUTHTOK_RECOVERY_ERR] = "PAM_AUTHTOK_RECOVERY_ERR",
		[PAM_AUTHTOK_LOCK_BUSY] = "PAM_AUTHTOK_LOCK_BUSY",
		[PAM_AUTHTOK_DISABLE_AGING] = "PAM_AUTHTOK_DISABLE_AGING",
		[PAM_TRY_AGAIN] = "PAM_TRY_AGAIN",
		[PAM_IGNORE] = "PAM_IGNORE",
		[PAM_ABORT] = "PAM_ABORT",
		[PAM_AUTHTOK_EXPIRED] = "PAM_AUTHTOK_EXPIRED",
		[PAM_MODULE_UNKNOWN] = "PAM_MODULE_UNKNOWN",
		[PAM_BAD_ITEM] = "PAM_BAD_ITEM",
		[PAM_CONV_AGAIN] = "PAM_CONV_AGAIN",
		[PAM_INCOMPLETE] = "PAM_INCOMPLETE",
	};

	return rc < sizeof(names) / sizeof(names[0]) && names[rc] != NULL ?
	    names[rc] : "unknown PAM code";
}

/* Before the secret is proven, a wrong one, an unknown user and any other
 * refusal fail alike; only what says the system could not decide is an
 * error.  After it, the account's own state may be told: an expired
 * password, an expired or locked account. */
static enum verdict
pam_verdict(int rc, uint8_t stage)
{
	if (rc == PAM_SUCCESS)
		return VERDICT_OK;
	if (stage == PAM_STAGE_CHAUTHTOK ||
	    (stage == PAM_STAGE_ACCOUNT && rc == PAM_NEW_AUTHTOK_REQD))
		return VERDICT_EXPIRED;
	if (stage == PAM_STAGE_ACCOUNT &&
	    (rc == PAM_ACCT_EXPIRED || rc == PAM_PERM_DENIED))
		return VERDICT_DISABLED;
	switch (rc) {
	case PAM_AUTH_ERR:
	case PAM_USER_UNKNOWN:
	case PAM_MAXTRIES:
	case PAM_CRED_INSUFFICIENT:
	case PAM_PERM_DENIED:
	case PAM_ACCT_EXPIRED:
	case PAM_NEW_AUTHTOK_REQD:
	case PAM_AUTHTOK_EXPIRED:
		return VERDICT_FAILED;
	default:
		return VERDICT_ERROR;
	}
}

/* Every message of the call has its answer: back to the helper.  The
 * answers are wiped before a verdict, which may free the run. */
static void
send_answers(struct pam_run *run)
{
	run->answers.n = run->conv.n;
	run->in_conv = false;
	/* On failure the attempt is decided: the run is wiped and gone. */
	if (helper_run_send(&run->helper, MSG_PAM_CONV_REPLY, &run->answers,
	    "answers too long for one PAM call") == 0)
		explicit_bzero(run->answers.text, sizeof(run->answers.text));
}

static bool
is_prompt(uint8_t kind)
{
	return kind == PROMPT_SECRET || kind == PROMPT_VISIBLE;
}

/* Shows the next message of the conversation, or answers the helper. */
static void
relay_next(struct pam_run *run)
{
	if (run->next < run->conv.n)
		attempt_prompt(run->a, run->conv.kind[run->next],
		    run->conv.text[run->next]);
	else
		send_answers(run);
}

/* Shows the whole conversation call as one round. */
static void
relay_round(struct pam_run *run)
{
	static struct msg_round r;
	size_t i, len = 0;

	memset(&r, 0, sizeof(r));
	for (i = 0; i < run->conv.n; i++) {
		if (is_prompt(run->conv.kind[i])) {
			if (r.n == ROUND_MAX_PROMPTS) {
				attempt_verified(run->a, VERDICT_LIMIT,
				    "too many prompts in a round");
				return;
			}
			r.echo[r.n] = run->conv.kind[i] == PROMPT_VISIBLE;
			memcpy(r.prompt[r.n++], run->conv.text[i],
			    sizeof(r.prompt[0]));
		} else if (len < sizeof(r.instruction) - 1) {
			len += (size_t)snprintf(r.instruction + len,
			    sizeof(r.instruction) - len, "%s%s",
			    len > 0 ? "\n" : "", run->conv.text[i]);
			if (len > sizeof(r.instruction) - 1)
				len = sizeof(r.instruction) - 1;
		}
	}
	attempt_round(run->a, &r);
}

/* plain: the password for every secret prompt, nothing for a message; a
 * stack that asks for more (a visible prompt: a code, a name) cannot be
 * satisfied by one message, and fails. */
static void
answer_plain(struct pam_run *run)
{
	size_t i;

	for (i = 0; i < run->conv.n; i++) {
		if (run->conv.kind[i] == PROMPT_VISIBLE) {
			attempt_verified(run->a, VERDICT_FAILED,
			    "plain:prompt-unanswerable");
			return;
		}
		if (run->conv.kind[i] == PROMPT_SECRET)
			memcpy(run->answers.text[i], run->password,
			    sizeof(run->password));
	}
	run->next = run->conv.n;
	send_answers(run);
}

static int
on_conv(struct helper_run *h, const struct ipc_msg *in)
{
	struct pam_run *run = (struct pam_run *)h;

	if (run->in_conv || msg_read_pam_conv(in, &run->conv) == -1)
		return -1;
	run->next = 0;
	run->in_conv = true;
	if (++run->calls > LOGIN_MAX_ROUNDS)
		attempt_verified(run->a, VERDICT_LIMIT, "too many rounds");
	else if (run->dialog == DIALOG_ROUNDS)
		relay_round(run);
	else if (run->dialog == DIALOG_ONE_BY_ONE)
		relay_next(run);
	else
		answer_plain(run);
	return 0;
}

static int
on_result(struct helper_run *h, const struct ipc_msg *in)
{
	struct pam_run *run = (struct pam_run *)h;
	static const char *const stages[] = {
		[PAM_STAGE_START] = "start",
		[PAM_STAGE_AUTHENTICATE] = "auth",
		[PAM_STAGE_ACCOUNT] = "account",
		[PAM_STAGE_CHAUTHTOK] = "chauthtok",
	};
	struct msg_pam_result m;
	enum verdict v;
	struct ipc_chan *chan;
	char detail[128];
	int pidfd;

	if (run->in_conv || msg_read_pam_result(in, &m) == -1)
		return -1;
	snprintf(detail, sizeof(detail), "%s:%s", stages[m.stage],
	    pam_code_name(m.code));
	v = pam_verdict((int)m.code, m.stage);
	/* Proven where sessions are offered: the helper waits to keep the
	 * session with the handle that authenticated.  Else it ends the
	 * transaction (pam_end) and exits by itself. */
	if (v == VERDICT_OK && run->a->svc->sessions.enabled) {
		helper_run_hand_over(&run->helper, &chan, &pidfd);
		attempt_keep_helper(run->a, chan, pidfd);
	} else {
		helper_run_finished(&run->helper);
	}
	attempt_verified(run->a, v, detail);
	return 0;
}

/* What the helper may send; which is legal now, its handler decides. */
static const struct helper_msg helper_msgs[] = {
	{ MSG_PAM_CONV, on_conv },
	{ MSG_PAM_RESULT, on_result },
};

/* The PAM zygote program (config pam_path), set by pam_prepare. */
static const char *pam_path;

/* Whether a service's rules name a mechanism verified through PAM, or
 * its logins' sessions need its PAM stack. */
static bool
uses_pam(const struct policy_service *svc)
{
	return svc->sessions.enabled || policy_service_uses(svc,
	    (1u << MECH_PASSWORD) |
	    (1u << MECH_KBDINT) | (1u << MECH_PLAIN));
}

/* The directory this process's libpam reads stacks from: pam_wrapper's
 * when it is in force (the tests), else the system's. */
static const char *
pam_config_dir(void)
{
	const char *dir = getenv("PAM_WRAPPER_SERVICE_DIR");

	return getenv("PAM_WRAPPER") != NULL && dir != NULL ? dir :
	    "/etc/pam.d";
}

/* Whether the stack file name (in the PAM directory), or a file it
 * @includes (depth levels down), names pam_loginbroker. */
static bool
stack_names_module(const char *name, int depth)
{
	char path[512], line[1024], inc[256];
	bool found = false;
	FILE *f;

	if (strchr(name, '/') != NULL)
		return false;
	snprintf(path, sizeof(path), "%s/%s", pam_config_dir(), name);
	if ((f = fopen(path, "re")) == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "#")] = '\0';
		if (sscanf(line, " @include %255s", inc) == 1)
			found = depth > 0 && stack_names_module(inc, depth - 1);
		else
			found = strstr(line, "pam_loginbroker") != NULL;
	}
	fclose(f);
	return found;
}

/* The PAM mechanism whose verifier checks a service's stack: the first
 * it uses (password for one that uses PAM for sessions alone), so that
 * each is checked once. */
static int
checking_mech(const struct policy_service *svc)
{
	static const int mechs[] = { MECH_PASSWORD, MECH_KBDINT, MECH_PLAIN };
	size_t i;

	for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++)
		if (policy_service_uses(svc, 1u << mechs[i]))
			return mechs[i];
	return MECH_PASSWORD;
}

/* A PAM service of the broker's own that names pam_loginbroker would
 * hand each login back to the broker (the module refuses to run there):
 * said at -n and at every start and reload, for mech's services. */
static void
check_stacks(const struct policy *p, int mech)
{
	size_t i;

	for (i = 0; i < p->nservices; i++)
		if (uses_pam(&p->services[i]) &&
		    checking_mech(&p->services[i]) == mech &&
		    stack_names_module(p->services[i].pam_service, 2))
			log_msg(LOG_WARNING, "service %s: its PAM service %s "
			    "names pam_loginbroker, which refuses to run in "
			    "the broker's own stacks: its logins fail",
			    p->services[i].name, p->services[i].pam_service);
}

static int
password_check(const struct config *conf, const struct policy *p)
{
	check_stacks(p, MECH_PASSWORD);
	return 0;
}

static int
kbdint_check(const struct config *conf, const struct policy *p)
{
	check_stacks(p, MECH_KBDINT);
	return 0;
}

static int
plain_check(const struct config *conf, const struct policy *p)
{
	check_stacks(p, MECH_PLAIN);
	return 0;
}

/* Whether the zygotes of p's PAM services are ready (verifier.prepared). */
static int
pam_prepared(const struct policy *p)
{
	size_t i;
	int state = 0, one;

	for (i = 0; i < p->nservices; i++) {
		if (!uses_pam(&p->services[i]))
			continue;
		if ((one = zygote_state(pam_path,
		    p->services[i].pam_service)) == -1)
			return -1;
		if (one == 1)
			state = 1;
	}
	return state;
}

/* Both mechanisms share one zygote per PAM service: one for each service
 * that uses PAM, started before the policy is put in force. */
static int
pam_prepare(const struct config *conf, const struct policy *p)
{
	size_t i;

	pam_path = conf->pam_path;
	for (i = 0; i < p->nservices; i++)
		if (uses_pam(&p->services[i]) &&
		    zygote_start(conf, conf->pam_path,
		    p->services[i].pam_service, NULL) == -1)
			return -1;
	return 0;
}

static void
pam_cancel(struct attempt *a)
{
	struct pam_run *run = a->vstate;

	if (run == NULL)
		return;
	a->vstate = NULL;
	helper_run_stop(&run->helper, NULL, NULL);
	/* The answers are wiped as soon as they are sent. */
	explicit_bzero(run, sizeof(*run));
	free(run);
}

/* A helper is ready: it gets the user, and PAM starts talking. */
static void
send_begin(struct helper_run *h)
{
	struct pam_run *run = (struct pam_run *)h;
	struct msg_pam_begin m;

	snprintf(m.user, sizeof(m.user), "%s", run->a->user);
	/* plain cannot ask for a new password. */
	m.may_change = run->a->svc->password_change &&
	    run->dialog != DIALOG_NONE;
	m.keep = run->a->svc->sessions.enabled;
	snprintf(m.rhost, sizeof(m.rhost), "%s", run->a->remote_host);
	snprintf(m.ruser, sizeof(m.ruser), "%s", run->a->remote_user);
	(void)helper_run_send(h, MSG_PAM_BEGIN, &m, "PAM_BEGIN too long");
}

static const struct helper_ops pam_helper_ops = {
	"PAM helper", helper_msgs, sizeof(helper_msgs) / sizeof(helper_msgs[0]),
	send_begin,
};

/* A run for a, its helper asked for unless the password must come
 * first (plain). */
static struct pam_run *
pam_run_new(struct attempt *a, enum pam_dialog dialog)
{
	struct spawn_ctl *helpers = zygote_find(pam_path,
	    a->svc->pam_service);
	struct pam_run *run;

	if (helpers == NULL || (run = calloc(1, sizeof(*run))) == NULL)
		return NULL;
	run->a = a;
	run->dialog = dialog;
	run->helper.pidfd = -1;		/* none yet: nothing to kill */
	a->vstate = run;
	if (dialog != DIALOG_NONE)
		helper_run_start(&run->helper, a, helpers, &pam_helper_ops);
	return run;
}

static int
password_begin(struct attempt *a)
{
	return pam_run_new(a, DIALOG_ONE_BY_ONE) != NULL ? 0 : -1;
}

static int
kbdint_begin(struct attempt *a)
{
	return pam_run_new(a, DIALOG_ROUNDS) != NULL ? 0 : -1;
}

/* The PLAIN message comes with the login, or after an empty challenge. */
static int
plain_begin(struct attempt *a)
{
	if (pam_run_new(a, DIALOG_NONE) == NULL)
		return -1;
	if (!a->initial)
		attempt_data(a, "", 0);
	return 0;
}

/* The answer to the message shown last: one to a prompt, none to a
 * message. */
static int
password_answer(struct attempt *a, const struct msg_answers *ans)
{
	struct pam_run *run = a->vstate;

	if (ans->n != (is_prompt(run->conv.kind[run->next]) ? 1u : 0u))
		return -1;
	if (ans->n == 1)
		memcpy(run->answers.text[run->next], ans->text[0],
		    sizeof(ans->text[0]));
	run->next++;
	relay_next(run);
	return 0;
}

/* One answer per prompt of the round, into the prompts' places. */
static int
kbdint_answer(struct attempt *a, const struct msg_answers *ans)
{
	struct pam_run *run = a->vstate;
	uint32_t got = 0;
	size_t i;

	for (i = 0; i < run->conv.n; i++) {
		if (!is_prompt(run->conv.kind[i]))
			continue;
		if (got == ans->n)
			return -1;
		memcpy(run->answers.text[i], ans->text[got++],
		    sizeof(ans->text[0]));
	}
	if (got != ans->n)
		return -1;
	run->next = run->conv.n;
	send_answers(run);
	return 0;
}

/* The PLAIN message as the worker split it: authzid, authcid, password.
 * The authcid is the user who proves it; an authzid of someone else is
 * refused unless the policy lets that user act for them (act-for). */
static int
plain_answer(struct attempt *a, const struct msg_answers *ans)
{
	struct pam_run *run = a->vstate;
	struct spawn_ctl *helpers;

	if (ans->n != 3 || run->helper.helpers != NULL)
		return -1;
	if (strcmp(ans->text[1], a->user) != 0) {
		attempt_verified(a, VERDICT_FAILED, "plain:authcid-mismatch");
		return 0;
	}
	if (ans->text[0][0] != '\0' && strcmp(ans->text[0], a->user) != 0 &&
	    attempt_act_for(a, ans->text[0]) == -1) {
		attempt_verified(a, VERDICT_FAILED, "plain:authzid-refused");
		return 0;
	}
	if ((helpers = zygote_find(pam_path, a->svc->pam_service)) == NULL) {
		attempt_verified(a, VERDICT_ERROR, "PAM helpers unavailable");
		return 0;
	}
	memcpy(run->password, ans->text[2], sizeof(run->password));
	helper_run_start(&run->helper, a, helpers, &pam_helper_ops);
	return 0;
}

const struct verifier verify_password = {
	.check = password_check,
	.prepare = pam_prepare,
	.prepared = pam_prepared,
	.begin = password_begin,
	.answer = password_answer,
	.cancel = pam_cancel,
};

const struct verifier verify_kbdint = {
	.check = kbdint_check,
	.prepare = pam_prepare,
	.prepared = pam_prepared,
	.begin = kbdint_begin,
	.answer = kbdint_answer,
	.cancel = pam_cancel,
};

const struct verifier verify_plain = {
	.check = plain_check,
	.prepare = pam_prepare,
	.prepared = pam_prepared,
	.begin = plain_begin,
	.answer = plain_answer,
	.cancel = pam_cancel,
	.initial_response = true,
};
