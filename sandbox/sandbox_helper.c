/* SPDX-License-Identifier: ISC */
/*
 * sandbox_helper.c: confinement for a privileged helper that parses
 * attacker-controlled tokens (the GSSAPI acceptor): it must stay root to
 * read a keytab and a user's .k5login and to hand a credential cache to
 * the user, but needs nothing else of root.  The zygote confines itself
 * (sandbox_privileged_helper) before it forks any helper.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/sockios.h>
#include <sched.h>
#include <seccomp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox.h"
#include "sandbox_fail.h"
#include "sandbox_ids.h"

/* What an acceptor needs of root's powers; and, last, what a helper
 * with the network needs to become an unprivileged user before it uses
 * it (sandbox_helper_become). */
static const cap_value_t kept[] = {
	CAP_CHOWN,		/* the delegated cache becomes the user's */
	CAP_DAC_OVERRIDE,	/* root-only keytab and cache directory */
	CAP_DAC_READ_SEARCH,	/* a .k5login in a home only its owner reads */
	CAP_SETUID,
	CAP_SETGID,
};
#define KEPT_ACCEPTOR	3
#define KEPT_NETWORK	5

static int
is_kept(cap_value_t cap, int nkept)
{
	int i;

	for (i = 0; i < nkept; i++)
		if (kept[i] == cap)
			return 1;
	return 0;
}

/* Every other capability leaves the bounding set, the first nkept kept
 * ones stay effective and permitted only. */
static void
keep_only_needed_capabilities(int nkept)
{
	cap_value_t cap, last = (cap_value_t)cap_max_bits();
	cap_t caps;

	for (cap = 0; cap < last; cap++)
		if (!is_kept(cap, nkept) && cap_drop_bound(cap) == -1 &&
		    errno != EINVAL)
			sandbox_fail("drop bounding capability");
	if ((caps = cap_init()) == NULL ||
	    cap_set_flag(caps, CAP_EFFECTIVE, nkept, kept, CAP_SET) == -1 ||
	    cap_set_flag(caps, CAP_PERMITTED, nkept, kept, CAP_SET) == -1 ||
	    cap_set_proc(caps) == -1)
		sandbox_fail("keep helper capabilities");
	cap_free(caps);
	if (cap_reset_ambient() == -1)
		sandbox_fail("clear ambient capabilities");
}

/* Makes each missing directory of path (in a fresh tmpfs), and the last
 * component a directory, or a file when file is true. */
static void
make_mount_point(const char *path, bool file)
{
	char dir[SANDBOX_PATH_MAX];
	size_t i;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	for (i = 1; dir[i] != '\0'; i++) {
		if (dir[i] != '/')
			continue;
		dir[i] = '\0';
		if (mkdir(dir, 0755) == -1 && errno != EEXIST)
			sandbox_fail("make a mount point");
		dir[i] = '/';
	}
	if (file && (fd = open(dir, O_WRONLY | O_CREAT | O_CLOEXEC, 0644)) !=
	    -1)
		close(fd);
	else if (file || (mkdir(dir, 0755) == -1 && errno != EEXIST))
		sandbox_fail("make a mount point");
}

/* An empty tmpfs over path: over /run, no daemon's socket (D-Bus,
 * systemd) can be reached by its path (abstract sockets are the network
 * namespace's); over /dev, no disk or terminal. */
static void
empty_tmpfs_on(const char *path)
{
	int fs, mnt;

	if ((fs = fsopen("tmpfs", FSOPEN_CLOEXEC)) == -1 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "size", "64k", 0) == -1 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) == -1 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == -1 ||
	    (mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID |
	    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)) == -1 ||
	    move_mount(mnt, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) == -1)
		sandbox_fail(path);
	close(mnt);
	close(fs);
}

/* The devices a library may open; every other one is hidden. */
static const char *const devices[] = {
	"/dev/null", "/dev/zero", "/dev/random", "/dev/urandom",
};

#define DEVICES	(sizeof(devices) / sizeof(devices[0]))

/* A copy of path's mount tree, attached nowhere yet, with flags set. */
static int
clone_tree(const char *path, uint64_t flags)
{
	struct mount_attr attr = { .attr_set = flags };
	int fd;

	if ((fd = open_tree(AT_FDCWD, path, OPEN_TREE_CLONE |
	    OPEN_TREE_CLOEXEC | AT_RECURSIVE)) == -1 ||
	    (flags != 0 && mount_setattr(fd, "", AT_EMPTY_PATH | AT_RECURSIVE,
	    &attr, sizeof(attr)) == -1))
		sandbox_fail(path);
	return fd;
}

static void
attach(int fd, const char *path)
{
	if (move_mount(fd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) == -1)
		sandbox_fail(path);
	close(fd);
}

/* Every mount read-only, without devices or set-id programs, but the
 * writable directories (nor those hold devices or set-id programs); /run
 * empty; /dev holding only the harmless devices. */
static void
read_only_view(char (*writable)[SANDBOX_PATH_MAX], size_t n)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY |
	    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID };
	int clones[SANDBOX_WRITABLE_MAX], devs[DEVICES];
	size_t i;

	/* Private first: nothing done here may reach the host's mounts. */
	if (unshare(CLONE_NEWNS) == -1 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		sandbox_fail("a private mount namespace");
	/* Copies taken before anything is covered or made read-only. */
	for (i = 0; i < n; i++)
		clones[i] = clone_tree(writable[i], MOUNT_ATTR_NODEV |
		    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC);
	for (i = 0; i < DEVICES; i++)
		devs[i] = clone_tree(devices[i], 0);
	empty_tmpfs_on("/run");
	empty_tmpfs_on("/dev");
	for (i = 0; i < n; i++)
		if (strncmp(writable[i], "/run/", 5) == 0 ||
		    strncmp(writable[i], "/dev/", 5) == 0)
			make_mount_point(writable[i], false);
	for (i = 0; i < DEVICES; i++)
		make_mount_point(devices[i], true);
	if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof(ro)) == -1)
		sandbox_fail("a read-only view");
	for (i = 0; i < n; i++)
		attach(clones[i], writable[i]);
	for (i = 0; i < DEVICES; i++)
		attach(devs[i], devices[i]);
}

/* The writable directories as they really are (no symlink can move one
 * under the empty /run), none the root: 0, or fails. */
static void
resolve_writable(const char *const *writable, size_t n,
    char (*out)[SANDBOX_PATH_MAX])
{
	char real[PATH_MAX];
	size_t i;

	if (n > SANDBOX_WRITABLE_MAX) {
		errno = E2BIG;
		sandbox_fail("writable directories");
	}
	for (i = 0; i < n; i++) {
		if (realpath(writable[i], real) == NULL)
			sandbox_fail(writable[i]);
		if (strcmp(real, "/") == 0 || strlen(real) >= SANDBOX_PATH_MAX) {
			errno = EINVAL;
			sandbox_fail(writable[i]);
		}
		snprintf(out[i], SANDBOX_PATH_MAX, "%s", real);
	}
}

/* What no acceptor calls; each fails with EPERM.  A denylist, not the
 * workers' allowlist: NSS modules and Kerberos plugins in the helper may
 * call anything else an ordinary library does.  No signal at all, not
 * even to itself: abort() then ends the process by a fault instead. */
static const char *const refused[] = {
	"kill", "tkill", "tgkill", "rt_sigqueueinfo", "rt_tgsigqueueinfo",
	"ptrace", "process_vm_readv", "process_vm_writev", "kcmp",
	"pidfd_open", "pidfd_getfd", "pidfd_send_signal",
	"mount", "umount2", "pivot_root", "chroot", "setns", "unshare",
	"open_tree", "move_mount", "fsopen", "fsconfig", "fsmount", "fspick",
	"mount_setattr", "bpf", "perf_event_open", "userfaultfd",
	/* With CAP_DAC_READ_SEARCH a file handle opens any file of a
	 * filesystem a writable directory is on, around the read-only view
	 * ("shocker"). */
	"open_by_handle_at", "name_to_handle_at", "fanotify_init",
	"io_uring_setup", "io_uring_enter", "io_uring_register",
	"init_module", "finit_module", "delete_module", "kexec_load",
	"kexec_file_load", "reboot", "swapon", "swapoff", "acct", "quotactl",
	"syslog", "settimeofday", "clock_settime", "clock_adjtime",
	"adjtimex", "sethostname", "setdomainname", "iopl", "ioperm",
	"mknod", "mknodat", "add_key", "request_key", "keyctl",
	"setuid", "setgid", "setreuid", "setregid", "setresuid", "setresgid",
	"setgroups", "setfsuid", "setfsgid", "capset", "personality",
};

/* Calls whose arguments the filter cannot read: refused as if the kernel
 * lacked them, so that libraries fall back to the ones it can
 * (openat2 to openat, clone3 to clone); by number, as libseccomp may
 * not know them. */
static const int unreadable[] = {
	435,	/* clone3 */
	437,	/* openat2 */
	452,	/* fchmodat2 */
};

/* Refuses call nr when argument arg has every bit of mask set. */
static void
refuse_bits(scmp_filter_ctx ctx, int nr, unsigned arg, scmp_datum_t mask)
{
	struct scmp_arg_cmp cmp = { arg, SCMP_CMP_MASKED_EQ, mask, mask };

	if (seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1, &cmp) < 0)
		sandbox_fail("an argument rule");
}

/* Refuses call nr when argument arg equals value. */
static void
refuse_value(scmp_filter_ctx ctx, int nr, unsigned arg, scmp_datum_t value)
{
	struct scmp_arg_cmp cmp = { arg, SCMP_CMP_EQ, value, 0 };

	if (seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(EPERM), nr, 1, &cmp) < 0)
		sandbox_fail("an argument rule");
}

/* Refuses creating a file with mode bit on (open, openat, creat). */
static void
refuse_created_mode(scmp_filter_ctx ctx, scmp_datum_t bit)
{
	struct scmp_arg_cmp open_cmp[] = {
		{ 1, SCMP_CMP_MASKED_EQ, O_CREAT, O_CREAT },
		{ 2, SCMP_CMP_MASKED_EQ, bit, bit },
	}, openat_cmp[] = {
		{ 2, SCMP_CMP_MASKED_EQ, O_CREAT, O_CREAT },
		{ 3, SCMP_CMP_MASKED_EQ, bit, bit },
	};

	if (seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(open),
	    2, open_cmp) < 0 ||
	    seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(EPERM),
	    SCMP_SYS(openat), 2, openat_cmp) < 0)
		sandbox_fail("a mode rule");
	refuse_bits(ctx, SCMP_SYS(creat), 1, bit);
}

/* What a root process could still do through arguments: make a set-id
 * program, have the kernel signal another process for it (F_SETOWN and
 * O_ASYNC), make namespaces with clone, reach a hypervisor (vsock). */
static void
refuse_by_argument(scmp_filter_ctx ctx)
{
	static const scmp_datum_t namespaces[] = { CLONE_NEWNS,
	    CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET, CLONE_NEWIPC,
	    CLONE_NEWUTS, CLONE_NEWCGROUP };
	static const scmp_datum_t setid[] = { S_ISUID, S_ISGID };
	size_t i;

	for (i = 0; i < sizeof(setid) / sizeof(setid[0]); i++) {
		refuse_bits(ctx, SCMP_SYS(chmod), 1, setid[i]);
		refuse_bits(ctx, SCMP_SYS(fchmod), 1, setid[i]);
		refuse_bits(ctx, SCMP_SYS(fchmodat), 2, setid[i]);
		refuse_created_mode(ctx, setid[i]);
	}
	refuse_value(ctx, SCMP_SYS(fcntl), 1, F_SETOWN);
	refuse_value(ctx, SCMP_SYS(fcntl), 1, F_SETOWN_EX);
	refuse_value(ctx, SCMP_SYS(fcntl), 1, F_SETSIG);
	refuse_value(ctx, SCMP_SYS(ioctl), 1, FIOSETOWN);
	refuse_value(ctx, SCMP_SYS(ioctl), 1, SIOCSPGRP);
	refuse_value(ctx, SCMP_SYS(ioctl), 1, TIOCSTI);
	for (i = 0; i < sizeof(namespaces) / sizeof(namespaces[0]); i++)
		refuse_bits(ctx, SCMP_SYS(clone), 0, namespaces[i]);
	refuse_value(ctx, SCMP_SYS(socket), 0, AF_VSOCK);
}

/* The calls sandbox_helper_become makes: left to a helper with the
 * network, refused to the others (capset only ever lowers here: no
 * CAP_SETPCAP). */
static bool
becomes(const char *call)
{
	return strcmp(call, "setresuid") == 0 ||
	    strcmp(call, "setresgid") == 0 || strcmp(call, "setgroups") == 0 ||
	    strcmp(call, "capset") == 0;
}

/* Loaded once in the zygote: every helper inherits it, at no cost to a
 * login.  A foreign system-call ABI kills the process. */
static void
load_filter(bool network)
{
	scmp_filter_ctx ctx;
	size_t i;
	int nr;

	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL ||
	    seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS) < 0)
		sandbox_fail("seccomp_init");
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (network && becomes(refused[i]))
			continue;
		else if ((nr = seccomp_syscall_resolve_name(refused[i])) ==
		    __NR_SCMP_ERROR || seccomp_rule_add(ctx,
		    SCMP_ACT_ERRNO(EPERM), nr, 0) < 0)
			sandbox_fail(refused[i]);
	for (i = 0; i < sizeof(unreadable) / sizeof(unreadable[0]); i++)
		if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS),
		    unreadable[i], 0) < 0)
			sandbox_fail("an unreadable call");
	refuse_by_argument(ctx);
	if (seccomp_load(ctx) < 0)
		sandbox_fail("load the helper filter");
	seccomp_release(ctx);
}

void
sandbox_privileged_helper(const char *const *writable, size_t n,
    bool network)
{
	char real[SANDBOX_WRITABLE_MAX][SANDBOX_PATH_MAX];

	resolve_writable(writable, n, real);
	/* No network: an acceptor never needs the KDC. */
	if (!network && unshare(CLONE_NEWNET) == -1)
		sandbox_fail("unshare network");
	read_only_view(real, n);
	keep_only_needed_capabilities(network ? KEPT_NETWORK : KEPT_ACCEPTOR);
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		sandbox_fail("no_new_privs");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		sandbox_fail("not dumpable");
	load_filter(network);
}

void
sandbox_helper_become(const struct sandbox_identity *id)
{
	if (id->uid == 0) {
		errno = EINVAL;
		sandbox_fail("become root");
	}
	sandbox_switch_identity(id);
	sandbox_clear_capabilities();
	/* A change of ids may make a process dumpable again. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		sandbox_fail("not dumpable");
}

void
sandbox_helper_limits(void)
{
	static const struct { int resource; rlim_t value; } limits[] = {
		{ RLIMIT_CPU, 10 },
		{ RLIMIT_FSIZE, 64 << 20 },	/* a cache, the replay cache */
		{ RLIMIT_CORE, 0 },
		{ RLIMIT_NOFILE, 64 },
	};
	size_t i;

	for (i = 0; i < sizeof(limits) / sizeof(limits[0]); i++)
		if (setrlimit(limits[i].resource, &(struct rlimit){
		    limits[i].value, limits[i].value }) == -1)
			_exit(1);
}
