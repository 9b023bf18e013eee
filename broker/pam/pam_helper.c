/* SPDX-License-Identifier: ISC */
/* pam_helper.c: one PAM transaction, its conversation relayed over IPC. */
#include "pam_helper.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc_chan.h"
#include "ipc_proto.h"
#include "msg.h"
#include "session_keeper.h"
#include "spawner.h"

static struct ipc_chan *broker;

static int
style_kind(int style)
{
	switch (style) {
	case PAM_PROMPT_ECHO_OFF:
		return PROMPT_SECRET;
	case PAM_PROMPT_ECHO_ON:
		return PROMPT_VISIBLE;
	case PAM_TEXT_INFO:
		return PROMPT_INFO;
	case PAM_ERROR_MSG:
		return PROMPT_ERROR;
	default:
		return -1;	/* binary prompts: not for people */
	}
}

static void
free_responses(struct pam_response *r, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (r[i].resp != NULL) {
			explicit_bzero(r[i].resp, strlen(r[i].resp));
			free(r[i].resp);
		}
	}
	free(r);
}

/* Reads the broker's n answers into r; 0 or -1. */
static int
read_answers(struct pam_response *r, int n)
{
	static struct msg_answers a;
	struct ipc_msg m;
	int i, rc = -1;

	if (ipc_chan_wait(broker, &m, -1) != 1 || m.fd != -1 ||
	    msg_read_pam_conv_reply(&m, &a) == -1 || a.n != (uint32_t)n)
		goto out;
	for (i = 0; i < n; i++)
		if ((r[i].resp = strdup(a.text[i])) == NULL)
			goto out;
	rc = 0;
out:
	msg_answers_wipe(&a);
	return rc;
}

/* Every message of one call goes to the broker at once; one call is one
 * exchange, as sshd's keyboard-interactive rounds. */
static int
conversation(int n, const struct pam_message **msg,
    struct pam_response **resp, void *data)
{
	static struct msg_pam_conv call;
	struct pam_response *r;
	int i, kind;

	if (broker == NULL || n <= 0 || n > CONV_MAX_MESSAGES)
		return PAM_CONV_ERR;
	call.n = (uint32_t)n;
	for (i = 0; i < n; i++) {
		if ((kind = style_kind(msg[i]->msg_style)) == -1)
			return PAM_CONV_ERR;
		call.kind[i] = (uint8_t)kind;
		/* Longer than PAM_MAX_MSG_SIZE: cut, as Linux-PAM would. */
		snprintf(call.text[i], sizeof(call.text[i]), "%s",
		    msg[i]->msg != NULL ? msg[i]->msg : "");
	}
	if (msg_send_pam_conv(broker, 0, -1, &call) == -1 ||
	    ipc_chan_flush_wait(broker, -1) == -1)
		return PAM_CONV_ERR;
	if ((r = calloc((size_t)n, sizeof(*r))) == NULL)
		return PAM_BUF_ERR;
	if (read_answers(r, n) == -1) {
		free_responses(r, n);
		return PAM_CONV_ERR;
	}
	/* Linux-PAM modules may pass resp == NULL for messages only (the
	 * pam_matrix "verbose" case): never write through it blindly. */
	if (resp == NULL) {
		free_responses(r, n);
		return PAM_SUCCESS;
	}
	*resp = r;
	return PAM_SUCCESS;
}

void
pam_stack_load(struct pam_stack *stack, const char *service)
{
	static const struct pam_conv conv = { conversation, NULL };

	stack->ph = NULL;
	stack->start_rc = pam_start(service, NULL, &conv, &stack->ph);
}

static struct msg_pam_begin begin;

/* The code only: the broker names it.  Nothing here may call into libpam
 * beyond the transaction itself (pam_strerror, for one, makes a preloaded
 * pam_wrapper set itself up again in every helper).  A success where
 * the broker keeps sessions leaves the helper waiting to keep it. */
static _Noreturn void
report(pam_handle_t *ph, int rc, enum pam_stage stage)
{
	struct msg_pam_result m = { (uint32_t)rc, (uint8_t)stage };

	if (msg_send_pam_result(broker, 0, -1, &m) == 0 &&
	    ipc_chan_flush_wait(broker, 5000) == 0 && rc == PAM_SUCCESS &&
	    begin.keep && ph != NULL)
		session_keeper_run(broker, ph, &begin, true);
	if (ph != NULL)
		pam_end(ph, rc);
	_exit(0);
}

/* PAM_USER and the front end's context, as sshd and login set them:
 * modules such as pam_access and pam_faillock read it.  PAM_TTY names
 * the broker until a session names a terminal. */
static int
set_items(pam_handle_t *ph)
{
	int rc = pam_set_item(ph, PAM_USER, begin.user);

	if (rc == PAM_SUCCESS)
		rc = pam_set_item(ph, PAM_TTY, SESSION_TTY_DEFAULT);
	if (rc == PAM_SUCCESS && begin.rhost[0] != '\0')
		rc = pam_set_item(ph, PAM_RHOST, begin.rhost);
	if (rc == PAM_SUCCESS && begin.ruser[0] != '\0')
		rc = pam_set_item(ph, PAM_RUSER, begin.ruser);
	return rc;
}

void
pam_helper_main(int sock, void *arg)
{
	struct pam_stack *stack = arg;
	struct ipc_msg m;
	int rc;

	broker = spawner_child_first(sock, &m);
	/* A login proven without PAM: this helper keeps its session, its
	 * account checked when the session opens. */
	if (m.hdr.type == MSG_KEEPER_BEGIN) {
		if (msg_read_keeper_begin(&m, &begin) == -1 ||
		    stack->start_rc != PAM_SUCCESS ||
		    set_items(stack->ph) != PAM_SUCCESS)
			_exit(1);
		session_keeper_run(broker, stack->ph, &begin, false);
	}
	if (msg_read_pam_begin(&m, &begin) == -1)
		_exit(1);
	if (stack->start_rc != PAM_SUCCESS)
		report(NULL, stack->start_rc, PAM_STAGE_START);
	/* This process's copy of the zygote's handle: one user, one
	 * transaction, then the process is gone. */
	if ((rc = set_items(stack->ph)) != PAM_SUCCESS)
		report(stack->ph, rc, PAM_STAGE_START);
	/* Empty passwords are refused, as sshd's PermitEmptyPasswords no. */
	rc = pam_authenticate(stack->ph, PAM_DISALLOW_NULL_AUTHTOK);
	if (rc != PAM_SUCCESS)
		report(stack->ph, rc, PAM_STAGE_AUTHENTICATE);
	rc = pam_acct_mgmt(stack->ph, PAM_DISALLOW_NULL_AUTHTOK);
	if (rc != PAM_NEW_AUTHTOK_REQD || !begin.may_change)
		report(stack->ph, rc, PAM_STAGE_ACCOUNT);
	/* Expired: the login completes only once the change succeeds. */
	rc = pam_chauthtok(stack->ph, PAM_CHANGE_EXPIRED_AUTHTOK);
	report(stack->ph, rc, PAM_STAGE_CHAUTHTOK);
}
