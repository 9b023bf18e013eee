/* SPDX-License-Identifier: ISC */
/*
 * verify_duo.c: the duo mechanism, a second factor through Duo's service
 * (doc/protocol.md).  libduo runs in a helper from the Duo zygote
 * (zygotes.h, broker/duo/), the only process that reads the keys or
 * talks to Duo, and that may block there as long as a person takes to
 * tap a phone: the event loop only relays libduo's factor menu (302) and
 * status lines (303) as they come, and the client's answers back, and
 * decides on what the helper reports.  The whole attempt has the
 * service's duo-timeout; past it the helper is killed and the client gets
 * 510.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "attempt.h"
#include "config.h"
#include "helper_run.h"
#include "log.h"
#include "msg.h"
#include "policy.h"
#include "verify.h"
#include "zygotes.h"

/* What one login may show: the menu and libduo's status lines (it polls
 * a pending push up to 20 times, a line each). */
#define DUO_PROMPTS_MAX	32

struct duo_run {
	struct helper_run helper;	/* first: a run is its helper's */
	struct attempt *a;
	uint8_t shown;			/* the kind of prompt out; 0: none */
	unsigned prompts;		/* shown so far */
};

static const struct config *conf;

static bool
uses_duo(const struct policy_service *svc)
{
	return policy_service_uses(svc, 1u << MECH_DUO);
}

/* The service's key file: its duo-config, or the broker's duo_file. */
static const char *
keys_of(const struct config *c, const struct policy_service *svc)
{
	return svc->duo.keys[0] != '\0' ? svc->duo.keys : c->duo_file;
}

/* A service's own CA bundle: where a helper can read it. */
static int
check_cafile(const struct policy_service *svc)
{
	if (zygote_file_check("duo-cafile", svc->duo.cafile, false) == -1)
		return -1;
	if (access(svc->duo.cafile, R_OK) == -1) {
		log_msg(LOG_ERR, "service %s: duo-cafile %s: %s", svc->name,
		    svc->duo.cafile, strerror(errno));
		return -1;
	}
	return 0;
}

static int
duo_check(const struct config *c, const struct policy *p)
{
	const struct policy_service *svc;
	size_t i;
	int rc = 0;

	for (i = 0; i < p->nservices; i++) {
		svc = &p->services[i];
		if (!uses_duo(svc))
			continue;
		/* libduo refuses a key file others may read. */
		if (zygote_file_check("duo key file", keys_of(c, svc), true) ==
		    -1)
			rc = -1;
		if (svc->duo.cafile[0] != '\0' && check_cafile(svc) == -1)
			rc = -1;
		if (svc->duo.fail_safe)
			log_msg(LOG_WARNING, "service %s: duo-failmode safe: "
			    "when Duo cannot be reached, its logins go on "
			    "without the second factor", svc->name);
	}
	if (zygote_program_check("duo_path", c->duo_path) == -1)
		rc = -1;
	return rc;
}

/* The most key files one check reads: one per service at most. */
#define KEY_FILES_MAX	POLICY_SERVICES_MAX
/* How long reading them may take. */
#define KEY_CHECK_MS	5000

/* Runs "loginbroker-duo --check FILE..." and logs what it says: its
 * exit status's verdict, 0 or -1; killed past KEY_CHECK_MS. */
static int
run_key_check(const char *path, char *const *argv)
{
	posix_spawn_file_actions_t fa;
	char out[2048], *line, *save;
	size_t len = 0;
	int pipefd[2], status, err;
	struct pollfd pfd;
	ssize_t got = 1;
	pid_t pid;

	if (pipe2(pipefd, O_CLOEXEC) == -1)
		return -1;
	if ((err = posix_spawn_file_actions_init(&fa)) == 0) {
		if ((err = posix_spawn_file_actions_adddup2(&fa, pipefd[1],
		    1)) == 0)
			err = posix_spawn(&pid, path, &fa, NULL, argv, NULL);
		posix_spawn_file_actions_destroy(&fa);
	}
	close(pipefd[1]);
	if (err != 0) {
		log_msg(LOG_ERR, "duo_path %s: %s", path, strerror(err));
		close(pipefd[0]);
		return -1;
	}
	pfd = (struct pollfd){ .fd = pipefd[0], .events = POLLIN };
	while (len < sizeof(out) - 1 && got > 0 &&
	    poll(&pfd, 1, KEY_CHECK_MS) == 1)
		if ((got = read(pipefd[0], out + len, sizeof(out) - 1 -
		    len)) > 0)
			len += (size_t)got;
	close(pipefd[0]);
	if (got != 0) {		/* no end of output in time, or too much */
		kill(pid, SIGKILL);
		log_msg(LOG_ERR, "duo_path %s --check: no whole answer "
		    "within %d ms", path, KEY_CHECK_MS);
	}
	out[len] = '\0';
	if (waitpid(pid, &status, 0) == -1)
		return -1;
	for (line = strtok_r(out, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save))
		log_msg(LOG_ERR, "%s", line);
	return got == 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0 ?
	    0 : -1;
}

/* What the key files hold, read by the Duo program itself (never the
 * broker: it holds no key).  It may block on the files, so it runs
 * only before the broker serves anyone, and only on files that are
 * root's own regular files (no FIFO to block on); a start ends at the
 * first that is not. */
static int
duo_check_keys(const struct config *c, const struct policy *p)
{
	char *argv[KEY_FILES_MAX + 3] = { "loginbroker-duo", "--check" };
	const char *keys;
	size_t i, n = 2;

	for (i = 0; i < p->nservices; i++) {
		if (!uses_duo(&p->services[i]))
			continue;
		keys = keys_of(c, &p->services[i]);
		if (zygote_file_check("duo key file", keys, true) == -1)
			return -1;
		argv[n++] = (char *)keys;
	}
	argv[n] = NULL;
	return n == 2 ? 0 : run_key_check(c->duo_path, argv);
}

/* The helpers become the workers' user once they have read the keys. */
static int
duo_prepare(const struct config *c, const struct policy *p)
{
	conf = c;
	return zygote_start_as_workers_user(c, c->duo_path);
}

static int
duo_prepared(const struct policy *p)
{
	return zygote_state(conf->duo_path, NULL);
}

/* libduo's factor menu (a visible prompt) or a status line (info): one
 * at a time, each shown at once. */
static int
on_prompt(struct helper_run *h, const struct ipc_msg *in)
{
	struct duo_run *run = (struct duo_run *)h;
	struct msg_prompt m;

	if (run->shown != 0 || msg_read_prompt(in, &m) == -1 ||
	    (m.kind != PROMPT_VISIBLE && m.kind != PROMPT_INFO))
		return -1;
	if (++run->prompts > DUO_PROMPTS_MAX) {
		attempt_verified(run->a, VERDICT_LIMIT, "too many Duo messages");
		return 0;
	}
	run->shown = m.kind;
	attempt_prompt(run->a, m.kind, m.text);
	return 0;
}

/* The helper's last word.  failopen counts only where the service's
 * failmode is safe: a helper that says so elsewhere is not believed. */
static int
on_result(struct helper_run *h, const struct ipc_msg *in)
{
	struct duo_run *run = (struct duo_run *)h;
	struct msg_duo_result m;
	enum verdict v;

	if (run->shown != 0 || msg_read_duo_result(in, &m) == -1)
		return -1;
	switch (m.outcome) {
	case MECH_OUTCOME_OK:
		v = VERDICT_OK;
		break;
	case MECH_OUTCOME_FAILED:
		v = VERDICT_FAILED;
		break;
	case MECH_OUTCOME_FAILOPEN:
		v = run->a->svc->duo.fail_safe ? VERDICT_FAILOPEN :
		    VERDICT_ERROR;
		break;
	default:
		v = VERDICT_ERROR;
		break;
	}
	/* Nothing of its own to end: it is killed with the attempt, so
	 * that one taken over cannot linger after its last word. */
	attempt_verified(run->a, v, m.detail);
	return 0;
}

static const struct helper_msg helper_msgs[] = {
	{ MSG_PROMPT, on_prompt },
	{ MSG_DUO_RESULT, on_result },
};

/* libduo's own timeout for each HTTPS request: a sixth of the factor's,
 * 1 to 10 s, so that a Duo that never answers (libduo tries three times,
 * waiting 1, 2 and 4 s between) meets the failmode before the deadline
 * (at duo-timeout 60 s: given up after at most 37 s). */
static uint32_t
https_timeout_ms(unsigned factor_ms)
{
	unsigned ms = factor_ms / 6;

	return ms < 1000 ? 1000 : ms > 10000 ? 10000 : ms;
}

/* A helper is ready: the attempt as the service configures it, with the
 * trusted front end's address and command (never the client's word). */
static void
send_begin(struct helper_run *h)
{
	struct duo_run *run = (struct duo_run *)h;
	const struct attempt *a = run->a;
	const struct policy_duo *duo = &a->svc->duo;
	static struct msg_duo_begin m;

	memset(&m, 0, sizeof(m));
	snprintf(m.user, sizeof(m.user), "%s", a->user);
	snprintf(m.keys, sizeof(m.keys), "%s", keys_of(conf, a->svc));
	snprintf(m.host, sizeof(m.host), "%s", duo->host);
	snprintf(m.cafile, sizeof(m.cafile), "%s", duo->cafile);
	snprintf(m.client_ip, sizeof(m.client_ip), "%s", a->remote_host);
	snprintf(m.command, sizeof(m.command), "%s", a->command);
	m.flags = (duo->autopush ? DUO_BEGIN_AUTO : 0) |
	    (duo->sync ? DUO_BEGIN_SYNC : 0);
	m.fail_secure = !duo->fail_safe;
	m.https_timeout_ms = https_timeout_ms(duo->timeout_ms);
	(void)helper_run_send(h, MSG_DUO_BEGIN, &m, "DUO_BEGIN too long");
}

static const struct helper_ops duo_helper_ops = {
	"Duo helper", helper_msgs, sizeof(helper_msgs) / sizeof(helper_msgs[0]),
	send_begin,
};

static int
duo_begin(struct attempt *a)
{
	struct spawn_ctl *helpers = zygote_find(conf->duo_path, NULL);
	struct duo_run *run;

	if (helpers == NULL || (run = calloc(1, sizeof(*run))) == NULL)
		return -1;
	run->a = a;
	a->vstate = run;
	helper_run_start(&run->helper, a, helpers, &duo_helper_ops);
	/* Unless a helper at hand already ended the attempt; and last: a
	 * deadline that cannot be armed ends the session, and the run with
	 * it. */
	if (a->vstate == run)
		attempt_deadline(a, a->svc->duo.timeout_ms);
	return 0;
}

/* The answer to the menu (one: an option or a passcode) or to a status
 * line (none), to the helper, which waits for it. */
static int
duo_answer(struct attempt *a, const struct msg_answers *ans)
{
	struct duo_run *run = a->vstate;

	if (run->shown == 0 ||
	    ans->n != (run->shown == PROMPT_VISIBLE ? 1u : 0u))
		return -1;
	run->shown = 0;
	(void)helper_run_send(&run->helper, MSG_AUTH_ANSWER, ans,
	    "answer too long");
	return 0;
}

static void
duo_cancel(struct attempt *a)
{
	struct duo_run *run = a->vstate;

	if (run == NULL)
		return;
	a->vstate = NULL;
	helper_run_stop(&run->helper, NULL, NULL);
	free(run);
}

const struct verifier verify_duo = {
	.check = duo_check,
	.check_keys = duo_check_keys,
	.prepare = duo_prepare,
	.prepared = duo_prepared,
	.begin = duo_begin,
	.answer = duo_answer,
	.cancel = duo_cancel,
	.acts_outside = true,
};
