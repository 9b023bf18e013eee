/* SPDX-License-Identifier: ISC */
/* groups_helper.c: a user's groups from NSS, for the broker's policy. */
#include "groups_helper.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ipc_chan.h"
#include "msg.h"
#include "sandbox.h"
#include "spawner.h"

/* Room for one passwd or group entry's strings: a group with many members
 * needs more than glibc's suggested 1 KiB. */
#define NSS_BUF_MAX	(256u << 10)

static char nss_buf[NSS_BUF_MAX];

static _Noreturn void
lookup_failed(const char *what, const char *name, int err)
{
	fprintf(stderr, "groups: %s %s: %s\n", what, name, strerror(err));
	_exit(1);
}

/* Whether a get*_r call's rc is an answer: found, or not found, which is
 * 0 with no entry, or ENOENT or ESRCH from some modules (nss_wrapper among
 * them); anything else is an error. */
static bool
answered(int rc)
{
	return rc == 0 || rc == ENOENT || rc == ESRCH;
}

/* user's group names into out, its primary group first; none for a user
 * NSS does not know (PAM may still know it: such a user matches no group
 * rule).  A name too long for the policy is left out: cut short, it
 * could be another group's. */
static void
groups_of(const char *user, struct msg_groups *out)
{
	gid_t gids[GROUPS_MAX];
	int ngids = GROUPS_MAX, i, rc;
	struct passwd pw, *pwp;
	struct group gr, *grp;
	char gid[16];

	out->n = 0;
	if (!answered(rc = getpwnam_r(user, &pw, nss_buf, sizeof(nss_buf),
	    &pwp)))
		lookup_failed("user", user, rc);
	if (rc != 0 || pwp == NULL)
		return;
	/* Over the bound: the first GROUPS_MAX count, as the policy says. */
	if (getgrouplist(user, pw.pw_gid, gids, &ngids) == -1)
		ngids = GROUPS_MAX;
	for (i = 0; i < ngids; i++) {
		if (!answered(rc = getgrgid_r(gids[i], &gr, nss_buf,
		    sizeof(nss_buf), &grp))) {
			snprintf(gid, sizeof(gid), "%u", (unsigned)gids[i]);
			lookup_failed("group", gid, rc);
		}
		if (rc != 0 || grp == NULL ||
		    strlen(grp->gr_name) >= GROUP_NAME_MAX)
			continue;
		memcpy(out->name[out->n++], grp->gr_name,
		    strlen(grp->gr_name) + 1);
	}
}

void
groups_helper_main(int sock, void *arg)
{
	static struct msg_groups_begin begin;
	static struct msg_groups groups;
	struct ipc_chan *broker;
	struct ipc_msg m;

	broker = spawner_child_first(sock, &m);
	if (msg_read_groups_begin(&m, &begin) == -1)
		_exit(1);
	sandbox_helper_limits();
	groups_of(begin.user, &groups);
	if (msg_send_groups_result(broker, 0, -1, &groups) == 0)
		(void)ipc_chan_flush_wait(broker, 5000);
	_exit(0);
}
