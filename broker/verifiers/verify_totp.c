/* SPDX-License-Identifier: ISC */
/*
 * verify_totp.c: the totp mechanism (RFC 6238), a second factor that
 * works offline.  liboath does the arithmetic and keeps the users file
 * (pam_oath's format: "HOTP/T30/6 USER - HEXSECRET"), recording the last
 * code each user gave so that a code is accepted once.  That record is a
 * locked rewrite with fsync, which a busy disk can stall: each check runs
 * in a child forked for it, one at a time, and the event loop only reads
 * its answer.
 * The file is read only on the broker's side.
 */
#include <errno.h>
#include <fcntl.h>
#include <liboath/oath.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/queue.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "event.h"
#include "msg.h"
#include "log.h"
#include "attempt.h"
#include "verify.h"

#define TOTP_DIGITS_MAX	8

/* A check: queued, or running in a child whose answer comes on ev. */
struct totp_check {
	TAILQ_ENTRY(totp_check) entry;
	struct attempt *a;		/* NULL: cancelled, result unwanted */
	struct event ev;
	char user[USER_NAME_MAX];
	char code[TOTP_DIGITS_MAX + 1];
};

/* liboath locks the users file with a try-lock and fails a check that
 * finds it taken: one check runs at a time, the others wait their turn,
 * so that no valid code is lost to contention. */
static TAILQ_HEAD(, totp_check) queue = TAILQ_HEAD_INITIALIZER(queue);
static struct totp_check *running;

static const struct config *conf;

static int
totp_prepare(const struct config *c, const struct policy *p)
{
	static bool ready;

	conf = c;
	if (!ready && oath_init() != OATH_OK) {
		log_msg(LOG_ERR, "liboath: cannot initialise");
		return -1;
	}
	ready = true;
	return 0;
}

static int
totp_begin(struct attempt *a)
{
	attempt_prompt(a, PROMPT_VISIBLE, "Verification code: ");
	return 0;
}

static bool
is_code(const char *code)
{
	size_t n = strspn(code, "0123456789");

	return n >= 6 && n <= TOTP_DIGITS_MAX && code[n] == '\0';
}

/* The child: one liboath check, its code on the pipe.  "" is the PIN
 * field's "-": the code is the whole factor.  The broker runs one check
 * at a time, but loginbrokerctl may hold the file's lock for a moment:
 * a bounded retry (1 s), so that a code is never neither right nor
 * wrong for that. */
static _Noreturn void
check_in_child(int fd, const char *user, const char *code)
{
	const struct timespec pause = { 0, 10 * 1000000L };
	time_t last;
	int rc, tries = 0;

	while ((rc = oath_authenticate_usersfile(conf->totp_file, user, code,
	    conf->totp_window, "", &last)) == OATH_FILE_LOCK_ERROR &&
	    ++tries < 100)
		nanosleep(&pause, NULL);

	_exit(write(fd, &rc, sizeof(rc)) == sizeof(rc) ? 0 : 1);
}

static void
drop_check(struct totp_check *c)
{
	explicit_bzero(c, sizeof(*c));
	free(c);
}

static void start_next(void);

static void
totp_cancel(struct attempt *a)
{
	struct totp_check *c = a->vstate;

	if (c == NULL)
		return;
	a->vstate = NULL;
	if (c == running) {
		/* Left to finish: killed mid-rewrite it would leave
		 * liboath's lock behind.  Our SIGCHLD handler reaps it. */
		c->a = NULL;
		return;
	}
	TAILQ_REMOVE(&queue, c, entry);
	drop_check(c);
}

/* What liboath said, as the attempt's verdict. */
static void
settle(struct attempt *a, int rc)
{
	switch (rc) {
	case OATH_OK:
		attempt_verified(a, VERDICT_OK, "");
		break;
	case OATH_INVALID_OTP:
		attempt_verified(a, VERDICT_FAILED, "wrong-code");
		break;
	case OATH_REPLAYED_OTP:
		attempt_verified(a, VERDICT_FAILED, "replayed-code");
		break;
	case OATH_UNKNOWN_USER:
		attempt_verified(a, VERDICT_FAILED, "not-enrolled");
		break;
	default:
		log_msg(LOG_ERR, "totp: %s: %s", conf->totp_file,
		    oath_strerror(rc));
		attempt_verified(a, VERDICT_ERROR, "totp-file");
	}
}

static void
on_answer(struct event *ev, uint32_t events)
{
	struct totp_check *c = ev->ctx;
	struct attempt *a = c->a;
	bool answered;
	int rc;

	answered = read(ev->fd, &rc, sizeof(rc)) == sizeof(rc);
	event_del(&c->ev);
	close(c->ev.fd);
	running = NULL;
	drop_check(c);
	start_next();
	if (!answered)
		log_msg(LOG_ERR, "totp: the check ended without an answer");
	if (a == NULL)
		return;
	a->vstate = NULL;
	if (answered)
		settle(a, rc);
	else
		attempt_verified(a, VERDICT_ERROR, "totp-check");
}

/* Starts the first queued check in a child of its own. */
static void
start_next(void)
{
	struct totp_check *c;
	int fds[2];
	pid_t pid;

	while (running == NULL && (c = TAILQ_FIRST(&queue)) != NULL) {
		TAILQ_REMOVE(&queue, c, entry);
		fds[0] = fds[1] = -1;
		pid = -1;
		if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) == 0 &&
		    (pid = fork()) == 0)
			check_in_child(fds[1], c->user, c->code);
		explicit_bzero(c->code, sizeof(c->code));
		if (fds[0] != -1)
			close(fds[1]);
		c->ev = (struct event){ .fd = fds[0], .cb = on_answer,
		    .ctx = c };
		if (pid != -1 && event_add(&c->ev, EPOLLIN) == 0) {
			running = c;
			return;
		}
		log_msg(LOG_ERR, "totp: cannot start a check: %s",
		    strerror(errno));
		if (fds[0] != -1)
			close(fds[0]);
		if (c->a != NULL) {
			c->a->vstate = NULL;
			attempt_verified(c->a, VERDICT_ERROR, "totp-check");
		}
		drop_check(c);
	}
}

/* One code; the session wipes its copy after this returns, the queue
 * its own once the check has started. */
static int
totp_answer(struct attempt *a, const struct msg_answers *ans)
{
	struct totp_check *c;

	if (ans->n != 1)
		return -1;
	if (!is_code(ans->text[0])) {
		attempt_verified(a, VERDICT_FAILED, "wrong-code");
		return 0;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		attempt_verified(a, VERDICT_ERROR, "out of memory");
		return 0;
	}
	c->a = a;
	c->ev.fd = -1;
	snprintf(c->user, sizeof(c->user), "%s", a->user);
	memcpy(c->code, ans->text[0], strlen(ans->text[0]) + 1); /* is_code */
	a->vstate = c;
	TAILQ_INSERT_TAIL(&queue, c, entry);
	start_next();
	return 0;
}

const struct verifier verify_totp = {
	.prepare = totp_prepare,
	.begin = totp_begin,
	.answer = totp_answer,
	.cancel = totp_cancel,
};
