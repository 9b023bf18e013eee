/* SPDX-License-Identifier: ISC */
/*
 * policy.h: who may log in how (doc/policy.md).  A policy is parsed once
 * into fixed-size tables and then only read: the broker holds one
 * reference per session, so a reload never changes the rules under a
 * login in progress.  Nothing here touches a credential or the network.
 */
#ifndef LB_POLICY_H
#define LB_POLICY_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "mechs.h"

#define POLICY_SERVICES_MAX	8
#define POLICY_RULES_MAX	32	/* per service */
#define POLICY_PEERS_MAX	8	/* peer and trusted-peer lines each */
#define POLICY_STEPS_MAX	4	/* factors in one chain */
#define POLICY_LIST_MAX		8	/* names or networks in a condition */
#define POLICY_NAME_MAX		64	/* a name, with its NUL */
#define POLICY_PATH_MAX		256	/* a path or a principal */
#define POLICY_FILE_MAX		(256 * 1024)
#define POLICY_ERRORS_MAX	16
#define POLICY_ERROR_LEN	512
#define POLICY_GROUPS_MAX	32	/* a user's groups considered */

/* A set of mechanisms (ipc/mechs.h): bit (1 << enum mech), one set per
 * chain step.  A policy may name only those the build provides. */
typedef uint32_t policy_mechs;

/* Which connecting processes a peer line admits (SO_PEERCRED). */
struct policy_peer {
	enum { PEER_ANY, PEER_UID, PEER_GID } kind;
	uint32_t id;
};

/* An address with a prefix length: "from" conditions and the context a
 * trusted front end passes (prefix 32 or 128 there). */
struct policy_net {
	sa_family_t family;		/* AF_INET or AF_INET6 */
	uint8_t addr[16];
	unsigned prefix;
};

/* Parses "ADDR" or "ADDR/PREFIX" (IPv4 or IPv6; an IPv4-mapped IPv6
 * address becomes IPv4): 0, or -1. */
int policy_net_parse(const char *text, struct policy_net *out);

struct policy_names {
	size_t n;
	char name[POLICY_LIST_MAX][POLICY_NAME_MAX];
};

/* One allow or deny line.  Every condition given must hold (an empty one
 * holds); the first rule of a service that holds decides. */
struct policy_rule {
	unsigned line;			/* names the rule in the audit log */
	bool deny;
	size_t nsteps;			/* allow: factors, in order */
	policy_mechs steps[POLICY_STEPS_MAX];	/* any one per step */
	struct policy_names users;
	struct policy_names groups;
	struct policy_names remote_users;
	size_t nfrom;
	struct policy_net from[POLICY_LIST_MAX];
	/* Users whom a login this rule decides may act for (a SASL
	 * authorization identity: plain's authzid, SCRAM's a=); none: only
	 * themselves.  A grant, not a condition. */
	struct policy_names act_for;
};

/* The duo mechanism's settings (libduo's, as pam_duo has them). */
struct policy_duo {
	char keys[POLICY_PATH_MAX];	/* duo-config; "": the duo_file */
	char host[POLICY_PATH_MAX];	/* duo-host; "": the key file's */
	char cafile[POLICY_PATH_MAX];	/* duo-cafile; "": the key file's */
	bool autopush;			/* duo-auto: the default factor */
	bool sync;			/* duo-sync: no status while waiting */
	bool fail_safe;			/* duo-failmode safe: unreachable
					 * passes */
	unsigned timeout_ms;		/* duo-timeout: the whole attempt */
};

/* What a front end may ask of a login's session (broker/keeper.c). */
#define POLICY_COMMANDS_MAX	8
struct policy_sessions {
	bool enabled;			/* sessions yes */
	bool outlive_client;		/* session-outlives-client yes: the
					 * front end's leaving does not end it */
	unsigned per_user;		/* sessions-per-user: live at once */
	unsigned max;			/* sessions-max: of the service */
	struct policy_names env;	/* session-env: the variables a front
					 * end may set */
	size_t ncommands;		/* session-command: besides the login
					 * shell, what may be started */
	char commands[POLICY_COMMANDS_MAX][POLICY_PATH_MAX];
};

struct policy_service {
	char name[POLICY_NAME_MAX];
	unsigned line;
	char pam_service[POLICY_NAME_MAX];
	size_t npeers, ntrusted;
	struct policy_peer peers[POLICY_PEERS_MAX];
	struct policy_peer trusted[POLICY_PEERS_MAX];
	unsigned attempts;		/* per connection */
	unsigned prompt_timeout_ms;
	unsigned session_timeout_ms;	/* until logged in */
	unsigned connections_per_peer;	/* per uid (32); 0: only max_sessions */
	bool password_change;		/* pam_chauthtok when expired */
	/* gssapi-with-mic: the acceptor's keys, which of them ("": any),
	 * and the realms whose principals may log in (none: any) */
	char keytab[POLICY_PATH_MAX];
	char gss_principal[POLICY_PATH_MAX];
	struct policy_names realms;
	struct policy_duo duo;
	struct policy_sessions sessions;
	size_t nrules;
	struct policy_rule rules[POLICY_RULES_MAX];
};

struct policy {
	unsigned refs;
	char path[256];
	/* Failures per user within the window lock that user for a while;
	 * 0 failures: no lockout. */
	unsigned lockout_failures;
	unsigned lockout_window_s;
	unsigned lockout_duration_s;
	size_t nservices;
	struct policy_service services[POLICY_SERVICES_MAX];
};

/* Errors of one parse, each "PATH:LINE:COLUMN: message". */
struct policy_errors {
	size_t n;
	bool truncated;			/* more than POLICY_ERRORS_MAX */
	char text[POLICY_ERRORS_MAX][POLICY_ERROR_LEN];
};

/* What the language leaves to its user. */
struct policy_hooks {
	/* A top-level "key value" line the language does not know (the
	 * broker's process settings): NULL, or an error message, with
	 * *bad_key set when the key itself is wrong.  value is NULL when the
	 * line has not exactly one: only the key is checked then. */
	const char *(*setting)(void *ctx, const char *key, const char *value,
	    bool *bad_key);
	/* Whether this build provides a mechanism. */
	bool (*mech_available)(const char *mech);
	void *ctx;
};

/* Parses len bytes of text read from path (named in messages): a policy
 * with one reference, or NULL with errs filled. */
struct policy *policy_parse(const char *path, const char *text, size_t len,
    const struct policy_hooks *h, struct policy_errors *errs);

/* Reads and parses a file of at most POLICY_FILE_MAX bytes. */
struct policy *policy_load(const char *path, const struct policy_hooks *h,
    struct policy_errors *errs);

/* Prints each error on its own line to f, and a last line when some were
 * not kept. */
void policy_errors_print(const struct policy_errors *errs, FILE *f);

/* Takes one more reference; drops one, freeing the policy with the last. */
struct policy *policy_ref(struct policy *p);
void policy_unref(struct policy *p);

/* The first service whose peer lines admit uid/gid, or NULL. */
const struct policy_service *policy_service_for_peer(const struct policy *p,
    uid_t uid, gid_t gid);

/* Whether a service lets this peer pass the remote context. */
bool policy_peer_trusted(const struct policy_service *svc, uid_t uid,
    gid_t gid);

/* Everything known about a login when its first factor begins; NULL or
 * empty fields are unknown and match no condition that names them. */
struct policy_query {
	const char *user;
	const char *const *groups;	/* the user's group names */
	size_t ngroups;
	const struct policy_net *from;	/* the remote address */
	const char *remote_user;
};

/* The rule that decides this login: the first whose conditions hold, or
 * NULL (nothing matches: refused). */
const struct policy_rule *policy_match(const struct policy_service *svc,
    const struct policy_query *q);

/* The mechanisms that may begin a login before the user is known: the
 * first steps of every allow rule whose context conditions (from,
 * remote-user) can hold.  What lsauth offers. */
policy_mechs policy_first_mechs(const struct policy_service *svc,
    const struct policy_net *from, const char *remote_user);

/* Whether a login r decides may act for user (r's act-for list). */
bool policy_rule_acts_for(const struct policy_rule *r, const char *user);

/* Whether any rule of the service names any of mechs, at any step. */
bool policy_service_uses(const struct policy_service *svc,
    policy_mechs mechs);

/* Whether a front end of svc may set the variable name in a session. */
bool policy_session_env_allowed(const struct policy_service *svc,
    const char *name);

/* Whether a front end of svc may start path as a session's command. */
bool policy_session_command_allowed(const struct policy_service *svc,
    const char *path);

/* "SERVICE:LINE", the rule's name in logs, into buf[cap]. */
void policy_rule_name(const struct policy_service *svc,
    const struct policy_rule *r, char *buf, size_t cap);

#endif
