/* SPDX-License-Identifier: ISC */
/*
 * greetd_msg.h: greetd's IPC messages (greetd-ipc(7)) as typed structs:
 * a greeter's request parsed from its JSON, and a reply written as a
 * frame (u32 length in native byte order, then JSON).  Parsing is json-c's,
 * with the length and the nesting bounded before and while it runs;
 * nothing here does I/O, so a unit test and a fuzzer drive it directly.
 */
#ifndef LB_GREETD_MSG_H
#define LB_GREETD_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc_proto.h"

/* The longest request a greeter may send: a start_session at the bounds
 * of the session it asks for, with room for JSON's escapes. */
#define GREETD_FRAME_MAX	32768
/* The deepest a request nests: its object, the cmd or env array, the
 * strings in it. */
#define GREETD_DEPTH_MAX	3
/* The longest text a reply carries; longer is cut. */
#define GREETD_TEXT_MAX		4096
/* Each element of env: NAME=VALUE. */
#define GREETD_ENV_LEN		(SESSION_ENV_NAME_MAX + SESSION_ENV_LEN)

enum greetd_type {
	GREETD_CREATE_SESSION,		/* username */
	GREETD_POST_RESPONSE,		/* post_auth_message_response */
	GREETD_START_SESSION,		/* cmd, env */
	GREETD_CANCEL_SESSION,
};

struct greetd_request {
	enum greetd_type type;
	char username[USER_NAME_MAX];
	bool has_response;		/* false: null, a message acknowledged */
	char response[CONV_MAX_ANSWER + 1];	/* one byte over PAM's bound,
						 * so that 514 says it */
	size_t ncmd;
	char cmd[SESSION_ARGV_MAX][SESSION_ARG_LEN];
	size_t nenv;
	char env[SESSION_ENV_MAX][GREETD_ENV_LEN];
};

/* What a reply says. */
enum greetd_reply_type {
	GREETD_SUCCESS,
	GREETD_ERROR,			/* error_type "error" */
	GREETD_AUTH_ERROR,		/* error_type "auth_error" */
	GREETD_AUTH_MESSAGE,		/* kind: secret, visible, info, error */
};

/* Parses one request's JSON (len bytes, no length word) into out: 0, or
 * -1 with *why set to what is wrong, for the error reply (invalid JSON or
 * UTF-8, nested too deep, an unknown type, a missing field, a field of
 * the wrong type, a string with a NUL or over its bound).  out may hold a
 * secret either way: the caller wipes it. */
int greetd_parse(const char *json, size_t len, struct greetd_request *out,
    const char **why);

/* Writes one reply frame into out[cap]: type, and for an error or an
 * auth_message its text (made well-formed UTF-8, at most
 * GREETD_TEXT_MAX - 1 bytes), for an auth_message its enum prompt_kind.
 * The frame's length, or 0 when it does not fit. */
size_t greetd_put_reply(char *out, size_t cap, enum greetd_reply_type type,
    enum prompt_kind kind, const char *text);

#endif
