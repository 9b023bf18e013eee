/*
 * config.h: the broker's configuration: built-in defaults, optionally a
 * file of "key value" lines (doc/configuration.md), then command-line
 * overrides.
 */
#ifndef LB_CONFIG_H
#define LB_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/un.h>

#include "ipc_proto.h"

#define CONFIG_PEERS_MAX	16
#define CONFIG_PATH_MAX		256

struct config {
	char socket_path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	uid_t socket_owner;
	gid_t socket_group;
	mode_t socket_mode;
	/* Peers allowed to connect (SO_PEERCRED); none listed: anyone who
	 * can open the socket. */
	uid_t peer_uids[CONFIG_PEERS_MAX];
	size_t npeer_uids;
	gid_t peer_gids[CONFIG_PEERS_MAX];
	size_t npeer_gids;

	char pam_service[64];
	bool allow_password_change;	/* pam_chauthtok when expired */
	char mechanisms[MECH_MAX][MECH_NAME_MAX];
	size_t nmechanisms;

	char worker_path[CONFIG_PATH_MAX];
	char worker_user[64];
	uint32_t worker_fallback_id;
	unsigned spare_workers;
	unsigned spare_pam_helpers;
	unsigned launcher_recycle;	/* sessions before a fresh launcher */
	bool sandbox_debug;

	unsigned max_sessions;
	unsigned max_attempts;		/* per connection */
	unsigned failure_delay_ms;
	unsigned prompt_timeout_ms;
	unsigned session_timeout_ms;	/* until logged in */
	unsigned idle_timeout_ms;	/* client silence while we wait */
};

/* Fills c with the built-in defaults. */
void config_defaults(struct config *c);

/* Reads path over what c holds.  On error prints "PATH:LINE: message"
 * to stderr and returns -1. */
int config_load(struct config *c, const char *path);

/* Checks cross-field rules (known mechanisms, ranges): 0 or -1 with a
 * message on stderr. */
int config_check(const struct config *c);

#endif
