/* SPDX-License-Identifier: ISC */
/*
 * session_keeper.h: a PAM helper become the keeper of one user's session
 * (doc/architecture.md, "Sessions").  As root, with the handle that
 * authenticated (or one that checked the account of a login proven
 * otherwise), it opens the PAM session, starts the user's process in a
 * child that becomes the user, waits for it, and closes the session when
 * it ends, whether or not the broker is still there.
 */
#ifndef LB_SESSION_KEEPER_H
#define LB_SESSION_KEEPER_H

#include <stdbool.h>

#include <security/pam_appl.h>

#include "ipc_chan.h"
#include "msg.h"

/* Keeps the session of begin's user on ph (PAM_USER, PAM_RHOST and
 * PAM_RUSER set), the broker on chan; checks the account first unless
 * authenticated (pam_acct_mgmt ran already).  Never returns. */
_Noreturn void session_keeper_run(struct ipc_chan *chan, pam_handle_t *ph,
    const struct msg_pam_begin *begin, bool authenticated);

#endif
