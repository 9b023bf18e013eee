/* SPDX-License-Identifier: ISC */
/*
 * test_sasl.c: the SASL mechanisms through the real broker: scram-sha-256
 * (stored keys, a SCRAM helper running GNU SASL's server), plain (RFC
 * 4616 through the service's PAM stack) and unix (the peer's own uid),
 * driven by clients no one here wrote: the gsasl command (GNU SASL) and
 * Cyrus SASL's library, and by hand for what no honest client sends.
 * Needs root; skipped otherwise.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "base64.h"
#include "broker_fixture.h"
#include "testlib.h"

static struct broker_fixture broker;

#define SASL_SERVICE	"service s {\n\tpeer any\n\ttrusted-peer uid 0\n" \
	"\tattempts 10\n" \
	"\tallow scram-sha-256 or plain or unix or password\n}\n"
#define SASL_POLICY	SASL_SERVICE
/* alice may act for bob, no one else for anyone. */
#define ACT_FOR_POLICY	"service s {\n\tpeer any\n\tattempts 10\n" \
	"\tallow scram-sha-256 or plain user alice act-for bob\n" \
	"\tallow scram-sha-256 or plain\n}\n"
/* Two failures lock a user for ten minutes. */
#define LOCKOUT_POLICY	"lockout after 2 failures within 10m for 10m\n" \
	SASL_SERVICE

static void
start_sasl_broker(const char *policy)
{
	broker_start(&broker, policy, NULL);
	broker_scram_set(&broker, "alice", "alice-pw");
}

/* "VERB [ARGS ]B64\r\n" of n bytes ("=" for none). */
static const char *
data_line(const char *head, const void *bytes, size_t n)
{
	static char line[16384];
	char b64[12000];

	assert_true(base64_encode(bytes, n, b64, sizeof(b64)) >= 0);
	snprintf(line, sizeof(line), "%s %s\r\n", head, n > 0 ? b64 : "=");
	return line;
}

/* The decoded data of a "300 DATA" reply into out[cap]: its length. */
static size_t
reply_data(const char *reply, char *out, size_t cap)
{
	char word[12000];
	ssize_t n;

	assert_true(strncmp(reply, "300 ", 4) == 0);
	snprintf(word, sizeof(word), "%.*s", (int)strcspn(reply + 4, "\r"),
	    reply + 4);
	n = strcmp(word, "=") == 0 ? 0 : base64_decode(word, out, cap - 1);
	assert_true(n >= 0);
	out[n] = '\0';
	return (size_t)n;
}

/* --- GNU SASL's gsasl command, relayed line by line ------------------- */

struct gsasl_run {
	pid_t pid;
	FILE *to, *from;
};

static void
gsasl_start(struct gsasl_run *g, const char *mech, const char *user,
    const char *password)
{
	int in[2], out[2];

	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(out), 0);
	assert_true((g->pid = fork()) >= 0);
	if (g->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execlp("gsasl", "gsasl", "--client", "--mechanism", mech,
		    "--authentication-id", user, "--password", password,
		    "--no-cb", "--quiet", (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	assert_non_null(g->to = fdopen(in[1], "w"));
	assert_non_null(g->from = fdopen(out[0], "r"));
}

/* gsasl's next line, newline removed. */
static char *
gsasl_line(struct gsasl_run *g)
{
	static char line[16384];

	if (fgets(line, sizeof(line), g->from) == NULL)
		fail_msg("gsasl said nothing more");
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

/* Closes gsasl's input and waits: its exit status. */
static int
gsasl_end(struct gsasl_run *g)
{
	int status;

	fclose(g->to);
	fclose(g->from);
	assert_int_equal(waitpid(g->pid, &status, 0), g->pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* A login with gsasl as the client, its lines relayed to the broker as
 * the protocol says: the first as the initial response, each 300 back to
 * it, and the final data of a success for it to verify.  The broker's
 * last reply code; *gsasl_status what gsasl said of it. */
static int
gsasl_login(const char *mech, const char *proto_mech, const char *user,
    const char *password, int *gsasl_status)
{
	char head[128], reply[16384], *final;
	struct gsasl_run g;
	int fd, code;

	fd = raw_connect_greeted(&broker);
	gsasl_start(&g, mech, user, password);
	assert_string_equal(gsasl_line(&g), mech);	/* its name first */
	snprintf(head, sizeof(head), "login %s %s", proto_mech, user);
	snprintf(reply, sizeof(reply), "%s %s\r\n", head, gsasl_line(&g));
	raw_send(fd, reply, strlen(reply));
	while ((code = raw_reply(fd, reply, sizeof(reply))) == 300) {
		reply[strcspn(reply, "\r")] = '\0';
		fprintf(g.to, "%s\n", reply + 4);
		fflush(g.to);
		snprintf(reply, sizeof(reply), "pass %s\r\n", gsasl_line(&g));
		raw_send(fd, reply, strlen(reply));
	}
	if (code == 200) {
		/* "200 "Logged in" FINAL": gsasl checks FINAL, then says
		 * nothing more (an empty line) and waits for one. */
		reply[strcspn(reply, "\r")] = '\0';
		if ((final = strrchr(reply, ' ')) != NULL && final[-1] == '"') {
			fprintf(g.to, "%s\n", final + 1);
			fflush(g.to);
			assert_string_equal(gsasl_line(&g), "");
		}
		fputs("\n", g.to);
	}
	*gsasl_status = gsasl_end(&g);
	close(fd);
	return code;
}

static void
test_gsasl_logs_in_with_scram_and_checks_the_server(void **state)
{
	int status;

	NEED_ROOT();
	start_sasl_broker(SASL_POLICY);
	assert_int_equal(gsasl_login("SCRAM-SHA-256", "scram-sha-256",
	    "alice", "alice-pw", &status), 200);
	/* gsasl verified server-final: it exits 0 only then. */
	assert_int_equal(status, 0);
	broker_log_expect(&broker, "audit: * user=alice mech=scram-sha-256 "
	    "* outcome=success *", 1);
	assert_int_equal(gsasl_login("SCRAM-SHA-256", "scram-sha-256",
	    "alice", "wrong-pw", &status), 506);
	broker_log_expect(&broker, "audit: * user=alice mech=scram-sha-256 "
	    "* outcome=failure * detail=bad-proof", 1);
}

static void
test_gsasl_logs_in_with_plain_through_pam(void **state)
{
	int status;

	NEED_ROOT();
	start_sasl_broker(SASL_POLICY);
	assert_int_equal(gsasl_login("PLAIN", "plain", "bob", "bob-pw",
	    &status), 200);
	assert_int_equal(status, 0);
	assert_int_equal(gsasl_login("PLAIN", "plain", "bob", "nope",
	    &status), 506);
}

/* --- Cyrus SASL ---------------------------------------------------------- */

/* Cyrus's client logging user in; authzid NULL: none. */
static int
cyrus_login_as(const char *mech, const char *user, const char *password,
    const char *authzid)
{
	const char *argv[] = { "cyrus_sasl_client", broker.sock, mech, user,
	    password, authzid, NULL };
	int status;
	pid_t pid;

	assert_true((pid = fork()) >= 0);
	if (pid == 0) {
		execv(getenv("LB_CYRUS_CLIENT"), (char *const *)argv);
		_exit(127);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static int
cyrus_login(const char *mech, const char *user, const char *password)
{
	return cyrus_login_as(mech, user, password, NULL);
}

static void
test_cyrus_sasl_logs_in_with_scram_and_plain(void **state)
{
	NEED_ROOT();
	start_sasl_broker(SASL_POLICY);
	/* 0: logged in, and Cyrus's last step verified server-final. */
	assert_int_equal(cyrus_login("SCRAM-SHA-256", "alice", "alice-pw"), 0);
	assert_int_equal(cyrus_login("PLAIN", "alice", "alice-pw"), 0);
	assert_int_equal(cyrus_login("SCRAM-SHA-256", "alice", "bad"), 1);
	assert_int_equal(cyrus_login("PLAIN", "alice", "bad"), 1);
}

/* --- libloginbroker's command ---------------------------------------------- */

static void
test_cli_logs_in_with_scram_plain_and_unix(void **state)
{
	static const char *const scram[] = { "-m", "scram-sha-256", "alice",
	    NULL };
	static const char *const plain[] = { "-m", "plain", "alice", NULL };
	static const char *const unix_root[] = { "-m", "unix", "root", NULL };
	static const char *const unix_bob[] = { "-m", "unix", "bob", NULL };
	char out[1024];

	NEED_ROOT();
	start_sasl_broker(SASL_POLICY);
	assert_int_equal(run_cli(&broker, scram, "alice-pw\n", out,
	    sizeof(out)), 0);
	assert_int_equal(run_cli(&broker, scram, "nope\n", out, sizeof(out)),
	    1);
	assert_int_equal(run_cli(&broker, plain, "alice-pw\n", out,
	    sizeof(out)), 0);
	assert_int_equal(run_cli(&broker, plain, "nope\n", out, sizeof(out)),
	    1);
	/* The CLI runs as root here: root's own name, and no other. */
	assert_int_equal(run_cli(&broker, unix_root, "", out, sizeof(out)), 0);
	assert_int_equal(run_cli(&broker, unix_bob, "", out, sizeof(out)), 1);
}

/* SCRAM as the first factor of a chain: server-final comes as a last 300,
 * which the client checks and takes with "pass =", then 306. */
static void
test_scram_then_password_proves_the_server_before_the_306(void **state)
{
	static const char *const scram[] = { "-m", "scram-sha-256", "alice",
	    NULL };
	char out[1024];

	NEED_ROOT();
	start_sasl_broker("service s {\n\tpeer any\n"
	    "\tallow scram-sha-256 then password\n}\n");
	assert_int_equal(run_cli(&broker, scram, "alice-pw\nalice-pw\n", out,
	    sizeof(out)), 0);
	assert_non_null(strstr(out, "Partial success; next: password"));
	broker_log_expect(&broker, "audit: * user=alice mech=scram-sha-256 "
	    "* outcome=partial *", 1);
	broker_log_expect(&broker, "audit: * user=alice mech=password "
	    "step=2 * outcome=success *", 1);
}

/* --- provisioning -------------------------------------------------------- */

static void
test_doveadm_entries_log_in(void **state)
{
	char path[300], out[512], line[600];
	FILE *p;
	int status;

	NEED_ROOT();
	broker_start(&broker, SASL_POLICY, NULL);
	assert_non_null(p = popen("doveadm pw -s SCRAM-SHA-256 -p carol-pw",
	    "r"));
	assert_non_null(fgets(out, sizeof(out), p));
	assert_int_equal(pclose(p), 0);
	snprintf(line, sizeof(line), "bob:%s", out);
	snprintf(path, sizeof(path), "%s/scram", broker.dir);
	assert_non_null(p = fopen(path, "w"));
	fputs(line, p);
	assert_int_equal(fclose(p), 0);
	assert_int_equal(gsasl_login("SCRAM-SHA-256", "scram-sha-256", "bob",
	    "carol-pw", &status), 200);
	assert_int_equal(status, 0);
	/* loginbrokerctl keeps the line it did not write. */
	broker_scram_set(&broker, "alice", "alice-pw");
	assert_int_equal(cyrus_login("SCRAM-SHA-256", "bob", "carol-pw"), 0);
	assert_int_equal(cyrus_login("SCRAM-SHA-256", "alice", "alice-pw"), 0);
}

/* --- what no honest client sends ----------------------------------------- */

/* Sends client-first for user with nonce, returns server-first. */
static void
scram_first(int fd, const char *user, char *server_first, size_t cap)
{
	char msg[256], reply[1024];

	snprintf(msg, sizeof(msg), "n,,n=%s,r=fyko+d2lbbFgONRv9qkxdawL", user);
	snprintf(reply, sizeof(reply), "login scram-sha-256 %s", user);
	raw_send(fd, data_line(reply, msg, strlen(msg)),
	    strlen(data_line(reply, msg, strlen(msg))));
	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 300);
	(void)reply_data(reply, server_first, cap);
}

/* One hostile exchange after login: the reply code, the audit detail. */
static void
expect_refused(int fd, const char *request, int code, const char *detail)
{
	char pattern[160];

	raw_expect(fd, request, code, NULL);
	if (detail == NULL)
		return;
	snprintf(pattern, sizeof(pattern), "audit: * outcome=failure * "
	    "detail=%s", detail);
	broker_log_expect(&broker, pattern, 1);
}

static void
test_hostile_scram_messages_get_clear_replies(void **state)
{
	static const char cb[] = "p=tls-unique,,n=alice,r=abcdefgh";
	static const char bad[] = "this is no SCRAM message";
	char first[1024], final[1200], big[3000];
	const char *line;
	int fd, status;

	NEED_ROOT();
	start_sasl_broker(SASL_POLICY);
	fd = raw_connect_greeted(&broker);
	/* Channel binding is refused cleanly, and so is -PLUS. */
	expect_refused(fd, data_line("login scram-sha-256 alice", cb,
	    strlen(cb)), 506, "channel-binding-refused");
	raw_expect(fd, "login scram-sha-256-plus alice\r\n", 508, NULL);
	/* Not a SCRAM message: the helper absorbs the parse. */
	expect_refused(fd, data_line("login scram-sha-256 alice", bad,
	    strlen(bad)), 506, "malformed-message");
	/* A client-final for another nonce. */
	scram_first(fd, "alice", first, sizeof(first));
	snprintf(final, sizeof(final), "c=biws,r=fyko+d2lbbFgONRv9qkxdawLX,"
	    "p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
	expect_refused(fd, data_line("pass", final, strlen(final)), 506,
	    "wrong-nonce");
	/* Truncated base64: 501, the data prompt stays. */
	scram_first(fd, "alice", first, sizeof(first));
	raw_expect(fd, "pass Yz1i\r\n", 506, NULL);	/* "c=b": too short */
	raw_expect(fd, "login scram-sha-256 alice Yz1\r\n", 501,
	    "501 \"Invalid base64\"\r\n");
	/* Longer than any SCRAM message: 514. */
	memset(big, 'a', sizeof(big));
	line = data_line("login scram-sha-256 alice", big, sizeof(big));
	raw_expect(fd, line, 514, NULL);
	close(fd);
	/* The broker serves the next login. */
	assert_int_equal(gsasl_login("SCRAM-SHA-256", "scram-sha-256",
	    "alice", "alice-pw", &status), 200);
}

/* An unknown user goes through the whole exchange and fails at the
 * proof, as a wrong password does: the client cannot tell. */
static void
test_unknown_user_fails_like_a_wrong_password(void **state)
{
	char first_a[1024], first_b[1024], again[1024], *salt_a, *salt_b;
	int fd, status;

	NEED_ROOT();
	start_sasl_broker(SASL_POLICY);
	assert_int_equal(gsasl_login("SCRAM-SHA-256", "scram-sha-256",
	    "nobody", "x", &status), 506);
	broker_log_expect(&broker, "audit: * user=nobody * outcome=failure "
	    "* detail=unknown-user", 1);
	/* Its salt and iterations look stored: the same at each attempt. */
	fd = raw_connect_greeted(&broker);
	scram_first(fd, "nobody", first_a, sizeof(first_a));
	raw_expect(fd, "login password bob\r\n", 301, NULL);
	scram_first(fd, "nobody", again, sizeof(again));
	scram_first(fd, "alice", first_b, sizeof(first_b));
	close(fd);
	assert_non_null(salt_a = strstr(first_a, ",s="));
	assert_non_null(salt_b = strstr(again, ",s="));
	assert_string_equal(salt_a, salt_b);
	assert_non_null(strstr(first_b, ",i=4096"));
	assert_non_null(strstr(first_a, ",i=4096"));
}

/* --- plain ---------------------------------------------------------------- */

static void
test_plain_checks_its_identities(void **state)
{
	static const char ok[] = "\0alice\0alice-pw";
	static const char same_authz[] = "alice\0alice\0alice-pw";
	static const char other_authz[] = "bob\0alice\0alice-pw";
	static const char other_authc[] = "\0bob\0bob-pw";
	static const char no_nul[] = "alice-pw";
	int fd;

	NEED_ROOT();
	start_sasl_broker(SASL_POLICY);
	fd = raw_connect_greeted(&broker);
	expect_refused(fd, data_line("login plain alice", other_authz,
	    sizeof(other_authz) - 1), 506, "plain:authzid-refused");
	expect_refused(fd, data_line("login plain alice", other_authc,
	    sizeof(other_authc) - 1), 506, "plain:authcid-mismatch");
	raw_expect(fd, data_line("login plain alice", no_nul,
	    sizeof(no_nul) - 1), 501, "501 \"Malformed message\"\r\n");
	/* Without an initial response: an empty challenge first. */
	raw_expect(fd, "login plain alice\r\n", 300, "300 =\r\n");
	raw_expect(fd, data_line("pass", same_authz, sizeof(same_authz) - 1),
	    200, NULL);
	close(fd);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, data_line("login plain alice", ok, sizeof(ok) - 1),
	    200, NULL);
	close(fd);
}

/* An authorization identity of another user needs act-for, and the
 * success then says whom the front end serves. */
static void
test_act_for_lets_a_user_log_in_as_another(void **state)
{
	static const char as_bob[] = "bob\0alice\0alice-pw";
	static const char as_alice[] = "alice\0bob\0bob-pw";
	int fd;

	NEED_ROOT();
	start_sasl_broker(ACT_FOR_POLICY);
	broker_scram_set(&broker, "bob", "bob-pw");
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, data_line("login plain alice", as_bob,
	    sizeof(as_bob) - 1), 200, "200 \"Logged in as bob\"\r\n");
	close(fd);
	broker_log_expect(&broker, "audit: * user=alice mech=plain * "
	    "outcome=success * authzid=bob *", 1);
	fd = raw_connect_greeted(&broker);
	expect_refused(fd, data_line("login plain bob", as_alice,
	    sizeof(as_alice) - 1), 506, "plain:authzid-refused");
	close(fd);
	/* The same for SCRAM's a=, through Cyrus's client. */
	assert_int_equal(cyrus_login_as("SCRAM-SHA-256", "alice", "alice-pw",
	    "bob"), 0);
	assert_int_equal(cyrus_login_as("SCRAM-SHA-256", "bob", "bob-pw",
	    "alice"), 1);
	broker_log_expect(&broker, "audit: * user=bob mech=scram-sha-256 * "
	    "outcome=failure * detail=authzid-refused", 1);
}

/* --- unix ----------------------------------------------------------------- */

static void
test_unix_logs_in_the_peers_own_user_and_locks_no_one(void **state)
{
	int fd, i;

	NEED_ROOT();
	start_sasl_broker(LOCKOUT_POLICY);
	/* uid 1001 is alice in the fixture's passwd. */
	fd = raw_connect_greeted_as(&broker, 1001, 1001);
	raw_expect(fd, "login unix alice\r\n", 200, NULL);
	close(fd);
	/* Another user's name fails, however often: the lockout (2
	 * failures) is not charged, so bob can still log in. */
	for (i = 0; i < 3; i++) {
		fd = raw_connect_greeted_as(&broker, 1001, 1001);
		raw_expect(fd, "login unix bob\r\n", 506, NULL);
		close(fd);
	}
	broker_log_expect(&broker, "audit: * user=bob mech=unix * "
	    "outcome=failure * detail=not-the-peer", 3);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login password bob\r\n", 301, NULL);
	raw_expect(fd, "pass bob-pw\r\n", 200, NULL);
	close(fd);
	/* unix takes no initial response. */
	fd = raw_connect_greeted_as(&broker, 1001, 1001);
	raw_expect(fd, "login unix alice =\r\n", 501,
	    "501 \"Mechanism takes no initial response\"\r\n");
	close(fd);
	/* A front end that names whom it serves proves nothing of them by
	 * its own uid. */
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "context 192.0.2.1\r\n", 200, NULL);
	raw_expect(fd, "login unix root\r\n", 506, NULL);
	close(fd);
	broker_log_expect(&broker, "audit: * user=root mech=unix * "
	    "outcome=failure * detail=front-end-context", 1);
}

/* A unix login proves no secret, so it clears no count of password
 * guesses: alice's second wrong password still locks her. */
static void
test_unix_success_leaves_the_lockout_count(void **state)
{
	int fd;

	NEED_ROOT();
	start_sasl_broker(LOCKOUT_POLICY);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "pass wrong\r\n", 506, NULL);
	close(fd);
	fd = raw_connect_greeted_as(&broker, 1001, 1001);
	raw_expect(fd, "login unix alice\r\n", 200, NULL);
	close(fd);
	fd = raw_connect_greeted(&broker);
	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "pass wrong-again\r\n", 506, NULL);
	raw_expect(fd, "login password alice\r\n", 515, NULL);
	close(fd);
}

/* --- a compromised worker -------------------------------------------------- */

static void
test_worker_sending_an_initial_response_out_of_place_is_killed(void **state)
{
	static const struct violation_case cases[] = {
		{ "initial password alice\n", "initial response to password",
		    "idle" },
		{ "initial plain alice\ndata x\n", "AUTH_DATA to a prompt",
		    "prompting" },
	};

	NEED_ROOT();
	broker_start(&broker, SASL_POLICY, getenv("LB_EVIL_WORKER"));
	broker_expect_violations(&broker, cases,
	    sizeof(cases) / sizeof(cases[0]));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	BROKER_TEST(f, &broker)
		T(test_gsasl_logs_in_with_scram_and_checks_the_server),
		T(test_gsasl_logs_in_with_plain_through_pam),
		T(test_cyrus_sasl_logs_in_with_scram_and_plain),
		T(test_cli_logs_in_with_scram_plain_and_unix),
		T(test_scram_then_password_proves_the_server_before_the_306),
		T(test_doveadm_entries_log_in),
		T(test_hostile_scram_messages_get_clear_replies),
		T(test_unknown_user_fails_like_a_wrong_password),
		T(test_plain_checks_its_identities),
		T(test_act_for_lets_a_user_log_in_as_another),
		T(test_unix_logs_in_the_peers_own_user_and_locks_no_one),
		T(test_unix_success_leaves_the_lockout_count),
		T(test_worker_sending_an_initial_response_out_of_place_is_killed),
#undef T
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
