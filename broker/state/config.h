/* SPDX-License-Identifier: ISC */
/*
 * config.h: the broker's process settings: built-in defaults, then the
 * top-level "key value" lines of the configuration file (whose services
 * and rules are the policy, policies/policy.h), then command-line
 * overrides (doc/configuration.md).
 */
#ifndef LB_CONFIG_H
#define LB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#include "ipc_proto.h"
#include "policy.h"

#define CONFIG_PATH_MAX		256

/* A socket the broker listens on: its path ("": none), owner, group
 * and mode. */
struct config_socket {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uid_t owner;
	gid_t group;
	mode_t mode;
};

struct config {
	/* By enum front_end: the line protocol's socket, greetd's. */
	struct config_socket listen[FRONT_COUNT];
	char lockout_file[CONFIG_PATH_MAX];	/* broker-only state */
	unsigned lockout_users;		/* tracked at once */
	char totp_file[CONFIG_PATH_MAX];	/* liboath users file */
	unsigned totp_window;		/* time steps either side */

	char worker_path[CONFIG_PATH_MAX];
	char pam_path[CONFIG_PATH_MAX];	/* the PAM zygote program */
	char gss_path[CONFIG_PATH_MAX];	/* the GSSAPI zygote program */
	char ccache_dir[CONFIG_PATH_MAX];	/* delegated credentials */
	char scram_path[CONFIG_PATH_MAX];	/* the SCRAM zygote program */
	char scram_file[CONFIG_PATH_MAX];	/* SCRAM stored keys */
	char duo_path[CONFIG_PATH_MAX];	/* the Duo zygote program */
	char groups_path[CONFIG_PATH_MAX];	/* the groups zygote program */
	char duo_file[CONFIG_PATH_MAX];	/* Duo's ikey, skey and host */
	char sessions_dir[CONFIG_PATH_MAX];	/* keepers' live sessions */
	char utmp_file[CONFIG_PATH_MAX];	/* a terminal's login record; */
	char wtmp_file[CONFIG_PATH_MAX];	/* "": none written */
	char worker_user[64];
	uint32_t worker_fallback_id;
	unsigned spare_workers;
	unsigned spare_pam_helpers;
	unsigned launcher_recycle;	/* sessions before a fresh launcher */
	bool sandbox_debug;

	unsigned max_sessions;
	unsigned failure_delay_ms;
	unsigned idle_timeout_ms;	/* client silence while we wait */
	char pid_file[CONFIG_PATH_MAX];	/* written when detached; "": none */
};

/* Fills c with the built-in defaults. */
void config_defaults(struct config *c);

/* The policy hook for one "key value" line (policy_hooks.setting, ctx a
 * struct config): NULL, or what is wrong with it. */
const char *config_set(void *ctx, const char *key, const char *value,
    bool *bad_key);

/* Reads the configuration file path (NULL: the built-in one) into conf
 * (process settings) and a new policy; a file without a service gets the
 * built-in service.  mech_available says which mechanisms the policy may
 * name (NULL: all the language knows).  NULL with errs filled on error. */
struct policy *config_read(const char *path, struct config *conf,
    bool (*mech_available)(const char *), struct policy_errors *errs);

/* A program the broker starts (key its setting) must be a file it may
 * run: 0, or -1 with why[cap] saying "KEY PATH: reason". */
int config_program_check(const char *key, const char *path, char *why,
    size_t cap);

/* Checks what the settings must be for the broker to work as the policy
 * p says: the sockets' paths, the programs it starts, the lockout file a
 * lockout needs (a control that cannot work must stop the start and the
 * reload).  0, or -1 with why[cap] saying what is wrong. */
int config_check(const struct config *c, const struct policy *p, char *why,
    size_t cap);

#endif
