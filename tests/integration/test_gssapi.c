/* SPDX-License-Identifier: ISC */
/*
 * test_gssapi.c: gssapi-with-mic through the real broker, worker and
 * GSSAPI helper, against a real MIT KDC on loopback
 * (fixtures/krb5_realm.sh): the client library's initiator and the CLI
 * with the users' tickets, a hostile client's tokens (replayed, cut,
 * random, oversized), a compromised worker, and a helper killed mid-
 * exchange.  Needs root; skipped otherwise.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <gssapi/gssapi.h>
#include <gssapi/gssapi_krb5.h>

#include "base64.h"
#include "broker_fixture.h"
#include "gss_binding.h"
#include "ipc_proto.h"
#include "line.h"
#include "loginbroker.h"
#include "testlib.h"

static struct broker_fixture broker;
static char realm[64];		/* the realm's directory */

#define REALM	"TEST.LOGINBROKER"

/* --- the realm ---------------------------------------------------------- */

static pid_t kdc;		/* the realm's KDC, our child */

static void
realm_script(const char *verb, unsigned port)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "sh '%s/krb5_realm.sh' %s '%s' %u",
	    getenv("LB_FIXTURES"), verb, realm, port);
	if (system(cmd) != 0)
		fail_msg("krb5_realm.sh %s failed", verb);
}

/* A loopback port free for both TCP and UDP (a KDC listens on both). */
static unsigned
free_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	unsigned port = 0;
	int t, u;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	while (port == 0) {
		sin.sin_port = 0;
		assert_true((t = socket(AF_INET, SOCK_STREAM, 0)) != -1);
		assert_true((u = socket(AF_INET, SOCK_DGRAM, 0)) != -1);
		assert_int_equal(bind(t, (struct sockaddr *)&sin, len), 0);
		assert_int_equal(getsockname(t, (struct sockaddr *)&sin,
		    &len), 0);
		if (bind(u, (struct sockaddr *)&sin, len) == 0)
			port = ntohs(sin.sin_port);
		close(t);
		close(u);
	}
	return port;
}

/* krb5kdc in the foreground, killed with the test if it dies first. */
static void
kdc_start(void)
{
	char conf[128];

	snprintf(conf, sizeof(conf), "%s/kdc.conf", realm);
	assert_true((kdc = fork()) != -1);
	if (kdc == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		setenv("KRB5_KDC_PROFILE", conf, 1);
		execlp("krb5kdc", "krb5kdc", "-n", "-r", REALM, (char *)NULL);
		_exit(127);
	}
}

/* One realm for every test: its configuration and replay cache for the
 * broker (which inherits them) and the clients. */
static int
realm_start(void **state)
{
	char path[128];

	if (geteuid() != 0)
		return 0;
	snprintf(realm, sizeof(realm), "/tmp/lbkrb5.XXXXXX");
	if (mkdtemp(realm) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/krb5.conf", realm);
	setenv("KRB5_CONFIG", path, 1);
	setenv("KRB5RCACHEDIR", realm, 1);
	realm_script("make", free_port());
	kdc_start();
	realm_script("tickets", 0);
	return 0;
}

static int
realm_stop(void **state)
{
	char cmd[128];

	if (kdc > 0) {
		kill(kdc, SIGTERM);
		waitpid(kdc, NULL, 0);
	}
	if (realm[0] != '\0') {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", realm);
		return system(cmd) == 0 ? 0 : -1;
	}
	return 0;
}

/* The client's tickets from now on: alice's or bob's. */
static void
use_ticket(const char *user)
{
	char name[128];

	snprintf(name, sizeof(name), "FILE:%s/%s.ccache", realm, user);
	setenv("KRB5CCNAME", name, 1);
}


/* The policy of one service "s" allowing gssapi-with-mic with the
 * realm's keytab (service.keytab unless keytab names another), and more
 * lines; a static buffer. */
static const char *
gss_policy(const char *keytab, const char *lines)
{
	static char text[2048];

	snprintf(text, sizeof(text), "service s {\n\tpeer any\n"
	    "\tkeytab %s/%s\n\tattempts 5\n%s}\n", realm,
	    keytab != NULL ? keytab : "service.keytab",
	    lines != NULL ? lines : "\tallow gssapi-with-mic\n");
	return text;
}

static void
start_gss(const char *keytab, const char *lines)
{
	broker_start(&broker, gss_policy(keytab, lines), NULL);
}

static void
start_gss_with_worker(const char *worker)
{
	broker_start(&broker, gss_policy(NULL, NULL), worker);
}

/* lb_login_gssapi for user on a fresh connection, left open in *out. */
static int
gss_login(const char *user, int flags, struct lb_conn **out)
{
	struct lb_conn *c;
	int rc;

	assert_non_null(c = lb_open(broker.sock, 0));
	rc = lb_login_gssapi(c, user, "localhost", flags);
	*out = c;
	return rc;
}

/* alice logs in with her ticket on a fresh connection, or the test
 * fails: the broker serves on. */
static void
gss_login_once(void)
{
	struct lb_conn *c;

	use_ticket("alice");
	assert_int_equal(gss_login("alice", 0, &c), LB_OK);
	lb_close(c);
}

/* --- a raw initiator, for what a hostile client sends ------------------- */

struct raw_gss {
	int fd;
	gss_ctx_id_t ctx;
	gss_name_t target;
	size_t binding_len;
	uint8_t binding[GSS_BINDING_MAX];
};

/* "login gssapi-with-mic user" on a fresh connection, and the nonce. */
static void
raw_begin(struct raw_gss *g, const char *user)
{
	gss_buffer_desc name = { 14, "host@localhost" };
	uint8_t nonce[GSS_NONCE_LEN];
	char line[128], reply[256];
	OM_uint32 minor;

	memset(g, 0, sizeof(*g));
	g->fd = raw_connect_greeted(&broker);
	snprintf(line, sizeof(line), "login gssapi-with-mic %s\r\n", user);
	raw_send(g->fd, line, strlen(line));
	assert_int_equal(raw_reply(g->fd, reply, sizeof(reply)), 300);
	reply[strcspn(reply, "\r")] = '\0';
	assert_int_equal(base64_decode(reply + 4, nonce, sizeof(nonce)),
	    GSS_NONCE_LEN);
	g->binding_len = gss_binding(nonce, user, g->binding,
	    sizeof(g->binding));
	assert_false(GSS_ERROR(gss_import_name(&minor, &name,
	    GSS_C_NT_HOSTBASED_SERVICE, &g->target)));
}

/* One initiator call with the broker's token (NULL: the first); the
 * client's token into out, its length. */
static size_t
raw_step(struct raw_gss *g, const gss_buffer_desc *in, uint8_t *out,
    OM_uint32 flags)
{
	gss_buffer_desc tok;
	OM_uint32 major, minor;
	size_t len;

	major = gss_init_sec_context(&minor, GSS_C_NO_CREDENTIAL, &g->ctx,
	    g->target, (gss_OID)gss_mech_krb5, flags | GSS_C_MUTUAL_FLAG |
	    GSS_C_INTEG_FLAG, 0, GSS_C_NO_CHANNEL_BINDINGS,
	    (gss_buffer_t)in, NULL, &tok, NULL, NULL);
	assert_false(GSS_ERROR(major));
	if ((len = tok.length) > 0)
		memcpy(out, tok.value, len);
	gss_release_buffer(&minor, &tok);
	return len;
}

/* The MIC over the binding of g's attempt. */
static size_t
raw_mic(struct raw_gss *g, uint8_t *out)
{
	gss_buffer_desc msg = { g->binding_len, g->binding }, tok;
	OM_uint32 minor;
	size_t len;

	assert_false(GSS_ERROR(gss_get_mic(&minor, g->ctx, GSS_C_QOP_DEFAULT,
	    &msg, &tok)));
	len = tok.length;
	memcpy(out, tok.value, len);
	gss_release_buffer(&minor, &tok);
	return len;
}

/* "pass DATA" with n bytes, the reply not read. */
static void
raw_send_data(struct raw_gss *g, const uint8_t *bytes, size_t n)
{
	static char line[LINE_MAX_BYTES + 16];

	memcpy(line, "pass ", 5);
	assert_true(base64_encode(bytes, n, line + 5, sizeof(line) - 8) > 0);
	strcat(line, "\r\n");
	raw_send(g->fd, line, strlen(line));
}

/* "pass DATA" with n bytes; the reply's code (its text in reply). */
static int
raw_pass(struct raw_gss *g, const uint8_t *bytes, size_t n, char *reply,
    size_t cap)
{
	raw_send_data(g, bytes, n);
	return raw_reply(g->fd, reply, cap);
}

/* The 300's data of reply, decoded into out; its length. */
static size_t
data_of(char *reply, uint8_t *out, size_t cap)
{
	ssize_t n;

	reply[strcspn(reply, "\r")] = '\0';
	if (strcmp(reply + 4, "=") == 0)
		return 0;
	assert_true((n = base64_decode(reply + 4, out, cap)) >= 0);
	return (size_t)n;
}

/* A broker for gssapi-with-mic, and alice's login begun on it with her
 * ticket. */
static void
begin_on_a_fresh_broker(struct raw_gss *g)
{
	start_gss(NULL, NULL);
	use_ticket("alice");
	raw_begin(g, "alice");
}

static void
raw_end(struct raw_gss *g)
{
	OM_uint32 minor;

	close(g->fd);
	gss_delete_sec_context(&minor, &g->ctx, GSS_C_NO_BUFFER);
	gss_release_name(&minor, &g->target);
}

/* A whole exchange: the token and MIC sent, and the final reply. */
struct captured {
	uint8_t token[MECH_DATA_MAX];
	size_t token_len;
	uint8_t mic[MECH_DATA_MAX];
	size_t mic_len;
};

static int
raw_login(const char *user, struct captured *cap)
{
	static uint8_t buf[MECH_DATA_MAX];
	struct raw_gss g;
	gss_buffer_desc in;
	char reply[8192];
	int code;

	raw_begin(&g, user);
	cap->token_len = raw_step(&g, NULL, cap->token, 0);
	assert_int_equal(raw_pass(&g, cap->token, cap->token_len, reply,
	    sizeof(reply)), 300);
	in = (gss_buffer_desc){ data_of(reply, buf, sizeof(buf)), buf };
	assert_int_equal(raw_step(&g, &in, buf, 0), 0);
	cap->mic_len = raw_mic(&g, cap->mic);
	code = raw_pass(&g, cap->mic, cap->mic_len, reply, sizeof(reply));
	raw_end(&g);
	return code;
}

/* --- logging in ----------------------------------------------------------- */

static void
test_a_ticket_logs_in_as_its_local_user(void **state)
{
	struct lb_conn *c;

	NEED_ROOT();
	start_gss(NULL, NULL);
	use_ticket("alice");
	assert_int_equal(gss_login("alice", 0, &c), LB_OK);
	assert_int_equal(lb_last_code(c), 200);
	lb_close(c);
	broker_log_expect(&broker, "audit: * user=alice mech=gssapi-with-mic "
	    "step=1 * outcome=success * detail=principal:alice@" REALM, 1);
	/* No delegation asked: no credentials kept. */
	assert_int_equal(broker_log_count(&broker, "delegated credentials"),
	    0);
}

/* The CLI with kinit's ticket, as a person at a terminal. */
static void
test_the_cli_logs_in_with_the_callers_ticket(void **state)
{
	const char *args[] = { "-m", "gssapi-with-mic", "-H", "localhost",
	    "alice", NULL };
	char out[1024];

	NEED_ROOT();
	start_gss(NULL, NULL);
	use_ticket("alice");
	assert_int_equal(run_cli(&broker, args, "", out, sizeof(out)), 0);
	assert_non_null(strstr(out, "Logged in"));
	/* Without a ticket: the initiator says why, nothing is sent. */
	setenv("KRB5CCNAME", "FILE:/nonexistent/ccache", 1);
	assert_int_equal(run_cli(&broker, args, "", out, sizeof(out)), 6);
	assert_non_null(strstr(out, "gssapi"));
}

/* ssh -K: the forwarded TGT in a cache of the user's own while the
 * connection lasts, gone after. */
static void
test_delegated_credentials_live_as_long_as_the_connection(void **state)
{
	char path[HELPER_PATH_MAX];
	struct lb_conn *c;
	struct stat st;

	NEED_ROOT();
	start_gss(NULL, NULL);
	use_ticket("alice");
	assert_int_equal(gss_login("alice", LB_DELEGATE, &c), LB_OK);
	/* The audit line comes after the cache's: that one is whole. */
	broker_log_expect(&broker, "audit: * outcome=success *", 1);
	assert_true(broker_log_wait(&broker, "delegated credentials in FILE:",
	    2000, path, sizeof(path)));
	path[strcspn(path, "\n")] = '\0';
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_uid, 1001);	/* alice, fixtures/passwd */
	assert_int_equal(st.st_gid, 1001);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_true(st.st_size > 0);
	lb_close(c);
	assert_true(broker_log_wait(&broker, "logged-in connection closed",
	    2000, NULL, 0));
	assert_int_equal(lstat(path, &st), -1);
	assert_int_equal(errno, ENOENT);
}

/* A session after a login with delegation: the user's process finds the
 * forwarded ticket through KRB5CCNAME, in a cache of its own that goes
 * when the session ends. */
static void
test_a_session_gets_the_delegated_ticket(void **state)
{
	const char *argv[] = { "/bin/sh", "-c",
	    "echo \"cache=$KRB5CCNAME\"; klist", NULL };
	char out[4096] = "", path[HELPER_PATH_MAX];
	const char *cache;
	struct lb_conn *c;
	size_t len = 0;
	ssize_t n;
	int p[2], status;

	NEED_ROOT();
	/* The keeper's stack: pam_lbtest's account and session. */
	start_gss(NULL, "\tallow gssapi-with-mic\n\tsessions yes\n"
	    "\tsession-command /bin/sh\n\tpam-service lbtest-session\n"
	    "\ttrusted-peer any\n");
	use_ticket("alice");
	assert_int_equal(gss_login("alice", LB_DELEGATE, &c), LB_OK);
	assert_int_equal(lb_session_open(c, NULL), LB_OK);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(lb_session_start(c, argv, &p[1], 1), LB_OK);
	close(p[1]);
	while (len + 1 < sizeof(out) &&
	    (n = read(p[0], out + len, sizeof(out) - 1 - len)) > 0)
		len += (size_t)n;
	out[len] = '\0';
	close(p[0]);
	assert_int_equal(lb_session_wait(c, &status), LB_OK);
	assert_int_equal(status, 0);
	lb_close(c);
	if ((cache = strstr(out, "cache=FILE:")) == NULL ||
	    sscanf(cache, "cache=FILE:%255s", path) != 1 ||
	    strncmp(path, "/tmp/krb5cc_1001_", 17) != 0 ||
	    strstr(out, "alice@" REALM) == NULL)
		fail_msg("the session said: %s", out);
	/* Gone with the session. */
	assert_int_equal(access(path, F_OK), -1);
}

/* The same login through a non-blocking connection: LB_EAGAIN until
 * the socket is ready, then the same call again. */
static void
test_a_nonblocking_client_logs_in(void **state)
{
	struct pollfd pfd;
	struct lb_conn *c;
	int rc, again = 0;

	NEED_ROOT();
	start_gss(NULL, NULL);
	use_ticket("alice");
	assert_non_null(c = lb_open(broker.sock, LB_NONBLOCK));
	while ((rc = lb_login_gssapi(c, "alice", "localhost", LB_DELEGATE)) ==
	    LB_EAGAIN) {
		pfd = (struct pollfd){ lb_fd(c), lb_want(c), 0 };
		assert_int_equal(poll(&pfd, 1, 5000), 1);
		again++;
	}
	assert_int_equal(rc, LB_OK);
	assert_true(again > 0);
	lb_close(c);
}

/* gss-principal: only that principal's key accepts; one the keytab does
 * not hold is a system error, said in the log. */
static void
test_a_strict_acceptor_takes_only_its_principal(void **state)
{
	struct lb_conn *c;

	NEED_ROOT();
	start_gss(NULL, "\tgss-principal host/localhost@" REALM "\n"
	    "\tallow gssapi-with-mic\n");
	use_ticket("alice");
	assert_int_equal(gss_login("alice", 0, &c), LB_OK);
	lb_close(c);
	broker_stop(&broker);

	start_gss(NULL, "\tgss-principal HTTP/localhost\n"
	    "\tallow gssapi-with-mic\n");
	assert_int_equal(gss_login("alice", 0, &c), LB_UNAVAILABLE);
	assert_int_equal(lb_last_code(c), 505);
	lb_close(c);
	broker_log_expect(&broker, "audit: * outcome=error * detail=keytab",
	    1);
	assert_int_equal(broker_log_count(&broker, "helper stderr: "
	    "\"gssapi: "), 1);
}

/* --- refusals, each its own detail --------------------------------------- */

/* Logs user in with the current ticket and expects 506 and one audit
 * failure with detail. */
static void
expect_refused(const char *user, const char *detail)
{
	char pattern[256];
	struct lb_conn *c;

	assert_int_equal(gss_login(user, LB_DELEGATE, &c), LB_DENIED);
	assert_int_equal(lb_last_code(c), 506);
	lb_close(c);
	snprintf(pattern, sizeof(pattern), "audit: * user=%s "
	    "mech=gssapi-with-mic * outcome=failure * detail=%s", user,
	    detail);
	broker_log_expect(&broker, pattern, 1);
	/* Nothing delegated is kept for a refused login. */
	assert_int_equal(broker_log_count(&broker, "delegated credentials"),
	    0);
}

static void
test_a_keytab_without_the_current_key_refuses(void **state)
{
	NEED_ROOT();
	start_gss("old.keytab", NULL);
	use_ticket("alice");
	expect_refused("alice", "wrong-service-key");
}

/* bob's ticket for alice's account: no .k5login lets him in. */
static void
test_a_principal_that_may_not_log_in_as_the_user_is_refused(void **state)
{
	NEED_ROOT();
	start_gss(NULL, NULL);
	use_ticket("bob");
	expect_refused("alice", "not-allowed:principal:bob@" REALM);
	/* bob's ticket is good for bob. */
	struct lb_conn *c;

	assert_int_equal(gss_login("bob", 0, &c), LB_OK);
	lb_close(c);
}

static void
test_a_realm_the_service_refuses_is_refused(void **state)
{
	NEED_ROOT();
	start_gss(NULL, "\trealms OTHER.REALM,EXAMPLE.ORG\n"
	    "\tallow gssapi-with-mic\n");
	use_ticket("alice");
	expect_refused("alice", "realm-refused:principal:alice@" REALM);
}

/* A token and MIC from one connection prove nothing on another: the
 * token is a replayed authenticator, and a MIC is over another nonce. */
static void
test_a_captured_token_or_mic_replayed_is_refused(void **state)
{
	static uint8_t buf[MECH_DATA_MAX];
	static struct captured first;
	struct raw_gss g;
	gss_buffer_desc in;
	char reply[8192];

	NEED_ROOT();
	start_gss(NULL, NULL);
	use_ticket("alice");
	assert_int_equal(raw_login("alice", &first), 200);

	raw_begin(&g, "alice");
	assert_int_equal(raw_pass(&g, first.token, first.token_len, reply,
	    sizeof(reply)), 506);
	raw_end(&g);
	broker_log_expect(&broker, "audit: * outcome=failure * "
	    "detail=replayed-authenticator", 1);

	/* A fresh token, then the first connection's MIC. */
	raw_begin(&g, "alice");
	in.length = raw_step(&g, NULL, buf, 0);
	assert_int_equal(raw_pass(&g, buf, in.length, reply, sizeof(reply)),
	    300);
	in = (gss_buffer_desc){ data_of(reply, buf, sizeof(buf)), buf };
	assert_int_equal(raw_step(&g, &in, buf, 0), 0);
	assert_int_equal(raw_pass(&g, first.mic, first.mic_len, reply,
	    sizeof(reply)), 506);
	raw_end(&g);
	broker_log_expect(&broker, "audit: * outcome=failure * "
	    "detail=bad-mic", 1);
}

/* Time: with an acceptor that allows one second of skew, a token held
 * back three seconds is stale, and one made from a ticket that has
 * expired since is refused for that. */
/* A token made now with ticket's credentials, sent seconds later: 506
 * and one audit failure with detail. */
static void
send_late(const char *ticket, unsigned seconds, const char *detail)
{
	static uint8_t token[MECH_DATA_MAX];
	char pattern[128], reply[8192];
	struct raw_gss g;
	size_t len;

	use_ticket(ticket);
	raw_begin(&g, "alice");
	len = raw_step(&g, NULL, token, 0);
	sleep(seconds);
	assert_int_equal(raw_pass(&g, token, len, reply, sizeof(reply)), 506);
	raw_end(&g);
	snprintf(pattern, sizeof(pattern), "audit: * outcome=failure * "
	    "detail=%s", detail);
	broker_log_expect(&broker, pattern, 1);
}

static void
test_a_stale_token_or_an_expired_ticket_is_refused(void **state)
{
	char conf[128], cmd[512];

	NEED_ROOT();
	snprintf(conf, sizeof(conf), "%s/krb5-skew1.conf", realm);
	setenv("KRB5_CONFIG", conf, 1);
	start_gss(NULL, NULL);
	snprintf(conf, sizeof(conf), "%s/krb5.conf", realm);
	setenv("KRB5_CONFIG", conf, 1);

	send_late("alice", 3, "clock-skew");
	/* A ticket good for two seconds, used at once, arriving late. */
	snprintf(cmd, sizeof(cmd), "echo alice-pw | KRB5CCNAME=FILE:%s/short"
	    ".ccache kinit -l 2s alice >/dev/null", realm);
	assert_int_equal(system(cmd), 0);
	send_late("short", 4, "ticket-expired");
}

/* The entries of the broker's ccache directory. */
static unsigned
caches_left(void)
{
	char dir[128];
	struct dirent *d;
	unsigned n = 0;
	DIR *dp;

	snprintf(dir, sizeof(dir), "%s/ccache", broker.dir);
	assert_non_null(dp = opendir(dir));
	while ((d = readdir(dp)) != NULL)
		n += d->d_name[0] != '.';
	closedir(dp);
	return n;
}

/* A deny rule refuses after the ticket was proven and forwarded: the
 * forwarded TGT is not kept a moment longer, nor named in the log. */
static void
test_a_refused_login_keeps_no_delegated_credentials(void **state)
{
	struct lb_conn *c;

	NEED_ROOT();
	start_gss(NULL, "\tdeny user alice\n\tallow gssapi-with-mic\n");
	use_ticket("alice");
	assert_int_equal(gss_login("alice", LB_DELEGATE, &c), LB_DENIED);
	assert_int_equal(caches_left(), 0);
	lb_close(c);
	broker_log_expect(&broker, "audit: * user=alice mech=gssapi-with-mic "
	    "* outcome=denied *", 1);
	assert_int_equal(broker_log_count(&broker, "delegated credentials"),
	    0);
}

/* Caches a broker left behind (it was killed) are removed at its next
 * start. */
static void
test_the_start_removes_caches_left_behind(void **state)
{
	char path[256];
	int fd;

	NEED_ROOT();
	start_gss(NULL, NULL);
	snprintf(path, sizeof(path), "%s/ccache/krb5cc_lb_0123456789abcdef",
	    broker.dir);
	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600)) !=
	    -1);
	close(fd);
	broker_restart(&broker);
	assert_int_equal(caches_left(), 0);
}

/* --- a hostile client --------------------------------------------------- */

static void
test_garbage_and_cut_tokens_are_refused_and_the_broker_goes_on(
    void **state)
{
	static uint8_t junk[2048], token[MECH_DATA_MAX];
	struct raw_gss g;
	char reply[8192];
	size_t len;

	NEED_ROOT();
	assert_int_equal(getrandom(junk, sizeof(junk), 0),
	    (ssize_t)sizeof(junk));
	begin_on_a_fresh_broker(&g);
	assert_int_equal(raw_pass(&g, junk, sizeof(junk), reply,
	    sizeof(reply)), 506);
	raw_end(&g);

	/* A valid token cut in half. */
	raw_begin(&g, "alice");
	len = raw_step(&g, NULL, token, 0);
	assert_int_equal(raw_pass(&g, token, len / 2, reply, sizeof(reply)),
	    506);
	raw_end(&g);
	/* Random bytes are no token at all; a cut one fails inside. */
	broker_log_expect(&broker, "audit: * outcome=failure * "
	    "detail=malformed-token", 1);
	broker_log_expect(&broker, "audit: * outcome=failure * "
	    "detail=token-rejected", 1);
	gss_login_once();
}

/* 1 MiB of base64 in one line: refused by the worker before anything is
 * decoded, and the exchange goes on. */
static void
test_an_oversized_token_is_refused_and_the_exchange_goes_on(void **state)
{
	static uint8_t buf[MECH_DATA_MAX];
	struct raw_gss g;
	gss_buffer_desc in;
	char reply[8192], *line;
	size_t len, big = 1 << 20;

	NEED_ROOT();
	begin_on_a_fresh_broker(&g);
	assert_non_null(line = malloc(big + 8));
	memcpy(line, "pass ", 5);
	memset(line + 5, 'A', big);
	memcpy(line + 5 + big, "\r\n", 2);
	raw_send(g.fd, line, big + 7);
	free(line);
	assert_int_equal(raw_reply(g.fd, reply, sizeof(reply)), 500);
	assert_non_null(strstr(reply, "Line too long"));

	len = raw_step(&g, NULL, buf, 0);
	assert_int_equal(raw_pass(&g, buf, len, reply, sizeof(reply)), 300);
	in = (gss_buffer_desc){ data_of(reply, buf, sizeof(buf)), buf };
	assert_int_equal(raw_step(&g, &in, buf, 0), 0);
	len = raw_mic(&g, buf);
	assert_int_equal(raw_pass(&g, buf, len, reply, sizeof(reply)), 200);
	raw_end(&g);
}

/* Once the broker's context is complete, the next data is the MIC: a
 * token sent again instead fails as one. */
static void
test_a_token_where_the_mic_belongs_fails_as_a_bad_mic(void **state)
{
	static uint8_t token[MECH_DATA_MAX];
	struct raw_gss g;
	char reply[8192];
	size_t len;

	NEED_ROOT();
	begin_on_a_fresh_broker(&g);
	len = raw_step(&g, NULL, token, 0);
	assert_int_equal(raw_pass(&g, token, len, reply, sizeof(reply)), 300);
	/* The AP-REP came; the context is complete on the broker's side:
	 * whatever comes now is the MIC, and a wrong one ends it. */
	assert_int_equal(raw_pass(&g, token, len, reply, sizeof(reply)), 506);
	raw_end(&g);
	broker_log_expect(&broker, "audit: * detail=bad-mic", 1);
}

/* --- a broker that is not what it claims ------------------------------- */

/* Serves one connection on path as a fake broker: the greeting, a nonce
 * for the login, then after the client's token the reply given. */
static pid_t
fake_broker(const char *path, const char *reply)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char line[8192];
	pid_t pid;
	int l, c;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	assert_true((l = socket(AF_UNIX, SOCK_STREAM, 0)) != -1);
	assert_int_equal(bind(l, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(listen(l, 1), 0);
	assert_true((pid = fork()) != -1);
	if (pid > 0) {
		close(l);
		return pid;
	}
	if ((c = accept(l, NULL, NULL)) == -1)
		_exit(1);
	/* One read per request: the client writes each line whole. */
	if (write(c, "201 1 1\r\n", 9) != 9 || read(c, line, sizeof(line)) <= 0 ||
	    write(c, "300 AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\r\n", 50) != 50 ||
	    read(c, line, sizeof(line)) <= 0 ||
	    write(c, reply, strlen(reply)) != (ssize_t)strlen(reply))
		_exit(1);
	(void)!read(c, line, sizeof(line));
	_exit(0);
}

/* The client library believes a broker only once it proved itself: a
 * success before the acceptor's token, a partial one, or a token that is
 * not Kerberos's gets no LB_OK. */
static void
test_the_client_believes_no_broker_that_did_not_prove_itself(void **state)
{
	static const struct {
		const char *reply;
		int want;
	} cases[] = {
		{ "200 \"Logged in\"\r\n", LB_PROTOCOL_ERROR },
		{ "306 totp\r\n", LB_PROTOCOL_ERROR },
		{ "300 AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=\r\n",
		    LB_ABORTED },
	};
	char dir[] = "/tmp/lbfake.XXXXXX", path[64];
	struct lb_conn *c;
	size_t i;
	pid_t pid;
	int status;

	NEED_ROOT();
	assert_non_null(mkdtemp(dir));
	use_ticket("alice");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(path, sizeof(path), "%s/sock%zu", dir, i);
		pid = fake_broker(path, cases[i].reply);
		assert_non_null(c = lb_open(path, 0));
		assert_int_equal(lb_login_gssapi(c, "alice", "localhost", 0),
		    cases[i].want);
		if (cases[i].want == LB_ABORTED)
			assert_non_null(strstr(lb_last_text(c), "gssapi"));
		lb_close(c);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		unlink(path);
	}
	rmdir(dir);
}

/* Eight logins begun at once (more helpers than stand ready), their
 * tokens all sent before any answer is read, one of them hanging up half
 * way through its next request: the other seven log in, and the broker
 * serves on. */
static void
test_many_at_once_and_one_hanging_up_mid_way(void **state)
{
	static uint8_t buf[MECH_DATA_MAX];
	static struct raw_gss g[8];
	gss_buffer_desc in;
	char reply[8192];
	size_t i, len;

	NEED_ROOT();
	start_gss(NULL, NULL);
	use_ticket("alice");
	for (i = 0; i < 8; i++)
		raw_begin(&g[i], "alice");
	for (i = 0; i < 8; i++)
		raw_send_data(&g[i], buf, raw_step(&g[i], NULL, buf, 0));
	raw_send(g[0].fd, "pass ", 5);
	raw_end(&g[0]);
	for (i = 1; i < 8; i++) {
		assert_int_equal(raw_reply(g[i].fd, reply, sizeof(reply)), 300);
		in = (gss_buffer_desc){ data_of(reply, buf, sizeof(buf)), buf };
		assert_int_equal(raw_step(&g[i], &in, buf, 0), 0);
		len = raw_mic(&g[i], buf);
		assert_int_equal(raw_pass(&g[i], buf, len, reply,
		    sizeof(reply)), 200);
		raw_end(&g[i]);
	}
	broker_log_expect(&broker, "audit: * outcome=success * "
	    "detail=principal:alice@" REALM, 7);
	gss_login_once();
}

/* --- chains and the helper ------------------------------------------------ */

static void
test_gssapi_then_totp_is_a_partial_success(void **state)
{
	const char *const *next;
	struct lb_conn *c;
	size_t n;

	NEED_ROOT();
	start_gss(NULL, "\tallow gssapi-with-mic then totp\n");
	use_ticket("alice");
	assert_int_equal(gss_login("alice", 0, &c), LB_PARTIAL);
	assert_int_equal(lb_last_code(c), 306);
	assert_int_equal(lb_next_mechanisms(c, &next, &n), LB_OK);
	assert_int_equal(n, 1);
	assert_string_equal(next[0], "totp");
	lb_close(c);
	broker_log_expect(&broker, "audit: * mech=gssapi-with-mic step=1 * "
	    "outcome=partial * detail=principal:alice@" REALM, 1);
}

/* The pids of the children of pid whose command is comm. */
static size_t
children_named(pid_t pid, const char *comm, pid_t *out, size_t cap)
{
	char path[64], line[4096], name[32], *tok, *save;
	size_t n = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid,
	    (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(line, sizeof(line), f) == NULL)
		line[0] = '\0';
	fclose(f);
	for (tok = strtok_r(line, " \n", &save); tok != NULL && n < cap;
	    tok = strtok_r(NULL, " \n", &save)) {
		snprintf(path, sizeof(path), "/proc/%s/comm", tok);
		if ((f = fopen(path, "r")) == NULL)
			continue;
		if (fgets(name, sizeof(name), f) != NULL &&
		    strncmp(name, comm, strcspn(name, "\n")) == 0 &&
		    strlen(comm) == strcspn(name, "\n"))
			out[n++] = (pid_t)atoi(tok);
		fclose(f);
	}
	return n;
}

/* The helpers killed while one waits for its client's token: that login
 * gets 505, a password login in the middle of its dialog does not
 * notice. */
static void
test_a_helper_killed_mid_exchange_fails_only_its_login(void **state)
{
	pid_t zygote, helpers[16];
	struct raw_gss g;
	char reply[8192];
	size_t i, n;
	int other;

	NEED_ROOT();
	start_gss(NULL, "\tallow gssapi-with-mic or password\n");
	use_ticket("alice");
	other = raw_connect_greeted(&broker);
	raw_expect(other, "login password alice\r\n", 301, NULL);
	raw_begin(&g, "alice");
	assert_int_equal(children_named(broker.pid, "loginbroker-gss",
	    &zygote, 1), 1);
	assert_true((n = children_named(zygote, "loginbroker-gss", helpers,
	    16)) >= 1);
	for (i = 0; i < n; i++)
		assert_int_equal(kill(helpers[i], SIGKILL), 0);
	/* The nonce is with the client; the helper's end answers it. */
	assert_int_equal(raw_reply(g.fd, reply, sizeof(reply)), 505);
	raw_end(&g);
	broker_log_expect(&broker, "audit: * outcome=error * "
	    "detail=\"GSSAPI helper died\"", 1);
	raw_expect(other, "pass alice-pw\r\n", 200, NULL);
	close(other);
	gss_login_once();
}

/* Whether /proc/pid/limits has a line starting with name whose soft and
 * hard limits are both value. */
static bool
has_limit(pid_t pid, const char *name, const char *value)
{
	char path[64], line[256], want[128];
	bool found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/limits", (int)pid);
	snprintf(want, sizeof(want), "%-26s%-21s%-21s", name, value, value);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	while (!found && fgets(line, sizeof(line), f) != NULL)
		found = strncmp(line, want, strlen(want)) == 0;
	fclose(f);
	return found;
}

/* Whether pid's / is mounted read-only (/proc/pid/mountinfo: mount
 * point, then its options). */
static bool
root_is_read_only(pid_t pid)
{
	char path[64], line[1024], point[256], opts[256];
	bool ro = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/mountinfo", (int)pid);
	assert_non_null(f = fopen(path, "r"));
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%*s %*s %*s %*s %255s %255s", point,
		    opts) == 2 && strcmp(point, "/") == 0)
			ro = strncmp(opts, "ro,", 3) == 0 ||
			    strcmp(opts, "ro") == 0;
	fclose(f);
	return ro;
}

/* doc/sandbox.md, "The GSSAPI helper": three capabilities, no network,
 * a read-only root, its filter, no_new_privs, and a working helper's own
 * limits. */
static void
test_a_helper_is_confined_as_documented(void **state)
{
	/* CAP_CHOWN, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH: bits 0-2. */
	static const char *const status[][2] = {
		{ "CapEff", "0000000000000007" },
		{ "CapPrm", "0000000000000007" },
		{ "CapBnd", "0000000000000007" },
		{ "CapInh", "0000000000000000" },
		{ "CapAmb", "0000000000000000" },
		{ "NoNewPrivs", "1" },
		{ "Seccomp_filters", "1" },
	};
	char v[64], ours[64], theirs[64], path[64];
	pid_t zygote, helpers[16];
	size_t i, k, n, working = 0;
	struct raw_gss g;
	ssize_t len;
	int tries;

	NEED_ROOT();
	begin_on_a_fresh_broker(&g);
	assert_int_equal(children_named(broker.pid, "loginbroker-gss",
	    &zygote, 1), 1);
	assert_true((n = children_named(zygote, "loginbroker-gss", helpers,
	    16)) >= 1);
	assert_true((len = readlink("/proc/self/ns/net", ours,
	    sizeof(ours) - 1)) > 0);
	ours[len] = '\0';
	for (i = 0; i < n; i++) {
		for (k = 0; k < sizeof(status) / sizeof(status[0]); k++) {
			assert_non_null(test_proc_status(helpers[i],
			    status[k][0], v, sizeof(v)));
			if (strcmp(v, status[k][1]) != 0)
				fail_msg("helper %d: %s %s, not %s",
				    (int)helpers[i], status[k][0], v,
				    status[k][1]);
		}
		assert_true(root_is_read_only(helpers[i]));
		snprintf(path, sizeof(path), "/proc/%d/ns/net",
		    (int)helpers[i]);
		assert_true((len = readlink(path, theirs,
		    sizeof(theirs) - 1)) > 0);
		theirs[len] = '\0';
		assert_string_not_equal(theirs, ours);
	}
	/* The one that has the attempt lowers its limits as it reads it,
	 * one after the other: seen once they all are. */
	for (tries = 0; working == 0 && tries < 200; tries++) {
		for (i = 0; i < n; i++)
			if (has_limit(helpers[i], "Max cpu time", "10") &&
			    has_limit(helpers[i], "Max open files", "64") &&
			    has_limit(helpers[i], "Max file size",
			    "67108864") &&
			    has_limit(helpers[i], "Max core file size", "0"))
				working++;
		if (working == 0)
			usleep(10000);
	}
	assert_int_equal(working, 1);
	raw_end(&g);
}

/* A keytab gone after the start: 505, the reason in the log. */
static void
test_an_unreadable_keytab_is_a_system_error(void **state)
{
	char keytab[128], moved[128];
	struct lb_conn *c;

	NEED_ROOT();
	snprintf(keytab, sizeof(keytab), "%s/service.keytab", realm);
	snprintf(moved, sizeof(moved), "%s/service.keytab.away", realm);
	start_gss(NULL, NULL);
	use_ticket("alice");
	assert_int_equal(rename(keytab, moved), 0);
	assert_int_equal(gss_login("alice", 0, &c), LB_UNAVAILABLE);
	assert_int_equal(lb_last_code(c), 505);
	lb_close(c);
	assert_int_equal(rename(moved, keytab), 0);
	broker_log_expect(&broker, "audit: * outcome=error * detail=keytab",
	    1);
	assert_true(broker_log_count(&broker, "service.keytab") >= 1);
}

/* A keytab that cannot be read stops the start: no service that can
 * only fail. */
static void
test_a_missing_keytab_stops_the_start(void **state)
{
	char path[128], out[2048];
	int status;

	NEED_ROOT();
	status = broker_start_failing(&broker, "service s {\n\tpeer any\n"
	    "\tkeytab /nonexistent/krb5.keytab\n"
	    "\tallow gssapi-with-mic\n}\n", NULL);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) != 0);
	assert_int_equal(broker_log_count(&broker,
	    "keytab /nonexistent/krb5.keytab: No such file"), 1);
	/* loginbrokerd -n says so before any start. */
	snprintf(path, sizeof(path), "%s/config", broker.dir);
	assert_int_equal(run_check(path, out, sizeof(out)), 1);
	assert_non_null(strstr(out, "service s: keytab "
	    "/nonexistent/krb5.keytab: No such file or directory"));
	broker_stop(&broker);
}

/* --- a compromised worker ------------------------------------------------- */

/* A worker that sends the client's data again while the helper has the
 * first is out of sequence: killed, its helper with it, and the broker
 * serves on. */
static void
test_a_worker_sending_data_out_of_turn_is_killed(void **state)
{
	int fd;

	NEED_ROOT();
	start_gss_with_worker(getenv("LB_EVIL_WORKER"));
	fd = raw_connect(&broker);
	raw_send(fd, "begin gssapi-with-mic alice\nwait\ndata x\ndata y\n",
	    48);
	broker_log_expect(&broker, "session 1: worker * broke the protocol "
	    "in state verifying: *; killed", 1);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f)	BROKER_TEST(f, &broker)
		T(test_a_ticket_logs_in_as_its_local_user),
		T(test_the_cli_logs_in_with_the_callers_ticket),
		T(test_delegated_credentials_live_as_long_as_the_connection),
		T(test_a_session_gets_the_delegated_ticket),
		T(test_a_nonblocking_client_logs_in),
		T(test_a_strict_acceptor_takes_only_its_principal),
		T(test_a_keytab_without_the_current_key_refuses),
		T(test_a_principal_that_may_not_log_in_as_the_user_is_refused),
		T(test_a_realm_the_service_refuses_is_refused),
		T(test_a_captured_token_or_mic_replayed_is_refused),
		T(test_a_refused_login_keeps_no_delegated_credentials),
		T(test_the_start_removes_caches_left_behind),
		T(test_a_stale_token_or_an_expired_ticket_is_refused),
		T(test_garbage_and_cut_tokens_are_refused_and_the_broker_goes_on),
		T(test_an_oversized_token_is_refused_and_the_exchange_goes_on),
		T(test_a_token_where_the_mic_belongs_fails_as_a_bad_mic),
		T(test_the_client_believes_no_broker_that_did_not_prove_itself),
		T(test_many_at_once_and_one_hanging_up_mid_way),
		T(test_gssapi_then_totp_is_a_partial_success),
		T(test_a_helper_killed_mid_exchange_fails_only_its_login),
		T(test_a_helper_is_confined_as_documented),
		T(test_an_unreadable_keytab_is_a_system_error),
		T(test_a_missing_keytab_stops_the_start),
		T(test_a_worker_sending_data_out_of_turn_is_killed),
#undef T
	};

	return cmocka_run_group_tests(tests, realm_start, realm_stop);
}
