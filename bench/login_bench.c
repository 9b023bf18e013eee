/* SPDX-License-Identifier: ISC */
/*
 * login_bench: password logins, timed.
 *   login_bench broker SOCKET CLIENTS COUNT USER PASSWORD [MECH]
 *       COUNT logins through loginbrokerd, CLIENTS at a time, each a fresh
 *       connection driven with libloginbroker's non-blocking calls from one
 *       poll loop; prints logins/s and latency p50/p99.  MECH is password
 *       (the default), plain or scram-sha-256: the password answers each.
 *   login_bench inprocess SERVICE COUNT USER PASSWORD
 *       the same PAM transactions in this process, no broker: the baseline.
 *   login_bench session SOCKET COUNT USER PASSWORD yes|no
 *       COUNT password logins one after another on blocking connections,
 *       each then (yes) opening a session and running the user's login
 *       shell on /dev/null to its end, or (no) closing at once: what a
 *       session costs on top of its login.
 *   login_bench flood SOCKET CLIENTS COUNT PREFIX
 *       COUNT wrong passwords the same way, each for a new user PREFIXn:
 *       what fills the lockout table (each failure, 506 or 515, counts).
 * Output: one line "MODE clients=N logins=N per_s=X p50_us=X p99_us=X
 * cpu_ms=X", cpu_ms the whole machine's CPU time per login.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <security/pam_appl.h>

#include "ipc_proto.h"
#include "loginbroker.h"
#include "stats.h"

#define CLIENTS_MAX	256

static const char *password;
static const char *mech = "password";

static int
answer(const struct lb_prompt *p, char *buf, size_t cap, void *arg)
{
	snprintf(buf, cap, "%s", password);
	return 0;
}

struct client {
	struct lb_conn *c;
	uint64_t started;
	char user[USER_NAME_MAX];
};

static void
start(struct client *cl, const char *sock)
{
	cl->started = now_ns();
	if ((cl->c = lb_open(sock, LB_NONBLOCK)) == NULL) {
		perror(sock);
		exit(1);
	}
}

/* A flood's logins fail, for one new name each; others must succeed. */
static bool flood;

static void
name_user(struct client *cl, const char *user, long n)
{
	if (flood)
		snprintf(cl->user, sizeof(cl->user), "%s%ld", user, n);
	else
		snprintf(cl->user, sizeof(cl->user), "%s", user);
}

static bool
done_as_wanted(struct lb_conn *c, int rc)
{
	int code = lb_last_code(c);

	return flood ? rc != LB_OK && (code == 506 || code == 515) :
	    rc == LB_OK;
}

static int
run_broker(const char *sock, long clients, long count, const char *user)
{
	static struct client cl[CLIENTS_MAX];
	static struct pollfd pfd[CLIENTS_MAX];
	struct samples s = { 0 };
	long started = 0, i;
	struct run_clock run;
	int rc;

	run_start(&run);
	for (i = 0; i < clients && started < count; i++, started++) {
		name_user(&cl[i], user, started);
		start(&cl[i], sock);
	}
	while ((long)s.n < count) {
		for (i = 0; i < clients; i++) {
			if (cl[i].c == NULL)
				continue;
			rc = lb_login(cl[i].c, mech, cl[i].user, answer, NULL);
			if (rc == LB_EAGAIN)
				continue;
			if (!done_as_wanted(cl[i].c, rc)) {
				fprintf(stderr, "login: %s (%d %s)\n",
				    lb_strerror(rc), lb_last_code(cl[i].c),
				    lb_last_text(cl[i].c));
				return 1;
			}
			samples_add(&s, now_ns() - cl[i].started);
			lb_close(cl[i].c);
			cl[i].c = NULL;
			if (started < count) {
				name_user(&cl[i], user, started);
				start(&cl[i], sock);
				started++;
				i--;	/* drive the new one at once */
			}
		}
		for (i = 0; i < clients; i++)
			pfd[i] = (struct pollfd){ cl[i].c ? lb_fd(cl[i].c) : -1,
			    cl[i].c ? lb_want(cl[i].c) : 0, 0 };
		/* Longer than bench/run's sleepers (10 s in PAM). */
		if ((long)s.n < count && poll(pfd, (nfds_t)clients, 30000) <= 0) {
			fprintf(stderr, "no progress in 30 s\n");
			return 1;
		}
	}
	run_report(flood ? "flood" : "broker", clients, &s, &run);
	return 0;
}

static int
conv(int n, const struct pam_message **msg, struct pam_response **resp,
    void *data)
{
	struct pam_response *r = calloc((size_t)n, sizeof(*r));
	int i;

	if (r == NULL)
		return PAM_BUF_ERR;
	for (i = 0; i < n; i++)
		if (msg[i]->msg_style == PAM_PROMPT_ECHO_OFF ||
		    msg[i]->msg_style == PAM_PROMPT_ECHO_ON)
			r[i].resp = strdup(password);
	if (resp != NULL) {
		*resp = r;
	} else {
		for (i = 0; i < n; i++)
			free(r[i].resp);
		free(r);
	}
	return PAM_SUCCESS;
}

static int
run_inprocess(const char *service, long count, const char *user)
{
	struct pam_conv pc = { conv, NULL };
	struct samples s = { 0 };
	pam_handle_t *ph;
	struct run_clock run;
	uint64_t t;
	long i;
	int rc;

	run_start(&run);
	for (i = 0; i < count; i++) {
		t = now_ns();
		rc = pam_start(service, user, &pc, &ph);
		if (rc == PAM_SUCCESS)
			rc = pam_authenticate(ph, PAM_DISALLOW_NULL_AUTHTOK);
		if (rc == PAM_SUCCESS)
			rc = pam_acct_mgmt(ph, PAM_DISALLOW_NULL_AUTHTOK);
		pam_end(ph, rc);
		if (rc != PAM_SUCCESS) {
			fprintf(stderr, "pam: %s\n", pam_strerror(NULL, rc));
			return 1;
		}
		samples_add(&s, now_ns() - t);
	}
	run_report("inprocess", 1, &s, &run);
	return 0;
}

/* One login, and with a session its whole life: 0, or -1. */
static int
login_once(const char *sock, const char *user, bool session)
{
	struct lb_conn *c = lb_open(sock, 0);
	int rc, status = 0;

	if (c == NULL)
		return -1;
	rc = lb_login(c, "password", user, answer, NULL);
	if (rc == LB_OK && session && ((rc = lb_session_open(c, NULL)) !=
	    LB_OK || (rc = lb_session_start(c, NULL, NULL, 0)) != LB_OK ||
	    (rc = lb_session_wait(c, &status)) != LB_OK))
		fprintf(stderr, "session: %s\n", lb_last_text(c));
	lb_close(c);
	return rc == LB_OK && status == 0 ? 0 : -1;
}

static int
run_sessions(const char *sock, long count, const char *user, bool session)
{
	struct samples s = { 0 };
	struct run_clock run;
	uint64_t t;
	long i;

	run_start(&run);
	for (i = 0; i < count; i++) {
		t = now_ns();
		if (login_once(sock, user, session) == -1)
			return 1;
		samples_add(&s, now_ns() - t);
	}
	run_report(session ? "session" : "login", 1, &s, &run);
	return 0;
}

static _Noreturn void
usage(void)
{
	fprintf(stderr, "usage: login_bench broker SOCKET CLIENTS COUNT USER "
	    "PASSWORD [MECH]\n       login_bench inprocess SERVICE COUNT USER "
	    "PASSWORD\n       login_bench session SOCKET COUNT USER PASSWORD "
	    "yes|no\n       login_bench flood SOCKET CLIENTS COUNT PREFIX\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	long clients, count;

	if ((argc == 7 || argc == 8) && strcmp(argv[1], "broker") == 0) {
		clients = atol(argv[3]);
		count = atol(argv[4]);
		password = argv[6];
		if (argc == 8)
			mech = argv[7];
		if (clients < 1 || clients > CLIENTS_MAX || count < 1)
			usage();
		return run_broker(argv[2], clients, count, argv[5]);
	}
	if (argc == 6 && strcmp(argv[1], "flood") == 0) {
		clients = atol(argv[3]);
		count = atol(argv[4]);
		password = "wrong";
		flood = true;
		if (clients < 1 || clients > CLIENTS_MAX || count < 1)
			usage();
		return run_broker(argv[2], clients, count, argv[5]);
	}
	if (argc == 7 && strcmp(argv[1], "session") == 0) {
		count = atol(argv[3]);
		password = argv[5];
		if (count < 1)
			usage();
		return run_sessions(argv[2], count, argv[4],
		    strcmp(argv[6], "yes") == 0);
	}
	if (argc == 6 && strcmp(argv[1], "inprocess") == 0) {
		count = atol(argv[3]);
		password = argv[5];
		if (count < 1)
			usage();
		return run_inprocess(argv[2], count, argv[4]);
	}
	usage();
}
