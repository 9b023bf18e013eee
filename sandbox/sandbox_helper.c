/*
 * sandbox_helper.c: confinement for a privileged helper that parses
 * attacker-controlled tokens (the GSSAPI acceptor): it must stay root to
 * read a keytab and a user's .k5login and to hand a credential cache to
 * the user, but needs nothing else of root.  The zygote confines itself
 * (sandbox_privileged_helper) before it forks any helper.
 */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <seccomp.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox.h"
#include "sandbox_fail.h"

/* What an acceptor needs of root's powers. */
static const cap_value_t kept[] = {
	CAP_CHOWN,		/* the delegated cache becomes the user's */
	CAP_DAC_OVERRIDE,	/* root-only keytab and cache directory */
	CAP_DAC_READ_SEARCH,	/* a .k5login in a home only its owner reads */
};

static int
is_kept(cap_value_t cap)
{
	size_t i;

	for (i = 0; i < sizeof(kept) / sizeof(kept[0]); i++)
		if (kept[i] == cap)
			return 1;
	return 0;
}

/* Every other capability leaves the bounding set, the kept ones stay
 * effective and permitted only. */
static void
keep_only_needed_capabilities(void)
{
	cap_value_t cap, last = (cap_value_t)cap_max_bits();
	cap_t caps;

	for (cap = 0; cap < last; cap++)
		if (!is_kept(cap) && cap_drop_bound(cap) == -1 &&
		    errno != EINVAL)
			sandbox_fail("drop bounding capability");
	if ((caps = cap_init()) == NULL ||
	    cap_set_flag(caps, CAP_EFFECTIVE, sizeof(kept) / sizeof(kept[0]),
	    kept, CAP_SET) == -1 ||
	    cap_set_flag(caps, CAP_PERMITTED, sizeof(kept) / sizeof(kept[0]),
	    kept, CAP_SET) == -1 || cap_set_proc(caps) == -1)
		sandbox_fail("keep helper capabilities");
	cap_free(caps);
	if (cap_reset_ambient() == -1)
		sandbox_fail("clear ambient capabilities");
}

/* Makes each missing directory of path, as a mount point in the fresh
 * tmpfs on /run. */
static void
make_mount_point(const char *path)
{
	char dir[SANDBOX_PATH_MAX];
	size_t i;

	snprintf(dir, sizeof(dir), "%s", path);
	for (i = 1; dir[i] != '\0'; i++) {
		if (dir[i] != '/')
			continue;
		dir[i] = '\0';
		if (mkdir(dir, 0755) == -1 && errno != EEXIST)
			sandbox_fail("make a writable directory's mount point");
		dir[i] = '/';
	}
	if (mkdir(dir, 0755) == -1 && errno != EEXIST)
		sandbox_fail("make a writable directory's mount point");
}

/* An empty tmpfs over /run: no daemon's socket (D-Bus, systemd) can be
 * reached by its path; abstract sockets are the network namespace's. */
static void
hide_run(void)
{
	int fs, mnt;

	if (access("/run", F_OK) == -1)
		return;
	if ((fs = fsopen("tmpfs", FSOPEN_CLOEXEC)) == -1 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "size", "64k", 0) == -1 ||
	    fsconfig(fs, FSCONFIG_SET_STRING, "mode", "0755", 0) == -1 ||
	    fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == -1 ||
	    (mnt = fsmount(fs, FSMOUNT_CLOEXEC, MOUNT_ATTR_NOSUID |
	    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)) == -1 ||
	    move_mount(mnt, "", AT_FDCWD, "/run", MOVE_MOUNT_F_EMPTY_PATH) ==
	    -1)
		sandbox_fail("an empty /run");
	close(mnt);
	close(fs);
}

/* Every mount read-only, but the writable directories, and /run empty. */
static void
read_only_view(const char *const *writable, size_t n)
{
	struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
	int clones[SANDBOX_WRITABLE_MAX];
	size_t i;

	if (n > SANDBOX_WRITABLE_MAX) {
		errno = E2BIG;
		sandbox_fail("writable directories");
	}
	/* Private first: nothing done here may reach the host's mounts. */
	if (unshare(CLONE_NEWNS) == -1 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		sandbox_fail("a private mount namespace");
	/* Writable copies of the directories, taken before anything is
	 * covered or made read-only. */
	for (i = 0; i < n; i++)
		if ((clones[i] = open_tree(AT_FDCWD, writable[i],
		    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE)) == -1)
			sandbox_fail(writable[i]);
	hide_run();
	for (i = 0; i < n; i++)
		if (strncmp(writable[i], "/run/", 5) == 0)
			make_mount_point(writable[i]);
	if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof(ro)) == -1)
		sandbox_fail("a read-only view");
	for (i = 0; i < n; i++) {
		if (move_mount(clones[i], "", AT_FDCWD, writable[i],
		    MOVE_MOUNT_F_EMPTY_PATH) == -1)
			sandbox_fail(writable[i]);
		close(clones[i]);
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

/* Loaded once in the zygote: every helper inherits it, at no cost to a
 * login.  A foreign system-call ABI is killed (libseccomp's default). */
static void
load_filter(void)
{
	scmp_filter_ctx ctx;
	size_t i;
	int nr;

	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL)
		sandbox_fail("seccomp_init");
	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if ((nr = seccomp_syscall_resolve_name(refused[i])) !=
		    __NR_SCMP_ERROR && seccomp_rule_add(ctx,
		    SCMP_ACT_ERRNO(EPERM), nr, 0) == -1)
			sandbox_fail(refused[i]);
	if (seccomp_load(ctx) == -1)
		sandbox_fail("load the helper filter");
	seccomp_release(ctx);
}

void
sandbox_privileged_helper(const char *const *writable, size_t n)
{
	/* No network: an acceptor never needs the KDC. */
	if (unshare(CLONE_NEWNET) == -1)
		sandbox_fail("unshare network");
	read_only_view(writable, n);
	keep_only_needed_capabilities();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		sandbox_fail("no_new_privs");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		sandbox_fail("not dumpable");
	load_filter();
}
