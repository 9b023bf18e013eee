/* SPDX-License-Identifier: ISC */
/*
 * msg.h: every message of ipc_proto.h as a C struct, with the one encoder
 * and the one decoder of its layout, used by both ends, the tests and the
 * fuzzers (as OpenSMTPD's m_add_* / m_get_*).  A message is composed in
 * place in its channel's write queue, so no other copy of a secret is
 * made.  Decoding checks what the layout itself bounds (lengths, counts,
 * enums, exact consumption); what a value means is for the receiver.
 * Structs that held a secret (msg_answers) are wiped by their user.
 */
#ifndef LB_MSG_H
#define LB_MSG_H

#include <stdbool.h>
#include <stdint.h>

#include "ipc_chan.h"
#include "ipc_payload.h"
#include "ipc_proto.h"

/* A remote address as a front end writes it. */
#define MSG_HOST_MAX	64

/* Mechanisms a client may begin now (ASSIGN, OFFER). */
struct msg_mechs {
	uint32_t n;
	char name[MECH_MAX][MECH_NAME_MAX];
};

struct msg_spawner_ready {
	uint32_t version;		/* IPC_PROTO_VERSION */
};

struct msg_spare {			/* with the child's channel */
	uint32_t pid;
};

struct msg_child_exit {
	uint32_t pid;
	uint32_t status;		/* as waitpid gives it */
};

struct msg_assign {			/* with the client; peerid: session */
	uint32_t idle_timeout_ms;
	struct msg_mechs offer;
	uint8_t front;			/* enum front_end: how it speaks */
};

struct msg_prompt {
	uint8_t kind;			/* enum prompt_kind */
	char text[CONV_MAX_TEXT];
};

/* A keyboard-interactive round: name, instruction, prompts. */
struct msg_round {
	char name[CONV_MAX_TEXT];
	char instruction[ROUND_INSTRUCTION_MAX];
	uint32_t n;
	bool echo[ROUND_MAX_PROMPTS];
	char prompt[ROUND_MAX_PROMPTS][CONV_MAX_TEXT];
};

struct msg_offer {
	char user[USER_NAME_MAX];	/* the chain continues as; "": none */
	struct msg_mechs mechs;
};

/* Mechanism data (DATA, AUTH_DATA, and with a success). */
struct msg_data {
	uint32_t len;
	uint8_t bytes[MECH_DATA_MAX];
};

struct msg_reply {			/* RESULT and CLOSE */
	uint32_t code;			/* 200-599 */
	char text[CONV_MAX_TEXT];
	struct msg_data final;		/* a mechanism's last data; 200 only */
};

struct msg_auth_begin {
	char mech[MECH_NAME_MAX];
	char user[USER_NAME_MAX];
	bool initial;			/* the initial response comes next */
};

/* A client's answers (AUTH_ANSWER) or the broker's to a PAM call
 * (PAM_CONV_REPLY), in order.  Secrets: wipe after use. */
struct msg_answers {
	uint32_t n;
	char text[CONV_MAX_MESSAGES][CONV_MAX_ANSWER];
};

/* Wipes the answers a holds, the rows its count names, and the count:
 * not the rows never written, which in a fresh process are pages it has
 * not touched. */
void msg_answers_wipe(struct msg_answers *a);

struct msg_context {
	char host[MSG_HOST_MAX];
	char user[USER_NAME_MAX];	/* "": none */
	char command[CONTEXT_COMMAND_MAX];	/* "": none */
};

struct msg_pam_begin {			/* PAM_BEGIN and KEEPER_BEGIN */
	char user[USER_NAME_MAX];
	bool may_change;		/* an expired password, in the dialog */
	bool keep;			/* proven: wait to become the keeper */
	char rhost[MSG_HOST_MAX];	/* PAM_RHOST; "": none */
	char ruser[USER_NAME_MAX];	/* PAM_RUSER; "": none */
};

struct msg_pam_conv {			/* one conversation call */
	uint32_t n;
	uint8_t kind[CONV_MAX_MESSAGES];	/* enum prompt_kind */
	char text[CONV_MAX_MESSAGES][CONV_MAX_TEXT];
};

struct msg_pam_result {
	uint32_t code;			/* the PAM return code */
	uint8_t stage;			/* enum pam_stage */
};

struct msg_gss_begin {
	char user[USER_NAME_MAX];
	char keytab[HELPER_PATH_MAX];
	char principal[GSS_PRINCIPAL_MAX];	/* "": any key of the keytab */
	uint32_t binding_len;
	uint8_t binding[GSS_BINDING_MAX];
	char ccache[HELPER_PATH_MAX];	/* "": delegated credentials dropped */
};

struct msg_gss_result {
	uint8_t outcome;		/* enum mech_outcome */
	char detail[GSS_PRINCIPAL_MAX + 32];	/* for the audit log */
	char principal[GSS_PRINCIPAL_MAX];	/* "": not proven */
	char realm[GSS_PRINCIPAL_MAX];	/* the principal's, unescaped */
	bool delegated;			/* stored in the begin's ccache */
};

struct msg_scram_begin {
	char user[USER_NAME_MAX];
	char store[HELPER_PATH_MAX];	/* the stored-key file (scram_file) */
};

struct msg_scram_result {
	uint8_t outcome;		/* enum mech_outcome */
	char detail[64];		/* for the audit log */
	char authzid[USER_NAME_MAX];	/* a=, for the broker to allow; "" */
	struct msg_data final;		/* server-final, for a success */
};

struct msg_duo_begin {
	char user[USER_NAME_MAX];
	char keys[HELPER_PATH_MAX];	/* ikey, skey, host (duo_file) */
	char host[DUO_HOST_MAX];	/* duo-host; "": the key file's */
	char cafile[HELPER_PATH_MAX];	/* duo-cafile; "": the key file's */
	char client_ip[MSG_HOST_MAX];	/* the context's; "": none */
	char command[CONTEXT_COMMAND_MAX];	/* the context's; "": none */
	uint32_t flags;			/* DUO_BEGIN_* */
	bool fail_secure;		/* duo-failmode secure */
	uint32_t https_timeout_ms;
};

struct msg_duo_result {
	uint8_t outcome;		/* enum mech_outcome */
	char detail[96];		/* for the audit log: "duo:allow:push" */
};

struct msg_groups_begin {
	char user[USER_NAME_MAX];
};

struct msg_groups {
	uint32_t n;
	char name[GROUPS_MAX][GROUP_NAME_MAX];
};

struct msg_session_env {
	char name[SESSION_ENV_NAME_MAX];
	char value[SESSION_ENV_LEN];
};

struct msg_session_open {
	char tty[SESSION_TTY_MAX];	/* PAM_TTY; "": the default */
};

struct msg_session_start {		/* argc 0: the login shell */
	uint32_t argc;
	char arg[SESSION_ARGV_MAX][SESSION_ARG_LEN];
};

struct msg_keeper_open {
	uint32_t session;		/* the broker's, for the keeper's log */
	uint32_t peer_uid;		/* the front end's: a terminal's owner */
	char service[64];		/* the policy's service */
	char tty[SESSION_TTY_MAX];	/* PAM_TTY */
	char ccache[HELPER_PATH_MAX];	/* delegated credentials; "": none */
	char state_dir[HELPER_PATH_MAX];	/* live sessions' files */
	char utmp[HELPER_PATH_MAX];	/* utmp and wtmp files; "": none */
	char wtmp[HELPER_PATH_MAX];
	uint32_t nenv;
	char env[SESSION_ENV_MAX][SESSION_ENV_LEN];	/* NAME=VALUE */
};

struct msg_keeper_result {
	uint8_t step;			/* enum keeper_step */
	uint32_t code;			/* 0, a PAM code (open), an errno */
	char detail[128];		/* for the log: "open_session:..." */
	uint32_t pid;			/* started: the user's process */
};

struct msg_keeper_exit {
	uint32_t status;		/* as waitpid gives it */
	char tty[SESSION_TTY_MAX];	/* the terminal's name; "": none */
};

/* Queues a message of type on c, encoded from m (NULL for the empty
 * ones), with fd (or -1), which the channel then owns: 0, or -1 with
 * errno (ERANGE: it does not fit a message, or m does not go with type;
 * ENOBUFS: the queue is full), fd closed and nothing queued. */
int msg_send(struct ipc_chan *c, uint32_t type, uint32_t peerid, int fd,
    const void *m);

/* Writes m's fields as type's payload into w (nothing for the empty
 * ones): what msg_send composes in place; see ipc_writer_ok. */
void msg_encode(struct ipc_writer *w, uint32_t type, const void *m);

/* Decodes in, which must be of type, into m (NULL for the empty ones):
 * 0, or -1 when the payload does not follow the layout exactly. */
int msg_read(const struct ipc_msg *in, uint32_t type, void *m);

/* The name of a message type ("ASSIGN"), or NULL for an unknown one. */
const char *msg_name(uint32_t type);

/* Typed forms: msg_send_NAME(chan, peerid, fd, &m), msg_read_NAME(in,
 * &m), so that a message can only be sent or read with its own struct. */
#define MSG_TYPED(name, type, strct) \
static inline int \
msg_send_##name(struct ipc_chan *c, uint32_t peerid, int fd, \
    const struct strct *m) \
{ \
	return msg_send(c, type, peerid, fd, m); \
} \
static inline int \
msg_read_##name(const struct ipc_msg *in, struct strct *m) \
{ \
	return msg_read(in, type, m); \
}

MSG_TYPED(spawner_ready, MSG_SPAWNER_READY, msg_spawner_ready)
MSG_TYPED(spare, MSG_SPARE, msg_spare)
MSG_TYPED(child_exit, MSG_CHILD_EXIT, msg_child_exit)
MSG_TYPED(assign, MSG_ASSIGN, msg_assign)
MSG_TYPED(prompt, MSG_PROMPT, msg_prompt)
MSG_TYPED(round, MSG_ROUND, msg_round)
MSG_TYPED(offer, MSG_OFFER, msg_offer)
MSG_TYPED(result, MSG_RESULT, msg_reply)
MSG_TYPED(close, MSG_CLOSE, msg_reply)
MSG_TYPED(auth_begin, MSG_AUTH_BEGIN, msg_auth_begin)
MSG_TYPED(auth_answer, MSG_AUTH_ANSWER, msg_answers)
MSG_TYPED(context, MSG_CONTEXT, msg_context)
MSG_TYPED(pam_begin, MSG_PAM_BEGIN, msg_pam_begin)
MSG_TYPED(pam_conv, MSG_PAM_CONV, msg_pam_conv)
MSG_TYPED(pam_result, MSG_PAM_RESULT, msg_pam_result)
MSG_TYPED(pam_conv_reply, MSG_PAM_CONV_REPLY, msg_answers)
MSG_TYPED(data, MSG_DATA, msg_data)
MSG_TYPED(auth_data, MSG_AUTH_DATA, msg_data)
MSG_TYPED(gss_begin, MSG_GSS_BEGIN, msg_gss_begin)
MSG_TYPED(gss_result, MSG_GSS_RESULT, msg_gss_result)
MSG_TYPED(scram_begin, MSG_SCRAM_BEGIN, msg_scram_begin)
MSG_TYPED(scram_result, MSG_SCRAM_RESULT, msg_scram_result)
MSG_TYPED(duo_begin, MSG_DUO_BEGIN, msg_duo_begin)
MSG_TYPED(duo_result, MSG_DUO_RESULT, msg_duo_result)
MSG_TYPED(groups_begin, MSG_GROUPS_BEGIN, msg_groups_begin)
MSG_TYPED(groups_result, MSG_GROUPS_RESULT, msg_groups)
MSG_TYPED(session_env, MSG_SESSION_ENV, msg_session_env)
MSG_TYPED(session_open, MSG_SESSION_OPEN, msg_session_open)
MSG_TYPED(session_start, MSG_SESSION_START, msg_session_start)
MSG_TYPED(keeper_begin, MSG_KEEPER_BEGIN, msg_pam_begin)
MSG_TYPED(keeper_open, MSG_KEEPER_OPEN, msg_keeper_open)
MSG_TYPED(keeper_result, MSG_KEEPER_RESULT, msg_keeper_result)
MSG_TYPED(keeper_exit, MSG_KEEPER_EXIT, msg_keeper_exit)

#undef MSG_TYPED

#endif
