/*
 * ipc_seeds.c: writes a seed corpus for fuzz_ipc into DIR: the exchanges
 * of a worker and a PAM helper that take a session to each of its states,
 * written with the real payload and header encoders.
 *   ipc_seeds DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc_frame.h"
#include "ipc_payload.h"
#include "ipc_proto.h"

#define WORKER	0
#define HELPER	1

/* One seed being built: fuzz_ipc's chunks, each a peer, a length and
 * one whole message. */
static unsigned char seed[4096];
static size_t seed_len;

static void
chunk(int peer, uint32_t type, const struct ipc_writer *w)
{
	struct ipc_hdr h = { type, (uint16_t)(IPC_HDR_SIZE + w->len), 0, 0,
	    0 };

	if (seed_len + 3 + h.len > sizeof(seed))
		abort();
	seed[seed_len] = (unsigned char)peer;
	ipc_be16_put(seed + seed_len + 1, h.len);
	ipc_hdr_encode(&h, seed + seed_len + 3);
	memcpy(seed + seed_len + 3 + IPC_HDR_SIZE, w->buf, w->len);
	seed_len += 3 + h.len;
}

static void
begin(const char *mech, const char *user)
{
	struct ipc_writer w;

	ipc_writer_init(&w);
	ipc_put_str(&w, mech);
	ipc_put_str(&w, user);
	chunk(WORKER, MSG_AUTH_BEGIN, &w);
}

/* A PAM conversation call of one message. */
static void
conv(enum prompt_kind kind, const char *text)
{
	struct ipc_writer w;

	ipc_writer_init(&w);
	ipc_put_u32(&w, 1);
	ipc_put_u8(&w, (uint8_t)kind);
	ipc_put_str(&w, text);
	chunk(HELPER, MSG_PAM_CONV, &w);
}

static void
answer(const char *text)
{
	struct ipc_writer w;

	ipc_writer_init(&w);
	ipc_put_str(&w, text);
	chunk(WORKER, MSG_AUTH_ANSWER, &w);
}

static void
result(uint32_t pam_code, enum pam_stage stage)
{
	struct ipc_writer w;

	ipc_writer_init(&w);
	ipc_put_u32(&w, pam_code);
	ipc_put_u8(&w, (uint8_t)stage);
	chunk(HELPER, MSG_PAM_RESULT, &w);
}

static void
context(const char *address, const char *remote_user)
{
	struct ipc_writer w;

	ipc_writer_init(&w);
	ipc_put_str(&w, address);
	ipc_put_str(&w, remote_user);
	chunk(WORKER, MSG_CONTEXT, &w);
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
	struct ipc_writer empty;

	if (argc != 2) {
		fprintf(stderr, "usage: ipc_seeds DIR\n");
		return 2;
	}
	ipc_writer_init(&empty);
	/* Prompt, answer, success. */
	begin("password", "bob");
	conv(PROMPT_SECRET, "Password: ");
	answer("pw");
	result(0, PAM_STAGE_ACCOUNT);
	save(argv[1], "login");
	/* A context, a first factor, then the second. */
	context("10.1.2.3", "jdoe");
	begin("password", "alice");
	result(0, PAM_STAGE_ACCOUNT);
	begin("keyboard-interactive", "alice");
	conv(PROMPT_INFO, "Welcome");
	save(argv[1], "chain");
	/* A failure, then the delay. */
	begin("password", "bob");
	result(7, PAM_STAGE_AUTHENTICATE);	/* PAM_AUTH_ERR */
	answer("late");
	save(argv[1], "failure");
	/* An abandoned prompt. */
	begin("keyboard-interactive", "bob");
	conv(PROMPT_VISIBLE, "Code: ");
	chunk(WORKER, MSG_AUTH_ABORT, &empty);
	save(argv[1], "abort");
	return 0;
}
