/* SPDX-License-Identifier: ISC */
/*
 * mech_password.c: the one-message-at-a-time dialog: each prompt or
 * message is one reply (301-304), each answer one pass request.  It
 * serves password (a PAM conversation), totp (one code prompt) and duo
 * (libduo's factor menu and status lines), whose dialogs differ only in
 * what the broker asks.
 */
#include "mech.h"

#include "client_proto.h"
#include "reply.h"

static const int kind_reply[] = {
	[PROMPT_SECRET] = REPLY_PROMPT_SECRET,
	[PROMPT_VISIBLE] = REPLY_PROMPT_VISIBLE,
	[PROMPT_INFO] = REPLY_INFO,
	[PROMPT_ERROR] = REPLY_ERROR_INFO,
};

static void
password_show(struct wsession *ws, enum prompt_kind kind, const char *text)
{
	ws_reply(ws, kind_reply[kind], text);
}

const struct mech_dialog mech_password = {
	.show = password_show,
	.show_round = NULL,
};
