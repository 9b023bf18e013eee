/* SPDX-License-Identifier: ISC */
/* scram_helper.c: one SCRAM-SHA-256 server exchange, through GNU SASL. */
#include "scram_helper.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include <gsasl.h>

#include "base64.h"
#include "ipc_chan.h"
#include "ipc_proto.h"
#include "msg.h"
#include "sandbox.h"
#include "scram_store.h"
#include "spawner.h"

static Gsasl *library;
static struct ipc_chan *broker;
/* Made once per zygote: an unknown user's salt is the same at every
 * attempt, as a real user's is, so that it does not tell. */
static uint8_t salt_key[32];

/* What one exchange knows. */
static struct exchange {
	struct msg_scram_begin begin;
	struct scram_entry entry;
	bool known;			/* the user has stored keys */
	bool wrong_authcid;		/* n= named someone else */
} x;

int
scram_libraries_load(void)
{
	if (getrandom(salt_key, sizeof(salt_key), 0) != sizeof(salt_key))
		return -1;
	return gsasl_init(&library) == GSASL_OK ? 0 : -1;
}

/* The last word: the outcome, then the process is gone. */
static _Noreturn void
report(enum mech_outcome outcome, const char *detail, const char *authzid,
    const char *final, size_t final_len)
{
	static struct msg_scram_result m;

	m.outcome = (uint8_t)outcome;
	snprintf(m.detail, sizeof(m.detail), "%s", detail);
	snprintf(m.authzid, sizeof(m.authzid), "%s", authzid);
	m.final.len = (uint32_t)final_len;
	if (final_len > 0)
		memcpy(m.final.bytes, final, final_len);
	if (msg_send_scram_result(broker, 0, -1, &m) == 0)
		(void)ipc_chan_flush_wait(broker, 5000);
	_exit(0);
}

/* A refusal, with nothing more. */
static _Noreturn void
refuse(enum mech_outcome outcome, const char *detail)
{
	report(outcome, detail, "", NULL, 0);
}

/* p[n] as lowercase hex into out[2n + 1]. */
static void
hex(const uint8_t *p, size_t n, char *out)
{
	size_t i;

	for (i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", p[i]);
}

/* Keys for a user without any: a salt derived from the user's name
 * under the zygote's key (PBKDF2 of one round: one HMAC-SHA-256), so that
 * it looks stored, and random keys that no proof matches. */
static int
invent_entry(const char *user, struct scram_entry *e)
{
	char key[2 * sizeof(salt_key) + 1], mac[SCRAM_KEY_LEN];
	char unused[3][SCRAM_KEY_LEN];
	int rc;

	hex(salt_key, sizeof(salt_key), key);
	rc = gsasl_scram_secrets_from_password(GSASL_HASH_SHA256, key, 1, user,
	    strlen(user), mac, unused[0], unused[1], unused[2]);
	explicit_bzero(key, sizeof(key));
	if (rc != GSASL_OK)
		return -1;
	e->iter = SCRAM_ITER_MIN;
	e->salt_len = 16;
	memcpy(e->salt, mac, e->salt_len);
	return getrandom(e->stored_key, sizeof(e->stored_key), 0) ==
	    sizeof(e->stored_key) && getrandom(e->server_key,
	    sizeof(e->server_key), 0) == sizeof(e->server_key) ? 0 : -1;
}

/* The keys the exchange goes on with, chosen when the library first asks
 * for one (client-first is parsed then): the user's, or invented ones
 * when there are none or client-first named someone else. */
static int
choose_entry(Gsasl_session *sess)
{
	static bool chosen;
	const char *authid;

	if (chosen)
		return 0;
	chosen = true;
	authid = gsasl_property_fast(sess, GSASL_AUTHID);
	x.wrong_authcid = authid == NULL || strcmp(authid, x.begin.user) != 0;
	if (x.wrong_authcid)
		x.known = false;
	return x.known ? 0 : invent_entry(x.begin.user, &x.entry);
}

/* GNU SASL asks for what it needs, in its text forms: the iterations in
 * decimal, the salt and both keys in base64 (as 2.2 reads the keys,
 * whatever its header says). */
static int
callback(Gsasl *ctx, Gsasl_session *sess, Gsasl_property prop)
{
	char text[BASE64_LEN(SCRAM_SALT_MAX) + 1];
	int rc;

	/* No password, no channel binding: never given. */
	if (prop != GSASL_SCRAM_ITER && prop != GSASL_SCRAM_SALT &&
	    prop != GSASL_SCRAM_STOREDKEY && prop != GSASL_SCRAM_SERVERKEY)
		return GSASL_NO_CALLBACK;
	if (choose_entry(sess) == -1)
		return GSASL_NO_CALLBACK;
	if (prop == GSASL_SCRAM_ITER)
		snprintf(text, sizeof(text), "%u", x.entry.iter);
	else if (prop == GSASL_SCRAM_SALT)
		(void)base64_encode(x.entry.salt, x.entry.salt_len, text,
		    sizeof(text));
	else
		(void)base64_encode(prop == GSASL_SCRAM_STOREDKEY ?
		    x.entry.stored_key : x.entry.server_key, SCRAM_KEY_LEN,
		    text, sizeof(text));
	rc = gsasl_property_set(sess, prop, text);
	explicit_bzero(text, sizeof(text));
	return rc;
}

/* The value of attribute "c=" in a SCRAM message's text, up to the next
 * comma, or NULL (RFC 5802 §5: attributes are one letter, "=" and a
 * value without commas). */
static const char *
attribute(const char *msg, size_t len, char c, size_t *vlen)
{
	const char *p = msg, *end = msg + len, *comma;

	while (p < end) {
		comma = memchr(p, ',', (size_t)(end - p));
		if (comma == NULL)
			comma = end;
		if (comma - p >= 2 && p[0] == c && p[1] == '=') {
			*vlen = (size_t)(comma - p - 2);
			return p + 2;
		}
		p = comma + 1;
	}
	return NULL;
}

/* Refusals the library would make less clearly, for the audit log. */
static void
check_client_first(const struct msg_data *d)
{
	if (d->len > 0 && d->bytes[0] == 'p')
		refuse(MECH_OUTCOME_FAILED, "channel-binding-refused");
}

static void
check_client_final(const struct msg_data *d, const char *server_first,
    size_t sflen)
{
	const char *ours, *theirs;
	size_t olen, tlen;

	ours = attribute(server_first, sflen, 'r', &olen);
	theirs = attribute((const char *)d->bytes, d->len, 'r', &tlen);
	if (ours == NULL || theirs == NULL || olen != tlen ||
	    memcmp(ours, theirs, olen) != 0)
		refuse(MECH_OUTCOME_FAILED, "wrong-nonce");
}

/* Why a step failed, for the audit log. */
static const char *
failure(int rc)
{
	if (rc == GSASL_AUTHENTICATION_ERROR)
		return x.wrong_authcid ? "authcid-mismatch" :
		    x.known ? "bad-proof" : "unknown-user";
	if (rc == GSASL_MECHANISM_PARSE_ERROR)
		return "malformed-message";
	return "rejected";
}

/* Sends server-first, which the client answers with client-final. */
static void
send_data(const char *out, size_t len)
{
	static struct msg_data d;

	if (len > sizeof(d.bytes))
		refuse(MECH_OUTCOME_ERROR, "server-first-too-long");
	d.len = (uint32_t)len;
	memcpy(d.bytes, out, len);
	if (msg_send_data(broker, 0, -1, &d) == -1 ||
	    ipc_chan_flush_wait(broker, -1) == -1)
		_exit(1);
}

void
scram_helper_main(int sock, void *arg)
{
	static struct msg_data in;
	Gsasl_session *sess;
	char *first = NULL, *final = NULL;
	size_t first_len, final_len;
	struct ipc_msg m;
	const char *authzid;
	int rc;

	broker = spawner_child_first(sock, &m);
	if (msg_read_scram_begin(&m, &x.begin) == -1)
		_exit(1);
	sandbox_helper_limits();
	if ((rc = scram_store_find(x.begin.store, x.begin.user,
	    &x.entry)) == -1) {
		fprintf(stderr, "scram: %s: %s\n", x.begin.store,
		    strerror(errno));
		refuse(MECH_OUTCOME_ERROR, "store");
	}
	x.known = rc == 1;
	gsasl_callback_set(library, callback);
	if (gsasl_server_start(library, "SCRAM-SHA-256", &sess) != GSASL_OK)
		refuse(MECH_OUTCOME_ERROR, "library");

	spawner_child_read(broker, MSG_AUTH_DATA, &in);
	check_client_first(&in);
	rc = gsasl_step(sess, (const char *)in.bytes, in.len, &first,
	    &first_len);
	if (rc != GSASL_NEEDS_MORE)
		refuse(MECH_OUTCOME_FAILED, failure(rc));
	send_data(first, first_len);

	spawner_child_read(broker, MSG_AUTH_DATA, &in);
	check_client_final(&in, first, first_len);
	rc = gsasl_step(sess, (const char *)in.bytes, in.len, &final,
	    &final_len);
	if (rc != GSASL_OK)
		refuse(MECH_OUTCOME_FAILED, failure(rc));
	/* Whether the user may act for another (a=) is the policy's: the
	 * broker decides. */
	authzid = gsasl_property_fast(sess, GSASL_AUTHZID);
	if (x.wrong_authcid || !x.known)
		refuse(MECH_OUTCOME_FAILED, failure(GSASL_AUTHENTICATION_ERROR));
	report(MECH_OUTCOME_OK, "", authzid != NULL ? authzid : "", final,
	    final_len);
}
