/* SPDX-License-Identifier: ISC */
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

#include "ipc_proto.h"
#include "mechs.h"
#include "msg.h"

struct wsession;

/* A dialog shows what the broker sends: one message (show), a whole
 * round (show_round) or mechanism data (show_data); an operation the
 * mechanism never gets is NULL.  The client's answers go to the broker
 * as they are, one per prompt shown (MSG_AUTH_ANSWER), and its data
 * decoded (MSG_AUTH_DATA). */
struct mech_dialog {
	/* Shows one broker prompt or message to the client as a reply. */
	void (*show)(struct wsession *ws, enum prompt_kind kind,
	    const char *text);
	/* Shows a round to the client as one reply. */
	void (*show_round)(struct wsession *ws, const struct msg_round *r);
	/* Shows mechanism data to the client (binary steps: 300 DATA); the
	 * client's pass carries its data back (MSG_AUTH_DATA). */
	void (*show_data)(struct wsession *ws, const struct msg_data *d);
	/* Makes the client's data the answers the broker takes instead
	 * (plain: authzid, authcid, password): 0, or -1 when it is
	 * malformed.  NULL: the data goes as it is. */
	int (*read_data)(const uint8_t *bytes, size_t len,
	    struct msg_answers *out);
	/* The client may send its first data with login (SASL's initial
	 * response), as the answer to a data prompt not sent. */
	bool initial_response;
};

/* The dialog of mechanism m (enum mech), or NULL when this build has
 * none. */
const struct mech_dialog *mech_dialog_of(int m);

/* The dialog for a mechanism's protocol name, or NULL. */
const struct mech_dialog *mech_dialog_find(const char *name);

#endif
