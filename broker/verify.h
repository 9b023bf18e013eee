/*
 * verify.h: a mechanism's verifier, the only broker code that touches
 * that mechanism's secrets.  It runs beside the event loop, never blocking
 * it, and reports back with session_prompt and session_verified.  Adding a
 * mechanism is a verifier here, a dialog in worker/mech.h, and one row in
 * each table.
 */
#ifndef LB_VERIFY_H
#define LB_VERIFY_H

#include <stddef.h>
#include <stdint.h>

struct config;
struct ipc_reader;
struct session;

struct verifier {
	const char *mech;
	/* Starts what the mechanism needs at startup (a helper pool, a
	 * keytab): 0, or -1 after logging why. */
	int (*setup)(const struct config *conf);
	/* Starts verifying the session's user: 0, or -1 on a system error. */
	int (*begin)(struct session *s);
	/* The client's answer to the prompt or round shown last, in the
	 * mechanism's own format (ipc_proto.h, MSG_AUTH_ANSWER): 0, or -1
	 * when it is malformed (the session then ends the worker). */
	int (*answer)(struct session *s, struct ipc_reader *r);
	/* Stops and frees whatever runs for s; safe to call twice. */
	void (*cancel)(struct session *s);
};

/* Sets up the verifier of every configured mechanism: 0, or -1. */
int verifiers_setup(const struct config *conf);

/* The verifier for a mechanism name, or NULL. */
const struct verifier *verifier_find(const char *mech);

#endif
