/*
 * sandbox_helper.c: confinement for a privileged helper that parses
 * attacker-controlled tokens (the GSSAPI acceptor): it must stay root to
 * read a keytab and a user's .k5login and to hand a credential cache to
 * the user, but needs nothing else of root.
 */
#include <errno.h>
#include <sched.h>
#include <sys/capability.h>
#include <sys/prctl.h>

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

void
sandbox_privileged_helper(void)
{
	/* No network: an acceptor never needs the KDC. */
	if (unshare(CLONE_NEWNET) == -1)
		sandbox_fail("unshare network");
	keep_only_needed_capabilities();
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1)
		sandbox_fail("no_new_privs");
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1)
		sandbox_fail("not dumpable");
}
