/* SPDX-License-Identifier: ISC */
/*
 * policy_parse.c: the policy language (doc/policy.md).  A line is a
 * statement of whitespace-separated words; '#' starts a comment; '{' and
 * '}' are words of their own.  Each statement kind is a row in a table;
 * an error names its line and column and parsing goes on with the next
 * line, so one run reports every mistake.
 */
#include "policy.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "names.h"

#define LINE_MAX_LEN	1024
#define WORDS_MAX	64

struct word {
	const char *s;
	unsigned col;
};

struct parser {
	const char *path;
	unsigned line;
	const struct policy_hooks *h;
	struct policy *p;
	struct policy_errors *errs;
	struct policy_service *svc;	/* the block we are in, or NULL */
	bool peer_seen, allow_seen;	/* in this block, even if wrong */
	struct policy_service scratch;	/* a refused block parses here */
	size_t n;
	struct word w[WORDS_MAX];
	char store[2 * LINE_MAX_LEN];
};

static void report(struct parser *ps, unsigned col, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
report(struct parser *ps, unsigned col, const char *fmt, ...)
{
	struct policy_errors *e = ps->errs;
	char msg[256];
	va_list ap;

	if (e->n == POLICY_ERRORS_MAX) {
		e->truncated = true;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	snprintf(e->text[e->n++], POLICY_ERROR_LEN, "%.200s:%u:%u: %s", ps->path,
	    ps->line, col, msg);
}

/* Splits one line into words; -1 after reporting a bad character. */
static int
split(struct parser *ps, const char *line, size_t len)
{
	size_t i = 0, out = 0, start;

	ps->n = 0;
	while (i < len) {
		unsigned char c = (unsigned char)line[i];

		if (c == ' ' || c == '\t' || c == '\r') {
			i++;
			continue;
		}
		if (c == '#')
			break;
		if (c < 0x20 || c == 0x7f) {
			report(ps, (unsigned)i + 1, "control character");
			return -1;
		}
		if (ps->n == WORDS_MAX) {
			report(ps, (unsigned)i + 1, "too many words");
			return -1;
		}
		ps->w[ps->n].s = ps->store + out;
		ps->w[ps->n++].col = (unsigned)i + 1;
		start = i;
		if (c == '{' || c == '}')
			i++;
		else
			while (i < len && !strchr(" \t\r#{}", line[i]) &&
			    (unsigned char)line[i] >= 0x20)
				i++;
		memcpy(ps->store + out, line + start, i - start);
		out += i - start;
		ps->store[out++] = '\0';
	}
	return 0;
}

static bool
is(const struct word *w, const char *s)
{
	return strcmp(w->s, s) == 0;
}

/* Service, PAM service and group-like names: letters, digits, ._- */
static bool
plain_name(const char *s)
{
	if (*s == '\0' || *s == '-' || strlen(s) >= POLICY_NAME_MAX)
		return false;
	for (; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && !strchr("._-", *s))
			return false;
	return true;
}

/* A number in [min, max]: 0, or -1 after reporting. */
static int
number(struct parser *ps, const struct word *w, unsigned min, unsigned max,
    unsigned *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(w->s, &end, 10);
	if (!isdigit((unsigned char)w->s[0]) || *end != '\0' || errno != 0 ||
	    v < min || v > max) {
		report(ps, w->col, "expected a number from %u to %u, got "
		    "'%s'", min, max, w->s);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

/* ms in the largest unit that divides it, for messages. */
static const char *
duration_text(unsigned ms, char *buf, size_t cap)
{
	if (ms % 3600000 == 0)
		snprintf(buf, cap, "%uh", ms / 3600000);
	else if (ms % 60000 == 0)
		snprintf(buf, cap, "%um", ms / 60000);
	else if (ms % 1000 == 0)
		snprintf(buf, cap, "%us", ms / 1000);
	else
		snprintf(buf, cap, "%ums", ms);
	return buf;
}

/* A duration: a number with ms, s, m or h (bare: seconds); in ms. */
static int
duration(struct parser *ps, const struct word *w, unsigned min_ms,
    unsigned max_ms, unsigned *out)
{
	static const struct { const char *unit; unsigned ms; } units[] = {
		{ "", 1000 }, { "ms", 1 }, { "s", 1000 }, { "m", 60000 },
		{ "h", 3600000 },
	};
	unsigned long long v;
	char *end;
	size_t i;

	errno = 0;
	v = strtoull(w->s, &end, 10);
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (strcmp(end, units[i].unit) == 0)
			break;
	if (!isdigit((unsigned char)w->s[0]) || errno != 0 ||
	    i == sizeof(units) / sizeof(units[0]) || v > UINT32_MAX ||
	    v * units[i].ms < min_ms || v * units[i].ms > max_ms) {
		char lo[16], hi[16];

		report(ps, w->col, "expected a duration from %s to %s "
		    "(like 500ms, 90s, 15m or 1h), got '%s'",
		    duration_text(min_ms, lo, sizeof(lo)),
		    duration_text(max_ms, hi, sizeof(hi)), w->s);
		return -1;
	}
	*out = (unsigned)(v * units[i].ms);
	return 0;
}

/* Expects exactly the given word at index i. */
static int
expect(struct parser *ps, size_t i, const char *word)
{
	if (i < ps->n && is(&ps->w[i], word))
		return 0;
	if (i < ps->n)
		report(ps, ps->w[i].col, "expected '%s', got '%s'", word,
		    ps->w[i].s);
	else
		report(ps, ps->w[ps->n - 1].col, "expected '%s' after "
		    "'%s'", word, ps->w[ps->n - 1].s);
	return -1;
}

/* Top level: "lockout after N failures within DUR for DUR". */
static void
st_lockout(struct parser *ps)
{
	struct policy *p = ps->p;

	if (p->lockout_failures != 0) {
		report(ps, 1, "lockout given twice");
		return;
	}
	if (expect(ps, 1, "after") == -1 || ps->n < 3 ||
	    number(ps, &ps->w[2], 1, 1000, &p->lockout_failures) == -1 ||
	    expect(ps, 3, "failures") == -1 || expect(ps, 4, "within") == -1 ||
	    ps->n < 6 || duration(ps, &ps->w[5], 1000, 86400000,
	    &p->lockout_window_s) == -1 || expect(ps, 6, "for") == -1 ||
	    ps->n < 8 || duration(ps, &ps->w[7], 1000, 7 * 86400000u,
	    &p->lockout_duration_s) == -1) {
		p->lockout_failures = 0;
		return;
	}
	/* The state file counts whole seconds. */
	p->lockout_window_s /= 1000;
	p->lockout_duration_s /= 1000;
	if (ps->n > 8)
		report(ps, ps->w[8].col, "unexpected '%s'", ps->w[8].s);
}

/* The variables a front end may pass a session unless session-env says
 * otherwise: what a display manager or a terminal tells a session about
 * itself (greetd's and login(1)'s). */
static void
session_env_default(struct policy_names *env)
{
	static const char *const names[POLICY_LIST_MAX] = {
		"XDG_SESSION_TYPE", "XDG_SESSION_CLASS", "XDG_SESSION_DESKTOP",
		"XDG_CURRENT_DESKTOP", "XDG_SEAT", "XDG_VTNR", "TERM", "LANG",
	};

	for (env->n = 0; env->n < POLICY_LIST_MAX; env->n++)
		snprintf(env->name[env->n], sizeof(env->name[0]), "%s",
		    names[env->n]);
}

/* Top level: "service NAME {". */
static void
st_service(struct parser *ps)
{
	struct policy *p = ps->p;
	struct policy_service *svc;
	size_t i;

	if (ps->n < 2 || !plain_name(ps->w[1].s)) {
		report(ps, ps->n < 2 ? 1 : ps->w[1].col, "expected a service "
		    "name (letters, digits, '.', '_', '-')");
		return;
	}
	if (expect(ps, 2, "{") == -1)
		return;
	if (ps->n > 3) {
		report(ps, ps->w[3].col, "unexpected '%s'", ps->w[3].s);
		return;
	}
	/* A block refused here is still parsed, into scratch, so that its
	 * own lines are checked and its '}' is not taken for a stray one. */
	svc = &ps->scratch;
	for (i = 0; i < p->nservices; i++)
		if (strcmp(p->services[i].name, ps->w[1].s) == 0)
			break;
	if (i < p->nservices)
		report(ps, ps->w[1].col, "service '%s' already defined on "
		    "line %u", ps->w[1].s, p->services[i].line);
	else if (p->nservices == POLICY_SERVICES_MAX)
		report(ps, 1, "more than %d services", POLICY_SERVICES_MAX);
	else
		svc = &p->services[p->nservices++];
	memset(svc, 0, sizeof(*svc));
	snprintf(svc->name, sizeof(svc->name), "%s", ps->w[1].s);
	svc->line = ps->line;
	snprintf(svc->pam_service, sizeof(svc->pam_service), "loginbroker");
	svc->attempts = 3;
	svc->prompt_timeout_ms = 60000;
	svc->session_timeout_ms = 120000;
	/* One local user must not hold every slot of max_sessions. */
	svc->connections_per_peer = 32;
	svc->password_change = true;
	snprintf(svc->keytab, sizeof(svc->keytab), "/etc/krb5.keytab");
	svc->duo.timeout_ms = 60000;
	svc->sessions.per_user = 8;
	svc->sessions.max = 256;
	session_env_default(&svc->sessions.env);
	ps->svc = svc;
	ps->peer_seen = ps->allow_seen = false;
}

/* "any", "uid N", "gid N", "user NAME" or "group NAME" at word i. */
static int
peer_spec(struct parser *ps, size_t i, struct policy_peer *out)
{
	const struct word *kind = &ps->w[i], *arg = &ps->w[i + 1];
	struct passwd *pw;
	struct group *gr;

	if (is(kind, "any") && ps->n == i + 1) {
		out->kind = PEER_ANY;
		return 0;
	}
	if (ps->n != i + 2) {
		report(ps, kind->col, "expected 'any', 'uid N', 'gid N', "
		    "'user NAME' or 'group NAME'");
		return -1;
	}
	if (is(kind, "uid") || is(kind, "gid")) {
		out->kind = is(kind, "uid") ? PEER_UID : PEER_GID;
		return number(ps, arg, 0, UINT32_MAX - 1, &out->id);
	}
	/* Names are resolved now: a peer that cannot exist is a typo. */
	if (is(kind, "user")) {
		if ((pw = getpwnam(arg->s)) == NULL) {
			report(ps, arg->col, "unknown user '%s'", arg->s);
			return -1;
		}
		*out = (struct policy_peer){ PEER_UID, pw->pw_uid };
		return 0;
	}
	if (is(kind, "group")) {
		if ((gr = getgrnam(arg->s)) == NULL) {
			report(ps, arg->col, "unknown group '%s'", arg->s);
			return -1;
		}
		*out = (struct policy_peer){ PEER_GID, gr->gr_gid };
		return 0;
	}
	report(ps, kind->col, "expected 'any', 'uid', 'gid', 'user' or "
	    "'group', got '%s'", kind->s);
	return -1;
}

static void
peer_line(struct parser *ps, struct policy_peer *list, size_t *n)
{
	ps->peer_seen |= list == ps->svc->peers;
	if (ps->n < 2) {
		report(ps, ps->w[0].col, "expected 'any', 'uid N', 'gid N', "
		    "'user NAME' or 'group NAME' after '%s'", ps->w[0].s);
		return;
	}
	if (*n == POLICY_PEERS_MAX) {
		report(ps, 1, "more than %d %s lines", POLICY_PEERS_MAX,
		    ps->w[0].s);
		return;
	}
	if (peer_spec(ps, 1, &list[*n]) == 0)
		(*n)++;
}

static void
st_peer(struct parser *ps)
{
	peer_line(ps, ps->svc->peers, &ps->svc->npeers);
}

static void
st_trusted_peer(struct parser *ps)
{
	peer_line(ps, ps->svc->trusted, &ps->svc->ntrusted);
}

static void
st_pam_service(struct parser *ps)
{
	if (!plain_name(ps->w[1].s)) {
		report(ps, ps->w[1].col, "invalid PAM service name '%s'",
		    ps->w[1].s);
		return;
	}
	snprintf(ps->svc->pam_service, sizeof(ps->svc->pam_service), "%s",
	    ps->w[1].s);
}

/* Word w, one of two: *out true for yes, false for no. */
static void
choice(struct parser *ps, const struct word *w, const char *yes,
    const char *no, bool *out)
{
	if (!is(w, yes) && !is(w, no)) {
		report(ps, w->col, "expected '%s' or '%s', got '%s'", yes, no,
		    w->s);
		return;
	}
	*out = is(w, yes);
}

/* "password-change", "duo-auto", "duo-sync", "sessions",
 * "session-outlives-client": yes or no. */
static void
st_switch(struct parser *ps)
{
	struct policy_service *svc = ps->svc;
	bool *out = is(&ps->w[0], "password-change") ? &svc->password_change :
	    is(&ps->w[0], "duo-auto") ? &svc->duo.autopush :
	    is(&ps->w[0], "duo-sync") ? &svc->duo.sync :
	    is(&ps->w[0], "sessions") ? &svc->sessions.enabled :
	    &svc->sessions.outlive_client;

	choice(ps, &ps->w[1], "yes", "no", out);
}

static void
st_duo_failmode(struct parser *ps)
{
	choice(ps, &ps->w[1], "safe", "secure", &ps->svc->duo.fail_safe);
}

/* An absolute path that fits out[POLICY_PATH_MAX]. */
static void
path_word(struct parser *ps, const struct word *w, char *out)
{
	if (w->s[0] != '/' || strlen(w->s) >= POLICY_PATH_MAX) {
		report(ps, w->col, "expected an absolute path of at most %d "
		    "bytes, got '%s'", POLICY_PATH_MAX - 1, w->s);
		return;
	}
	snprintf(out, POLICY_PATH_MAX, "%s", w->s);
}

/* "keytab", "duo-config", "duo-cafile": a file's path. */
static void
st_path(struct parser *ps)
{
	struct policy_service *svc = ps->svc;

	path_word(ps, &ps->w[1], is(&ps->w[0], "keytab") ? svc->keytab :
	    is(&ps->w[0], "duo-config") ? svc->duo.keys : svc->duo.cafile);
}

/* A host name or address with an optional port, as libduo takes it
 * ("api-XXXXXXXX.duosecurity.com", "127.0.0.1:8443"). */
static void
st_duo_host(struct parser *ps)
{
	const struct word *w = &ps->w[1];
	const char *c;

	for (c = w->s; *c != '\0'; c++)
		if (!isalnum((unsigned char)*c) && !strchr(".-:[]", *c))
			break;
	if (*c != '\0' || w->s[0] == '\0' ||
	    strlen(w->s) >= sizeof(ps->svc->duo.host)) {
		report(ps, w->col, "invalid host '%s'", w->s);
		return;
	}
	snprintf(ps->svc->duo.host, sizeof(ps->svc->duo.host), "%s", w->s);
}

/* A comma-separated list of names into out. */
static int
name_list(struct parser *ps, const struct word *w, struct policy_names *out)
{
	const char *s = w->s, *comma;
	size_t len;

	for (;;) {
		comma = strchr(s, ',');
		len = comma != NULL ? (size_t)(comma - s) : strlen(s);
		if (len == 0 || len >= POLICY_NAME_MAX) {
			report(ps, w->col + (unsigned)(s - w->s), "expected "
			    "a name of 1 to %d bytes", POLICY_NAME_MAX - 1);
			return -1;
		}
		if (out->n == POLICY_LIST_MAX) {
			report(ps, w->col, "more than %d names",
			    POLICY_LIST_MAX);
			return -1;
		}
		memcpy(out->name[out->n], s, len);
		out->name[out->n++][len] = '\0';
		if (comma == NULL)
			return 0;
		s = comma + 1;
	}
}

/* A Kerberos principal as krb5_parse_name reads it: "host/fqdn[@REALM]";
 * no quoting or escapes. */
static void
st_gss_principal(struct parser *ps)
{
	const struct word *w = &ps->w[1];
	const char *c;

	for (c = w->s; *c != '\0'; c++)
		if (!isalnum((unsigned char)*c) && !strchr("._-/@", *c))
			break;
	if (*c != '\0' || w->s[0] == '\0' || w->s[0] == '@' ||
	    strlen(w->s) >= sizeof(ps->svc->gss_principal)) {
		report(ps, w->col, "invalid principal '%s'", w->s);
		return;
	}
	snprintf(ps->svc->gss_principal, sizeof(ps->svc->gss_principal),
	    "%s", w->s);
}

/* "session-command PATH": one more program a front end may start. */
static void
st_session_command(struct parser *ps)
{
	struct policy_sessions *ss = &ps->svc->sessions;

	if (ss->ncommands == POLICY_COMMANDS_MAX) {
		report(ps, ps->w[1].col, "more than %d session commands",
		    POLICY_COMMANDS_MAX);
		return;
	}
	path_word(ps, &ps->w[1], ss->commands[ss->ncommands++]);
}

/* "session-env NAME,NAME": these variables, and no other. */
static void
st_session_env(struct parser *ps)
{
	struct policy_names *env = &ps->svc->sessions.env;
	size_t i;

	env->n = 0;
	if (name_list(ps, &ps->w[1], env) == -1)
		return;
	for (i = 0; i < env->n; i++) {
		if (!name_env_valid(env->name[i])) {
			report(ps, ps->w[1].col, "invalid variable name "
			    "'%s' (upper-case letters, digits, '_')",
			    env->name[i]);
			return;
		}
	}
}

static void
st_realms(struct parser *ps)
{
	ps->svc->realms.n = 0;
	(void)name_list(ps, &ps->w[1], &ps->svc->realms);
}

static int
net_list(struct parser *ps, const struct word *w, struct policy_rule *r)
{
	char item[64];
	const char *s = w->s, *comma;
	size_t len;

	for (;;) {
		comma = strchr(s, ',');
		len = comma != NULL ? (size_t)(comma - s) : strlen(s);
		if (r->nfrom == POLICY_LIST_MAX) {
			report(ps, w->col, "more than %d networks",
			    POLICY_LIST_MAX);
			return -1;
		}
		snprintf(item, sizeof(item), "%.*s", (int)len, s);
		if (len >= sizeof(item) ||
		    policy_net_parse(item, &r->from[r->nfrom]) == -1) {
			report(ps, w->col + (unsigned)(s - w->s), "expected "
			    "an address or ADDRESS/PREFIX, got '%s'", item);
			return -1;
		}
		r->nfrom++;
		if (comma == NULL)
			return 0;
		s = comma + 1;
	}
}

/* Conditions from word i on: "user L", "group L", "from L",
 * "remote-user L", and the grant "act-for L", each at most once. */
static int
conditions(struct parser *ps, size_t i, struct policy_rule *r)
{
	unsigned seen = 0, bit;
	const struct word *w;

	for (; i < ps->n; i += 2) {
		w = &ps->w[i];
		bit = is(w, "user") ? 1 : is(w, "group") ? 2 : is(w, "from") ?
		    4 : is(w, "remote-user") ? 8 : is(w, "act-for") ? 16 : 0;
		if (bit == 0) {
			report(ps, w->col, "expected 'user', 'group', 'from', "
			    "'remote-user' or 'act-for', got '%s'", w->s);
			return -1;
		}
		if (seen & bit) {
			report(ps, w->col, "condition '%s' given twice", w->s);
			return -1;
		}
		if (bit == 16 && r->deny) {
			report(ps, w->col, "'act-for' grants nothing on a deny "
			    "rule");
			return -1;
		}
		seen |= bit;
		if (i + 1 == ps->n) {
			report(ps, w->col, "expected a list after '%s'", w->s);
			return -1;
		}
		if ((bit == 1 && name_list(ps, &w[1], &r->users) == -1) ||
		    (bit == 2 && name_list(ps, &w[1], &r->groups) == -1) ||
		    (bit == 4 && net_list(ps, &w[1], r) == -1) ||
		    (bit == 8 && name_list(ps, &w[1], &r->remote_users) == -1) ||
		    (bit == 16 && name_list(ps, &w[1], &r->act_for) == -1))
			return -1;
	}
	return 0;
}

/* A mechanism word that this build provides: its bit, or 0. */
static policy_mechs
mechanism(struct parser *ps, const struct word *w)
{
	int m = mech_by_name(w->s);

	if (m == -1) {
		report(ps, w->col, "unknown mechanism '%s'", w->s);
		return 0;
	}
	if (ps->h->mech_available != NULL && !ps->h->mech_available(w->s)) {
		report(ps, w->col, "mechanism '%s' is not available in this "
		    "build", w->s);
		return 0;
	}
	return (policy_mechs)1 << m;
}

/* "MECH [or MECH]... [then MECH [or MECH]...]..." from word 1; the index
 * of the first word after it, or 0 after an error. */
static size_t
chain(struct parser *ps, struct policy_rule *r)
{
	policy_mechs m, all = 0;
	size_t i = 1;

	r->nsteps = 1;
	for (;;) {
		if (i == ps->n) {
			report(ps, ps->w[i - 1].col, "expected a mechanism "
			    "after '%s'", ps->w[i - 1].s);
			return 0;
		}
		if ((m = mechanism(ps, &ps->w[i])) == 0)
			return 0;
		if (all & m) {
			report(ps, ps->w[i].col, "mechanism '%s' appears "
			    "twice in the chain", ps->w[i].s);
			return 0;
		}
		all |= m;
		r->steps[r->nsteps - 1] |= m;
		if (++i == ps->n)
			return i;
		if (is(&ps->w[i], "or")) {
			i++;
		} else if (is(&ps->w[i], "then")) {
			if (r->nsteps == POLICY_STEPS_MAX) {
				report(ps, ps->w[i].col, "more than %d "
				    "factors in a chain", POLICY_STEPS_MAX);
				return 0;
			}
			r->nsteps++;
			i++;
		} else {
			return i;
		}
	}
}

static struct policy_rule *
new_rule(struct parser *ps)
{
	struct policy_service *svc = ps->svc;
	struct policy_rule *r;

	if (svc->nrules == POLICY_RULES_MAX) {
		report(ps, 1, "more than %d rules in a service",
		    POLICY_RULES_MAX);
		return NULL;
	}
	r = &svc->rules[svc->nrules];
	memset(r, 0, sizeof(*r));
	r->line = ps->line;
	return r;
}

static void
st_allow(struct parser *ps)
{
	struct policy_rule *r;
	size_t next;

	ps->allow_seen = true;
	if ((r = new_rule(ps)) == NULL || (next = chain(ps, r)) == 0 ||
	    conditions(ps, next, r) == -1)
		return;
	ps->svc->nrules++;
}

static void
st_deny(struct parser *ps)
{
	struct policy_rule *r;

	if ((r = new_rule(ps)) == NULL)
		return;
	r->deny = true;
	if (conditions(ps, 1, r) == -1)
		return;
	ps->svc->nrules++;
}

static void
st_end_service(struct parser *ps)
{
	struct policy_service *svc = ps->svc;

	ps->svc = NULL;
	/* A wrong peer or allow line was reported already. */
	if (!ps->peer_seen)
		report(ps, 1, "service '%s' admits no peer: add a peer line",
		    svc->name);
	else if (!ps->allow_seen)
		report(ps, 1, "service '%s' allows no one: add an allow line",
		    svc->name);
}

/* A service setting that is a number or a duration. */
static void
st_service_number(struct parser *ps)
{
	struct policy_service *svc = ps->svc;
	const struct word *w = &ps->w[1];

	if (is(&ps->w[0], "attempts"))
		number(ps, w, 1, 100, &svc->attempts);
	else if (is(&ps->w[0], "connections-per-peer"))
		number(ps, w, 0, 65536, &svc->connections_per_peer);
	else if (is(&ps->w[0], "prompt-timeout"))
		duration(ps, w, 100, 3600000, &svc->prompt_timeout_ms);
	else if (is(&ps->w[0], "duo-timeout"))
		duration(ps, w, 1000, 600000, &svc->duo.timeout_ms);
	else if (is(&ps->w[0], "sessions-per-user"))
		number(ps, w, 1, 65536, &svc->sessions.per_user);
	else if (is(&ps->w[0], "sessions-max"))
		number(ps, w, 1, 65536, &svc->sessions.max);
	else
		duration(ps, w, 100, 86400000, &svc->session_timeout_ms);
}

/* Statement tables: the first word, the words allowed after it, and the
 * handler, which sees only lines of a length it accepts. */
struct statement {
	const char *word;
	size_t min_args, max_args;
	void (*handle)(struct parser *);
};

static const struct statement top_statements[] = {
	{ "service", 0, WORDS_MAX, st_service },
	{ "lockout", 0, WORDS_MAX, st_lockout },
};

static const struct statement service_statements[] = {
	{ "pam-service", 1, 1, st_pam_service },
	{ "peer", 0, WORDS_MAX, st_peer },
	{ "trusted-peer", 0, WORDS_MAX, st_trusted_peer },
	{ "attempts", 1, 1, st_service_number },
	{ "prompt-timeout", 1, 1, st_service_number },
	{ "session-timeout", 1, 1, st_service_number },
	{ "connections-per-peer", 1, 1, st_service_number },
	{ "password-change", 1, 1, st_switch },
	{ "keytab", 1, 1, st_path },
	{ "gss-principal", 1, 1, st_gss_principal },
	{ "realms", 1, 1, st_realms },
	{ "duo-config", 1, 1, st_path },
	{ "duo-host", 1, 1, st_duo_host },
	{ "duo-cafile", 1, 1, st_path },
	{ "duo-auto", 1, 1, st_switch },
	{ "duo-sync", 1, 1, st_switch },
	{ "duo-failmode", 1, 1, st_duo_failmode },
	{ "duo-timeout", 1, 1, st_service_number },
	{ "sessions", 1, 1, st_switch },
	{ "session-outlives-client", 1, 1, st_switch },
	{ "session-command", 1, 1, st_session_command },
	{ "session-env", 1, 1, st_session_env },
	{ "sessions-per-user", 1, 1, st_service_number },
	{ "sessions-max", 1, 1, st_service_number },
	{ "allow", 0, WORDS_MAX, st_allow },
	{ "deny", 0, WORDS_MAX, st_deny },
	{ "}", 0, 0, st_end_service },
};

/* A top-level "key value" line: a process setting for the hook. */
static void
setting(struct parser *ps)
{
	const char *err;
	bool bad_key = false;

	if (ps->h->setting == NULL) {
		report(ps, 1, "unknown keyword '%s'", ps->w[0].s);
		return;
	}
	if (ps->n != 2) {
		err = ps->h->setting(ps->h->ctx, ps->w[0].s, NULL, &bad_key);
		if (err != NULL && bad_key)
			report(ps, 1, "%s", err);
		else
			report(ps, ps->n < 2 ? 1 : ps->w[2].col, "'%s' takes "
			    "one value", ps->w[0].s);
		return;
	}
	if ((err = ps->h->setting(ps->h->ctx, ps->w[0].s, ps->w[1].s,
	    &bad_key)) != NULL)
		report(ps, bad_key ? 1 : ps->w[1].col, "%s", err);
}

static void
statement(struct parser *ps)
{
	const struct statement *t = ps->svc != NULL ? service_statements :
	    top_statements;
	size_t i, n = ps->svc != NULL ?
	    sizeof(service_statements) / sizeof(service_statements[0]) :
	    sizeof(top_statements) / sizeof(top_statements[0]);

	for (i = 0; i < n; i++) {
		if (!is(&ps->w[0], t[i].word))
			continue;
		if (ps->n - 1 < t[i].min_args || ps->n - 1 > t[i].max_args) {
			if (t[i].max_args == 0)
				report(ps, ps->w[1].col, "unexpected '%s'",
				    ps->w[1].s);
			else
				report(ps, 1, "'%s' takes one value",
				    t[i].word);
			return;
		}
		t[i].handle(ps);
		return;
	}
	if (ps->svc != NULL)
		report(ps, ps->w[0].col, "unknown service setting '%s'",
		    ps->w[0].s);
	else
		setting(ps);
}

struct policy *
policy_parse(const char *path, const char *text, size_t len,
    const struct policy_hooks *h, struct policy_errors *errs)
{
	struct parser *ps;
	struct policy *p;
	const char *end = text + len, *nl;
	size_t linelen;

	memset(errs, 0, sizeof(*errs));
	if ((ps = calloc(1, sizeof(*ps))) == NULL ||
	    (p = calloc(1, sizeof(*p))) == NULL) {
		free(ps);
		snprintf(errs->text[errs->n++], POLICY_ERROR_LEN, "%s: %s",
		    path, strerror(ENOMEM));
		return NULL;
	}
	p->refs = 1;
	snprintf(p->path, sizeof(p->path), "%s", path);
	*ps = (struct parser){ .path = path, .h = h, .p = p, .errs = errs };
	while (text < end) {
		nl = memchr(text, '\n', (size_t)(end - text));
		linelen = nl != NULL ? (size_t)(nl - text) : (size_t)(end - text);
		ps->line++;
		if (linelen > LINE_MAX_LEN)
			report(ps, LINE_MAX_LEN + 1, "line longer than %d "
			    "bytes", LINE_MAX_LEN);
		else if (memchr(text, '\0', linelen) != NULL)
			report(ps, 1, "NUL byte in line");
		else if (split(ps, text, linelen) == 0 && ps->n > 0)
			statement(ps);
		text += linelen + (nl != NULL);
	}
	if (ps->svc != NULL)
		report(ps, 1, "service '%s' (line %u) is not closed with '}'",
		    ps->svc->name, ps->svc->line);
	free(ps);
	if (errs->n > 0) {
		free(p);
		return NULL;
	}
	return p;
}
