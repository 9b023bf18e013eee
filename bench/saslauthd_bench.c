/* SPDX-License-Identifier: ISC */
/*
 * saslauthd_bench: password checks through Cyrus SASL's saslauthd, the
 * peer a front end would otherwise deploy (saslauthd -a pam), timed as
 * login_bench times logins through loginbrokerd.
 *   saslauthd_bench MUX CLIENTS COUNT USER PASSWORD SERVICE
 *       COUNT checks on saslauthd's socket MUX, CLIENTS at a time, each
 *       a fresh connection from one poll loop, for PAM service SERVICE.
 * saslauthd's protocol: the request is four counted strings (login,
 * password, service, realm), each a 16-bit big-endian length then its
 * bytes; the reply one counted string, "OK..." or "NO...".
 * Output: "saslauthd clients=N logins=N per_s=X p50_us=X p99_us=X cpu_ms=X".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "stats.h"

#define CLIENTS_MAX	256
#define REPLY_MAX	1024

struct check {
	int fd;			/* -1: idle */
	uint64_t started;
	size_t got;
	unsigned char reply[2 + REPLY_MAX];
};

static unsigned char request[4 * (2 + 256)];
static size_t request_len;

/* Appends one counted string to the request. */
static void
put(const char *s)
{
	uint16_t len = htons((uint16_t)strlen(s));

	memcpy(request + request_len, &len, 2);
	memcpy(request + request_len + 2, s, strlen(s));
	request_len += 2 + strlen(s);
}

/* Connects and sends the request (small: the socket takes it whole). */
static void
begin(struct check *c, const char *mux)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", mux);
	c->started = now_ns();
	c->got = 0;
	if ((c->fd = socket(AF_UNIX, SOCK_STREAM, 0)) == -1 ||
	    connect(c->fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    write(c->fd, request, request_len) != (ssize_t)request_len) {
		perror(mux);
		exit(1);
	}
}

/* Reads what came: 1 when the whole reply is in and says OK, 0 when more
 * is due; exits on a refusal or an error. */
static int
advance(struct check *c)
{
	uint16_t len;
	ssize_t n;

	n = read(c->fd, c->reply + c->got, sizeof(c->reply) - c->got);
	if (n <= 0) {
		fprintf(stderr, "saslauthd: %s\n", n == 0 ? "hung up" :
		    strerror(errno));
		exit(1);
	}
	c->got += (size_t)n;
	if (c->got < 2)
		return 0;
	memcpy(&len, c->reply, 2);
	if (c->got < 2 + (size_t)ntohs(len))
		return 0;
	if (ntohs(len) < 2 || memcmp(c->reply + 2, "OK", 2) != 0) {
		fprintf(stderr, "saslauthd: %.*s\n", (int)ntohs(len),
		    c->reply + 2);
		exit(1);
	}
	return 1;
}

int
main(int argc, char **argv)
{
	static struct check c[CLIENTS_MAX];
	static struct pollfd pfd[CLIENTS_MAX];
	struct samples s = { 0 };
	long clients, count, started = 0, i;
	struct run_clock run;

	if (argc != 7 || (clients = atol(argv[2])) < 1 ||
	    clients > CLIENTS_MAX || (count = atol(argv[3])) < 1 ||
	    strlen(argv[4]) > 255 || strlen(argv[5]) > 255 ||
	    strlen(argv[6]) > 255) {
		fprintf(stderr, "usage: saslauthd_bench MUX CLIENTS COUNT "
		    "USER PASSWORD SERVICE\n");
		return 2;
	}
	put(argv[4]);
	put(argv[5]);
	put(argv[6]);
	put("");
	run_start(&run);
	for (i = 0; i < clients; i++)
		c[i].fd = -1;
	for (i = 0; i < clients && started < count; i++, started++)
		begin(&c[i], argv[1]);
	while ((long)s.n < count) {
		for (i = 0; i < clients; i++)
			pfd[i] = (struct pollfd){ c[i].fd, POLLIN, 0 };
		if (poll(pfd, (nfds_t)clients, 10000) <= 0) {
			fprintf(stderr, "no progress in 10 s\n");
			return 1;
		}
		for (i = 0; i < clients; i++) {
			if (c[i].fd == -1 || !(pfd[i].revents & (POLLIN |
			    POLLHUP)) || advance(&c[i]) == 0)
				continue;
			samples_add(&s, now_ns() - c[i].started);
			close(c[i].fd);
			c[i].fd = -1;
			if (started < count) {
				begin(&c[i], argv[1]);
				started++;
			}
		}
	}
	run_report("saslauthd", clients, &s, &run);
	samples_free(&s);
	return 0;
}
