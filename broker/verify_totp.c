/*
 * verify_totp.c: the totp mechanism (RFC 6238), a second factor that
 * works offline.  liboath does the arithmetic and keeps the users file
 * (pam_oath's format: "HOTP/T30/6 USER - HEXSECRET"), recording the last
 * code each user gave so that a code is accepted once.  The file is read
 * only here, in the broker; it is small and local, so the check runs in
 * the event loop.
 */
#include <liboath/oath.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "ipc_payload.h"
#include "log.h"
#include "session.h"
#include "verify.h"

#define TOTP_DIGITS_MAX	8

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
totp_begin(struct session *s)
{
	session_prompt(s, PROMPT_VISIBLE, "Verification code: ");
	return 0;
}

static bool
is_code(const char *code)
{
	size_t n = strspn(code, "0123456789");

	return n >= 6 && n <= TOTP_DIGITS_MAX && code[n] == '\0';
}

static int
totp_answer(struct session *s, struct ipc_reader *r)
{
	char code[CONV_MAX_ANSWER];
	time_t last;
	int rc;

	ipc_get_str(r, code, sizeof(code));
	if (ipc_reader_end(r) == -1) {
		explicit_bzero(code, sizeof(code));
		return -1;
	}
	/* "" is the PIN field's "-": the code is the whole factor. */
	rc = is_code(code) ? oath_authenticate_usersfile(conf->totp_file,
	    s->user, code, conf->totp_window, "", &last) : OATH_INVALID_OTP;
	explicit_bzero(code, sizeof(code));
	switch (rc) {
	case OATH_OK:
		session_verified(s, VERDICT_OK, "");
		break;
	case OATH_INVALID_OTP:
		session_verified(s, VERDICT_FAILED, "wrong-code");
		break;
	case OATH_REPLAYED_OTP:
		session_verified(s, VERDICT_FAILED, "replayed-code");
		break;
	case OATH_UNKNOWN_USER:
		session_verified(s, VERDICT_FAILED, "not-enrolled");
		break;
	default:
		log_msg(LOG_ERR, "totp: %s: %s", conf->totp_file,
		    oath_strerror(rc));
		session_verified(s, VERDICT_ERROR, "totp-file");
	}
	return 0;
}

/* Nothing runs between the prompt and the answer. */
static void
totp_cancel(struct session *s)
{
}

const struct verifier verify_totp = {
	.mech = "totp",
	.prepare = totp_prepare,
	.begin = totp_begin,
	.answer = totp_answer,
	.cancel = totp_cancel,
};
