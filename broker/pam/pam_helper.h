/* SPDX-License-Identifier: ISC */
/*
 * pam_helper.h: one PAM transaction in its own process, forked by the PAM
 * zygote (pam_zygote.h).  It waits for the broker's BEGIN with the user,
 * runs pam_authenticate and pam_acct_mgmt (and pam_chauthtok when the
 * password expired and the broker allows a change), relays the
 * conversation over its channel, reports the outcome and exits.  The broker kills it on timeout.
 */
#ifndef LB_PAM_HELPER_H
#define LB_PAM_HELPER_H

#include <security/pam_appl.h>

/* The PAM stack as the zygote loaded it, inherited by every helper. */
struct pam_stack {
	pam_handle_t *ph;
	int start_rc;	/* pam_start's result, reported by each helper */
};

/* In the zygote: pam_start(service) with no user yet, so that modules are
 * loaded once; a failure is kept for the helpers to report. */
void pam_stack_load(struct pam_stack *stack, const char *service);

/* A helper's body (a spawner_child_fn): arg is the struct pam_stack. */
void pam_helper_main(int sock, void *arg);

#endif
