/*
 * verify_password.c: the password mechanism's verifier: a PAM transaction
 * in a forked helper (pam_helper.c), whose conversation is relayed to the
 * client one message at a time.  The event loop only ever reads and writes
 * the helper's channel; PAM itself never runs in the broker process.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <security/pam_appl.h>

#include "config.h"
#include "event.h"
#include "ipc_chan.h"
#include "ipc_payload.h"
#include "pam_helper.h"
#include "session.h"
#include "verify.h"

struct pam_run {
	struct session *s;
	int pidfd;
	struct ipc_chan *chan;
	struct event ev;
	bool in_conv;		/* a conversation call waits for answers */
	size_t n, next;
	uint8_t kinds[CONV_MAX_MESSAGES];
	char texts[CONV_MAX_MESSAGES][CONV_MAX_TEXT];
	char answers[CONV_MAX_MESSAGES][CONV_MAX_ANSWER];
};

/* A wrong secret, an unknown user and a refused account all fail alike;
 * only what says the system could not decide is an error. */
static enum verdict
pam_verdict(int rc)
{
	switch (rc) {
	case PAM_SUCCESS:
		return VERDICT_OK;
	case PAM_AUTH_ERR:
	case PAM_USER_UNKNOWN:
	case PAM_MAXTRIES:
	case PAM_CRED_INSUFFICIENT:
	case PAM_PERM_DENIED:
	case PAM_ACCT_EXPIRED:
	case PAM_NEW_AUTHTOK_REQD:
	case PAM_AUTHTOK_EXPIRED:
		return VERDICT_FAILED;
	default:
		return VERDICT_ERROR;
	}
}

static void
send_answers(struct pam_run *run)
{
	static struct ipc_writer w;
	size_t i;

	ipc_writer_init(&w);
	ipc_put_u32(&w, (uint32_t)run->n);
	for (i = 0; i < run->n; i++)
		ipc_put_str(&w, run->answers[i]);
	explicit_bzero(run->answers, sizeof(run->answers));
	run->in_conv = false;
	if (!ipc_writer_ok(&w) || ipc_chan_compose(run->chan,
	    MSG_PAM_CONV_REPLY, 0, -1, w.buf, w.len) == -1 ||
	    ipc_chan_flush(run->chan) == -1) {
		ipc_writer_wipe(&w);
		session_verified(run->s, VERDICT_ERROR, "PAM helper unreachable");
		return;
	}
	ipc_writer_wipe(&w);
	if (ipc_chan_queued(run->chan) > 0)
		event_mod(&run->ev, EPOLLIN | EPOLLOUT);
}

/* Shows the next message of the conversation, or answers the helper. */
static void
relay_next(struct pam_run *run)
{
	if (run->next < run->n)
		session_prompt(run->s, run->kinds[run->next],
		    run->texts[run->next]);
	else
		send_answers(run);
}

static int
on_conv(struct pam_run *run, struct ipc_reader *r)
{
	uint32_t n = ipc_get_u32(r), i;

	if (run->in_conv || n == 0 || n > CONV_MAX_MESSAGES)
		return -1;
	for (i = 0; i < n; i++) {
		run->kinds[i] = ipc_get_u8(r);
		ipc_get_str(r, run->texts[i], sizeof(run->texts[i]));
		if (run->kinds[i] < PROMPT_SECRET ||
		    run->kinds[i] > PROMPT_ERROR)
			return -1;
	}
	if (ipc_reader_end(r) == -1)
		return -1;
	run->n = n;
	run->next = 0;
	run->in_conv = true;
	relay_next(run);
	return 0;
}

static int
on_result(struct pam_run *run, struct ipc_reader *r)
{
	char user[USER_NAME_MAX], text[CONV_MAX_TEXT], detail[128];
	uint32_t rc = ipc_get_u32(r);
	uint8_t stage = ipc_get_u8(r);

	ipc_get_str(r, user, sizeof(user));
	ipc_get_str(r, text, sizeof(text));
	if (ipc_reader_end(r) == -1 || run->in_conv)
		return -1;
	/* The audit detail is bounded; PAM's texts are short. */
	snprintf(detail, sizeof(detail), "\"pam %s: %.80s\"",
	    stage == PAM_STAGE_ACCOUNT ? "account" :
	    stage == PAM_STAGE_START ? "start" : "auth", text);
	session_verified(run->s, pam_verdict((int)rc), detail);
	return 0;
}

static void
on_helper(struct event *ev, uint32_t events)
{
	struct pam_run *run = ev->ctx;
	struct session *s = run->s;
	struct ipc_reader r;
	struct ipc_msg m;
	ssize_t n;
	int rc = 0;

	if (events & EPOLLOUT) {
		if (ipc_chan_flush(run->chan) == -1) {
			session_verified(s, VERDICT_ERROR, "PAM helper died");
			return;
		}
		if (ipc_chan_queued(run->chan) == 0)
			event_mod(&run->ev, EPOLLIN);
	}
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	n = ipc_chan_read(run->chan);
	if (n == 0 || (n == -1 && errno != EAGAIN)) {
		session_verified(s, VERDICT_ERROR, "PAM helper died");
		return;
	}
	/* Each handler may end the run (and free it): stop at once then. */
	while (s->vstate == run && (rc = ipc_chan_get(run->chan, &m)) == 1) {
		ipc_reader_init(&r, m.data, m.len);
		if (m.hdr.type == MSG_PAM_CONV)
			rc = on_conv(run, &r);
		else if (m.hdr.type == MSG_PAM_RESULT)
			rc = on_result(run, &r);
		else
			rc = -1;
		if (rc == -1)
			break;
	}
	if (rc == -1 && s->vstate == run)
		session_verified(s, VERDICT_ERROR, "PAM helper protocol error");
}

static void
password_cancel(struct session *s)
{
	struct pam_run *run = s->vstate;

	if (run == NULL)
		return;
	s->vstate = NULL;
	event_del(&run->ev);
	ipc_chan_free(run->chan);
	if (run->pidfd != -1) {
		/* A module may hang forever; the broker reaps the zombie. */
		syscall(SYS_pidfd_send_signal, run->pidfd, SIGKILL, NULL, 0);
		close(run->pidfd);
	}
	explicit_bzero(run, sizeof(*run));
	free(run);
}

static int
password_begin(struct session *s)
{
	struct pam_run *run;
	int sv[2];
	pid_t pid;

	if ((run = calloc(1, sizeof(*run))) == NULL)
		return -1;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
	    sv) == -1) {
		free(run);
		return -1;
	}
	if ((pid = fork()) == -1) {
		close(sv[0]);
		close(sv[1]);
		free(run);
		return -1;
	}
	if (pid == 0)
		pam_helper_run(sv[1], s->conf->pam_service, s->user);
	close(sv[1]);
	run->s = s;
	/* Our own child, not yet reaped: the pid cannot have been reused. */
	run->pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	run->chan = ipc_chan_new(sv[0], false);
	run->ev = (struct event){ sv[0], on_helper, run };
	s->vstate = run;
	if (run->pidfd == -1 || run->chan == NULL ||
	    event_add(&run->ev, EPOLLIN) == -1) {
		if (run->chan == NULL)
			close(sv[0]);
		if (run->pidfd == -1)
			kill(pid, SIGKILL);
		password_cancel(s);
		return -1;
	}
	return 0;
}

static void
password_answer(struct session *s, const char *answer)
{
	struct pam_run *run = s->vstate;

	/* Messages get no answer from PAM's point of view. */
	if (run->kinds[run->next] == PROMPT_SECRET ||
	    run->kinds[run->next] == PROMPT_VISIBLE)
		snprintf(run->answers[run->next], CONV_MAX_ANSWER, "%s",
		    answer);
	run->next++;
	relay_next(run);
}

const struct verifier verify_password = {
	.mech = "password",
	.begin = password_begin,
	.answer = password_answer,
	.cancel = password_cancel,
};
