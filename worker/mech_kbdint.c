/* SPDX-License-Identifier: ISC */
/*
 * mech_kbdint.c: the keyboard-interactive dialog, as in SSH (RFC 4256) and
 * libssh2_userauth_keyboard_interactive_ex(3): the server sends rounds, each a name, an instruction and any
 * number of prompts with their echo flags, and the client answers every
 * prompt of a round in one request.  A round is one 305 reply of tagged
 * lines (doc/protocol.md):
 *
 *   305-name "..."
 *   305-instruction "..."        (one line per instruction line)
 *   305-noecho "Password: "      (or echo; one line per prompt)
 */
#include "mech.h"

#include <stdio.h>
#include <string.h>

#include "client_proto.h"
#include "names.h"
#include "reply.h"

/* Counts the tagged lines a round becomes. */
static size_t
round_lines(const struct msg_round *r)
{
	size_t n = 1 + r->n + 1;
	const char *p;

	for (p = r->instruction; (p = strchr(p, '\n')) != NULL; p++)
		n++;
	return n;
}

static void
tagged_line(struct wsession *ws, const char *tag, const char *text,
    size_t len, bool more)
{
	char line[CONV_MAX_TEXT];
	const char *words[2] = { tag, line };

	snprintf(line, sizeof(line), "%.*s", (int)len, text);
	name_text_sanitize(line);
	ws_reply_words(ws, REPLY_ROUND, more, words, 2);
}

static void
kbdint_show_round(struct wsession *ws, const struct msg_round *r)
{
	size_t left = round_lines(r), i;
	const char *line = r->instruction, *nl;

	tagged_line(ws, "name", r->name, strlen(r->name), --left > 0);
	do {
		nl = strchr(line, '\n');
		tagged_line(ws, "instruction", line, nl != NULL ?
		    (size_t)(nl - line) : strlen(line), --left > 0);
		line = nl + 1;
	} while (nl != NULL);
	for (i = 0; i < r->n; i++)
		tagged_line(ws, r->echo[i] ? "echo" : "noecho", r->prompt[i],
		    strlen(r->prompt[i]), --left > 0);
}

const struct mech_dialog mech_kbdint = {
	.show = NULL,
	.show_round = kbdint_show_round,
};
