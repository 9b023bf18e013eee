/* SPDX-License-Identifier: ISC */
/*
 * test_session.c: the broker's session state machine (broker/session.c)
 * driven without I/O: a recording session_io with a clock the test moves,
 * workers and PAM helpers that are socketpairs (fake_spawn_ctl.c), and
 * the real codecs, dispatch table and verifiers (echo-test for data, the
 * PAM verifier for a session that waits on its helper).  Every worker
 * message is tried in every state it can reach, from a table, and every
 * deadline is met by moving the clock.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "config.h"
#include "event.h"
#include "fake_spawn_ctl.h"
#include "ipc_proto.h"
#include "log.h"
#include "msg.h"
#include "policy.h"
#include "reply.h"
#include "session.h"
#include "session_io.h"
#include "spawn_ctl.h"
#include "verify.h"

/* echo-test for alice (line 3), password or gssapi-with-mic for anyone
 * (line 4); on service g, password or plain for the group admins (line
 * 9). */
static const char policy_text[] =
    "service s {\n"
    "\tpeer any\n"
    "\tallow echo-test user alice\n"
    "\tallow password or gssapi-with-mic\n"
    "\tkeytab /dev/null\n"
    "}\n"
    "service g {\n"
    "\tpeer any\n"
    "\tallow password or plain group admins\n"
    "}\n";

static struct config conf;
static struct policy *policy;
/* The GSSAPI verifier's cache directory (and its replay cache's). */
static char ccache_dir[] = "/tmp/test_session.XXXXXX";

/* --- the recording I/O ------------------------------------------------ */

static uint64_t now_ms = 1000000;
static uint64_t armed_at;
static struct session *current;
static unsigned kills;

static uint64_t
rec_now(void)
{
	return now_ms;
}

static int
rec_attach(struct session *s, const struct spawn_child *c)
{
	current = s;
	s->worker_pid = c->pid;
	return (s->worker = ipc_chan_new(c->fd, true)) == NULL ? -1 : 0;
}

static int
rec_send(struct session *s, uint32_t type, uint32_t peerid, int fd,
    const void *m)
{
	if (msg_send(s->worker, type, peerid, fd, m) == -1)
		return -1;
	if (ipc_chan_flush(s->worker) == -1) {
		errno = EPIPE;
		return -1;
	}
	return 0;
}

static int
rec_arm(struct session *s, uint64_t at_ms)
{
	armed_at = at_ms;
	return 0;
}

static void
rec_take_fds(struct session *s)
{
	ipc_chan_take_fds(s->worker, SESSION_FDS_MAX);
}

static void
rec_release(struct session *s)
{
	kills++;
	ipc_chan_free(s->worker);
	s->worker = NULL;
}

static const struct session_io recording = {
	.now = rec_now, .attach = rec_attach, .send = rec_send,
	.arm = rec_arm, .take_fds = rec_take_fds, .release = rec_release,
};

/* --- the worker's and the helper's ends ------------------------------- */

static struct ipc_chan *worker, *helper;

/* The next message the broker sent to peer: its type, or -1. */
static int
next_from_broker(struct ipc_chan *peer, struct ipc_msg *m)
{
	if (ipc_chan_get(peer, m) == 1)
		return (int)m->hdr.type;
	(void)ipc_chan_read(peer);
	return ipc_chan_get(peer, m) == 1 ? (int)m->hdr.type : -1;
}

/* The worker says m (NULL: empty) as type. */
static void
worker_says(uint32_t type, const void *m)
{
	struct ipc_msg in;

	assert_int_equal(msg_send(worker, type, 0, -1, m), 0);
	assert_int_equal(ipc_chan_flush(worker), 1);
	(void)ipc_chan_read(current->worker);
	while (!current->dead && ipc_chan_get(current->worker, &in) == 1)
		session_on_message(current, &in);
}

/* The broker's next message to the worker must be a reply with code;
 * its text into text[CONV_MAX_TEXT] when not NULL. */
static void
expect_reply(uint32_t type, uint32_t code, char *text)
{
	static struct msg_reply r;
	struct ipc_msg m;

	assert_int_equal(next_from_broker(worker, &m), (int)type);
	assert_int_equal(msg_read(&m, type, &r), 0);
	assert_int_equal(r.code, code);
	if (text != NULL)
		memcpy(text, r.text, sizeof(r.text));
}

static int
setup(void **state)
{
	static const struct policy_hooks hooks = { NULL, verifier_exists,
	    NULL };
	struct policy_errors errs;

	log_init(true, false);
	/* The PAM verifier watches its helper's channel in the loop. */
	assert_int_equal(event_init(), 0);
	config_defaults(&conf);
	conf.failure_delay_ms = 2000;
	snprintf(conf.gss_path, sizeof(conf.gss_path), "/bin/true");
	snprintf(conf.groups_path, sizeof(conf.groups_path), "/bin/true");
	assert_non_null(mkdtemp(ccache_dir));
	snprintf(conf.ccache_dir, sizeof(conf.ccache_dir), "%s", ccache_dir);
	assert_non_null(policy = policy_parse("p", policy_text,
	    sizeof(policy_text) - 1, &hooks, &errs));
	session_set_io(&recording);
	session_init(spawn_ctl_start(&(struct spawn_params){
	    "worker launcher", NULL, NULL, NULL, 1, 0 }));
	/* The PAM zygote of "loginbroker", through the fake spawner. */
	assert_int_equal(verifiers_prepare(&conf, policy), 0);
	return 0;
}

static int
teardown(void **state)
{
	char rcache[sizeof(ccache_dir) + sizeof(GSS_RCACHE_DIR) + 1];

	fake_peers_close();
	policy_unref(policy);
	snprintf(rcache, sizeof(rcache), "%s/" GSS_RCACHE_DIR, ccache_dir);
	rmdir(rcache);
	rmdir(ccache_dir);
	return 0;
}

/* A session of the policy's service svc that the worker has: ASSIGN
 * read, state idle. */
static void
new_session_on(size_t svc)
{
	struct ucred peer = { 1, 0, 0 };
	int client[2];
	struct ipc_msg m;

	current = NULL;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0,
	    client), 0);
	session_new(&conf, policy, &policy->services[svc], client[0],
	    FRONT_LINE, &peer);
	close(client[1]);
	assert_non_null(current);
	/* A copy: the fake closes its own end when it makes the next. */
	worker = ipc_chan_new(dup(fake_peer_fd(FAKE_WORKER)), true);
	assert_int_equal(next_from_broker(worker, &m), MSG_ASSIGN);
	if (m.fd != -1)
		close(m.fd);
	assert_int_equal(current->state, SS_IDLE);
}

static void
new_session(void)
{
	new_session_on(0);
}

static void
end_session(void)
{
	if (!current->dead)
		session_end(current, LOG_DEBUG, "test over");
	session_reap();
	ipc_chan_free(worker);
	ipc_chan_free(helper);
	worker = helper = NULL;
}

/* --- reaching each state ------------------------------------------------ */

static const struct msg_auth_begin echo_alice = { "echo-test", "alice", false };
static const struct msg_auth_begin password_bob = { "password", "bob", false };

/* echo-test's 16 bytes, from the DATA it sent. */
static struct msg_data challenge;

static void
to_prompting(void)
{
	struct ipc_msg m;

	worker_says(MSG_AUTH_BEGIN, &echo_alice);
	assert_int_equal(next_from_broker(worker, &m), MSG_DATA);
	/* Marked with the attempt it belongs to. */
	assert_int_equal(m.hdr.peerid, current->attempts);
	assert_int_equal(msg_read_data(&m, &challenge), 0);
	assert_int_equal(current->state, SS_PROMPTING);
}

/* The PAM verifier waits for its helper, which says nothing. */
static void
to_verifying(void)
{
	struct ipc_msg m;

	worker_says(MSG_AUTH_BEGIN, &password_bob);
	helper = ipc_chan_new(dup(fake_peer_fd(FAKE_HELPER)), false);
	assert_int_equal(next_from_broker(helper, &m), MSG_PAM_BEGIN);
	assert_int_equal(current->state, SS_VERIFYING);
}

/* On service g: the groups helper is asked for begin's user. */
static void
to_resolving_with(const struct msg_auth_begin *begin)
{
	static struct msg_groups_begin asked;
	struct ipc_msg m;

	worker_says(MSG_AUTH_BEGIN, begin);
	helper = ipc_chan_new(dup(fake_peer_fd(FAKE_HELPER)), false);
	assert_int_equal(next_from_broker(helper, &m), MSG_GROUPS_BEGIN);
	assert_int_equal(msg_read_groups_begin(&m, &asked), 0);
	assert_string_equal(asked.user, begin->user);
	assert_int_equal(current->state, SS_RESOLVING);
}

static void
to_resolving(void)
{
	to_resolving_with(&password_bob);
}

static void
to_delaying(void)
{
	struct msg_data wrong = { 1, { 'x' } };

	to_prompting();
	worker_says(MSG_AUTH_DATA, &wrong);
	assert_int_equal(current->state, SS_DELAYING);
}

static void
to_logged_in(void)
{
	struct msg_data echo = { 16, { 0 } };
	size_t i;

	to_prompting();
	for (i = 0; i < 16; i++)
		echo.bytes[i] = challenge.bytes[15 - i];
	worker_says(MSG_AUTH_DATA, &echo);
	expect_reply(MSG_RESULT, REPLY_OK, NULL);
	assert_int_equal(current->state, SS_LOGGED_IN);
}

/* Past the session timeout: CLOSE, and the worker's last words. */
static void
to_closing(void)
{
	now_ms += policy->services[0].session_timeout_ms;
	session_on_deadline(current);
	expect_reply(MSG_CLOSE, REPLY_TIMED_OUT, NULL);
	assert_int_equal(current->state, SS_CLOSING);
}

static void
to_idle(void)
{
}

/* --- every message in every state ---------------------------------------- */

static const struct msg_answers one_answer = { 1, { "x" } };
static const struct msg_data some_data = { 1, { 'x' } };
static const struct msg_context context = { "10.0.0.1", "", "" };
static const struct msg_prompt prompt = { PROMPT_SECRET, "Password: " };

static const struct worker_msg {
	const char *name;
	uint32_t type;
	const void *m;
} worker_msgs[] = {
	{ "AUTH_BEGIN", MSG_AUTH_BEGIN, &echo_alice },
	{ "AUTH_ANSWER", MSG_AUTH_ANSWER, &one_answer },
	{ "AUTH_DATA", MSG_AUTH_DATA, &some_data },
	{ "AUTH_ABORT", MSG_AUTH_ABORT, NULL },
	{ "CONTEXT", MSG_CONTEXT, &context },
	{ "PROMPT (the broker's)", MSG_PROMPT, &prompt },
	{ "LEAVING", MSG_LEAVING, NULL },
};

#define NMSGS	(sizeof(worker_msgs) / sizeof(worker_msgs[0]))

/* Per state, which of worker_msgs it takes (1) and which end the worker
 * (0); closing ignores everything (2). */
static const struct state_row {
	const char *name;
	void (*reach)(void);
	int takes[NMSGS];
	size_t svc;			/* the policy's service */
} states[] = {
	{ "idle", to_idle, { 1, 0, 0, 0, 1, 0, 1 }, 0 },
	/* An answer without an initial response announced is refused. */
	{ "resolving", to_resolving, { 0, 0, 0, 0, 0, 0, 1 }, 1 },
	{ "verifying", to_verifying, { 0, 0, 0, 0, 0, 0, 1 }, 0 },
	/* echo-test shows data: answers are refused, data taken. */
	{ "prompting", to_prompting, { 0, 0, 1, 1, 0, 0, 1 }, 0 },
	{ "delaying", to_delaying, { 0, 0, 0, 0, 0, 0, 1 }, 0 },
	{ "logged-in", to_logged_in, { 0, 0, 0, 0, 0, 0, 1 }, 0 },
	{ "closing", to_closing, { 2, 2, 2, 2, 2, 2, 2 }, 0 },
};

static void
test_every_worker_message_in_every_state(void **state)
{
	unsigned before;
	size_t i, j;

	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		for (j = 0; j < NMSGS; j++) {
			new_session_on(states[i].svc);
			states[i].reach();
			before = kills;
			worker_says(worker_msgs[j].type, worker_msgs[j].m);
			if (states[i].takes[j] == 0 && (kills != before + 1 ||
			    !current->dead))
				fail_msg("%s in %s: the worker lived",
				    worker_msgs[j].name, states[i].name);
			if (states[i].takes[j] != 0 && (kills != before ||
			    current->dead))
				fail_msg("%s in %s: the worker was killed",
				    worker_msgs[j].name, states[i].name);
			end_session();
		}
	}
}

static void
test_a_message_with_a_descriptor_ends_the_worker(void **state)
{
	int fds[2];
	unsigned before = kills;

	new_session();
	assert_int_equal(pipe(fds), 0);
	assert_int_equal(msg_send(worker, MSG_CONTEXT, 0, fds[0], &context),
	    0);
	close(fds[1]);
	assert_int_equal(ipc_chan_flush(worker), 1);
	worker_says(MSG_AUTH_ABORT, NULL);	/* flushes the channel */
	assert_true(current->dead);
	assert_int_equal(kills, before + 1);
	end_session();
}

/* --- deadlines, by moving the clock -------------------------------------- */

static void
test_failure_reply_waits_out_the_delay_from_the_answer(void **state)
{
	struct ipc_msg m;

	new_session();
	to_delaying();
	/* Nothing before the delay is over, then the one reply. */
	assert_int_equal(armed_at, now_ms + conf.failure_delay_ms);
	now_ms += conf.failure_delay_ms - 1;
	session_on_deadline(current);
	assert_int_equal(next_from_broker(worker, &m), -1);
	now_ms += 1;
	session_on_deadline(current);
	expect_reply(MSG_RESULT, REPLY_AUTH_FAILED, NULL);
	assert_int_equal(current->state, SS_IDLE);
	end_session();
}

static void
test_unanswered_prompt_times_out_with_510(void **state)
{
	char text[CONV_MAX_TEXT];

	new_session();
	to_prompting();
	assert_int_equal(armed_at, now_ms + policy->services[0].
	    prompt_timeout_ms);
	now_ms += policy->services[0].prompt_timeout_ms;
	session_on_deadline(current);
	expect_reply(MSG_CLOSE, REPLY_TIMED_OUT, text);
	assert_string_equal(text, "Timed out waiting for an answer");
	end_session();
}

static void
test_session_timeout_then_the_close_grace(void **state)
{
	char text[CONV_MAX_TEXT];
	unsigned before;

	new_session();
	now_ms += policy->services[0].session_timeout_ms - 1;
	session_on_deadline(current);
	assert_int_equal(current->state, SS_IDLE);
	now_ms += 1;
	session_on_deadline(current);
	expect_reply(MSG_CLOSE, REPLY_TIMED_OUT, text);
	assert_string_equal(text, "Login time exceeded");
	/* A worker that does not go within the grace is killed. */
	before = kills;
	now_ms += 2000;
	session_on_deadline(current);
	assert_true(current->dead);
	assert_int_equal(kills, before + 1);
	end_session();
}

/* The helper says m as type; the broker's loop reads it. */
static void
helper_says(uint32_t type, const void *m)
{
	assert_int_equal(msg_send(helper, type, 0, -1, m), 0);
	assert_int_equal(ipc_chan_flush(helper), 1);
	assert_int_equal(event_dispatch(1000), 0);
}

/* The PAM helper's channel is bounded by its protocol: one reply per
 * conversation call, and no call while one waits.  A helper that sends a
 * second call before its answers (or one that would make the broker queue
 * more) ends the attempt with 505, and the worker lives on; the answer it
 * may have sent meanwhile is no violation, a second one is. */
static void
test_helper_calling_twice_without_answers_ends_the_attempt(void **state)
{
	static const struct msg_pam_conv call = { 1, { PROMPT_SECRET },
	    { "Password: " } };
	unsigned before = kills;
	struct ipc_msg m;

	new_session();
	to_verifying();
	helper_says(MSG_PAM_CONV, &call);
	assert_int_equal(next_from_broker(worker, &m), MSG_PROMPT);
	assert_int_equal(current->state, SS_PROMPTING);
	helper_says(MSG_PAM_CONV, &call);
	expect_reply(MSG_RESULT, REPLY_SYSTEM_ERROR, NULL);
	assert_int_equal(current->state, SS_IDLE);
	/* The client's answer may cross the result: it is ignored, once. */
	worker_says(MSG_AUTH_ANSWER, &one_answer);
	assert_false(current->dead);
	assert_int_equal(kills, before);
	worker_says(MSG_AUTH_ANSWER, &one_answer);
	assert_true(current->dead);
	end_session();
}

/* A GSSAPI helper that gives its result and ends while the client's data
 * is on its way to it: the result decides, not the write that finds the
 * helper gone (a race CI met under load, reported as "unreachable"). */
static void
test_a_helpers_last_result_decides_after_it_is_gone(void **state)
{
	static const struct msg_auth_begin gss_carol = { "gssapi-with-mic",
	    "carol", false };
	static const struct msg_gss_result keytab = { MECH_OUTCOME_ERROR,
	    "keytab", "", "", false };
	static const struct msg_data token = { 2, { 'a', 'b' } };
	struct ipc_msg m;

	new_session();
	worker_says(MSG_AUTH_BEGIN, &gss_carol);
	helper = ipc_chan_new(dup(fake_peer_fd(FAKE_HELPER)), false);
	assert_int_equal(next_from_broker(helper, &m), MSG_GSS_BEGIN);
	assert_int_equal(next_from_broker(worker, &m), MSG_DATA);
	/* The result, then the helper's end, before the broker reads. */
	assert_int_equal(msg_send(helper, MSG_GSS_RESULT, 0, -1, &keytab), 0);
	assert_int_equal(ipc_chan_flush(helper), 1);
	ipc_chan_free(helper);
	helper = NULL;
	fake_peers_close();
	worker_says(MSG_AUTH_DATA, &token);
	assert_int_equal(event_dispatch(1000), 0);
	expect_reply(MSG_RESULT, REPLY_SYSTEM_ERROR, NULL);
	assert_string_equal(current->vdetail, "keytab");
	end_session();
}

static void
test_worker_gone_is_killed_all_the_same(void **state)
{
	unsigned before = kills;

	new_session();
	to_prompting();
	session_on_worker_gone(current);
	assert_true(current->dead);
	assert_int_equal(kills, before + 1);
	end_session();
}

/* --- the user's groups, from a helper ------------------------------------ */

static const struct msg_groups admins = { 1, { "admins" } };
static const struct msg_auth_begin plain_bob = { "plain", "bob", true };
/* PLAIN's message as the worker splits it. */
static const struct msg_answers plain_message = { 3, { "", "bob", "pw" } };

/* The groups helper's answer: the PAM verifier begins, with a helper of
 * its own. */
static void
groups_then_pam(const struct msg_groups *g)
{
	struct ipc_msg m;

	helper_says(MSG_GROUPS_RESULT, g);
	ipc_chan_free(helper);
	helper = ipc_chan_new(dup(fake_peer_fd(FAKE_HELPER)), false);
	assert_int_equal(next_from_broker(helper, &m), MSG_PAM_BEGIN);
	assert_int_equal(current->state, SS_VERIFYING);
}

/* The groups the helper names pick the rule; with none, no rule holds,
 * and the dialog runs to fail like any other. */
static void
test_the_users_groups_pick_the_rule(void **state)
{
	static const struct msg_groups none = { 0, { "" } };

	new_session_on(1);
	to_resolving();
	assert_string_equal(current->rule_name, "g:groups");
	groups_then_pam(&admins);
	assert_null(current->refusal);
	assert_string_equal(current->rule_name, "g:9");
	end_session();
	new_session_on(1);
	to_resolving();
	groups_then_pam(&none);
	assert_string_equal(current->refusal, "denied");
	assert_string_equal(current->rule_name, "g:no-rule");
	end_session();
}

/* An initial response that comes during the lookup is held, and taken
 * once the factor begins: PLAIN's password answers the PAM helper. */
static void
test_an_initial_response_waits_for_the_groups(void **state)
{
	static const struct msg_pam_conv call = { 1, { PROMPT_SECRET },
	    { "Password: " } };
	static struct msg_answers got;
	struct ipc_msg m;

	new_session_on(1);
	to_resolving_with(&plain_bob);
	worker_says(MSG_AUTH_ANSWER, &plain_message);
	assert_false(current->dead);
	assert_int_equal(current->state, SS_RESOLVING);
	groups_then_pam(&admins);
	helper_says(MSG_PAM_CONV, &call);
	assert_int_equal(next_from_broker(helper, &m), MSG_PAM_CONV_REPLY);
	assert_int_equal(msg_read_pam_conv_reply(&m, &got), 0);
	assert_int_equal(got.n, 1);
	assert_string_equal(got.text[0], "pw");
	assert_null(current->early.data);
	end_session();
}

/* One initial response, not two: a worker that sends more is ended. */
static void
test_a_second_early_answer_ends_the_worker(void **state)
{
	unsigned before = kills;

	new_session_on(1);
	to_resolving_with(&plain_bob);
	worker_says(MSG_AUTH_ANSWER, &plain_message);
	assert_false(current->dead);
	worker_says(MSG_AUTH_DATA, &some_data);
	assert_true(current->dead);
	assert_int_equal(kills, before + 1);
	end_session();
}

/* A groups helper that dies, or says what it may not, fails the login
 * closed (505), never matching a rule on groups it may lack. */
static void
test_a_failed_lookup_fails_the_login_closed(void **state)
{
	static const struct msg_groups too_many = { GROUPS_MAX + 1, { "" } };

	new_session_on(1);
	to_resolving_with(&plain_bob);
	ipc_chan_free(helper);
	helper = NULL;
	fake_peers_close();
	assert_int_equal(event_dispatch(1000), 0);
	expect_reply(MSG_RESULT, REPLY_SYSTEM_ERROR, NULL);
	assert_string_equal(current->vdetail, "groups helper died");
	assert_int_equal(current->state, SS_IDLE);
	/* The initial response still on its way is no violation. */
	worker_says(MSG_AUTH_ANSWER, &plain_message);
	assert_false(current->dead);
	end_session();

	new_session_on(1);
	to_resolving();
	helper_says(MSG_GROUPS_RESULT, &too_many);
	expect_reply(MSG_RESULT, REPLY_SYSTEM_ERROR, NULL);
	assert_string_equal(current->vdetail, "groups helper protocol error");
	end_session();
}

/* A directory that never answers: the session timeout ends the wait. */
static void
test_a_lookup_that_hangs_meets_the_session_timeout(void **state)
{
	new_session_on(1);
	to_resolving();
	now_ms += policy->services[1].session_timeout_ms;
	session_on_deadline(current);
	expect_reply(MSG_CLOSE, REPLY_TIMED_OUT, NULL);
	assert_string_equal(current->vdetail, "groups:timeout");
	assert_null(current->attempt.vstate);
	end_session();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_worker_message_in_every_state),
		cmocka_unit_test(
		    test_a_message_with_a_descriptor_ends_the_worker),
		cmocka_unit_test(
		    test_failure_reply_waits_out_the_delay_from_the_answer),
		cmocka_unit_test(test_unanswered_prompt_times_out_with_510),
		cmocka_unit_test(test_session_timeout_then_the_close_grace),
		cmocka_unit_test(test_worker_gone_is_killed_all_the_same),
		cmocka_unit_test(
		    test_helper_calling_twice_without_answers_ends_the_attempt),
		cmocka_unit_test(
		    test_a_helpers_last_result_decides_after_it_is_gone),
		cmocka_unit_test(test_the_users_groups_pick_the_rule),
		cmocka_unit_test(test_an_initial_response_waits_for_the_groups),
		cmocka_unit_test(test_a_second_early_answer_ends_the_worker),
		cmocka_unit_test(test_a_failed_lookup_fails_the_login_closed),
		cmocka_unit_test(
		    test_a_lookup_that_hangs_meets_the_session_timeout),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
