/* SPDX-License-Identifier: ISC */
/*
 * fuzz_ipc.c: libFuzzer over what a compromised worker and a compromised
 * helper control: raw bytes into the broker's channels, read by the
 * broker's real framing and dispatched by its real session state machine
 * (broker/session.c) and its PAM and GSSAPI verifiers.  Children are
 * socketpairs (fake_spawn_ctl.c), so no process is started.
 *
 * The input is a sequence of chunks: one byte naming the peer (bit 0: the
 * worker or the attempt's helper), two bytes of length (big-endian), then that
 * many bytes written to the peer's end of its channel.  After each chunk
 * the event loop runs until it is idle.  The result must only ever be
 * replies, refusals and killed sessions: never a crash, an overread or a
 * leak.
 */
#include <signal.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config.h"
#include "event.h"
#include "fake_spawn_ctl.h"
#include "ipc_proto.h"
#include "log.h"
#include "policy.h"
#include "session.h"
#include "verify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A chain, a context, a deny and a group (each first factor waits for
 * the groups helper): every state and message has a way in. */
static const char policy_text[] =
    "service s {\n"
    "\tpeer any\n"
    "\ttrusted-peer any\n"
    "\tattempts 5\n"
    "\tdeny user root\n"
    "\tallow gssapi-with-mic then password user carol\n"
    "\tallow password then keyboard-interactive user alice "
    "from 10.0.0.0/8\n"
    "\tallow keyboard-interactive then password group admins\n"
    "\tallow password or keyboard-interactive or gssapi-with-mic\n"
    "\tkeytab /dev/null\n"
    "\trealms EXAMPLE.ORG\n"
    "}\n";

static struct config conf;
static struct policy *policy;
static char ccache_dir[] = "/tmp/fuzz_ipc.XXXXXX";

/* The cache directory, and the replay cache's the broker made in it. */
static void
remove_ccache_dir(void)
{
	char rcache[sizeof(ccache_dir) + sizeof(GSS_RCACHE_DIR) + 1];

	snprintf(rcache, sizeof(rcache), "%s/" GSS_RCACHE_DIR, ccache_dir);
	rmdir(rcache);
	rmdir(ccache_dir);
}

static int
setup(void)
{
	static const struct policy_hooks hooks = { NULL, NULL, NULL };
	struct spawn_params workers = { "worker launcher", NULL, NULL, NULL,
	    1, 0 };
	struct policy_errors errs;

	/* As the broker: a peer gone is an EPIPE, not a signal. */
	signal(SIGPIPE, SIG_IGN);
	log_init(true, false);
	config_defaults(&conf);
	conf.failure_delay_ms = 0;
	/* The GSSAPI and groups checks pass; caches go nowhere real. */
	snprintf(conf.gss_path, sizeof(conf.gss_path), "/bin/true");
	snprintf(conf.groups_path, sizeof(conf.groups_path), "/bin/true");
	if (mkdtemp(ccache_dir) == NULL || atexit(remove_ccache_dir) != 0)
		abort();
	snprintf(conf.ccache_dir, sizeof(conf.ccache_dir), "%s", ccache_dir);
	if (event_init() == -1 || (policy = policy_parse("fuzz", policy_text,
	    sizeof(policy_text) - 1, &hooks, &errs)) == NULL ||
	    verifiers_prepare(&conf, policy) == -1)
		abort();
	session_init(spawn_ctl_start(&workers));
	return 0;
}

/* Reads and drops what the broker sent a peer, closing any descriptor
 * that came with it (the client's, in ASSIGN). */
static void
drain(int fd)
{
	char buf[4096], cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int passed;

	while (fd != -1 && recvmsg(fd, &mh, MSG_DONTWAIT) > 0) {
		for (cm = CMSG_FIRSTHDR(&mh); cm != NULL;
		    cm = CMSG_NXTHDR(&mh, cm)) {
			if (cm->cmsg_type != SCM_RIGHTS)
				continue;
			memcpy(&passed, CMSG_DATA(cm), sizeof(passed));
			close(passed);
		}
		mh.msg_controllen = sizeof(cbuf);
	}
}

/* Runs the broker's loop until nothing is ready. */
static void
settle(void)
{
	for (int i = 0; i < 16; i++) {
		drain(fake_peer_fd(FAKE_WORKER));
		drain(fake_peer_fd(FAKE_HELPER));
		if (event_dispatch(0) == -1)
			abort();
		session_reap();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready = -1;
	struct ucred peer = { getpid(), 0, 0 };
	size_t off = 0, n;
	int client[2], fd;

	if (ready == -1)
		ready = setup();
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    client) == -1)
		return 0;
	session_new(&conf, policy, &policy->services[0], client[0], FRONT_LINE, &peer);
	settle();
	while (size - off >= 3) {
		fd = fake_peer_fd(data[off] & 1 ? FAKE_HELPER :
		    FAKE_WORKER);
		n = (size_t)data[off + 1] << 8 | data[off + 2];
		off += 3;
		if (n > size - off)
			n = size - off;
		if (fd != -1 && n > 0)
			(void)!write(fd, data + off, n);
		off += n;
		settle();
	}
	session_end_all();
	settle();
	fake_peers_close();
	close(client[1]);
	return 0;
}
