/* SPDX-License-Identifier: ISC */
/*
 * mech_plain.c: the dialog of plain (RFC 4616): one message, usually the
 * initial response, "[authzid] NUL authcid NUL password".  The worker
 * splits it, so that the broker gets three answers and never parses a
 * client's bytes; the password goes on to the service's PAM stack.
 */
#include "mech.h"

#include <string.h>

#include "client_proto.h"
#include "line.h"

/* RFC 4616's bound on each field. */
#define PLAIN_FIELD_MAX	255

/* Copies the field [p, p + len) into out as answer i: false when it is
 * too long, not UTF-8, or empty where it may not be. */
static bool
take_field(struct msg_answers *out, size_t i, const uint8_t *p, size_t len,
    bool may_be_empty)
{
	if ((len == 0 && !may_be_empty) || len > PLAIN_FIELD_MAX ||
	    !line_utf8_valid((const char *)p, len))
		return false;
	memcpy(out->text[i], p, len);
	out->text[i][len] = '\0';
	return true;
}

static int
plain_read(const uint8_t *bytes, size_t len, struct msg_answers *out)
{
	const uint8_t *end = bytes + len, *nul1, *nul2;

	if ((nul1 = memchr(bytes, '\0', len)) == NULL ||
	    (nul2 = memchr(nul1 + 1, '\0', (size_t)(end - nul1 - 1))) == NULL ||
	    memchr(nul2 + 1, '\0', (size_t)(end - nul2 - 1)) != NULL)
		return -1;
	out->n = 3;
	if (!take_field(out, 0, bytes, (size_t)(nul1 - bytes), true) ||
	    !take_field(out, 1, nul1 + 1, (size_t)(nul2 - nul1 - 1), false) ||
	    !take_field(out, 2, nul2 + 1, (size_t)(end - nul2 - 1), false)) {
		explicit_bzero(out, sizeof(*out));
		return -1;
	}
	return 0;
}

const struct mech_dialog mech_plain = {
	.show_data = ws_reply_data,
	.read_data = plain_read,
	.initial_response = true,
};
