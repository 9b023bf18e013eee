/* SPDX-License-Identifier: ISC */
/* listener.c: accept, check the peer, start a session, on the socket of
 * each front end. */
#include "listener.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>
#include <stdint.h>

#include "audit.h"
#include "config.h"
#include "event.h"
#include "keeper.h"
#include "log.h"
#include "policy_live.h"
#include "reply.h"
#include "session.h"

static const struct config *conf;
/* By enum front_end; fd -1: that front end is off. */
static struct event listen_ev[FRONT_COUNT] = {
	[FRONT_LINE] = { .fd = -1 },
	[FRONT_GREETD] = { .fd = -1 },
};
/* Each socket's lock (lock_socket), held while it listens. */
static int lock_fds[FRONT_COUNT] = { -1, -1 };
/* Held in reserve: out of descriptors, it is given up to accept one
 * connection and refuse it, instead of leaving it queued and the
 * listener readable for ever (an epoll busy loop). */
static int spare_fd = -1;
/* When even the spare cannot make room (its slot is above a limit
 * lowered under us), the listener rests this long, then tries again. */
#define REST_MS		100
static struct event rest_ev = { .fd = -1 };

void
listener_tell(int fd, enum front_end front, int code, const char *text)
{
	char out[160];
	uint32_t len;
	int n;

	/* greetd's error: its u32 length in native byte order, then JSON. */
	if (front == FRONT_GREETD) {
		n = snprintf(out + sizeof(len), sizeof(out) - sizeof(len),
		    "{\"type\":\"error\",\"error_type\":\"error\","
		    "\"description\":\"%s\"}", text);
		len = (uint32_t)n;
		memcpy(out, &len, sizeof(len));
		n += (int)sizeof(len);
	} else {
		n = snprintf(out, sizeof(out), "%03d \"%s\"\r\n", code, text);
	}
	if (n > 0 && (size_t)n < sizeof(out))
		(void)!send(fd, out, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT);
}

void
listener_refuse(int fd, enum front_end front, int code, const char *text)
{
	listener_tell(fd, front, code, text);
	close(fd);
}

#define BUSY_TEXT	"Too many sessions, try again later"

static void
refuse(int fd, enum front_end front, const struct ucred *peer, int code,
    const char *text, const char *rule, const char *outcome)
{
	listener_refuse(fd, front, code, text);
	audit_refused(peer, rule, outcome);
}

/* The greeting is the same for every client and needs nothing from it, so
 * the broker sends it at once while a worker is being assigned: the
 * client's first request then finds its worker ready.  A greeter speaks
 * first: it gets none. */
static int
greet(int fd, enum front_end front)
{
	static const char greeting[] = PROTO_GREETING;

	if (front == FRONT_GREETD)
		return 0;
	return send(fd, greeting, sizeof(greeting) - 1,
	    MSG_NOSIGNAL | MSG_DONTWAIT) == sizeof(greeting) - 1 ? 0 : -1;
}

/* The policy in force picks the service by the peer's credentials,
 * whichever socket it came in on; the session keeps that policy for its
 * whole life. */
static void
admit(int fd, enum front_end front, const struct ucred *peer)
{
	struct policy *p = policy_live();
	const struct policy_service *svc;
	char rule[AUDIT_RULE_MAX];

	if ((svc = policy_service_for_peer(p, peer->uid, peer->gid)) == NULL) {
		refuse(fd, front, peer, REPLY_NOT_PERMITTED,
		    "Permission denied", "no-service", "refused-peer");
		return;
	}
	/* Sessions that outlive their front end hold a descriptor each. */
	if (session_count() + keeper_count_released() >= conf->max_sessions) {
		refuse(fd, front, peer, REPLY_BUSY, BUSY_TEXT, "max_sessions",
		    "refused-busy");
		return;
	}
	if (svc->connections_per_peer != 0 && session_count_peer(svc->name,
	    peer->uid) >= svc->connections_per_peer) {
		snprintf(rule, sizeof(rule), "%s:connections-per-peer",
		    svc->name);
		refuse(fd, front, peer, REPLY_BUSY, "Too many sessions for "
		    "this peer, try again later", rule, "refused-busy");
		return;
	}
	if (greet(fd, front) == -1)
		close(fd);
	else
		session_new(conf, p, svc, fd, front, peer);
}

/* Out of descriptors: the spare makes room to take one connection and
 * refuse it with 511, then is taken back.  True when it did. */
static bool
shed_one(int listen_fd, enum front_end front)
{
	int fd = -1;

	if (spare_fd != -1) {
		close(spare_fd);
		if ((fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC)) != -1)
			listener_refuse(fd, front, REPLY_BUSY, BUSY_TEXT);
	}
	spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return fd != -1;
}

/* Sets what every open listener waits for. */
static void
listen_for(uint32_t events)
{
	int f;

	for (f = 0; f < FRONT_COUNT; f++)
		if (listen_ev[f].fd != -1)
			event_mod(&listen_ev[f], events);
}

/* Stops accepting for REST_MS: the connection stays queued, and the
 * loop does not spin on a listener it cannot serve. */
static void
rest(void)
{
	struct itimerspec its = { { 0, 0 }, { 0, REST_MS * 1000000L } };

	log_msg(LOG_WARNING, "accept: out of descriptors and no spare: not "
	    "accepting for %d ms", REST_MS);
	if (timerfd_settime(rest_ev.fd, 0, &its, NULL) == 0)
		listen_for(0);
}

static void
on_rested(struct event *ev, uint32_t events)
{
	uint64_t expirations;

	(void)!read(ev->fd, &expirations, sizeof(expirations));
	listen_for(EPOLLIN);
}

static void
on_accept(struct event *ev, uint32_t events)
{
	enum front_end front = (enum front_end)(ev - listen_ev);
	struct ucred peer;
	socklen_t len = sizeof(peer);
	int fd;

	/* A bounded batch per wakeup keeps sessions' events flowing. */
	for (int i = 0; i < 32; i++) {
		fd = accept4(ev->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd == -1 && (errno == EMFILE || errno == ENFILE)) {
			if (!shed_one(ev->fd, front)) {
				rest();
				return;
			}
			log_msg(LOG_WARNING, "accept: out of descriptors: "
			    "connection refused");
			continue;
		}
		if (fd == -1) {
			if (errno != EAGAIN && errno != EINTR)
				log_msg(LOG_ERR, "accept: %s", strerror(errno));
			return;
		}
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) == -1) {
			log_msg(LOG_ERR, "SO_PEERCRED: %s", strerror(errno));
			close(fd);
			continue;
		}
		admit(fd, front, &peer);
	}
}

/* Takes the lock beside a socket, PATH.lock, held while we listen: a
 * second broker on the path finds it held and leaves the socket alone;
 * one that finds it free may replace the socket (stale: its broker
 * ended).  The lock file stays: removing it would race.  0, or -1 after
 * logging why. */
static int
lock_socket(const char *path, int *lock_fd)
{
	char lock_path[sizeof(((struct sockaddr_un *)0)->sun_path) + 8];

	snprintf(lock_path, sizeof(lock_path), "%s.lock", path);
	if ((*lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1) {
		log_msg(LOG_ERR, "%s: %s", lock_path, strerror(errno));
		return -1;
	}
	if (flock(*lock_fd, LOCK_EX | LOCK_NB) == -1) {
		log_msg(LOG_ERR, "%s: a broker is listening there already",
		    path);
		close(*lock_fd);
		*lock_fd = -1;
		return -1;
	}
	return 0;
}

/* Binds and listens on one socket, its lock held, replacing a stale
 * socket but never a live one nor any other file: the listening
 * descriptor, or -1 after logging why. */
static int
bind_one(const struct config_socket *cs, int *lock_fd)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", cs->path);
	if (lock_socket(sun.sun_path, lock_fd) == -1)
		return -1;
	if (lstat(sun.sun_path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_msg(LOG_ERR, "%s exists and is not a socket",
			    sun.sun_path);
			return -1;
		}
		unlink(sun.sun_path);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0)) == -1)
		goto fail;
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    chown(sun.sun_path, cs->owner, cs->group) == -1 ||
	    chmod(sun.sun_path, cs->mode) == -1 || listen(fd, 128) == -1) {
		close(fd);
		goto fail;
	}
	return fd;
fail:
	log_msg(LOG_ERR, "%s: %s", sun.sun_path, strerror(errno));
	return -1;
}

int
listener_open(const struct config *c)
{
	int f;

	conf = c;
	if ((spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1 ||
	    (rest_ev.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK |
	    TFD_CLOEXEC)) == -1) {
		log_msg(LOG_ERR, "listener: %s", strerror(errno));
		goto fail;
	}
	rest_ev.cb = on_rested;
	if (event_add(&rest_ev, EPOLLIN) == -1)
		goto fail;
	for (f = 0; f < FRONT_COUNT; f++) {
		if (c->listen[f].path[0] == '\0')
			continue;
		listen_ev[f].cb = on_accept;
		if ((listen_ev[f].fd = bind_one(&c->listen[f],
		    &lock_fds[f])) == -1 ||
		    event_add(&listen_ev[f], EPOLLIN) == -1)
			goto fail;
	}
	if (listen_ev[FRONT_GREETD].fd != -1)
		log_msg(LOG_INFO, "greeters (greetd's protocol) on %s",
		    c->listen[FRONT_GREETD].path);
	return 0;
fail:
	listener_close();
	return -1;
}

void
listener_close(void)
{
	int f;

	for (f = 0; f < FRONT_COUNT; f++) {
		if (listen_ev[f].fd != -1) {
			event_del(&listen_ev[f]);
			close(listen_ev[f].fd);
			listen_ev[f].fd = -1;
			unlink(conf->listen[f].path);
		}
		/* The socket gone, the lock is let go. */
		if (lock_fds[f] != -1)
			close(lock_fds[f]);
		lock_fds[f] = -1;
	}
	if (spare_fd != -1)
		close(spare_fd);
	spare_fd = -1;
	if (rest_ev.fd != -1) {
		event_del(&rest_ev);
		close(rest_ev.fd);
		rest_ev.fd = -1;
	}
}
