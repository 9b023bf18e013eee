/* SPDX-License-Identifier: ISC */
/* sasl_client.c: scram-sha-256 and plain, by GNU SASL's client. */
#include "sasl_client.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsasl.h>

struct lb_sasl {
	Gsasl *lib;
	Gsasl_session *session;
	bool done;
};

/* The secrets a session holds as properties: GNU SASL frees them without
 * wiping. */
static const Gsasl_property secrets[] = {
	GSASL_PASSWORD, GSASL_SCRAM_SALTED_PASSWORD, GSASL_SCRAM_SERVERKEY,
	GSASL_SCRAM_STOREDKEY,
};

struct lb_sasl *
lb_sasl_new(const char *mech, const char *user, const char *password,
    char *err, size_t cap)
{
	struct lb_sasl *s;
	int rc;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		snprintf(err, cap, "%s: out of memory", mech);
		return NULL;
	}
	/* No callback: GNU SASL asks for no channel binding (n,,) and no
	 * authorization id then. */
	if ((rc = gsasl_init(&s->lib)) != GSASL_OK ||
	    (rc = gsasl_client_start(s->lib, mech, &s->session)) != GSASL_OK ||
	    (rc = gsasl_property_set(s->session, GSASL_AUTHID, user)) !=
	    GSASL_OK ||
	    (rc = gsasl_property_set(s->session, GSASL_PASSWORD, password)) !=
	    GSASL_OK) {
		snprintf(err, cap, "%s: %s", mech, gsasl_strerror(rc));
		lb_sasl_free(s);
		return NULL;
	}
	return s;
}

ssize_t
lb_sasl_step(struct lb_sasl *s, const uint8_t *in, size_t inlen,
    uint8_t *out, size_t cap, char *err, size_t errcap)
{
	const char *mech = gsasl_mechanism_name(s->session);
	char *o = NULL;
	size_t olen = 0;
	ssize_t len = -1;
	int rc;

	if (s->done) {
		snprintf(err, errcap, "%s: data after the exchange was "
		    "complete", mech);
		return -1;
	}
	rc = gsasl_step(s->session, (const char *)in, inlen, &o, &olen);
	if (rc != GSASL_OK && rc != GSASL_NEEDS_MORE)
		snprintf(err, errcap, "%s: %s", mech, gsasl_strerror(rc));
	else if (olen > cap)
		snprintf(err, errcap, "%s: message too long", mech);
	else {
		if (olen > 0)
			memcpy(out, o, olen);
		len = (ssize_t)olen;
		s->done = rc == GSASL_OK;
	}
	/* PLAIN's message holds the password. */
	if (o != NULL) {
		explicit_bzero(o, olen);
		gsasl_free(o);
	}
	return len;
}

bool
lb_sasl_done(const struct lb_sasl *s)
{
	return s != NULL && s->done;
}

void
lb_sasl_free(struct lb_sasl *s)
{
	char *p;
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; s->session != NULL && i < sizeof(secrets) /
	    sizeof(secrets[0]); i++)
		if ((p = (char *)gsasl_property_fast(s->session,
		    secrets[i])) != NULL)
			explicit_bzero(p, strlen(p));
	gsasl_finish(s->session);
	gsasl_done(s->lib);
	explicit_bzero(s, sizeof(*s));
	free(s);
}
