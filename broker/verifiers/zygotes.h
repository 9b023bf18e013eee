/* SPDX-License-Identifier: ISC */
/*
 * zygotes.h: the helper zygotes, privileged spawners (ipc/spawner.h) that
 * load what their helpers need once and fork one helper per attempt from
 * there.  The PAM zygote (loginbroker-pam, broker/pam/) loads one PAM
 * service's stack (pam_start with no user yet); the GSSAPI zygote
 * (loginbroker-gss, broker/gss/) the Kerberos libraries; the SCRAM zygote
 * (loginbroker-scram, broker/scram/) GNU SASL; the Duo zygote
 * (loginbroker-duo, broker/duo/) libduo; the groups zygote
 * (loginbroker-groups, broker/groups/) nothing but libc's NSS, for the
 * user's groups a policy names.  Each helper runs
 * exactly one attempt, so loading is off the critical path, a hung module
 * or a crashing parser takes only its helper, and no two users ever share
 * a process.  A zygote itself never authenticates anyone.
 */
#ifndef LB_ZYGOTES_H
#define LB_ZYGOTES_H

#include <stdbool.h>

struct config;

/* One zygote per PAM service a policy has named since the start (a
 * reload that drops a service keeps its zygote, which idles), the GSSAPI
 * one, the SCRAM one, the Duo one and the groups one. */
#define PAM_ZYGOTES_MAX	16
#define ZYGOTES_MAX	(PAM_ZYGOTES_MAX + 4)

/* Starts the zygote program at path for service (NULL: the program serves
 * no particular one) unless it runs already (or starts), without waiting
 * for it: 0, or -1.  One that failed to start before is started again.
 * args (NULL, or NULL-terminated and living as long as the broker) are
 * more of its arguments. */
int zygote_start(const struct config *conf, const char *path,
    const char *service, const char *const *args);

/* zygote_start for a program that takes the workers' user ("--user NAME
 * --fallback-id N"), which it or its helpers become: the Duo and groups
 * zygotes. */
int zygote_start_as_workers_user(const struct config *conf,
    const char *path);

/* The helpers' controller of that zygote, or NULL unless it is ready. */
struct spawn_ctl *zygote_find(const char *path, const char *service);

/* That zygote: 0 ready, 1 starting, -1 failed or never started. */
int zygote_state(const char *path, const char *service);

/* Checks that the zygote program at path (the setting key names) can be
 * run: 0, or -1 after logging why. */
int zygote_program_check(const char *key, const char *path);

/* Checks a file (what names it) a helper is handed by path: absolute, at
 * most HELPER_PATH_MAX - 1 bytes, outside /run and /dev (a helper's
 * view has its own of both); with secret, also a regular file, not a
 * link, of root's that no one else may read or write.  0, or -1 after
 * logging why. */
int zygote_file_check(const char *what, const char *path, bool secret);

#endif
