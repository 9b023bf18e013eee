/* SPDX-License-Identifier: ISC */
/*
 * keeper.h: the broker's side of a session keeper, the root process that
 * holds one user's PAM session (broker/pam/keeper.c).  It is the PAM
 * helper that authenticated the login, kept alive, or for a login proven
 * without PAM a fresh helper from the service's PAM zygote that checks
 * the account first, as sshd does after a GSSAPI login.
 *
 * A keeper serves its front end's session requests while that is
 * connected (its owner), and lives on without one: when the front end
 * leaves with sessions that outlive it, and when the broker itself stops
 * (its channel's end is no hang-up).  The event loop only ever reads and
 * writes its channel.
 */
#ifndef LB_KEEPER_H
#define LB_KEEPER_H

#include <stdbool.h>
#include <stdint.h>

#include "ipc_chan.h"
#include "msg.h"

struct keeper;
struct spawn_ctl;

/* Where a keeper's answers go: a front end's session.  code is a reply
 * code, text its text ("exit 0" once the user's process ended). */
struct keeper_owner {
	void (*said)(void *ctx, uint32_t code, const char *text);
	void *ctx;
};

/* A PAM helper that proved user for service and waits to keep its
 * session: its channel (now the keeper's) and pidfd (closed). */
struct keeper *keeper_adopt(struct ipc_chan *chan, int pidfd,
    const char *user, const char *service);

/* A helper from the PAM zygote helpers, begun with KEEPER_BEGIN for a
 * user proven without PAM; the OPEN waits for it.  NULL on ENOMEM. */
struct keeper *keeper_take(struct spawn_ctl *helpers,
    const struct msg_pam_begin *begin, const char *service);

/* Sets (or with NULL clears) who hears the keeper's answers. */
void keeper_set_owner(struct keeper *k, const struct keeper_owner *owner);

/* Whether the keeper's session was asked to open, its process started;
 * whether the keeper has ended (or can no longer be reached). */
bool keeper_opened(const struct keeper *k);
bool keeper_started(const struct keeper *k);
bool keeper_lost(const struct keeper *k);

/* The requests, each answered once through the owner: open the PAM
 * session; start the process with n descriptors (owned by the keeper from
 * here); report its end; hang it up (SIGHUP) and report its end. */
void keeper_open(struct keeper *k, const struct msg_keeper_open *m);
void keeper_start(struct keeper *k, int *fds, size_t n,
    const struct msg_session_start *m);
void keeper_wait(struct keeper *k);
void keeper_hangup(struct keeper *k);

/* The owner leaves: a keeper with no process yet ends its transaction;
 * a running one is hung up if hang_up, and goes on until its process
 * ends. */
void keeper_release(struct keeper *k, bool hang_up);

/* Live keepers (an open or opening session) of service, and of user in
 * it. */
unsigned keeper_count(const char *service, const char *user);

/* Keepers whose front end has left (their sessions outlive it): each
 * holds a descriptor, and counts against max_sessions. */
unsigned keeper_count_released(void);

/* At shutdown: lets go of every keeper without hanging any up; each
 * closes its session when its process ends. */
void keeper_let_go_all(void);

/* Frees keepers let go of during the last event round. */
void keeper_reap(void);

#endif
