/* SPDX-License-Identifier: ISC */
/* duo_helper.c: one Duo login, through libduo. */
#include "duo_helper.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <duo.h>

#include "ipc_chan.h"
#include "ipc_proto.h"
#include "msg.h"
#include "sandbox.h"
#include "spawner.h"

/* libduo's failmode argument (0 safe, 1 secure): named in its util.h,
 * which is not part of duo.h's API. */
enum { FAILMODE_SAFE, FAILMODE_SECURE };

static struct ipc_chan *broker;

/* What the login has shown and chosen so far, for the audit detail. */
static struct {
	bool shown;			/* a menu or a status line: not a bypass */
	const char *factor;		/* "push", "phone", "passcode"... */
} login = { false, "none" };

/* Whether s is exactly len letters and digits. */
static bool
alnum_word(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)s[i]))
			return false;
	return s[len] == '\0';
}

struct key_read {
	struct duo_keys *k;
	char *why;
	size_t cap;
};

#define KEY(f)	{ #f, offsetof(struct duo_keys, f), \
	sizeof(((struct duo_keys *)0)->f) }

/* One "name = value" of the key file (inih: nonzero to go on; the first
 * line that is wrong is the one told). */
static int
key_line(void *arg, const char *section, const char *name, const char *val)
{
	struct key_read *r = arg;
	static const struct { const char *name; size_t off, size; } keys[] = {
		KEY(ikey), KEY(skey), KEY(host), KEY(cafile),
	};
	size_t i;

	if (r->why[0] != '\0')
		return 0;
	/* Where pam_duo's file says how to behave, the policy does here
	 * (duo-failmode, duo-auto...): such a line would be ignored, so it
	 * is refused rather. */
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(section, "duo") == 0 &&
		    strcmp(name, keys[i].name) == 0)
			break;
	if (i == sizeof(keys) / sizeof(keys[0])) {
		snprintf(r->why, r->cap, "[%s] %s: not a key of this file "
		    "(ikey, skey, host, cafile in [duo]; the rest is the "
		    "policy's)", section, name);
		return 0;
	}
	if (strlen(val) >= keys[i].size) {
		snprintf(r->why, r->cap, "%s: too long", name);
		return 0;
	}
	snprintf((char *)r->k + keys[i].off, keys[i].size, "%s", val);
	return 1;
}

int
duo_keys_read(const char *path, struct duo_keys *k, char *why, size_t cap)
{
	struct key_read r = { k, why, cap };
	int rc;

	memset(k, 0, sizeof(*k));
	why[0] = '\0';
	rc = duo_parse_config(path, key_line, &r);
	if (rc == -1)
		snprintf(why, cap, "%s", strerror(errno));
	else if (rc == -2)
		snprintf(why, cap, "readable by others than its owner");
	else if (rc > 0 && why[0] == '\0')
		snprintf(why, cap, "line %d: not \"name = value\"", rc);
	else if (rc == 0 && !alnum_word(k->ikey, 20))
		snprintf(why, cap, "ikey: expected 20 letters and digits");
	else if (rc == 0 && !alnum_word(k->skey, 40))
		snprintf(why, cap, "skey: expected 40 letters and digits");
	else if (rc == 0 && k->host[0] == '\0')
		snprintf(why, cap, "host: missing");
	if (why[0] == '\0')
		return 0;
	explicit_bzero(k, sizeof(*k));
	return -1;
}

/* The last word: the outcome, then the process is gone. */
static _Noreturn void
report(enum mech_outcome outcome, const char *what, const char *more)
{
	struct msg_duo_result m;

	m.outcome = (uint8_t)outcome;
	snprintf(m.detail, sizeof(m.detail), "duo:%s%s%s", what,
	    more[0] != '\0' ? ":" : "", more);
	if (msg_send_duo_result(broker, 0, -1, &m) == 0)
		(void)ipc_chan_flush_wait(broker, 5000);
	_exit(0);
}

/* Shows the client text (a menu or a status line) through the broker
 * and waits for its answer: one for the menu, none for a status line. */
static void
show(enum prompt_kind kind, const char *text, struct msg_answers *ans)
{
	struct msg_prompt p;

	p.kind = (uint8_t)kind;
	snprintf(p.text, sizeof(p.text), "%s", text);
	if (msg_send_prompt(broker, 0, -1, &p) == -1 ||
	    ipc_chan_flush_wait(broker, -1) == -1)
		_exit(1);
	spawner_child_read(broker, MSG_AUTH_ANSWER, ans);
	if (ans->n != (kind == PROMPT_VISIBLE ? 1u : 0u))
		_exit(1);
}

/* The factor an answer to the menu picks: an option's line names it
 * (" 1. Duo Push to XXX-XXX-1234"); anything else is a passcode. */
static const char *
chosen_factor(const char *menu, const char *answer)
{
	static const char *const kinds[] = { "push", "phone", "sms" };
	char option[16], line[CONV_MAX_TEXT];
	const char *p;
	size_t i;

	if (answer[0] == '\0' || strlen(answer) > 2 ||
	    !alnum_word(answer, strlen(answer)))
		return "passcode";
	snprintf(option, sizeof(option), " %s. ", answer);
	if ((p = strstr(menu, option)) == NULL)
		return "passcode";
	snprintf(line, sizeof(line), "%.*s", (int)strcspn(p, "\n"), p);
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcasestr(line, kinds[i]) != NULL)
			return kinds[i];
	return "option";
}

/* libduo's factor menu (without duo-auto): the client's answer, a menu
 * option or a passcode, which is wiped as soon as libduo has it (it
 * copies it into its request).  A menu longer than a prompt holds (a
 * user with many devices) shows its first lines as info lines first, so
 * that no option and not the question itself is cut. */
static char *
conv_prompt(void *arg, const char *prompt, char *buf, size_t bufsz)
{
	static struct msg_answers ans;
	const char *rest = prompt;
	char head[CONV_MAX_TEXT], *nl;
	size_t cut;

	login.shown = true;
	while (strlen(rest) >= CONV_MAX_TEXT) {
		memcpy(head, rest, sizeof(head) - 1);
		head[sizeof(head) - 1] = '\0';
		nl = strrchr(head, '\n');
		cut = nl != NULL ? (size_t)(nl - head) : sizeof(head) - 1;
		head[cut] = '\0';
		show(PROMPT_INFO, head, &ans);
		rest += cut + (rest[cut] == '\n');
	}
	show(PROMPT_VISIBLE, rest, &ans);
	login.factor = chosen_factor(prompt, ans.text[0]);
	snprintf(buf, bufsz, "%s", ans.text[0]);
	explicit_bzero(&ans, sizeof(ans));
	return buf;
}

/* A status line ("Pushed a login request to your device..."), shown at
 * once: the client sees a push pending while it is. */
static void
conv_status(void *arg, const char *msg)
{
	struct msg_answers ans;

	/* libduo's console spacing is no news to a client. */
	if (msg[strspn(msg, " \t\r\n")] == '\0')
		return;
	login.shown = true;
	/* With duo-auto libduo pushes the default factor and says so. */
	if (strcmp(login.factor, "none") == 0)
		login.factor = strcasestr(msg, "push") != NULL ? "push" :
		    strcasestr(msg, "call") != NULL ? "phone" : "auto";
	show(PROMPT_INFO, msg, &ans);
}

/* Why libduo could not ask Duo, as one word for the audit log (its own
 * text goes to the broker's log). */
static const char *
unreachable_reason(const char *err)
{
	if (strstr(err, "Invalid ikey or skey") != NULL)
		return "credentials-refused";
	if (strstr(err, "certificate") != NULL)
		return "certificate";
	if (strncmp(err, "Couldn't connect", 16) == 0)
		return "unreachable";
	if (strncmp(err, "HTTP ", 5) == 0)
		return "http-error";
	return "error";
}

void
duo_helper_main(int sock, void *arg)
{
	static struct msg_duo_begin b;
	struct duo_keys k;
	struct ipc_msg m;
	char why[160];
	const char *err;
	duo_t *duo;
	duo_code_t rc;
	int flags;

	broker = spawner_child_first(sock, &m);
	if (msg_read_duo_begin(&m, &b) == -1)
		_exit(1);
	sandbox_helper_limits();
	/* A key file gone bad since the start fails the factor, whatever
	 * the failmode: nothing was asked of Duo. */
	if (duo_keys_read(b.keys, &k, why, sizeof(why)) == -1) {
		fprintf(stderr, "duo: %s: %s\n", b.keys, why);
		report(MECH_OUTCOME_ERROR, "error", "key-file");
	}
	/* The keys read, nothing of root's is needed any more: a helper
	 * taken over through what Duo answers can read no root-only file
	 * and send it out. */
	sandbox_helper_become(arg);
	duo = duo_open(b.host[0] != '\0' ? b.host : k.host, k.ikey, k.skey,
	    "loginbroker", b.cafile[0] != '\0' ? b.cafile :
	    k.cafile[0] != '\0' ? k.cafile : NULL, (int)b.https_timeout_ms,
	    NULL);
	explicit_bzero(&k, sizeof(k));
	if (duo == NULL)
		report(MECH_OUTCOME_ERROR, "error", "library");
	duo_set_conv_funcs(duo, conv_prompt, conv_status, NULL);
	flags = ((b.flags & DUO_BEGIN_AUTO) ? DUO_FLAG_AUTO : 0) |
	    ((b.flags & DUO_BEGIN_SYNC) ? DUO_FLAG_SYNC : 0);
	rc = duo_login(duo, b.user, b.client_ip[0] != '\0' ? b.client_ip :
	    NULL, flags, b.command[0] != '\0' ? b.command : NULL,
	    b.fail_secure ? FAILMODE_SECURE : FAILMODE_SAFE);
	err = duo_geterr(duo) != NULL ? duo_geterr(duo) : "";
	if (rc != DUO_OK && rc != DUO_FAIL && err[0] != '\0')
		fprintf(stderr, "duo: user %s: %s\n", b.user, err);
	switch (rc) {
	case DUO_OK:
		/* Preauth "allow": a bypass user, let through unasked. */
		if (!login.shown)
			report(MECH_OUTCOME_OK, "bypass", "");
		report(MECH_OUTCOME_OK, "allow", login.factor);
	case DUO_FAIL:
		report(MECH_OUTCOME_FAILED, "deny", login.factor);
	case DUO_ABORT:
		report(MECH_OUTCOME_FAILED, strcmp(err, "User enrollment "
		    "required") == 0 ? "enroll" : "abort", "");
	case DUO_FAIL_SAFE_ALLOW:
		report(MECH_OUTCOME_FAILOPEN, "failopen",
		    unreachable_reason(err));
	case DUO_FAIL_SECURE_DENY:
		report(MECH_OUTCOME_ERROR, "failsecure",
		    unreachable_reason(err));
	default:
		report(MECH_OUTCOME_ERROR, "error", unreachable_reason(err));
	}
}
