/* SPDX-License-Identifier: ISC */
/* listener.h: the broker's client sockets, one per front end (the line
 * protocol's, greetd's): binding each with its owner and mode, and
 * admitting each connection (peer credentials, session cap). */
#ifndef LB_LISTENER_H
#define LB_LISTENER_H

#include "ipc_proto.h"

struct config;

/* Binds and listens on each socket of conf->listen that has a path: 0, or
 * -1 after logging why (none is left open then). */
int listener_open(const struct config *conf);

/* Writes one fixed reply to a client in its front end's words (a line
 * "CODE \"TEXT\"", or a greetd error), without waiting.  text is a
 * constant without quotes or backslashes.  The broker may do this itself:
 * it reads nothing from the client. */
void listener_tell(int fd, enum front_end front, int code, const char *text);

/* The same, then closes fd. */
void listener_refuse(int fd, enum front_end front, int code,
    const char *text);

/* Stops listening and removes the socket files. */
void listener_close(void);

#endif
