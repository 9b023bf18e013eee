/* SPDX-License-Identifier: ISC */
/* sandbox_drop.c: stage 1, give up the filesystem, root and capabilities. */
#include "sandbox.h"

#include <dirent.h>
#include <errno.h>
#include <grp.h>
#include <linux/securebits.h>
#include <pwd.h>
#include <sched.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox_fail.h"
#include "sandbox_ids.h"

int
sandbox_identity_lookup(const char *user, uint32_t fallback_id,
    struct sandbox_identity *id)
{
	struct passwd *pw;

	if ((pw = getpwnam(user)) != NULL) {
		id->uid = pw->pw_uid;
		id->gid = pw->pw_gid;
		return pw->pw_uid == 0 ? -1 : 0;
	}
	/* An id nobody owns is still a uid of our own, never shared. */
	if (fallback_id == 0 || getpwuid(fallback_id) != NULL ||
	    getgrgid(fallback_id) != NULL)
		return -1;
	id->uid = fallback_id;
	id->gid = fallback_id;
	return 0;
}

/* True when dir is a directory owned by root, writable by nobody else, and
 * holds nothing: a chroot there gives a process no files at all. */
static bool
is_empty_root_dir(const char *dir)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int entries = 0;

	if (stat(dir, &st) == -1 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		return false;
	if ((d = opendir(dir)) == NULL)
		return false;
	while ((de = readdir(d)) != NULL)
		entries++;
	closedir(d);
	return entries == 2;
}

/* A fresh tmpfs, read-only and empty, mounted nowhere: the descriptor of
 * its root.  Detached, it needs no mount point and no private propagation,
 * so it works under a root that is not a mount point (a plain chroot). */
static int
open_empty_tmpfs(void)
{
	int fs, mnt;

	if ((fs = fsopen("tmpfs", FSOPEN_CLOEXEC)) == -1)
		sandbox_fail("open tmpfs");
	if (fsconfig(fs, FSCONFIG_SET_STRING, "size", "4k", 0) == -1 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "nr_inodes", "1", 0) == -1 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0555", 0) == -1 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == -1)
		sandbox_fail("configure tmpfs");
	if ((mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY |
	    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)) == -1)
		sandbox_fail("mount empty tmpfs");
	close(fs);
	return mnt;
}

/* Makes the root an empty, read-only directory.  Without empty_dir, a
 * private mount namespace gets a fresh read-only tmpfs, mounted nowhere,
 * as the root, so nothing on the host needs preparing. */
static void
enter_empty_root(const char *empty_dir)
{
	int root;

	if (empty_dir != NULL) {
		if (!is_empty_root_dir(empty_dir)) {
			errno = ENOTEMPTY;
			sandbox_fail("empty root directory check");
		}
		if (chroot(empty_dir) == -1)
			sandbox_fail("chroot");
	} else {
		if (unshare(CLONE_NEWNS) == -1)
			sandbox_fail("unshare mount namespace");
		root = open_empty_tmpfs();
		if (fchdir(root) == -1 || chroot(".") == -1)
			sandbox_fail("chroot to empty tmpfs");
		close(root);
	}
	if (chdir("/") == -1)
		sandbox_fail("chdir /");
}

/* Empties the bounding set (needs CAP_SETPCAP, so before the uid change)
 * and locks securebits so that uid 0 can never mean capabilities again. */
static void
lock_capability_bounds(void)
{
	cap_value_t cap, last = (cap_value_t)cap_max_bits();

	for (cap = 0; cap < last; cap++)
		if (cap_drop_bound(cap) == -1 && errno != EINVAL)
			sandbox_fail("drop bounding capability");
	if (cap_set_secbits(SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
	    SECBIT_NO_SETUID_FIXUP_LOCKED | SECBIT_KEEP_CAPS_LOCKED |
	    SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED) ==
	    -1)
		sandbox_fail("lock securebits");
}

static void
set_rlimit(int resource, rlim_t value, const char *step)
{
	struct rlimit rl = { value, value };

	if (setrlimit(resource, &rl) == -1)
		sandbox_fail(step);
}

void
sandbox_limit(const struct sandbox_limits *lim)
{
	set_rlimit(RLIMIT_FSIZE, 0, "RLIMIT_FSIZE");
	set_rlimit(RLIMIT_CORE, 0, "RLIMIT_CORE");
	set_rlimit(RLIMIT_MEMLOCK, 0, "RLIMIT_MEMLOCK");
	set_rlimit(RLIMIT_NOFILE, lim->nofile, "RLIMIT_NOFILE");
	set_rlimit(RLIMIT_NPROC, lim->nproc, "RLIMIT_NPROC");
#if !defined(__SANITIZE_ADDRESS__)
	/* AddressSanitizer reserves terabytes of shadow address space. */
	if (lim->as_bytes != 0)
		set_rlimit(RLIMIT_AS, lim->as_bytes, "RLIMIT_AS");
#endif
}

void
sandbox_drop(const struct sandbox_identity *id, const char *empty_dir,
    const struct sandbox_limits *lim)
{
	if (id->uid == 0 || id->gid == 0) {
		errno = EINVAL;
		sandbox_fail("sandbox identity is root");
	}
	enter_empty_root(empty_dir);
	lock_capability_bounds();
	sandbox_switch_identity(id);
	sandbox_clear_capabilities();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		sandbox_fail("PR_SET_NO_NEW_PRIVS");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		sandbox_fail("PR_SET_DUMPABLE");
	sandbox_limit(lim);
}
