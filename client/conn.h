/* SPDX-License-Identifier: ISC */
/*
 * conn.h: libloginbroker's connection, shared by the request layer
 * (loginbroker.c: the socket, replies, lsauth and context) and the login
 * engine (login.c).  Internal to the library.
 */
#ifndef LB_CONN_H
#define LB_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base64.h"
#include "ipc_proto.h"
#include "line.h"
#include "loginbroker.h"

#define MECHS_MAX	MECH_MAX
#define TEXT_MAX	(4 * CONV_MAX_TEXT)
/* An LB_INTERACT list: a round's name, the lines of its instruction (the
 * last entry takes what is left of a longer one), its prompts, the end. */
#define INFO_LINES_MAX	16
#define INTERACT_MAX	(1 + INFO_LINES_MAX + ROUND_MAX_PROMPTS + 1)

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
	OP_SESSION,
};

enum step {
	STEP_START,
	STEP_SEND,
	STEP_READ,
};

/* What a login attempt waits for from the caller. */
enum wait {
	WAIT_NONE,	/* no attempt in progress */
	WAIT_SECRET,	/* the password a SASL mechanism's first message needs */
	WAIT_PROMPTS,	/* the answers to a 301-305 reply's list */
	WAIT_DATA,	/* the answer to a 300's data (LB_CONTINUE) */
};

struct mech_row;
struct driver;
struct lb_gss;
struct lb_sasl;

/* A login attempt: login.c's. */
struct attempt {
	enum wait wait;
	const struct mech_row *row;	/* how the library runs the mechanism */
	const struct driver *driver;	/* its data steps, when the library
					 * runs them (gss or sasl) */
	struct lb_gss *gss;
	struct lb_sasl *sasl;
	char mech[MECH_NAME_MAX];
	char user[USER_NAME_MAX];
	size_t nlist, nasks;
	struct lb_interact list[INTERACT_MAX];
	char lines[ROUND_INSTRUCTION_MAX];	/* a round's instruction, cut */
	char answers[ROUND_MAX_PROMPTS][CONV_MAX_ANSWER];
	uint8_t out[MECH_DATA_MAX];	/* the driver's data for the broker */
	char b64[BASE64_LEN(MECH_DATA_MAX) + 1];	/* data being queued */
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
	/* its mechanism data, decoded: a 300's, or a success's final data
	 * (200 TEXT DATA) */
	bool has_data;
	size_t datalen;
	uint8_t data[MECH_DATA_MAX];
	struct line_reader in;
	size_t outlen, outoff;
	char out[LINE_MAX_BYTES];
	/* Descriptors to go with the queued request's first byte (the
	 * caller's; the kernel passes copies). */
	size_t nout_fds;
	int out_fds[SESSION_FDS_MAX];
	struct attempt login;
};

/* loginbroker.c: requests and replies. */

/* Starts op (reading the greeting first), or checks that the caller
 * resumes the op in progress: c->step is STEP_START for a new one. */
int conn_begin_op(struct lb_conn *c, enum op op);

/* Ends the op unless rc is LB_EAGAIN; returns rc. */
int conn_end_op(struct lb_conn *c, int rc);

/* Queues a request line, the words quoted as needed, to be sent next:
 * LB_OK, or LB_REFUSED when it cannot be sent (too long, CR or LF). */
int conn_queue(struct lb_conn *c, const char *const *words, size_t n);

/* The same with descriptors for the request's first byte: LB_OK, or
 * LB_REFUSED for more than SESSION_FDS_MAX. */
int conn_queue_fds(struct lb_conn *c, const char *const *words, size_t n,
    const int *fds, size_t nfds);

/* Sends the queued request and reads until its whole reply is in. */
int conn_exchange(struct lb_conn *c);

/* Marks the connection unusable: LB_PROTOCOL_ERROR. */
int conn_broken(struct lb_conn *c);

/* What a final reply code means to the caller. */
int conn_status(int code);

/* login.c: ends the login attempt, freeing and wiping its state. */
void login_end(struct lb_conn *c);

#endif
