/*
 * mech.h: a mechanism's dialog on the worker side: how the broker's
 * prompts are shown to the client and how the client's pass requests
 * become answers.  The secrets stay with the broker's verifier
 * (broker/verify.h); adding a mechanism is a row here and a row there.
 */
#ifndef LB_MECH_H
#define LB_MECH_H

#include <stddef.h>

#include "ipc_payload.h"
#include "ipc_proto.h"
#include "line.h"

struct wsession;

struct mech_dialog {
	const char *name;
	/* Shows a broker prompt to the client as a reply. */
	void (*show)(struct wsession *ws, enum prompt_kind kind,
	    const char *text);
	/* Turns the arguments of pass into the answer payload: 0, or -1
	 * after replying why the request is refused (the prompt stays). */
	int (*answer)(struct wsession *ws, const struct line_words *req,
	    struct ipc_writer *w);
};

/* The dialog for a mechanism name, or NULL. */
const struct mech_dialog *mech_dialog_find(const char *name);

#endif
