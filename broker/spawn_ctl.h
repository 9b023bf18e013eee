/* SPDX-License-Identifier: ISC */
/*
 * spawn_ctl.h: the broker's side of a spawner (ipc/spawner.h): it starts
 * the spawner process, keeps the ready children it hands over, gives them
 * out to sessions, asks for replacements, and replaces the spawner itself
 * when asked to recycle or when a child that was in use dies from a
 * signal.  One instance runs for the worker launcher and one for each PAM
 * zygote.
 */
#ifndef LB_SPAWN_CTL_H
#define LB_SPAWN_CTL_H

#include <stdbool.h>
#include <sys/queue.h>
#include <sys/types.h>

/* Ready children kept at most, whatever was asked for. */
#define SPAWN_IDLE_MAX	16

/* A ready child: its pid, a pidfd naming it for good, and the broker's end
 * of its channel.  Whoever takes it owns both descriptors. */
struct spawn_child {
	pid_t pid;
	int pidfd;
	int fd;
};

/* A request for a child, embedded in its requester.  ready() gets the
 * child, or NULL when none can be had (the spawner cannot start). */
struct spawn_wait {
	TAILQ_ENTRY(spawn_wait) entry;
	void (*ready)(struct spawn_wait *w, const struct spawn_child *child);
	bool queued;
};

struct spawn_params {
	const char *name;		/* for the log; must outlive it */
	/* Starts a spawner on chan_fd, with ctx. */
	pid_t (*start)(int chan_fd, void *ctx);
	/* Called with ctx when the first spawner is ready or failed to
	 * start (spawn_ctl_state); NULL: nobody asks. */
	void (*settled)(void *ctx);
	void *ctx;
	unsigned spares;		/* ready children to keep */
	unsigned recycle;		/* children before a fresh spawner; 0 never */
};

struct spawn_ctl;

/* Where the first spawner is: starting, ready, or gone before it was
 * ready (a broken sandbox or PAM stack). */
enum spawn_state {
	SPAWN_STARTING,
	SPAWN_READY,
	SPAWN_FAILED,
};

/* Starts the first spawner without waiting for it: the controller, or
 * NULL after logging why.  The event loop brings it up. */
struct spawn_ctl *spawn_ctl_start(const struct spawn_params *p);

/* Where the first spawner is. */
enum spawn_state spawn_ctl_state(const struct spawn_ctl *sc);

/* Gives w a ready child now, or as soon as one arrives. */
void spawn_ctl_take(struct spawn_ctl *sc, struct spawn_wait *w);

/* Withdraws a request still waiting (safe to call when it is not). */
void spawn_ctl_cancel(struct spawn_ctl *sc, struct spawn_wait *w);

/* Kills ready children and closes every spawner channel (shutdown). */
void spawn_ctl_stop(struct spawn_ctl *sc);

/* Stops sc and frees it; requests still waiting are dropped unanswered. */
void spawn_ctl_free(struct spawn_ctl *sc);

#endif
