/* SPDX-License-Identifier: ISC */
/* workers.h: the pool of confined workers: the worker launcher, exec'd
 * from loginbroker-worker, and the relay of its stderr into our log. */
#ifndef LB_WORKERS_H
#define LB_WORKERS_H

struct config;

/* Starts the worker launcher: its controller, or NULL after logging. */
struct spawn_ctl *workers_start(const struct config *conf);

#endif
