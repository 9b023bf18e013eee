/* SPDX-License-Identifier: ISC */
/* sandbox_ids.c: becoming another user for good. */
#include "sandbox_ids.h"

#include <errno.h>
#include <grp.h>
#include <sys/capability.h>
#include <unistd.h>

#include "sandbox_fail.h"

/* Groups first, then gid, then uid: after setresuid nothing else could. */
void
sandbox_switch_identity(const struct sandbox_identity *id)
{
	uid_t ruid, euid, suid;
	gid_t rgid, egid, sgid;

	if (setgroups(0, NULL) == -1)
		sandbox_fail("setgroups");
	if (setresgid(id->gid, id->gid, id->gid) == -1)
		sandbox_fail("setresgid");
	if (setresuid(id->uid, id->uid, id->uid) == -1)
		sandbox_fail("setresuid");
	if (getresuid(&ruid, &euid, &suid) == -1 ||
	    getresgid(&rgid, &egid, &sgid) == -1)
		sandbox_fail("getresuid");
	if (ruid != id->uid || euid != id->uid || suid != id->uid ||
	    rgid != id->gid || egid != id->gid || sgid != id->gid) {
		errno = EPERM;
		sandbox_fail("identity check");
	}
	/* Paranoia, as OpenSSH's permanently_set_uid: root must be gone. */
	if (setuid(0) != -1 || setresuid((uid_t)-1, 0, (uid_t)-1) != -1) {
		errno = EPERM;
		sandbox_fail("root could be regained");
	}
}

/* Clears effective, permitted, inheritable and ambient sets, and checks. */
void
sandbox_clear_capabilities(void)
{
	cap_t none, now;
	int differ;

	if ((none = cap_init()) == NULL)
		sandbox_fail("cap_init");
	if (cap_set_proc(none) == -1)
		sandbox_fail("clear capabilities");
	if (cap_reset_ambient() == -1)
		sandbox_fail("clear ambient capabilities");
	if ((now = cap_get_proc()) == NULL)
		sandbox_fail("cap_get_proc");
	differ = cap_compare(none, now);
	cap_free(now);
	cap_free(none);
	if (differ != 0) {
		errno = EPERM;
		sandbox_fail("capabilities remain");
	}
}
