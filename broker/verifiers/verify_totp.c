/*
 * verify_totp.c: the totp mechanism (RFC 6238), a second factor that
 * works offline.  liboath does the arithmetic and keeps the users file
 * (pam_oath's format: "HOTP/T30/6 USER - HEXSECRET"), recording the last
 * code each user gave so that a code is accepted once.  That record is a
 * locked rewrite with fsync, which a busy disk can stall: each check runs
 * in a child forked for it, and the event loop only reads its answer.
 * The file is read only on the broker's side.
 */
#include <errno.h>
#include <fcntl.h>
#include <liboath/oath.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "event.h"
#include "msg.h"
#include "log.h"
#include "attempt.h"
#include "verify.h"

#define TOTP_DIGITS_MAX	8

/* A check in flight: the read end of the child's answer. */
struct totp_check {
	struct attempt *a;
	struct event ev;
};

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
 * field's "-": the code is the whole factor. */
static _Noreturn void
check_in_child(int fd, const char *user, const char *code)
{
	time_t last;
	int rc = oath_authenticate_usersfile(conf->totp_file, user, code,
	    conf->totp_window, "", &last);

	_exit(write(fd, &rc, sizeof(rc)) == sizeof(rc) ? 0 : 1);
}

static void
totp_cancel(struct attempt *a)
{
	struct totp_check *c = a->vstate;

	if (c == NULL)
		return;
	a->vstate = NULL;
	/* The child is left to finish: killed mid-rewrite it would leave
	 * liboath's lock behind.  Our SIGCHLD handler reaps it. */
	event_del(&c->ev);
	close(c->ev.fd);
	free(c);
}

static void
on_answer(struct event *ev, uint32_t events)
{
	struct totp_check *c = ev->ctx;
	struct attempt *a = c->a;
	int rc;

	if (read(ev->fd, &rc, sizeof(rc)) != sizeof(rc)) {
		totp_cancel(a);
		log_msg(LOG_ERR, "totp: the check ended without an answer");
		attempt_verified(a, VERDICT_ERROR, "totp-check");
		return;
	}
	totp_cancel(a);
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

/* One code; the session wipes it after this returns. */
static int
totp_answer(struct attempt *a, const struct msg_answers *ans)
{
	struct totp_check *c;
	int fds[2] = { -1, -1 };
	pid_t pid;

	if (ans->n != 1)
		return -1;
	if (!is_code(ans->text[0])) {
		attempt_verified(a, VERDICT_FAILED, "wrong-code");
		return 0;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    pipe2(fds, O_CLOEXEC | O_NONBLOCK) == -1 ||
	    (pid = fork()) == -1) {
		log_msg(LOG_ERR, "totp: cannot start a check: %s",
		    strerror(errno));
		free(c);
		if (fds[0] != -1) {
			close(fds[0]);
			close(fds[1]);
		}
		attempt_verified(a, VERDICT_ERROR, "totp-check");
		return 0;
	}
	if (pid == 0)
		check_in_child(fds[1], a->user, ans->text[0]);
	close(fds[1]);
	c->a = a;
	c->ev = (struct event){ .fd = fds[0], .cb = on_answer, .ctx = c };
	a->vstate = c;
	if (event_add(&c->ev, EPOLLIN) == -1)
		attempt_verified(a, VERDICT_ERROR, "totp-check");
	return 0;
}

const struct verifier verify_totp = {
	.prepare = totp_prepare,
	.begin = totp_begin,
	.answer = totp_answer,
	.cancel = totp_cancel,
};
