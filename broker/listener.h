/* listener.h: the broker's client socket: binding it with its owner and
 * mode, and admitting each connection (peer credentials, session cap). */
#ifndef LB_LISTENER_H
#define LB_LISTENER_H

struct config;

/* Binds and listens on conf->socket_path: 0, or -1 after logging why. */
int listener_open(const struct config *conf);

/* Writes one fixed reply line to a client and closes it.  The broker may
 * do this itself: it reads nothing from the client. */
void listener_refuse(int fd, const char *line);

/* Stops listening and removes the socket file. */
void listener_close(void);

#endif
