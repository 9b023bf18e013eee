/* SPDX-License-Identifier: ISC */
/* gss_helper.c: one GSSAPI acceptor exchange, its tokens relayed over IPC. */
#include "gss_helper.h"

#include <fcntl.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <krb5.h>

#include "ipc_chan.h"
#include "ipc_proto.h"
#include "msg.h"
#include "sandbox.h"
#include "spawner.h"

static struct ipc_chan *broker;

int
gss_libraries_load(void)
{
	OM_uint32 minor;
	gss_OID_set mechs;

	/* Loads the mechanism modules once, before any fork. */
	if (GSS_ERROR(gss_indicate_mechs(&minor, &mechs)))
		return -1;
	gss_release_oid_set(&minor, &mechs);
	return 0;
}

/* The principal proven, as the broker is told it. */
struct proven {
	char name[GSS_PRINCIPAL_MAX];	/* as gss_display_name shows it */
	char realm[GSS_PRINCIPAL_MAX];	/* as parsed, not escaped */
};

static const struct proven nobody;

/* The last word: the outcome, then the process is gone. */
static _Noreturn void
report(enum mech_outcome outcome, const char *detail, const struct proven *who,
    bool delegated)
{
	static struct msg_gss_result m;

	m.outcome = (uint8_t)outcome;
	snprintf(m.detail, sizeof(m.detail), "%s", detail);
	snprintf(m.principal, sizeof(m.principal), "%s", who->name);
	snprintf(m.realm, sizeof(m.realm), "%s", who->realm);
	m.delegated = delegated;
	if (msg_send_gss_result(broker, 0, -1, &m) == 0)
		(void)ipc_chan_flush_wait(broker, 5000);
	_exit(0);
}

/* What the library says, on stderr (the broker's log). */
static void
log_status(const char *what, OM_uint32 major, OM_uint32 minor)
{
	OM_uint32 min, ctx = 0;
	gss_buffer_desc text;

	do {
		if (GSS_ERROR(gss_display_status(&min, minor != 0 ? minor :
		    major, minor != 0 ? GSS_C_MECH_CODE : GSS_C_GSS_CODE,
		    GSS_C_NO_OID, &ctx, &text)))
			return;
		fprintf(stderr, "gssapi: %s: %.*s (major %#x, minor %#x)\n",
		    what, (int)text.length, (const char *)text.value, major,
		    minor);
		gss_release_buffer(&min, &text);
	} while (ctx != 0);
}

/* Why a context token was refused, for the audit log. */
static const char *
rejection(OM_uint32 major, OM_uint32 minor)
{
	switch ((krb5_error_code)minor) {
	case KRB5KRB_AP_ERR_TKT_EXPIRED:
		return "ticket-expired";
	case KRB5KRB_AP_ERR_TKT_NYV:
		return "ticket-not-yet-valid";
	case KRB5KRB_AP_ERR_SKEW:
		return "clock-skew";
	case KRB5KRB_AP_ERR_REPEAT:
		return "replayed-authenticator";
	case KRB5KRB_AP_ERR_BAD_INTEGRITY:
	case KRB5KRB_AP_ERR_BADKEYVER:
	case KRB5_KT_KVNONOTFOUND:
	case KRB5_KT_NOTFOUND:
		return "wrong-service-key";
	case KRB5KRB_AP_WRONG_PRINC:
		return "wrong-service-principal";
	}
	if (GSS_ROUTINE_ERROR(major) == GSS_S_DEFECTIVE_TOKEN)
		return "malformed-token";
	return "token-rejected";
}

/* A token for the client (empty: the client's turn, nothing to read). */
static void
send_token(const gss_buffer_desc *t)
{
	static struct msg_data d;

	if (t->length > sizeof(d.bytes))
		report(MECH_OUTCOME_FAILED, "token-too-long", &nobody, false);
	d.len = (uint32_t)t->length;
	if (t->length > 0)	/* none: value may be NULL */
		memcpy(d.bytes, t->value, t->length);
	if (msg_send_data(broker, 0, -1, &d) == -1 ||
	    ipc_chan_flush_wait(broker, -1) == -1)
		_exit(1);
}

/* The acceptor's keys: any of the keytab, or the configured
 * principal's. */
static gss_cred_id_t
acceptor_cred(const struct msg_gss_begin *b)
{
	gss_key_value_element_desc el = { "keytab", b->keytab };
	gss_key_value_set_desc store = { 1, &el };
	gss_buffer_desc text = { strlen(b->principal), (void *)b->principal };
	gss_name_t name = GSS_C_NO_NAME;
	gss_cred_id_t cred;
	OM_uint32 major, minor;

	if (b->principal[0] != '\0' && GSS_ERROR(major = gss_import_name(
	    &minor, &text, GSS_KRB5_NT_PRINCIPAL_NAME, &name))) {
		log_status(b->principal, major, minor);
		report(MECH_OUTCOME_ERROR, "acceptor-principal", &nobody, false);
	}
	major = gss_acquire_cred_from(&minor, name, GSS_C_INDEFINITE,
	    gss_mech_set_krb5, GSS_C_ACCEPT, &store, &cred, NULL, NULL);
	gss_release_name(&minor, &name);
	if (GSS_ERROR(major)) {
		log_status(b->keytab, major, minor);
		report(MECH_OUTCOME_ERROR, "keytab", &nobody, false);
	}
	return cred;
}

/* Context tokens until the context is complete: its initiator's name
 * and delegated credentials (or none). */
static gss_ctx_id_t
accept_context(gss_cred_id_t cred, gss_name_t *client, gss_cred_id_t *deleg)
{
	static struct msg_data in;
	gss_ctx_id_t ctx = GSS_C_NO_CONTEXT;
	gss_buffer_desc itok, otok;
	OM_uint32 major, minor, flags = 0;
	unsigned legs;

	for (legs = 0; legs < GSS_LEGS_MAX; legs++) {
		spawner_child_read(broker, MSG_AUTH_DATA, &in);
		itok = (gss_buffer_desc){ in.len, in.bytes };
		otok = (gss_buffer_desc){ 0, NULL };
		major = gss_accept_sec_context(&minor, &ctx, cred, &itok,
		    GSS_C_NO_CHANNEL_BINDINGS, client, NULL, &otok, &flags,
		    NULL, deleg);
		if (GSS_ERROR(major)) {
			log_status("accept", major, minor);
			report(MECH_OUTCOME_FAILED, rejection(major, minor),
			    &nobody, false);
		}
		/* Mutual authentication: the last token goes back too; an
		 * empty one asks for the MIC. */
		send_token(&otok);
		gss_release_buffer(&minor, &otok);
		if (major == GSS_S_COMPLETE)
			break;
	}
	if (major != GSS_S_COMPLETE)
		report(MECH_OUTCOME_FAILED, "too-many-legs", &nobody, false);
	if (!(flags & GSS_C_INTEG_FLAG))
		report(MECH_OUTCOME_FAILED, "no-integrity", &nobody, false);
	return ctx;
}

/* The forwarded TGT into a cache of the user's own, mode 0600, in the
 * directory only root writes: whether it is there. */
static bool
store_delegated(gss_cred_id_t deleg, const char *user, const char *path)
{
	char name[HELPER_PATH_MAX + 8];
	gss_key_value_element_desc el = { "ccache", name };
	gss_key_value_set_desc store = { 1, &el };
	struct passwd *pw;
	OM_uint32 major, minor;
	bool owned;
	int fd;

	if (deleg == GSS_C_NO_CREDENTIAL || path[0] == '\0' ||
	    (pw = getpwnam(user)) == NULL)
		return false;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1) {
		perror(path);
		return false;
	}
	owned = fchown(fd, pw->pw_uid, pw->pw_gid) == 0;
	close(fd);
	snprintf(name, sizeof(name), "FILE:%s", path);
	major = gss_store_cred_into(&minor, deleg, GSS_C_INITIATE,
	    GSS_C_NO_OID, 1, 0, &store, NULL, NULL);
	if (GSS_ERROR(major)) {
		log_status("store delegated credentials", major, minor);
		unlink(path);
		return false;
	}
	/* The library may have made the file anew: the user's again (the
	 * mode first, while it is still root's). */
	if (!owned || chmod(path, 0600) == -1 ||
	    lchown(path, pw->pw_uid, pw->pw_gid) == -1) {
		perror(path);
		unlink(path);
		return false;
	}
	return true;
}

/* Whether who may log in as user: its .k5login, or else the realm's
 * auth_to_local mapping to that name; who's realm is filled in. */
static bool
may_log_in(struct proven *who, const char *user)
{
	krb5_context k;
	krb5_principal p;
	const krb5_data *realm;
	bool ok = false;

	if (krb5_init_context(&k) != 0)
		report(MECH_OUTCOME_ERROR, "krb5-context", &nobody, false);
	if (krb5_parse_name(k, who->name, &p) == 0) {
		realm = krb5_princ_realm(k, p);
		if (realm->length < sizeof(who->realm) &&
		    memchr(realm->data, '\0', realm->length) == NULL) {
			memcpy(who->realm, realm->data, realm->length);
			who->realm[realm->length] = '\0';
			ok = krb5_kuserok(k, p, user);
		}
		krb5_free_principal(k, p);
	}
	krb5_free_context(k);
	return ok;
}

void
gss_helper_main(int sock, void *arg)
{
	static struct msg_gss_begin begin;
	static struct msg_data mic;
	static struct proven who;
	char detail[GSS_PRINCIPAL_MAX + 32];
	gss_buffer_desc binding, micbuf, name;
	gss_name_t client = GSS_C_NO_NAME;
	gss_cred_id_t cred, deleg = GSS_C_NO_CREDENTIAL;
	gss_ctx_id_t ctx;
	OM_uint32 major, minor;
	struct ipc_msg m;

	broker = spawner_child_first(sock, &m);
	if (msg_read_gss_begin(&m, &begin) == -1)
		_exit(1);
	sandbox_helper_limits();
	cred = acceptor_cred(&begin);
	ctx = accept_context(cred, &client, &deleg);

	spawner_child_read(broker, MSG_AUTH_DATA, &mic);
	binding = (gss_buffer_desc){ begin.binding_len, begin.binding };
	micbuf = (gss_buffer_desc){ mic.len, mic.bytes };
	if (GSS_ERROR(major = gss_verify_mic(&minor, ctx, &binding, &micbuf,
	    NULL))) {
		log_status("verify MIC", major, minor);
		report(MECH_OUTCOME_FAILED, "bad-mic", &nobody, false);
	}

	if (GSS_ERROR(gss_display_name(&minor, client, &name, NULL)) ||
	    name.length >= sizeof(who.name) ||
	    memchr(name.value, '\0', name.length) != NULL)
		report(MECH_OUTCOME_FAILED, "unnamed-principal", &nobody, false);
	memcpy(who.name, name.value, name.length);
	who.name[name.length] = '\0';
	gss_release_buffer(&minor, &name);
	if (!may_log_in(&who, begin.user)) {
		snprintf(detail, sizeof(detail), "not-allowed:principal:%s",
		    who.name);
		report(MECH_OUTCOME_FAILED, detail, &who, false);
	}
	snprintf(detail, sizeof(detail), "principal:%s", who.name);
	report(MECH_OUTCOME_OK, detail, &who,
	    store_delegated(deleg, begin.user, begin.ccache));
}
