/*
 * pam_helper.h: the process that runs one PAM transaction.  Forked by the
 * broker per attempt (not exec'd: pam_wrapper and module state stay as the
 * broker loaded them), so a module that blocks (a network lookup, a
 * fingerprint reader) blocks only this process, which the broker kills on
 * timeout.  The conversation is relayed to the broker over sock.
 */
#ifndef LB_PAM_HELPER_H
#define LB_PAM_HELPER_H

/* Runs pam_authenticate and pam_acct_mgmt for user under service and
 * reports the outcome on sock; never returns. */
_Noreturn void pam_helper_run(int sock, const char *service,
    const char *user);

#endif
