/* SPDX-License-Identifier: ISC */
/*
 * attempt.h: one authentication attempt as its verifier sees it: whom it
 * is for, for which service and from where, the verifier's own state,
 * and the calls that answer it.  The session owns it (broker/session.c)
 * and implements the calls; a verifier never sees the session.
 */
#ifndef LB_ATTEMPT_H
#define LB_ATTEMPT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "ipc_proto.h"

struct msg_round;
struct policy_service;

/* How an attempt ended, for the verifier's report. */
enum verdict {
	VERDICT_OK,
	VERDICT_FAILED,		/* wrong secret, unknown user, any refusal */
	VERDICT_ERROR,		/* the system could not decide */
	VERDICT_EXPIRED,	/* proven, but the password expired and was
				 * not (or could not be) changed */
	VERDICT_DISABLED,	/* proven, but the account is expired or
				 * locked */
	VERDICT_LIMIT,		/* too many prompts or rounds */
	VERDICT_FAILOPEN,	/* nothing proven: the factor's service
				 * could not be asked and its failmode lets
				 * the login go on (audited as a warning);
				 * an error where no other factor of the
				 * login proves a secret */
};

struct attempt {
	const char *user;
	const struct policy_service *svc;
	const char *remote_host;	/* the front end's context; "": none */
	const char *remote_user;
	const char *command;		/* what the front end's user runs;
					 * "": none */
	uid_t peer_uid;			/* the connecting process's */
	bool initial;			/* the client's first data comes with
					 * the login: begin shows nothing */
	void *vstate;			/* the verifier's own */
};

/* Show the client a prompt or message and wait for its answer. */
void attempt_prompt(struct attempt *a, enum prompt_kind kind,
    const char *text);

/* Show a keyboard-interactive round and wait for all its answers. */
void attempt_round(struct attempt *a, const struct msg_round *r);

/* Send the client mechanism data (300) and wait for its data back. */
void attempt_data(struct attempt *a, const void *bytes, size_t len);

/* The client asks to act for authzid (a SASL authorization identity of
 * another user): 0 when the rule deciding this login grants it (act-for;
 * once this attempt is proven, the login completes as authzid and says
 * so), or -1. */
int attempt_act_for(struct attempt *a, const char *authzid);

/* The user's groups, for a policy whose rules name groups: the lookup
 * that runs before the first factor's verifier (verify.h's
 * groups_lookup) gives them, n names, and has ended. */
void attempt_groups(struct attempt *a, const char *const *groups,
    size_t n);

/* The attempt ends as timed out (510, the connection closed) unless it
 * is decided within ms: a factor that waits on a person (a Duo push). */
void attempt_deadline(struct attempt *a, unsigned ms);

/* The attempt is decided; detail is for the audit log only. */
void attempt_verified(struct attempt *a, enum verdict v, const char *detail);

/* The same, with the mechanism's final data (at most MECH_FINAL_MAX
 * bytes) to go with the success reply when the login is complete (SASL's
 * server-final); with a partial success it goes as a last 300 that the
 * client takes before the 306. */
void attempt_verified_data(struct attempt *a, enum verdict v,
    const char *detail, const void *final, size_t final_len);

/* The verifier kept credentials the client delegated in the file at path
 * (a Kerberos cache of the user's), before it says the attempt
 * succeeded: the session keeps it while the login goes on, names it in
 * its log once the login is complete, and removes it when the login is
 * refused or the connection ends. */
void attempt_credentials(struct attempt *a, const char *path);

/* The verifier's PAM helper proved the user and waits to keep the
 * login's session (verify_pam.c): before it says the attempt succeeded,
 * it hands the helper's channel and pidfd to the session, which holds
 * them while the login goes on (keeper.h). */
struct ipc_chan;
void attempt_keep_helper(struct attempt *a, struct ipc_chan *chan,
    int pidfd);

#endif
