/* pam_helper.c: one PAM transaction, its conversation relayed over IPC. */
#include "pam_helper.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc_chan.h"
#include "ipc_payload.h"
#include "ipc_proto.h"

static struct ipc_chan *broker;
static struct ipc_writer w;

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

/* Reads the broker's answers into r; 0 or -1. */
static int
read_answers(struct pam_response *r, int n)
{
	static char answer[CONV_MAX_ANSWER];
	struct ipc_reader rd;
	struct ipc_msg m;
	int i;

	if (ipc_chan_wait(broker, &m, -1) != 1 ||
	    m.hdr.type != MSG_PAM_CONV_REPLY || m.fd != -1)
		return -1;
	ipc_reader_init(&rd, m.data, m.len);
	if (ipc_get_u32(&rd) != (uint32_t)n)
		return -1;
	for (i = 0; i < n; i++) {
		ipc_get_str(&rd, answer, sizeof(answer));
		if ((r[i].resp = strdup(answer)) == NULL)
			rd.bad = true;
		explicit_bzero(answer, sizeof(answer));
	}
	return ipc_reader_end(&rd);
}

/* Every message of one call goes to the broker at once; one call is one
 * exchange, as sshd's keyboard-interactive rounds. */
static int
conversation(int n, const struct pam_message **msg,
    struct pam_response **resp, void *data)
{
	struct pam_response *r;
	int i, kind;

	if (broker == NULL || n <= 0 || n > CONV_MAX_MESSAGES)
		return PAM_CONV_ERR;
	ipc_writer_init(&w);
	ipc_put_u32(&w, (uint32_t)n);
	for (i = 0; i < n; i++) {
		if ((kind = style_kind(msg[i]->msg_style)) == -1)
			return PAM_CONV_ERR;
		ipc_put_u8(&w, (uint8_t)kind);
		ipc_put_bytes(&w, msg[i]->msg, strnlen(msg[i]->msg,
		    CONV_MAX_TEXT - 1));
	}
	if (!ipc_writer_ok(&w) || ipc_chan_compose(broker, MSG_PAM_CONV, 0,
	    -1, w.buf, w.len) == -1 || ipc_chan_flush_wait(broker, -1) == -1)
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

/* The code only: the broker names it.  Nothing here may call into libpam
 * beyond the transaction itself (pam_strerror, for one, makes a preloaded
 * pam_wrapper set itself up again in every helper). */
static _Noreturn void
report(pam_handle_t *ph, int rc, enum pam_stage stage)
{
	ipc_writer_init(&w);
	ipc_put_u32(&w, (uint32_t)rc);
	ipc_put_u8(&w, (uint8_t)stage);
	if (ipc_writer_ok(&w) && ipc_chan_compose(broker, MSG_PAM_RESULT, 0,
	    -1, w.buf, w.len) == 0)
		(void)ipc_chan_flush_wait(broker, 5000);
	if (ph != NULL)
		pam_end(ph, rc);
	_exit(0);
}

void
pam_helper_main(int sock, void *arg)
{
	struct pam_stack *stack = arg;
	char user[USER_NAME_MAX], rhost[64], ruser[USER_NAME_MAX];
	struct ipc_reader r;
	struct ipc_msg m;
	uint8_t may_change;
	int rc;

	if ((broker = ipc_chan_new(sock, false)) == NULL)
		_exit(1);
	/* EOF: the broker dropped us unused. */
	if ((rc = ipc_chan_wait(broker, &m, -1)) == 0)
		_exit(0);
	if (rc != 1 || m.hdr.type != MSG_PAM_BEGIN || m.fd != -1)
		_exit(1);
	ipc_reader_init(&r, m.data, m.len);
	ipc_get_str(&r, user, sizeof(user));
	may_change = ipc_get_u8(&r);
	ipc_get_str(&r, rhost, sizeof(rhost));
	ipc_get_str(&r, ruser, sizeof(ruser));
	if (ipc_reader_end(&r) == -1)
		_exit(1);
	if (stack->start_rc != PAM_SUCCESS)
		report(NULL, stack->start_rc, PAM_STAGE_START);
	/* This process's copy of the zygote's handle: one user, one
	 * transaction, then the process is gone. */
	rc = pam_set_item(stack->ph, PAM_USER, user);
	/* The front end's context, as sshd and login set it: modules such
	 * as pam_access and pam_faillock read it. */
	if (rc == PAM_SUCCESS && rhost[0] != '\0')
		rc = pam_set_item(stack->ph, PAM_RHOST, rhost);
	if (rc == PAM_SUCCESS && ruser[0] != '\0')
		rc = pam_set_item(stack->ph, PAM_RUSER, ruser);
	if (rc != PAM_SUCCESS)
		report(stack->ph, rc, PAM_STAGE_START);
	/* Empty passwords are refused, as sshd's PermitEmptyPasswords no. */
	rc = pam_authenticate(stack->ph, PAM_DISALLOW_NULL_AUTHTOK);
	if (rc != PAM_SUCCESS)
		report(stack->ph, rc, PAM_STAGE_AUTHENTICATE);
	rc = pam_acct_mgmt(stack->ph, PAM_DISALLOW_NULL_AUTHTOK);
	if (rc != PAM_NEW_AUTHTOK_REQD || !may_change)
		report(stack->ph, rc, PAM_STAGE_ACCOUNT);
	/* Expired: the login completes only once the change succeeds. */
	rc = pam_chauthtok(stack->ph, PAM_CHANGE_EXPIRED_AUTHTOK);
	report(stack->ph, rc, PAM_STAGE_CHAUTHTOK);
}
