/* SPDX-License-Identifier: ISC */
/*
 * spawner.h: a process that forks children for the broker and hands each
 * child's channel straight to it, so that the broker talks to its children
 * with no hop in between.  The worker launcher (worker/launcher.c) and the
 * helper zygotes (broker/pam/, broker/gss/) are spawners.
 *
 * Protocol on the broker channel: READY once set up; then one SPARE per
 * child (the channel as descriptor, the pid in the payload): `initial` at
 * once and one more per SPAWN; CHILD_EXIT for every child that ends.  The
 * spawner never learns what a child is used for; it ends when the broker
 * hangs up, and children it handed over live on.
 */
#ifndef LB_SPAWNER_H
#define LB_SPAWNER_H

#include "ipc_chan.h"
#include "msg.h"

/* What a child runs, with its end of the channel; it must not return. */
typedef void (*spawner_child_fn)(int sock, void *arg);

/* Closes every descriptor above stderr except keep: 0, or -1. */
int spawner_keep_only(int keep);

/* Allocations from this size up are mapped afresh, not cut from the
 * heap the children share copy-on-write with their spawner. */
#define SPAWNER_MMAP_THRESHOLD	(32u << 10)

/* Blocks SIGCHLD and opens the descriptor that reports it, and maps large
 * allocations afresh (SPAWNER_MMAP_THRESHOLD); call before any confinement
 * that forbids signalfd.  Returns the descriptor, or -1. */
int spawner_prepare(void);

/* The descriptor an exec'd zygote finds its channel to the broker on. */
#define SPAWNER_ZYGOTE_FD	3

/* In an exec'd zygote (prog names it in messages): 0 when
 * SPAWNER_ZYGOTE_FD is a socket, as the broker's exec leaves it; else -1
 * after saying so on stderr. */
int spawner_zygote_check(const char *prog);

/* In a helper child: its channel to the broker (which may pass it
 * descriptors) and the broker's first message, without a descriptor,
 * into m.  The child exits 0 when the broker dropped it unused (end of
 * stream), 1 on anything else. */
struct ipc_chan *spawner_child_first(int sock, struct ipc_msg *m);

/* In a helper child: the broker's next message on chan, which must be
 * of type (the client's AUTH_DATA, its AUTH_ANSWER), into m.  Exits 0
 * when the broker is gone (the attempt ended), 1 on anything else. */
void spawner_child_read(struct ipc_chan *chan, uint32_t type, void *m);

/* Serves the broker over chan (descriptor passing on) with children
 * running child(sock, arg); never returns. */
_Noreturn void spawner_run(struct ipc_chan *chan, int sigfd,
    unsigned initial, spawner_child_fn child, void *arg);

#endif
