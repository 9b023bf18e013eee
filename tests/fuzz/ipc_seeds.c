/* SPDX-License-Identifier: ISC */
/*
 * ipc_seeds.c: writes a seed corpus for fuzz_ipc into DIR: the exchanges
 * of a worker and a PAM or GSSAPI helper that take a session to each of
 * its states,
 * written with the real payload and header encoders.
 *   ipc_seeds DIR
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc_frame.h"
#include "ipc_payload.h"
#include "ipc_proto.h"
#include "msg.h"

#define WORKER	0
#define HELPER	1

/* One seed being built: fuzz_ipc's chunks, each a peer, a length and
 * one whole message, encoded by ipc/msg.c. */
static unsigned char seed[4 * IPC_MSG_MAX];
static size_t seed_len;

static void
chunk(int peer, uint32_t type, const void *m)
{
	uint8_t *at = seed + seed_len + 3 + IPC_HDR_SIZE;
	struct ipc_hdr h = { type, 0, 0, 0, 0 };
	struct ipc_writer w;

	if (seed_len + 3 + IPC_MSG_MAX > sizeof(seed))
		abort();
	ipc_writer_init(&w, at, IPC_PAYLOAD_MAX);
	msg_encode(&w, type, m);
	if (!ipc_writer_ok(&w))
		abort();
	h.len = (uint16_t)(IPC_HDR_SIZE + w.len);
	seed[seed_len] = (unsigned char)peer;
	ipc_be16_put(seed + seed_len + 1, h.len);
	ipc_hdr_encode(&h, seed + seed_len + 3);
	seed_len += 3 + h.len;
}

static void
begin(const char *mech, const char *user)
{
	struct msg_auth_begin m = { .initial = false };

	snprintf(m.mech, sizeof(m.mech), "%s", mech);
	snprintf(m.user, sizeof(m.user), "%s", user);
	chunk(WORKER, MSG_AUTH_BEGIN, &m);
}

/* A first factor's begin, and the groups helper's answer (fuzz_ipc's
 * rules name a group). */
static void
first_begin(const char *mech, const char *user)
{
	static const struct msg_groups groups = { 1, { "admins" } };

	begin(mech, user);
	chunk(HELPER, MSG_GROUPS_RESULT, &groups);
}

/* A PAM conversation call of one message. */
static void
conv(enum prompt_kind kind, const char *text)
{
	static struct msg_pam_conv m;

	m.n = 1;
	m.kind[0] = (uint8_t)kind;
	snprintf(m.text[0], sizeof(m.text[0]), "%s", text);
	chunk(HELPER, MSG_PAM_CONV, &m);
}

static void
answer(const char *text)
{
	static struct msg_answers m;

	m.n = 1;
	snprintf(m.text[0], sizeof(m.text[0]), "%s", text);
	chunk(WORKER, MSG_AUTH_ANSWER, &m);
}

static void
result(uint32_t pam_code, enum pam_stage stage)
{
	struct msg_pam_result m = { pam_code, (uint8_t)stage };

	chunk(HELPER, MSG_PAM_RESULT, &m);
}

static void
context(const char *address, const char *remote_user)
{
	struct msg_context m;

	snprintf(m.host, sizeof(m.host), "%s", address);
	snprintf(m.user, sizeof(m.user), "%s", remote_user);
	snprintf(m.command, sizeof(m.command), "sudo -i");
	chunk(WORKER, MSG_CONTEXT, &m);
}

/* Mechanism data from the worker (the client's) or the helper (for the
 * client). */
static void
data(int peer, const char *bytes)
{
	static struct msg_data m;

	m.len = (uint32_t)strlen(bytes);
	memcpy(m.bytes, bytes, m.len);
	chunk(peer, peer == WORKER ? MSG_AUTH_DATA : MSG_DATA, &m);
}

static void
gss_result(enum mech_outcome outcome, const char *principal,
    const char *realm)
{
	static struct msg_gss_result m;

	m.outcome = (uint8_t)outcome;
	snprintf(m.detail, sizeof(m.detail), "principal:%s", principal);
	snprintf(m.principal, sizeof(m.principal), "%s", principal);
	snprintf(m.realm, sizeof(m.realm), "%s", realm);
	m.delegated = true;
	chunk(HELPER, MSG_GSS_RESULT, &m);
}

static void save(const char *dir, const char *name);

/* A whole gssapi-with-mic exchange for user, saved as name in dir. */
static void
gss_login(const char *dir, const char *name, const char *user,
    const char *acceptor_token, const char *realm)
{
	char principal[128];

	snprintf(principal, sizeof(principal), "%s@%s", user, realm);
	first_begin("gssapi-with-mic", user);
	data(WORKER, "AP-REQ");
	data(HELPER, acceptor_token);
	data(WORKER, "MIC");
	gss_result(MECH_OUTCOME_OK, principal, realm);
	save(dir, name);
}

static void
save(const char *dir, const char *name)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(seed, 1, seed_len, f) != seed_len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	seed_len = 0;
}

int
main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: ipc_seeds DIR\n");
		return 2;
	}
	/* Prompt, answer, success. */
	first_begin("password", "bob");
	conv(PROMPT_SECRET, "Password: ");
	answer("pw");
	result(0, PAM_STAGE_ACCOUNT);
	save(argv[1], "login");
	/* A context, a first factor, then the second. */
	context("10.1.2.3", "jdoe");
	first_begin("password", "alice");
	result(0, PAM_STAGE_ACCOUNT);
	begin("keyboard-interactive", "alice");
	conv(PROMPT_INFO, "Welcome");
	save(argv[1], "chain");
	/* A failure, then the delay. */
	first_begin("password", "bob");
	result(7, PAM_STAGE_AUTHENTICATE);	/* PAM_AUTH_ERR */
	answer("late");
	save(argv[1], "failure");
	/* An abandoned prompt. */
	first_begin("keyboard-interactive", "bob");
	conv(PROMPT_VISIBLE, "Code: ");
	chunk(WORKER, MSG_AUTH_ABORT, NULL);
	save(argv[1], "abort");
	/* Kerberos logins: token, the acceptor's token, MIC, success; the
	 * second the first factor of a chain, its realm refused. */
	gss_login(argv[1], "gssapi", "bob", "AP-REP", "EXAMPLE.ORG");
	gss_login(argv[1], "gssapi-realm", "carol", "", "OTHER.ORG");
	return 0;
}
