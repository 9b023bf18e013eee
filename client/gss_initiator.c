/* SPDX-License-Identifier: ISC */
/* gss_initiator.c: the Kerberos initiator of gssapi-with-mic. */
#include "gss_initiator.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>

#include "gss_binding.h"
#include "ipc_proto.h"

enum gss_phase {
	GP_NONCE,	/* the broker's nonce comes first */
	GP_CONTEXT,	/* tokens both ways until the context is complete */
	GP_DONE,	/* the MIC is sent */
};

struct lb_gss {
	enum gss_phase phase;
	gss_name_t target;
	OM_uint32 req_flags;
	gss_ctx_id_t ctx;
	bool complete;
	size_t binding_len;
	uint8_t binding[GSS_BINDING_MAX];
};

/* The library's words for a failure, into err[cap]. */
static void
describe(const char *what, OM_uint32 major, OM_uint32 minor, char *err,
    size_t cap)
{
	OM_uint32 min, ctx = 0;
	gss_buffer_desc text = { 0, NULL };

	if (!GSS_ERROR(gss_display_status(&min, minor != 0 ? minor : major,
	    minor != 0 ? GSS_C_MECH_CODE : GSS_C_GSS_CODE, GSS_C_NO_OID, &ctx,
	    &text))) {
		snprintf(err, cap, "%s: %.*s", what, (int)text.length,
		    (const char *)text.value);
		gss_release_buffer(&min, &text);
	} else {
		snprintf(err, cap, "%s: GSSAPI error %u/%u", what, major,
		    minor);
	}
}

struct lb_gss *
lb_gss_new(const char *target_host, bool delegate, char *err, size_t cap)
{
	char service[320];
	gss_buffer_desc name = { 0, service };
	OM_uint32 major, minor;
	struct lb_gss *g;

	if ((size_t)snprintf(service, sizeof(service), "host@%s",
	    target_host) >= sizeof(service) ||
	    (g = calloc(1, sizeof(*g))) == NULL) {
		snprintf(err, cap, "gssapi: target name too long");
		return NULL;
	}
	name.length = strlen(service);
	if (GSS_ERROR(major = gss_import_name(&minor, &name,
	    GSS_C_NT_HOSTBASED_SERVICE, &g->target))) {
		describe(service, major, minor, err, cap);
		free(g);
		return NULL;
	}
	g->ctx = GSS_C_NO_CONTEXT;
	/* Mutual: the broker must prove that it holds the service key. */
	g->req_flags = GSS_C_MUTUAL_FLAG | GSS_C_INTEG_FLAG |
	    (delegate ? GSS_C_DELEG_FLAG : 0);
	return g;
}

/* One call of the initiator with the broker's token (none at first). */
static ssize_t
init_step(struct lb_gss *g, const gss_buffer_desc *in, uint8_t *out,
    size_t cap, char *err, size_t errcap)
{
	gss_buffer_desc otok = { 0, NULL };
	OM_uint32 major, minor, min, flags = 0;
	ssize_t len = -1;

	major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &g->ctx,
	    g->target, (gss_OID)gss_mech_krb5, g->req_flags, 0,
	    GSS_C_NO_CHANNEL_BINDINGS, (gss_buffer_t)in, NULL, &otok, &flags,
	    NULL);
	if (GSS_ERROR(major)) {
		describe("gssapi", major, minor, err, errcap);
		return -1;
	}
	g->complete = major == GSS_S_COMPLETE;
	if (g->complete && !(flags & GSS_C_MUTUAL_FLAG))
		snprintf(err, errcap, "gssapi: the broker did not prove "
		    "itself (no mutual authentication)");
	else if (otok.length > cap)
		snprintf(err, errcap, "gssapi: token too long");
	else {
		if (otok.length > 0)	/* none: value may be NULL */
			memcpy(out, otok.value, otok.length);
		len = (ssize_t)otok.length;
	}
	gss_release_buffer(&min, &otok);
	return len;
}

/* The MIC over the session binding: the context's last word. */
static ssize_t
mic(struct lb_gss *g, uint8_t *out, size_t cap, char *err, size_t errcap)
{
	gss_buffer_desc msg = { g->binding_len, g->binding }, tok;
	OM_uint32 major, minor, min;
	ssize_t len = -1;

	if (GSS_ERROR(major = gss_get_mic(&minor, g->ctx, GSS_C_QOP_DEFAULT,
	    &msg, &tok))) {
		describe("gssapi MIC", major, minor, err, errcap);
		return -1;
	}
	if (tok.length <= cap) {
		memcpy(out, tok.value, tok.length);
		len = (ssize_t)tok.length;
		g->phase = GP_DONE;
	} else {
		snprintf(err, errcap, "gssapi: MIC too long");
	}
	gss_release_buffer(&min, &tok);
	return len;
}

ssize_t
lb_gss_step(struct lb_gss *g, const char *user, const uint8_t *in,
    size_t inlen, uint8_t *out, size_t cap, char *err, size_t errcap)
{
	gss_buffer_desc tok = { inlen, (void *)in };
	ssize_t len;

	switch (g->phase) {
	case GP_NONCE:
		if (inlen != GSS_NONCE_LEN || (g->binding_len = gss_binding(in,
		    user, g->binding, sizeof(g->binding))) == 0) {
			snprintf(err, errcap, "gssapi: no valid nonce");
			return -1;
		}
		g->phase = GP_CONTEXT;
		return init_step(g, NULL, out, cap, err, errcap);
	case GP_CONTEXT:
		/* An empty token to a complete context asks for the MIC. */
		if (g->complete) {
			if (inlen == 0)
				return mic(g, out, cap, err, errcap);
			snprintf(err, errcap, "gssapi: a token after the "
			    "context was complete");
			return -1;
		}
		if ((len = init_step(g, &tok, out, cap, err, errcap)) == -1)
			return -1;
		return g->complete && len == 0 ? mic(g, out, cap, err, errcap) :
		    len;
	case GP_DONE:
		break;
	}
	snprintf(err, errcap, "gssapi: data after the MIC");
	return -1;
}

bool
lb_gss_done(const struct lb_gss *g)
{
	return g != NULL && g->phase == GP_DONE;
}

void
lb_gss_free(struct lb_gss *g)
{
	OM_uint32 minor;

	if (g == NULL)
		return;
	gss_delete_sec_context(&minor, &g->ctx, GSS_C_NO_BUFFER);
	gss_release_name(&minor, &g->target);
	explicit_bzero(g, sizeof(*g));
	free(g);
}
