/* SPDX-License-Identifier: ISC */
/*
 * daemon.h: running as a system service.  Detaching only once set up, so
 * that a start's errors still reach the terminal and its exit status; a
 * pid file when detached; systemd's readiness protocol (sd_notify's
 * datagrams on NOTIFY_SOCKET) when systemd asks for it.
 */
#ifndef LB_DAEMON_H
#define LB_DAEMON_H

#include <stdbool.h>

/* detach: forks into a session of its own; the parent waits until the
 * child is ready (exit 0) or ends before that (exit 1, the child having
 * said why on stderr).  Returns in the child, or at once without detach:
 * 0, or -1 when it cannot fork. */
int daemon_start(bool detach);

/* Set up and serving: the pid file (when detached and pid_file is not
 * ""), the waiting parent released, stdio moved to /dev/null (when
 * detached), systemd told READY=1.  0, or -1 after logging why. */
int daemon_ready(const char *pid_file);

/* Tells systemd what the daemon does now ("RELOADING=1", "READY=1",
 * "STOPPING=1"), when it asked (NOTIFY_SOCKET); else nothing. */
void daemon_notify(const char *state);

/* Removes the pid file daemon_ready wrote, if any. */
void daemon_stop(void);

#endif
