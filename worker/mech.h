/*
 * mech.h: a mechanism's dialog on the worker side: how the broker's
 * prompts are shown to the client and how the client's pass requests
 * become answers.  The secrets stay with the broker's verifier
 * (broker/verify.h); adding a mechanism is a row here and a row there.
 */
#ifndef LB_MECH_H
#define LB_MECH_H

#include <stdbool.h>
#include <stddef.h>

#include "ipc_payload.h"
#include "ipc_proto.h"
#include "line.h"

struct wsession;

/* A keyboard-interactive round as the broker sent it. */
struct round {
	char name[CONV_MAX_TEXT];
	char instruction[ROUND_INSTRUCTION_MAX];
	size_t n;
	bool echo[ROUND_MAX_PROMPTS];
	char prompt[ROUND_MAX_PROMPTS][CONV_MAX_TEXT];
};

/* A dialog shows what the broker sends, one message (show) or a whole
 * round (show_round); a mechanism that gets no rounds has no show_round,
 * and one that gets only rounds no show. */
struct mech_dialog {
	const char *name;
	/* Shows one broker prompt or message to the client as a reply. */
	void (*show)(struct wsession *ws, enum prompt_kind kind,
	    const char *text);
	/* Shows a round to the client as one reply. */
	void (*show_round)(struct wsession *ws, const struct round *r);
	/* Turns the answers of pass (req->w[1..], as many as expected, each
	 * shorter than CONV_MAX_ANSWER) into the answer payload. */
	void (*answer)(const struct line_words *req, struct ipc_writer *w);
};

/* The dialog for a mechanism name, or NULL. */
const struct mech_dialog *mech_dialog_find(const char *name);

#endif
