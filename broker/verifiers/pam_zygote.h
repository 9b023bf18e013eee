/*
 * pam_zygote.h: the PAM zygote, a privileged spawner (ipc/spawner.h) that
 * loads the PAM stack once (pam_start with no user yet) and forks PAM
 * helpers from there: the program loginbroker-pam (broker/pam/).  Each helper runs exactly one transaction in its own
 * copy of that handle, so module loading is off the critical path, a hung
 * module blocks only its helper, and no two users ever share a process.
 * The zygote itself never authenticates anyone.
 */
#ifndef LB_PAM_ZYGOTE_H
#define LB_PAM_ZYGOTE_H

struct config;

/* One zygote per PAM service a policy has named since the start: a
 * reload that drops a service keeps its zygote, which idles. */
#define PAM_ZYGOTES_MAX	16

/* Starts the zygote of a PAM service unless it runs already (or starts),
 * without waiting for it: 0, or -1.  One that failed to start before is
 * started again. */
int pam_zygote_start(const struct config *conf, const char *service);

/* The helpers' controller for a PAM service, or NULL unless its zygote
 * is ready. */
struct spawn_ctl *pam_zygote_find(const char *service);

/* A PAM service's zygote: 0 ready, 1 starting, -1 failed or never
 * started. */
int pam_zygote_state(const char *service);

#endif
