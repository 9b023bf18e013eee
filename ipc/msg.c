/* SPDX-License-Identifier: ISC */
/* msg.c: the layouts of ipc_proto.h's messages, one table row each. */
#include "msg.h"

#include <stddef.h>
#include <string.h>

#include "base64.h"
#include "line.h"


/* A success with the most final data, the largest message of a step. */
_Static_assert(4 + 4 + CONV_MAX_TEXT + 4 + MECH_DATA_MAX <= IPC_PAYLOAD_MAX,
    "mechanism data does not fit one message");
/* Its reply line, "200 ", the quoted success text (the broker's own,
 * "Logged in"), a space, the data and CRLF, fits a client's line. */
_Static_assert(4 + 24 + 1 + BASE64_LEN(MECH_FINAL_MAX) + 2 <= LINE_MAX_BYTES,
    "final data does not fit a reply line");

/* --- the mechanisms a client may begin ---------------------------- */

static void
put_mechs(struct ipc_writer *w, const struct msg_mechs *m)
{
	uint32_t i;

	ipc_put_u32(w, m->n);
	for (i = 0; i < m->n && i < MECH_MAX; i++)
		ipc_put_str(w, m->name[i]);
}

static void
get_mechs(struct ipc_reader *r, struct msg_mechs *m)
{
	uint32_t i;

	if ((m->n = ipc_get_u32(r)) > MECH_MAX)
		r->bad = true;
	for (i = 0; i < m->n && !r->bad; i++)
		ipc_get_str(r, m->name[i], sizeof(m->name[i]));
}

/* --- spawner <-> broker -------------------------------------------- */

static void
put_spawner_ready(struct ipc_writer *w, const void *p)
{
	const struct msg_spawner_ready *m = p;

	ipc_put_u32(w, m->version);
}

static void
get_spawner_ready(struct ipc_reader *r, void *p)
{
	struct msg_spawner_ready *m = p;

	m->version = ipc_get_u32(r);
}

static void
put_spare(struct ipc_writer *w, const void *p)
{
	const struct msg_spare *m = p;

	ipc_put_u32(w, m->pid);
}

static void
get_spare(struct ipc_reader *r, void *p)
{
	struct msg_spare *m = p;

	m->pid = ipc_get_u32(r);
}

static void
put_child_exit(struct ipc_writer *w, const void *p)
{
	const struct msg_child_exit *m = p;

	ipc_put_u32(w, m->pid);
	ipc_put_u32(w, m->status);
}

static void
get_child_exit(struct ipc_reader *r, void *p)
{
	struct msg_child_exit *m = p;

	m->pid = ipc_get_u32(r);
	m->status = ipc_get_u32(r);
}

/* --- broker -> worker ---------------------------------------------- */

static void
put_assign(struct ipc_writer *w, const void *p)
{
	const struct msg_assign *m = p;

	ipc_put_u32(w, m->idle_timeout_ms);
	put_mechs(w, &m->offer);
	ipc_put_u8(w, m->front);
}

static void
get_assign(struct ipc_reader *r, void *p)
{
	struct msg_assign *m = p;

	m->idle_timeout_ms = ipc_get_u32(r);
	get_mechs(r, &m->offer);
	if ((m->front = ipc_get_u8(r)) >= FRONT_COUNT)
		r->bad = true;
}

static bool
kind_valid(uint8_t kind)
{
	return kind >= PROMPT_SECRET && kind <= PROMPT_ERROR;
}

static void
put_prompt(struct ipc_writer *w, const void *p)
{
	const struct msg_prompt *m = p;

	ipc_put_u8(w, m->kind);
	ipc_put_str(w, m->text);
}

static void
get_prompt(struct ipc_reader *r, void *p)
{
	struct msg_prompt *m = p;

	if (!kind_valid(m->kind = ipc_get_u8(r)))
		r->bad = true;
	ipc_get_str(r, m->text, sizeof(m->text));
}

static void
put_round(struct ipc_writer *w, const void *p)
{
	const struct msg_round *m = p;
	uint32_t i;

	ipc_put_str(w, m->name);
	ipc_put_str(w, m->instruction);
	ipc_put_u32(w, m->n);
	for (i = 0; i < m->n && i < ROUND_MAX_PROMPTS; i++) {
		ipc_put_u8(w, m->echo[i]);
		ipc_put_str(w, m->prompt[i]);
	}
}

static void
get_round(struct ipc_reader *r, void *p)
{
	struct msg_round *m = p;
	uint32_t i;

	ipc_get_str(r, m->name, sizeof(m->name));
	ipc_get_str(r, m->instruction, sizeof(m->instruction));
	if ((m->n = ipc_get_u32(r)) > ROUND_MAX_PROMPTS)
		r->bad = true;
	for (i = 0; i < m->n && !r->bad; i++) {
		m->echo[i] = ipc_get_u8(r) != 0;
		ipc_get_str(r, m->prompt[i], sizeof(m->prompt[i]));
	}
}

static void
put_offer(struct ipc_writer *w, const void *p)
{
	const struct msg_offer *m = p;

	ipc_put_str(w, m->user);
	put_mechs(w, &m->mechs);
}

static void
get_offer(struct ipc_reader *r, void *p)
{
	struct msg_offer *m = p;

	ipc_get_str(r, m->user, sizeof(m->user));
	get_mechs(r, &m->mechs);
}

static void
put_data(struct ipc_writer *w, const void *p)
{
	const struct msg_data *m = p;

	ipc_put_bytes(w, m->bytes, m->len <= MECH_DATA_MAX ? m->len :
	    IPC_PAYLOAD_MAX + 1);
}

static void
get_data(struct ipc_reader *r, void *p)
{
	struct msg_data *m = p;

	m->len = (uint32_t)ipc_get_bytes(r, m->bytes, sizeof(m->bytes));
}

static void
put_reply(struct ipc_writer *w, const void *p)
{
	const struct msg_reply *m = p;

	ipc_put_u32(w, m->code);
	ipc_put_str(w, m->text);
	put_data(w, &m->final);
}

/* Final data goes with a success only. */
static void
get_reply(struct ipc_reader *r, void *p)
{
	struct msg_reply *m = p;

	m->code = ipc_get_u32(r);
	if (m->code < 200 || m->code > 599)
		r->bad = true;
	ipc_get_str(r, m->text, sizeof(m->text));
	get_data(r, &m->final);
	if (m->final.len > 0 && m->code != 200)
		r->bad = true;
}

/* --- worker -> broker ---------------------------------------------- */

static void
put_auth_begin(struct ipc_writer *w, const void *p)
{
	const struct msg_auth_begin *m = p;

	ipc_put_str(w, m->mech);
	ipc_put_str(w, m->user);
	ipc_put_u8(w, m->initial);
}

static void
get_auth_begin(struct ipc_reader *r, void *p)
{
	struct msg_auth_begin *m = p;

	ipc_get_str(r, m->mech, sizeof(m->mech));
	ipc_get_str(r, m->user, sizeof(m->user));
	m->initial = ipc_get_u8(r) != 0;
}

static void
put_answers(struct ipc_writer *w, const void *p)
{
	const struct msg_answers *m = p;
	uint32_t i;

	ipc_put_u32(w, m->n);
	for (i = 0; i < m->n && i < CONV_MAX_MESSAGES; i++)
		ipc_put_str(w, m->text[i]);
}

static void
get_answers(struct ipc_reader *r, void *p)
{
	struct msg_answers *m = p;
	uint32_t i;

	if ((m->n = ipc_get_u32(r)) > CONV_MAX_MESSAGES)
		r->bad = true;
	for (i = 0; i < m->n && !r->bad; i++)
		ipc_get_str(r, m->text[i], sizeof(m->text[i]));
}

void
msg_answers_wipe(struct msg_answers *a)
{
	size_t rows = a->n < CONV_MAX_MESSAGES ? a->n : CONV_MAX_MESSAGES;

	explicit_bzero(a->text, rows * sizeof(a->text[0]));
	a->n = 0;
}

static void
put_context(struct ipc_writer *w, const void *p)
{
	const struct msg_context *m = p;

	ipc_put_str(w, m->host);
	ipc_put_str(w, m->user);
	ipc_put_str(w, m->command);
}

static void
get_context(struct ipc_reader *r, void *p)
{
	struct msg_context *m = p;

	ipc_get_str(r, m->host, sizeof(m->host));
	ipc_get_str(r, m->user, sizeof(m->user));
	ipc_get_str(r, m->command, sizeof(m->command));
}

/* --- broker <-> PAM helper ----------------------------------------- */

static void
put_pam_begin(struct ipc_writer *w, const void *p)
{
	const struct msg_pam_begin *m = p;

	ipc_put_str(w, m->user);
	ipc_put_u8(w, m->may_change);
	ipc_put_u8(w, m->keep);
	ipc_put_str(w, m->rhost);
	ipc_put_str(w, m->ruser);
}

static void
get_pam_begin(struct ipc_reader *r, void *p)
{
	struct msg_pam_begin *m = p;

	ipc_get_str(r, m->user, sizeof(m->user));
	m->may_change = ipc_get_u8(r) != 0;
	m->keep = ipc_get_u8(r) != 0;
	ipc_get_str(r, m->rhost, sizeof(m->rhost));
	ipc_get_str(r, m->ruser, sizeof(m->ruser));
}

static void
put_pam_conv(struct ipc_writer *w, const void *p)
{
	const struct msg_pam_conv *m = p;
	uint32_t i;

	ipc_put_u32(w, m->n);
	for (i = 0; i < m->n && i < CONV_MAX_MESSAGES; i++) {
		ipc_put_u8(w, m->kind[i]);
		ipc_put_str(w, m->text[i]);
	}
}

/* A call without messages is not one: n is 1 to CONV_MAX_MESSAGES. */
static void
get_pam_conv(struct ipc_reader *r, void *p)
{
	struct msg_pam_conv *m = p;
	uint32_t i;

	m->n = ipc_get_u32(r);
	if (m->n == 0 || m->n > CONV_MAX_MESSAGES)
		r->bad = true;
	for (i = 0; i < m->n && !r->bad; i++) {
		if (!kind_valid(m->kind[i] = ipc_get_u8(r)))
			r->bad = true;
		ipc_get_str(r, m->text[i], sizeof(m->text[i]));
	}
}

static void
put_pam_result(struct ipc_writer *w, const void *p)
{
	const struct msg_pam_result *m = p;

	ipc_put_u32(w, m->code);
	ipc_put_u8(w, m->stage);
}

static void
get_pam_result(struct ipc_reader *r, void *p)
{
	struct msg_pam_result *m = p;

	m->code = ipc_get_u32(r);
	m->stage = ipc_get_u8(r);
	if (m->stage < PAM_STAGE_START || m->stage > PAM_STAGE_CHAUTHTOK)
		r->bad = true;
}

/* --- broker <-> mechanism helpers ---------------------------------- */

static uint8_t
get_outcome(struct ipc_reader *r, enum mech_outcome last)
{
	uint8_t o = ipc_get_u8(r);

	if (o < MECH_OUTCOME_OK || o > last)
		r->bad = true;
	return o;
}

static void
put_gss_begin(struct ipc_writer *w, const void *p)
{
	const struct msg_gss_begin *m = p;

	ipc_put_str(w, m->user);
	ipc_put_str(w, m->keytab);
	ipc_put_str(w, m->principal);
	ipc_put_bytes(w, m->binding, m->binding_len <= GSS_BINDING_MAX ?
	    m->binding_len : IPC_PAYLOAD_MAX + 1);
	ipc_put_str(w, m->ccache);
}

static void
get_gss_begin(struct ipc_reader *r, void *p)
{
	struct msg_gss_begin *m = p;

	ipc_get_str(r, m->user, sizeof(m->user));
	ipc_get_str(r, m->keytab, sizeof(m->keytab));
	ipc_get_str(r, m->principal, sizeof(m->principal));
	m->binding_len = (uint32_t)ipc_get_bytes(r, m->binding,
	    sizeof(m->binding));
	ipc_get_str(r, m->ccache, sizeof(m->ccache));
}

static void
put_gss_result(struct ipc_writer *w, const void *p)
{
	const struct msg_gss_result *m = p;

	ipc_put_u8(w, m->outcome);
	ipc_put_str(w, m->detail);
	ipc_put_str(w, m->principal);
	ipc_put_str(w, m->realm);
	ipc_put_u8(w, m->delegated);
}

static void
get_gss_result(struct ipc_reader *r, void *p)
{
	struct msg_gss_result *m = p;

	m->outcome = get_outcome(r, MECH_OUTCOME_ERROR);
	ipc_get_str(r, m->detail, sizeof(m->detail));
	ipc_get_str(r, m->principal, sizeof(m->principal));
	ipc_get_str(r, m->realm, sizeof(m->realm));
	m->delegated = ipc_get_u8(r) != 0;
}

/* --- broker <-> SCRAM helper --------------------------------------- */

static void
put_scram_begin(struct ipc_writer *w, const void *p)
{
	const struct msg_scram_begin *m = p;

	ipc_put_str(w, m->user);
	ipc_put_str(w, m->store);
}

static void
get_scram_begin(struct ipc_reader *r, void *p)
{
	struct msg_scram_begin *m = p;

	ipc_get_str(r, m->user, sizeof(m->user));
	ipc_get_str(r, m->store, sizeof(m->store));
}

static void
put_scram_result(struct ipc_writer *w, const void *p)
{
	const struct msg_scram_result *m = p;

	ipc_put_u8(w, m->outcome);
	ipc_put_str(w, m->detail);
	ipc_put_str(w, m->authzid);
	put_data(w, &m->final);
}

/* Final data goes with a success only. */
static void
get_scram_result(struct ipc_reader *r, void *p)
{
	struct msg_scram_result *m = p;

	m->outcome = get_outcome(r, MECH_OUTCOME_ERROR);
	ipc_get_str(r, m->detail, sizeof(m->detail));
	ipc_get_str(r, m->authzid, sizeof(m->authzid));
	get_data(r, &m->final);
	if (m->final.len > 0 && m->outcome != MECH_OUTCOME_OK)
		r->bad = true;
}

/* --- broker <-> Duo helper ----------------------------------------- */

static void
put_duo_begin(struct ipc_writer *w, const void *p)
{
	const struct msg_duo_begin *m = p;

	ipc_put_str(w, m->user);
	ipc_put_str(w, m->keys);
	ipc_put_str(w, m->host);
	ipc_put_str(w, m->cafile);
	ipc_put_str(w, m->client_ip);
	ipc_put_str(w, m->command);
	ipc_put_u32(w, m->flags);
	ipc_put_u8(w, m->fail_secure);
	ipc_put_u32(w, m->https_timeout_ms);
}

static void
get_duo_begin(struct ipc_reader *r, void *p)
{
	struct msg_duo_begin *m = p;

	ipc_get_str(r, m->user, sizeof(m->user));
	ipc_get_str(r, m->keys, sizeof(m->keys));
	ipc_get_str(r, m->host, sizeof(m->host));
	ipc_get_str(r, m->cafile, sizeof(m->cafile));
	ipc_get_str(r, m->client_ip, sizeof(m->client_ip));
	ipc_get_str(r, m->command, sizeof(m->command));
	m->flags = ipc_get_u32(r);
	if ((m->flags & ~(uint32_t)(DUO_BEGIN_AUTO | DUO_BEGIN_SYNC)) != 0)
		r->bad = true;
	m->fail_secure = ipc_get_u8(r) != 0;
	m->https_timeout_ms = ipc_get_u32(r);
}

static void
put_duo_result(struct ipc_writer *w, const void *p)
{
	const struct msg_duo_result *m = p;

	ipc_put_u8(w, m->outcome);
	ipc_put_str(w, m->detail);
}

static void
get_duo_result(struct ipc_reader *r, void *p)
{
	struct msg_duo_result *m = p;

	m->outcome = get_outcome(r, MECH_OUTCOME_FAILOPEN);
	ipc_get_str(r, m->detail, sizeof(m->detail));
}

/* --- session requests and the keeper ------------------------------- */

static void
put_session_env(struct ipc_writer *w, const void *p)
{
	const struct msg_session_env *m = p;

	ipc_put_str(w, m->name);
	ipc_put_str(w, m->value);
}

static void
get_session_env(struct ipc_reader *r, void *p)
{
	struct msg_session_env *m = p;

	ipc_get_str(r, m->name, sizeof(m->name));
	ipc_get_str(r, m->value, sizeof(m->value));
}

static void
put_session_open(struct ipc_writer *w, const void *p)
{
	const struct msg_session_open *m = p;

	ipc_put_str(w, m->tty);
}

static void
get_session_open(struct ipc_reader *r, void *p)
{
	struct msg_session_open *m = p;

	ipc_get_str(r, m->tty, sizeof(m->tty));
}

static void
put_groups_begin(struct ipc_writer *w, const void *p)
{
	const struct msg_groups_begin *m = p;

	ipc_put_str(w, m->user);
}

static void
get_groups_begin(struct ipc_reader *r, void *p)
{
	struct msg_groups_begin *m = p;

	ipc_get_str(r, m->user, sizeof(m->user));
}

static void
put_groups(struct ipc_writer *w, const void *p)
{
	const struct msg_groups *m = p;
	uint32_t i;

	ipc_put_u32(w, m->n);
	for (i = 0; i < m->n && i < GROUPS_MAX; i++)
		ipc_put_str(w, m->name[i]);
}

static void
get_groups(struct ipc_reader *r, void *p)
{
	struct msg_groups *m = p;
	uint32_t i;

	if ((m->n = ipc_get_u32(r)) > GROUPS_MAX)
		r->bad = true;
	for (i = 0; i < m->n && !r->bad; i++)
		ipc_get_str(r, m->name[i], sizeof(m->name[i]));
}

static void
put_session_start(struct ipc_writer *w, const void *p)
{
	const struct msg_session_start *m = p;
	uint32_t i;

	ipc_put_u32(w, m->argc);
	for (i = 0; i < m->argc && i < SESSION_ARGV_MAX; i++)
		ipc_put_str(w, m->arg[i]);
}

static void
get_session_start(struct ipc_reader *r, void *p)
{
	struct msg_session_start *m = p;
	uint32_t i;

	if ((m->argc = ipc_get_u32(r)) > SESSION_ARGV_MAX)
		r->bad = true;
	for (i = 0; i < m->argc && !r->bad; i++)
		ipc_get_str(r, m->arg[i], sizeof(m->arg[i]));
}

static void
put_keeper_open(struct ipc_writer *w, const void *p)
{
	const struct msg_keeper_open *m = p;
	uint32_t i;

	ipc_put_u32(w, m->session);
	ipc_put_u32(w, m->peer_uid);
	ipc_put_str(w, m->service);
	ipc_put_str(w, m->tty);
	ipc_put_str(w, m->ccache);
	ipc_put_str(w, m->state_dir);
	ipc_put_str(w, m->utmp);
	ipc_put_str(w, m->wtmp);
	ipc_put_u32(w, m->nenv);
	for (i = 0; i < m->nenv && i < SESSION_ENV_MAX; i++)
		ipc_put_str(w, m->env[i]);
}

static void
get_keeper_open(struct ipc_reader *r, void *p)
{
	struct msg_keeper_open *m = p;
	uint32_t i;

	m->session = ipc_get_u32(r);
	m->peer_uid = ipc_get_u32(r);
	ipc_get_str(r, m->service, sizeof(m->service));
	ipc_get_str(r, m->tty, sizeof(m->tty));
	ipc_get_str(r, m->ccache, sizeof(m->ccache));
	ipc_get_str(r, m->state_dir, sizeof(m->state_dir));
	ipc_get_str(r, m->utmp, sizeof(m->utmp));
	ipc_get_str(r, m->wtmp, sizeof(m->wtmp));
	if ((m->nenv = ipc_get_u32(r)) > SESSION_ENV_MAX)
		r->bad = true;
	for (i = 0; i < m->nenv && !r->bad; i++)
		ipc_get_str(r, m->env[i], sizeof(m->env[i]));
}

static void
put_keeper_result(struct ipc_writer *w, const void *p)
{
	const struct msg_keeper_result *m = p;

	ipc_put_u8(w, m->step);
	ipc_put_u32(w, m->code);
	ipc_put_str(w, m->detail);
	ipc_put_u32(w, m->pid);
}

static void
get_keeper_result(struct ipc_reader *r, void *p)
{
	struct msg_keeper_result *m = p;

	m->step = ipc_get_u8(r);
	if (m->step != KEEPER_STEP_OPEN && m->step != KEEPER_STEP_START)
		r->bad = true;
	m->code = ipc_get_u32(r);
	ipc_get_str(r, m->detail, sizeof(m->detail));
	m->pid = ipc_get_u32(r);
}

static void
put_keeper_exit(struct ipc_writer *w, const void *p)
{
	const struct msg_keeper_exit *m = p;

	ipc_put_u32(w, m->status);
	ipc_put_str(w, m->tty);
}

static void
get_keeper_exit(struct ipc_reader *r, void *p)
{
	struct msg_keeper_exit *m = p;

	m->status = ipc_get_u32(r);
	ipc_get_str(r, m->tty, sizeof(m->tty));
}

/* ------------------------------------------------------------------- */

/* Every message type: its name and its layout (NULL: empty). */
static const struct codec {
	const char *name;
	void (*put)(struct ipc_writer *w, const void *m);
	void (*get)(struct ipc_reader *r, void *m);
} codecs[MSG_TYPE_END] = {
	[MSG_SPAWNER_READY] = { "SPAWNER_READY", put_spawner_ready,
	    get_spawner_ready },
	[MSG_SPARE] = { "SPARE", put_spare, get_spare },
	[MSG_SPAWN] = { "SPAWN", NULL, NULL },
	[MSG_CHILD_EXIT] = { "CHILD_EXIT", put_child_exit, get_child_exit },
	[MSG_ASSIGN] = { "ASSIGN", put_assign, get_assign },
	[MSG_PROMPT] = { "PROMPT", put_prompt, get_prompt },
	[MSG_ROUND] = { "ROUND", put_round, get_round },
	[MSG_OFFER] = { "OFFER", put_offer, get_offer },
	[MSG_RESULT] = { "RESULT", put_reply, get_reply },
	[MSG_CLOSE] = { "CLOSE", put_reply, get_reply },
	[MSG_AUTH_BEGIN] = { "AUTH_BEGIN", put_auth_begin, get_auth_begin },
	[MSG_AUTH_ANSWER] = { "AUTH_ANSWER", put_answers, get_answers },
	[MSG_AUTH_ABORT] = { "AUTH_ABORT", NULL, NULL },
	[MSG_LEAVING] = { "LEAVING", NULL, NULL },
	[MSG_CONTEXT] = { "CONTEXT", put_context, get_context },
	[MSG_PAM_BEGIN] = { "PAM_BEGIN", put_pam_begin, get_pam_begin },
	[MSG_PAM_CONV] = { "PAM_CONV", put_pam_conv, get_pam_conv },
	[MSG_PAM_RESULT] = { "PAM_RESULT", put_pam_result, get_pam_result },
	[MSG_PAM_CONV_REPLY] = { "PAM_CONV_REPLY", put_answers,
	    get_answers },
	[MSG_DATA] = { "DATA", put_data, get_data },
	[MSG_AUTH_DATA] = { "AUTH_DATA", put_data, get_data },
	[MSG_GSS_BEGIN] = { "GSS_BEGIN", put_gss_begin, get_gss_begin },
	[MSG_GSS_RESULT] = { "GSS_RESULT", put_gss_result, get_gss_result },
	[MSG_SCRAM_BEGIN] = { "SCRAM_BEGIN", put_scram_begin,
	    get_scram_begin },
	[MSG_SCRAM_RESULT] = { "SCRAM_RESULT", put_scram_result,
	    get_scram_result },
	[MSG_DUO_BEGIN] = { "DUO_BEGIN", put_duo_begin, get_duo_begin },
	[MSG_DUO_RESULT] = { "DUO_RESULT", put_duo_result, get_duo_result },
	[MSG_GROUPS_BEGIN] = { "GROUPS_BEGIN", put_groups_begin,
	    get_groups_begin },
	[MSG_GROUPS_RESULT] = { "GROUPS_RESULT", put_groups, get_groups },
	[MSG_SESSION_ENV] = { "SESSION_ENV", put_session_env,
	    get_session_env },
	[MSG_SESSION_OPEN] = { "SESSION_OPEN", put_session_open,
	    get_session_open },
	[MSG_SESSION_FD] = { "SESSION_FD", NULL, NULL },
	[MSG_SESSION_START] = { "SESSION_START", put_session_start,
	    get_session_start },
	[MSG_SESSION_WAIT] = { "SESSION_WAIT", NULL, NULL },
	[MSG_SESSION_CLOSE] = { "SESSION_CLOSE", NULL, NULL },
	[MSG_KEEPER_BEGIN] = { "KEEPER_BEGIN", put_pam_begin, get_pam_begin },
	[MSG_KEEPER_OPEN] = { "KEEPER_OPEN", put_keeper_open,
	    get_keeper_open },
	[MSG_KEEPER_RESULT] = { "KEEPER_RESULT", put_keeper_result,
	    get_keeper_result },
	[MSG_KEEPER_EXIT] = { "KEEPER_EXIT", put_keeper_exit,
	    get_keeper_exit },
};

static const struct codec *
codec(uint32_t type)
{
	return type < MSG_TYPE_END && codecs[type].name != NULL ?
	    &codecs[type] : NULL;
}

int
msg_send(struct ipc_chan *c, uint32_t type, uint32_t peerid, int fd,
    const void *m)
{
	struct ipc_writer w;

	ipc_chan_begin(c, &w);
	msg_encode(&w, type, m);
	return ipc_chan_commit(c, &w, type, peerid, fd);
}

void
msg_encode(struct ipc_writer *w, uint32_t type, const void *m)
{
	const struct codec *k = codec(type);

	if (k == NULL || (k->put != NULL) != (m != NULL))
		w->overflow = true;
	else if (k->put != NULL)
		k->put(w, m);
}

int
msg_read(const struct ipc_msg *in, uint32_t type, void *m)
{
	const struct codec *k = codec(type);
	struct ipc_reader r;

	if (k == NULL || in->hdr.type != type ||
	    (k->get != NULL) != (m != NULL))
		return -1;
	ipc_reader_init(&r, in->data, in->len);
	if (k->get != NULL)
		k->get(&r, m);
	return ipc_reader_end(&r);
}

const char *
msg_name(uint32_t type)
{
	const struct codec *k = codec(type);

	return k != NULL ? k->name : NULL;
}
