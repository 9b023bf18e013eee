/*
 * launcher_ctl.h: the broker's side of the worker launcher: starting it
 * (fork + exec of loginbroker-worker, so each launcher gets a fresh
 * address-space layout and stack canary), asking it for workers, and
 * replacing it after launcher_recycle sessions or whenever a worker dies
 * from a signal, so crashing workers cannot probe a stable layout.
 */
#ifndef LB_LAUNCHER_CTL_H
#define LB_LAUNCHER_CTL_H

#include <sys/types.h>

struct config;
struct session;

/* Starts the first launcher and waits (bounded) until it is confined:
 * 0, or -1 after logging why (the broker then refuses to run). */
int launcher_ctl_start(const struct config *conf);

/* Asks for a worker for s, handing over client_fd: 0 (the descriptor is
 * gone), or -1 (it is still the caller's). */
int launcher_ctl_launch(struct session *s, int client_fd);

/* A child of the broker exited; returns 1 if it was a launcher. */
int launcher_ctl_reaped(pid_t pid, int status);

/* Closes every launcher channel (shutdown). */
void launcher_ctl_stop(void);

#endif
