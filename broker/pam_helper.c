/* pam_helper.c: one PAM transaction, its conversation relayed over IPC. */
#include "pam_helper.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <security/pam_appl.h>

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

	if (n <= 0 || n > CONV_MAX_MESSAGES)
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

static _Noreturn void
report(pam_handle_t *ph, int rc, enum pam_stage stage)
{
	const void *user = NULL;

	if (ph != NULL)
		pam_get_item(ph, PAM_USER, &user);
	ipc_writer_init(&w);
	ipc_put_u32(&w, (uint32_t)rc);
	ipc_put_u8(&w, (uint8_t)stage);
	ipc_put_str(&w, user != NULL ? user : "");
	ipc_put_str(&w, pam_strerror(ph, rc));
	if (ipc_writer_ok(&w) && ipc_chan_compose(broker, MSG_PAM_RESULT, 0,
	    -1, w.buf, w.len) == 0)
		(void)ipc_chan_flush_wait(broker, 5000);
	if (ph != NULL)
		pam_end(ph, rc);
	_exit(0);
}

_Noreturn void
pam_helper_run(int sock, const char *service, const char *user)
{
	struct pam_conv conv = { conversation, NULL };
	pam_handle_t *ph = NULL;
	sigset_t none;
	int rc;

	/* The broker blocks signals for its signalfd; PAM modules expect
	 * ordinary ones.  Keep only stdio and the channel. */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	if ((sock > 3 && close_range(3, (unsigned)sock - 1, 0) == -1) ||
	    close_range((unsigned)sock + 1, ~0u, 0) == -1 ||
	    (broker = ipc_chan_new(sock, false)) == NULL)
		_exit(1);

	rc = pam_start(service, user, &conv, &ph);
	if (rc != PAM_SUCCESS)
		report(NULL, rc, PAM_STAGE_START);
	/* Empty passwords are refused, as sshd's PermitEmptyPasswords no. */
	rc = pam_authenticate(ph, PAM_DISALLOW_NULL_AUTHTOK);
	if (rc != PAM_SUCCESS)
		report(ph, rc, PAM_STAGE_AUTHENTICATE);
	rc = pam_acct_mgmt(ph, PAM_DISALLOW_NULL_AUTHTOK);
	report(ph, rc, PAM_STAGE_ACCOUNT);
}
