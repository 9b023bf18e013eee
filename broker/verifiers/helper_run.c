/* SPDX-License-Identifier: ISC */
/* helper_run.c: take, watch, dispatch and end an attempt's helper. */
#include "helper_run.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/queue.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "attempt.h"
#include "msg.h"

/* "PAM helper died" and the like, for the audit log. */
static void
helper_failed(struct helper_run *run, const char *how)
{
	char detail[96];

	snprintf(detail, sizeof(detail), "%s %s", run->ops->what, how);
	attempt_verified(run->a, VERDICT_ERROR, detail);
}

/* The handler of in's type: its result, or -1 for any other type. */
static int
dispatch(struct helper_run *run, const struct ipc_msg *in)
{
	size_t i;

	if (in->fd != -1)
		return -1;
	for (i = 0; i < run->ops->nmsgs; i++)
		if (run->ops->msgs[i].type == in->hdr.type)
			return run->ops->msgs[i].handle(run, in);
	return -1;
}

static void
on_helper(struct event *ev, uint32_t events)
{
	struct helper_run *run = ev->ctx;
	struct attempt *a = run->a;
	void *vstate = a->vstate;
	struct ipc_msg m;
	int rc;

	if ((rc = event_chan_ready(ev, run->chan, events)) == 0)
		return;
	if (rc == -1) {
		helper_failed(run, "died");
		return;
	}
	/* Each handler may end the run (and free it): stop at once then. */
	while (a->vstate == vstate && (rc = ipc_chan_get(run->chan, &m)) == 1)
		if ((rc = dispatch(run, &m)) != 0)
			break;
	if (rc == -1 && a->vstate == vstate)
		helper_failed(run, "protocol error");
}

/* A helper is ready: the verifier sends it the attempt. */
static void
got_helper(struct spawn_wait *w, const struct spawn_child *child)
{
	struct helper_run *run = (struct helper_run *)((char *)w -
	    offsetof(struct helper_run, wait));

	if (child == NULL) {
		helper_failed(run, "unavailable");
		return;
	}
	run->pidfd = child->pidfd;
	/* Descriptors go to a helper (a keeper's session's), never from
	 * one. */
	if ((run->chan = ipc_chan_new(child->fd, true)) == NULL) {
		close(child->fd);
		attempt_verified(run->a, VERDICT_ERROR, "out of memory");
		return;
	}
	ipc_chan_take_fds(run->chan, 0);
	run->ev = (struct event){ .fd = child->fd, .cb = on_helper,
	    .ctx = run };
	if (event_add(&run->ev, EPOLLIN) == -1) {
		helper_failed(run, "unreachable");
		return;
	}
	run->ops->ready(run);
}

void
helper_run_start(struct helper_run *run, struct attempt *a,
    struct spawn_ctl *helpers, const struct helper_ops *ops)
{
	run->a = a;
	run->ops = ops;
	run->helpers = helpers;
	run->pidfd = -1;
	run->ev.fd = -1;
	run->wait.ready = got_helper;
	spawn_ctl_take(helpers, &run->wait);
}

int
helper_run_send(struct helper_run *run, uint32_t type, const void *m,
    const char *limit_detail)
{
	int err;

	if (msg_send(run->chan, type, 0, -1, m) == -1) {
		err = errno;
		if (err == ERANGE)
			attempt_verified(run->a, VERDICT_LIMIT, limit_detail);
		else
			helper_failed(run, "unreachable");
		errno = err;
		return -1;
	}
	/* A helper that cannot be written to has ended: its last words (a
	 * result it sent just before) or its end decide, as the event loop
	 * reads them, not this write. */
	(void)event_chan_flush(&run->ev, run->chan);
	return 0;
}

void
helper_run_finished(struct helper_run *run)
{
	if (run->pidfd != -1)
		close(run->pidfd);
	run->pidfd = -1;
}

void
helper_run_hand_over(struct helper_run *run, struct ipc_chan **chan,
    int *pidfd)
{
	event_del(&run->ev);
	*chan = run->chan;
	*pidfd = run->pidfd;
	run->chan = NULL;
	run->pidfd = -1;
	run->helpers = NULL;
}

/* A killed helper whose end someone waits for. */
struct reaping {
	TAILQ_ENTRY(reaping) entry;
	struct event ev;		/* its pidfd: readable once it exited */
	void (*gone)(void *ctx);
	void *ctx;
};

/* Killed helpers waited for at once: each holds a descriptor outside
 * the budget (fd_budget.c), and one stuck in the kernel may never go. */
#define REAPINGS_MAX	32

static TAILQ_HEAD(, reaping) reapings = TAILQ_HEAD_INITIALIZER(reapings);
static size_t nreapings;

static void
reaped(struct reaping *r)
{
	TAILQ_REMOVE(&reapings, r, entry);
	nreapings--;
	event_del(&r->ev);
	close(r->ev.fd);
	r->gone(r->ctx);
	free(r);
}

static void
on_exited(struct event *ev, uint32_t events)
{
	reaped(ev->ctx);
}

void
helper_run_stop_waiting(void)
{
	while (!TAILQ_EMPTY(&reapings))
		reaped(TAILQ_FIRST(&reapings));
}

/* Hands the pidfd to a reaping that calls gone when the helper exited:
 * true, or false (gone is then the caller's to call, at once). */
static bool
wait_for_exit(int pidfd, void (*gone)(void *ctx), void *ctx)
{
	struct reaping *r;

	if (nreapings == REAPINGS_MAX || (r = calloc(1, sizeof(*r))) == NULL)
		return false;
	*r = (struct reaping){ .ev = { .fd = pidfd, .cb = on_exited,
	    .ctx = r }, .gone = gone, .ctx = ctx };
	if (event_add(&r->ev, EPOLLIN) == -1) {
		free(r);
		return false;
	}
	TAILQ_INSERT_TAIL(&reapings, r, entry);
	nreapings++;
	return true;
}

void
helper_run_stop(struct helper_run *run, void (*gone)(void *ctx), void *ctx)
{
	if (run->helpers != NULL) {
		spawn_ctl_cancel(run->helpers, &run->wait);
		event_del(&run->ev);
		ipc_chan_free(run->chan);
		run->chan = NULL;
		run->helpers = NULL;
	}
	if (run->pidfd != -1) {
		/* A module may hang forever; its zygote reaps it. */
		syscall(SYS_pidfd_send_signal, run->pidfd, SIGKILL, NULL, 0);
		if (gone != NULL && wait_for_exit(run->pidfd, gone, ctx))
			gone = NULL;
		else
			close(run->pidfd);
		run->pidfd = -1;
	}
	if (gone != NULL)
		gone(ctx);
}
