/* listener.c: accept, check the peer, start a session. */
#include "listener.h"

#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <unistd.h>

#include "audit.h"
#include "config.h"
#include "event.h"
#include "keeper.h"
#include "log.h"
#include "policy_live.h"
#include "reply.h"
#include "session.h"

static const struct config *conf;
static struct event listen_ev = { .fd = -1 };
/* Held in reserve: out of descriptors, it is given up to accept one
 * connection and refuse it, instead of leaving it queued and the
 * listener readable for ever (an epoll busy loop). */
static int spare_fd = -1;
/* When even the spare cannot make room (its slot is above a limit
 * lowered under us), the listener rests this long, then tries again. */
#define REST_MS		100
static struct event rest_ev = { .fd = -1 };

void
listener_refuse(int fd, const char *line)
{
	(void)!send(fd, line, strlen(line), MSG_NOSIGNAL | MSG_DONTWAIT);
	close(fd);
}

#define BUSY_LINE	"511 \"Too many sessions, try again later\"\r\n"

static void
refuse(int fd, const struct ucred *peer, const char *line,
    const char *rule, const char *outcome)
{
	listener_refuse(fd, line);
	audit_refused(peer, rule, outcome);
}

/* The greeting is the same for every client and needs nothing from it, so
 * the broker sends it at once while a worker is being assigned: the
 * client's first request then finds its worker ready. */
static int
greet(int fd)
{
	static const char greeting[] = PROTO_GREETING;

	return send(fd, greeting, sizeof(greeting) - 1,
	    MSG_NOSIGNAL | MSG_DONTWAIT) == sizeof(greeting) - 1 ? 0 : -1;
}

/* The policy in force picks the service by the peer's credentials; the
 * session keeps that policy for its whole life. */
static void
admit(int fd, const struct ucred *peer)
{
	struct policy *p = policy_live();
	const struct policy_service *svc;
	char rule[AUDIT_RULE_MAX];

	if ((svc = policy_service_for_peer(p, peer->uid, peer->gid)) == NULL) {
		refuse(fd, peer, "502 \"Permission denied\"\r\n", "no-service",
		    "refused-peer");
		return;
	}
	/* Sessions that outlive their front end hold a descriptor each. */
	if (session_count() + keeper_count_released() >= conf->max_sessions) {
		refuse(fd, peer, BUSY_LINE, "max_sessions", "refused-busy");
		return;
	}
	if (svc->connections_per_peer != 0 && session_count_peer(svc->name,
	    peer->uid) >= svc->connections_per_peer) {
		snprintf(rule, sizeof(rule), "%s:connections-per-peer",
		    svc->name);
		refuse(fd, peer, "511 \"Too many sessions for this peer, try "
		    "again later\"\r\n", rule, "refused-busy");
		return;
	}
	if (greet(fd) == -1)
		close(fd);
	else
		session_new(conf, p, svc, fd, peer);
}

/* Out of descriptors: the spare makes room to take one connection and
 * refuse it with 511, then is taken back.  True when it did. */
static bool
shed_one(int listen_fd)
{
	int fd = -1;

	if (spare_fd != -1) {
		close(spare_fd);
		if ((fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC)) != -1)
			listener_refuse(fd, BUSY_LINE);
	}
	spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	return fd != -1;
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
		event_mod(&listen_ev, 0);
}

static void
on_rested(struct event *ev, uint32_t events)
{
	uint64_t expirations;

	(void)!read(ev->fd, &expirations, sizeof(expirations));
	event_mod(&listen_ev, EPOLLIN);
}

static void
on_accept(struct event *ev, uint32_t events)
{
	struct ucred peer;
	socklen_t len = sizeof(peer);
	int fd;

	/* A bounded batch per wakeup keeps sessions' events flowing. */
	for (int i = 0; i < 32; i++) {
		fd = accept4(ev->fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd == -1 && (errno == EMFILE || errno == ENFILE)) {
			if (!shed_one(ev->fd)) {
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
		admit(fd, &peer);
	}
}

int
listener_open(const struct config *c)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct stat st;
	int fd;

	conf = c;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", c->socket_path);
	/* Replace a stale socket, never any other file. */
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
	    chown(sun.sun_path, c->socket_owner, c->socket_group) == -1 ||
	    chmod(sun.sun_path, c->socket_mode) == -1 ||
	    listen(fd, 128) == -1) {
		close(fd);
		goto fail;
	}
	if ((spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1 ||
	    (rest_ev.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK |
	    TFD_CLOEXEC)) == -1) {
		close(fd);
		goto fail;
	}
	rest_ev.cb = on_rested;
	if (event_add(&rest_ev, EPOLLIN) == -1) {
		close(fd);
		goto fail;
	}
	listen_ev = (struct event){ .fd = fd, .cb = on_accept, .ctx = NULL };
	return event_add(&listen_ev, EPOLLIN);
fail:
	log_msg(LOG_ERR, "%s: %s", sun.sun_path, strerror(errno));
	return -1;
}

void
listener_close(void)
{
	if (listen_ev.fd == -1)
		return;
	event_del(&listen_ev);
	close(listen_ev.fd);
	listen_ev.fd = -1;
	if (spare_fd != -1)
		close(spare_fd);
	spare_fd = -1;
	if (rest_ev.fd != -1) {
		event_del(&rest_ev);
		close(rest_ev.fd);
		rest_ev.fd = -1;
	}
	unlink(conf->socket_path);
}
