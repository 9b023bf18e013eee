/* SPDX-License-Identifier: ISC */
/*
 * gss_bench: gssapi-with-mic logins, timed, with the caller's ticket
 * (KRB5CCNAME) against the service host@localhost.
 *   gss_bench broker SOCKET COUNT USER
 *       COUNT logins through loginbrokerd, one at a time, each a fresh
 *       connection (lb_login_gssapi).
 *   gss_bench inprocess KEYTAB COUNT
 *       the same exchange in this process, no broker: acceptor
 *       credentials from the keytab, initiator and acceptor contexts, the
 *       MIC made and verified.  The baseline.
 * Output: one line "MODE logins=N per_s=X p50_us=X p99_us=X".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>

#include "loginbroker.h"
#include "stats.h"

static void
print(const char *mode, struct samples *s, uint64_t elapsed)
{
	printf("%s logins=%zu per_s=%.0f p50_us=%.1f p99_us=%.1f\n", mode,
	    s->n, (double)s->n * 1e9 / (double)elapsed,
	    samples_quantile_us(s, 0.5), samples_quantile_us(s, 0.99));
}

static int
run_broker(const char *sock, long count, const char *user)
{
	struct samples s = { 0 };
	uint64_t t0 = now_ns(), t;
	struct lb_conn *c;
	int rc;

	while (count-- > 0) {
		t = now_ns();
		if ((c = lb_open(sock, 0)) == NULL) {
			perror(sock);
			return 1;
		}
		if ((rc = lb_login_gssapi(c, user, "localhost", 0)) != LB_OK) {
			fprintf(stderr, "gss_bench: %s: %s\n", lb_strerror(rc),
			    lb_last_text(c));
			return 1;
		}
		lb_close(c);
		samples_add(&s, now_ns() - t);
	}
	print("broker", &s, now_ns() - t0);
	samples_free(&s);
	return 0;
}

#define CHECK(call) do { \
	if (GSS_ERROR(call)) { \
		fprintf(stderr, "gss_bench: %s failed\n", #call); \
		exit(1); \
	} \
} while (0)

/* One whole exchange, as the client library and a helper do it. */
static void
one_exchange(const char *keytab, gss_name_t target)
{
	gss_key_value_element_desc el = { "keytab", keytab };
	gss_key_value_set_desc store = { 1, &el };
	gss_ctx_id_t ictx = GSS_C_NO_CONTEXT, actx = GSS_C_NO_CONTEXT;
	gss_buffer_desc t1, t2, t3 = { 0, NULL }, msg = { 9, "a binding" };
	gss_buffer_desc mic;
	gss_cred_id_t cred;
	OM_uint32 minor;

	CHECK(gss_acquire_cred_from(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE,
	    gss_mech_set_krb5, GSS_C_ACCEPT, &store, &cred, NULL, NULL));
	CHECK(gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &ictx, target,
	    (gss_OID)gss_mech_krb5, GSS_C_MUTUAL_FLAG | GSS_C_INTEG_FLAG, 0,
	    GSS_C_NO_CHANNEL_BINDINGS, GSS_C_NO_BUFFER, NULL, &t1, NULL,
	    NULL));
	CHECK(gss_accept_sec_context(&minor, &actx, cred, &t1,
	    GSS_C_NO_CHANNEL_BINDINGS, NULL, NULL, &t2, NULL, NULL, NULL));
	CHECK(gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &ictx, target,
	    (gss_OID)gss_mech_krb5, GSS_C_MUTUAL_FLAG | GSS_C_INTEG_FLAG, 0,
	    GSS_C_NO_CHANNEL_BINDINGS, &t2, NULL, &t3, NULL, NULL));
	CHECK(gss_get_mic(&minor, ictx, GSS_C_QOP_DEFAULT, &msg, &mic));
	CHECK(gss_verify_mic(&minor, actx, &msg, &mic, NULL));
	gss_release_buffer(&minor, &t1);
	gss_release_buffer(&minor, &t2);
	gss_release_buffer(&minor, &t3);
	gss_release_buffer(&minor, &mic);
	gss_delete_sec_context(&minor, &ictx, GSS_C_NO_BUFFER);
	gss_delete_sec_context(&minor, &actx, GSS_C_NO_BUFFER);
	gss_release_cred(&minor, &cred);
}

static int
run_inprocess(const char *keytab, long count)
{
	gss_buffer_desc name = { 14, "host@localhost" };
	struct samples s = { 0 };
	gss_name_t target;
	OM_uint32 minor;
	uint64_t t0, t;

	CHECK(gss_import_name(&minor, &name, GSS_C_NT_HOSTBASED_SERVICE,
	    &target));
	t0 = now_ns();
	while (count-- > 0) {
		t = now_ns();
		one_exchange(keytab, target);
		samples_add(&s, now_ns() - t);
	}
	print("inprocess", &s, now_ns() - t0);
	gss_release_name(&minor, &target);
	samples_free(&s);
	return 0;
}

int
main(int argc, char **argv)
{
	long count = argc > 3 ? strtol(argv[3], NULL, 10) : 0;

	if (argc == 5 && strcmp(argv[1], "broker") == 0 && count > 0)
		return run_broker(argv[2], count, argv[4]);
	if (argc == 4 && strcmp(argv[1], "inprocess") == 0 && count > 0)
		return run_inprocess(argv[2], count);
	fprintf(stderr, "usage: gss_bench broker SOCKET COUNT USER\n"
	    "       gss_bench inprocess KEYTAB COUNT\n");
	return 2;
}
