/* SPDX-License-Identifier: ISC */
/*
 * verify.h: a mechanism's verifier, the only broker code that touches
 * that mechanism's secrets.  It runs beside the event loop, never blocking
 * it, and answers the attempt it was given (attempt.h).  Adding a
 * mechanism is a verifier here, a dialog in worker/mech.h, and one row in
 * each table.
 */
#ifndef LB_VERIFY_H
#define LB_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct config;
struct msg_answers;
struct msg_data;
struct policy;
struct attempt;

struct verifier {
	/* Checks what prepare will need for p without starting anything (a
	 * keytab is readable): 0, or -1 after logging why.  Run by
	 * loginbrokerd -n and before every prepare.  NULL: nothing. */
	int (*check)(const struct config *conf, const struct policy *p);
	/* Checks what only a look that may block can (the Duo keys, read
	 * by a program of its own): 0, or -1 after logging why.  Run by
	 * loginbrokerd -n and at startup, never while serving.  NULL:
	 * nothing. */
	int (*check_keys)(const struct config *conf, const struct policy *p);
	/* Starts what the mechanism needs for a policy that names it (a
	 * helper pool per PAM service, a library), at startup and again at
	 * each reload, keeping what runs already: 0, or -1 after logging
	 * why.  NULL when it needs nothing. */
	int (*prepare)(const struct config *conf, const struct policy *p);
	/* Whether what prepare started for p is ready: 0, 1 while it
	 * starts, -1 when it could not start.  NULL: always ready. */
	int (*prepared)(const struct policy *p);
	/* Starts verifying the attempt's user: 0, or -1 on a system error. */
	int (*begin)(struct attempt *a);
	/* The client's answers to the prompt or round shown last, one per
	 * prompt (none for a message): 0, or -1 when they do not fit what
	 * was shown (the session then ends the worker). */
	int (*answer)(struct attempt *a, const struct msg_answers *answers);
	/* The client's data to the mechanism data shown last
	 * (attempt_data); NULL for mechanisms that only prompt: 0, or -1
	 * when it is malformed. */
	int (*data)(struct attempt *a, const struct msg_data *d);
	/* Stops and frees whatever runs for s; safe to call twice. */
	void (*cancel)(struct attempt *a);
	/* The client may begin with its first data (attempt.initial); a
	 * verifier takes either data (data) or answers (answer), never
	 * both. */
	bool initial_response;
	/* It asks for no secret (unix): a failure guessed nothing, and is
	 * not counted toward the lockout. */
	bool no_secret;
	/* It acts beyond the broker (a Duo push to the user's phone): a
	 * refused attempt (a deny rule, a user's rule that begins with
	 * another mechanism) does not run it but fails at once, after the
	 * failure delay. */
	bool acts_outside;
};

/* Not a mechanism's: the lookup of a user's groups in a helper
 * (loginbroker-groups), which a session runs as a verifier that proves
 * nothing before the first factor when a rule of the service names
 * groups; it gives them with attempt_groups.  Prepared with the others
 * when a policy names groups. */
extern const struct verifier groups_lookup;

/* Checks what the verifier of every mechanism the policy names needs:
 * 0, or -1 after logging why. */
int verifiers_check(const struct config *conf, const struct policy *p);

/* The same with check_keys: before the broker serves anyone. */
int verifiers_check_keys(const struct config *conf, const struct policy *p);

/* Checks, then starts what the verifier of every mechanism the policy
 * names needs, without waiting for it: 0, or -1. */
int verifiers_prepare(const struct config *conf, const struct policy *p);

/* Whether all of that is ready for p: 0, 1 while some of it starts, -1
 * when some of it could not start. */
int verifiers_prepared(const struct policy *p);

/* fn is called whenever something a verifier prepared becomes ready or
 * fails to start (then ask verifiers_prepared again). */
void verifiers_on_settled(void (*fn)(void));

/* Called by a verifier when something it prepared settled. */
void verifiers_settled(void);

/* The verifier of mechanism m (enum mech), or NULL when this build has
 * none. */
const struct verifier *verifier_of(int m);

/* Whether this build verifies a mechanism (policy_hooks.mech_available). */
bool verifier_exists(const char *mech);

/* A PAM return code's name ("PAM_AUTH_ERR"), for the audit log: the
 * broker itself never calls into libpam. */
const char *pam_code_name(uint32_t rc);

#endif
