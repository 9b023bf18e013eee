/* SPDX-License-Identifier: ISC */
/* gss_binding.c: the bytes a gssapi-with-mic MIC covers. */
#include "gss_binding.h"

#include <string.h>

#include "ipc_payload.h"
#include "mechs.h"

size_t
gss_binding(const uint8_t nonce[GSS_NONCE_LEN], const char *user,
    uint8_t *out, size_t cap)
{
	struct ipc_writer w;

	/* ipc_payload's strings are SSH's: a u32 length, then the bytes. */
	ipc_writer_init(&w, out, cap);
	ipc_put_bytes(&w, nonce, GSS_NONCE_LEN);
	ipc_put_str(&w, user);
	ipc_put_str(&w, mech_name(MECH_GSSAPI));
	return ipc_writer_ok(&w) ? w.len : 0;
}
