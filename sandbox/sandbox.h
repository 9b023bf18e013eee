/* SPDX-License-Identifier: ISC */
/*
 * sandbox.h: confinement for the processes that parse client bytes.
 *
 * Two stages, each one call that fails closed: on any error it prints the
 * failing step to stderr and exits with SANDBOX_EXIT, so a caller can never
 * go on half-confined.  sandbox_drop runs once, as root, in the worker
 * launcher; sandbox_filter runs in every process that needs a narrower
 * system-call filter, and filters stack: a child only narrows its parent.
 */
#ifndef LB_SANDBOX_H
#define LB_SANDBOX_H

#include <stdbool.h>
#include <stdint.h>
#include <linux/filter.h>
#include <sys/resource.h>
#include <sys/types.h>

/* Exit status of a process whose confinement failed. */
#define SANDBOX_EXIT	71

/* The unprivileged user that confined processes run as. */
struct sandbox_identity {
	uid_t uid;
	gid_t gid;
};

struct sandbox_limits {
	rlim_t nofile;		/* open descriptors */
	rlim_t nproc;		/* processes of the sandbox user; 0: no fork */
	rlim_t as_bytes;	/* address space; 0: leave as is */
};

enum sandbox_profile {
	SANDBOX_SESSION,	/* talk over open descriptors, nothing else */
	SANDBOX_LAUNCHER,	/* that, plus fork confined children */
};

/* Resolves user from the password database; when it does not exist, uses
 * fallback_id as uid and gid, provided no user or group owns that id.
 * 0, or -1 when neither is usable. */
int sandbox_identity_lookup(const char *user, uint32_t fallback_id,
    struct sandbox_identity *id);

/* Stage 1, as root: an empty read-only root (a private mount namespace with
 * an empty tmpfs, or empty_dir when not NULL), the sandbox identity with no
 * supplementary groups, every capability set and the bounding set cleared,
 * securebits locked, no_new_privs, not dumpable, then sandbox_limit. */
void sandbox_drop(const struct sandbox_identity *id, const char *empty_dir,
    const struct sandbox_limits *lim);

/* Directories a privileged helper may write, and their paths' length. */
#define SANDBOX_WRITABLE_MAX	4
#define SANDBOX_PATH_MAX	256

/* For a helper that stays root to reach credential files but parses
 * attacker-controlled data (the GSSAPI zygote, inherited by its
 * helpers): a network namespace of its own with nothing in it (unless
 * network: the Duo helper talks to Duo's service, and must first become
 * an unprivileged user, so it keeps CAP_SETUID and CAP_SETGID and the
 * calls of sandbox_helper_become too); a private
 * mount namespace where every mount is read-only but the n writable
 * directories (absolute paths) and /run is an empty tmpfs; only
 * CAP_CHOWN, CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH (the bounding set
 * without the rest); no_new_privs; not dumpable; and a seccomp filter
 * that refuses (EPERM) what no acceptor needs: signals, tracing, mounts
 * and namespaces, modules, BPF, io_uring, keyrings, id changes.  Fails
 * closed. */
void sandbox_privileged_helper(const char *const *writable, size_t n,
    bool network);

/* In a helper of a zygote confined with network, once it has read what
 * only root may (its keys) and before it talks to anyone: becomes id,
 * with no supplementary groups and no capability left, still not
 * dumpable.  Exits the process when it cannot. */
void sandbox_helper_become(const struct sandbox_identity *id);

/* In a helper, before it parses a client's bytes: rlimits of its own, so
 * that a parser that loops or balloons ends there (CPU 10 s, files 64
 * MiB, no core, 64 descriptors).  Exits the process when it cannot. */
void sandbox_helper_limits(void);

/* No file growth, no core files, and the given bounds; only ever lowers. */
void sandbox_limit(const struct sandbox_limits *lim);

/* A compiled allowlist: building one with libseccomp costs hundreds of
 * microseconds, loading one costs a system call. */
struct sandbox_program {
	struct sock_filter *insns;
	unsigned short len;
	bool trap_debug;
};

/* Stage 2: the seccomp allowlist of profile, default action kill-process,
 * foreign architectures killed.  With trap_debug a denied call is logged to
 * stderr and fails with ENOSYS instead, to find what a library now needs. */
void sandbox_filter(enum sandbox_profile profile, bool trap_debug);

/* Compiles what sandbox_filter would load, for sandbox_load in (many)
 * children later; fails closed. */
void sandbox_compile(enum sandbox_profile profile, bool trap_debug,
    struct sandbox_program *out);

/* Stage 2 with a compiled program; fails closed. */
void sandbox_load(const struct sandbox_program *p);

#endif
