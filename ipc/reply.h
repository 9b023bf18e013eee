/* SPDX-License-Identifier: ISC */
/*
 * reply.h: the client protocol's reply codes (doc/protocol.md), shared by
 * the broker (which decides most of them), the worker (which writes them)
 * and the client library (which reads them).
 */
#ifndef LB_REPLY_H
#define LB_REPLY_H

enum reply_code {
	REPLY_OK = 200,			/* logged in; lsauth entry; bye */
	REPLY_GREETING = 201,		/* LOREV HIREV; lsauth: none */
	REPLY_DATA = 300,		/* mechanism data */
	REPLY_PROMPT_SECRET = 301,	/* ask, do not echo */
	REPLY_PROMPT_VISIBLE = 302,	/* ask, echo */
	REPLY_INFO = 303,		/* show */
	REPLY_ERROR_INFO = 304,		/* show as an error */
	REPLY_ROUND = 305,		/* keyboard-interactive round */
	REPLY_PARTIAL = 306,		/* factor proven; lines: what may
					 * come next */
	REPLY_UNKNOWN_COMMAND = 500,	/* also: malformed line */
	REPLY_MISSING_ARGUMENT = 501,	/* wrong number of arguments */
	REPLY_NOT_PERMITTED = 502,
	REPLY_ALREADY_LOGGED_IN = 503,
	REPLY_BAD_USERNAME = 504,
	REPLY_SYSTEM_ERROR = 505,
	REPLY_AUTH_FAILED = 506,
	REPLY_NO_AUTH_IN_PROGRESS = 507,
	REPLY_UNKNOWN_MECHANISM = 508,
	REPLY_TOO_MANY_ATTEMPTS = 509,	/* closes the connection */
	REPLY_TIMED_OUT = 510,		/* closes the connection */
	REPLY_BUSY = 511,		/* instead of the greeting; closes */
	REPLY_PASSWORD_EXPIRED = 512,	/* and may not, or could not, change */
	REPLY_ACCOUNT_DISABLED = 513,	/* expired or locked account */
	REPLY_DIALOG_LIMIT = 514,	/* too many prompts or rounds */
	REPLY_LOCKED_OUT = 515,		/* too many failures: locked for now */
};

/* The greeting: protocol revisions LOREV HIREV this build speaks. */
#define PROTO_GREETING	"201 1 1\r\n"

#endif
