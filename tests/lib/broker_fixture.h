/* SPDX-License-Identifier: ISC */
/*
 * broker_fixture.h: the real loginbrokerd for integration tests, on a
 * temporary socket, with PAM through pam_wrapper and pam_matrix (no file
 * outside the temporary directory is read or written).
 */
#ifndef LB_BROKER_FIXTURE_H
#define LB_BROKER_FIXTURE_H

#include <stdbool.h>
#include <sys/types.h>

struct broker_fixture {
	char dir[64];
	char sock[96];
	char greetd_sock[96];	/* greetd's protocol */
	char log[128];
	char worker[256];
	pid_t pid;
	unsigned starts;	/* "listening on" lines seen */
	struct {		/* set before a start, for that one only */
		unsigned nofile;	/* RLIMIT_NOFILE, soft and hard;
					 * 0: the test's own */
		bool plain_chroot;	/* in a chroot whose / is no mount
					 * point */
		bool system_users;	/* the system's users (no
					 * nss_wrapper), for a real stack */
		const char *slow_user;	/* with the fixture's users: NSS
					 * takes a minute to look this one
					 * up (tests/fixtures/nss_lbslow.c,
					 * a directory gone); NULL: none */
		const char *bounding_set;	/* capability names, as
						 * systemd's Capability-
						 * BoundingSet= takes them:
						 * the broker keeps those
						 * alone; NULL: all */
	} with;
};

/* Starts the broker with the test configuration plus extra lines (may be
 * NULL) and the given worker executable (NULL: the real one); returns once
 * it listens. Aborts the test on failure. */
void broker_start(struct broker_fixture *b, const char *extra_config,
    const char *worker);

/* The same for a broker that must refuse to start: waits up to 10 s for
 * it to exit and returns its wait status; its log stays for reading
 * until broker_stop removes the directory. */
int broker_start_failing(struct broker_fixture *b, const char *extra_config,
    const char *worker);

/* Stops the broker (SIGTERM, then waits) and removes its directory; a
 * second call does nothing. */
void broker_stop(struct broker_fixture *b);

/* A cmocka teardown: broker_stop on the fixture *state points at, for a
 * broker the test left running, stopped, or that failed to start.  A test
 * is registered with it as BROKER_TEST(test, &fixture). */
int broker_teardown(void **state);
#define BROKER_TEST(f, b) \
	cmocka_unit_test_prestate_setup_teardown(f, NULL, broker_teardown, b)

/* Stops the broker cleanly and starts it again on the same directory
 * (state files, log and configuration kept). */
void broker_restart(struct broker_fixture *b);

/* Writes extra lines, then the test settings that extra does not set:
 * the sockets (mode 0666), the state files and the delegated
 * credentials' directory in the test directory, the build's programs,
 * failure_delay_ms 50. */
void broker_write_config(const struct broker_fixture *b, const char *extra);

/* Rewrites the configuration with extra, sends SIGHUP and waits until the
 * log has one more line containing expect. */
void broker_reload(struct broker_fixture *b, const char *extra_config,
    const char *expect);

/* Writes text as PAM service name's stack for the broker's next start. */
void broker_pam_service(const struct broker_fixture *b, const char *name,
    const char *text);

/* A service block admitting any peer, on pam_service, with more lines
 * (each ending in a newline); a static buffer. */
const char *broker_service(const char *name, const char *pam_service,
    const char *lines);

/* Lines of the broker log containing needle. */
unsigned broker_log_count(const struct broker_fixture *b, const char *needle);

/* Waits up to timeout_ms for the broker log to contain needle; copies the
 * rest of the line after it into rest[cap] when rest is not NULL. */
bool broker_log_wait(const struct broker_fixture *b, const char *needle,
    int timeout_ms, char *rest, size_t cap);

/* Log lines whose message (the text after "loginbrokerd: ") matches the
 * fnmatch(3) pattern: a whole line, so a field cannot match elsewhere. */
unsigned broker_log_matches(const struct broker_fixture *b,
    const char *pattern);

/* Fails the test unless exactly count lines match pattern, waiting up to
 * 2 s for the broker to write them. */
void broker_log_expect(const struct broker_fixture *b, const char *pattern,
    unsigned count);

/* A blocking connection with a 5 s receive timeout; aborts on failure. */
int raw_connect(const struct broker_fixture *b);

/* The same, connected by a process with these ids (SO_PEERCRED). */
int raw_connect_as(const struct broker_fixture *b, uid_t uid, gid_t gid);

/* The same on the socket at path (greetd's, say). */
int raw_connect_path_as(const char *path, uid_t uid, gid_t gid);

/* A connection (as root, or as uid/gid) that has read the greeting
 * "201 1 1"; aborts otherwise. */
int raw_connect_greeted(const struct broker_fixture *b);
int raw_connect_greeted_as(const struct broker_fixture *b, uid_t uid,
    gid_t gid);

/* Sends request and checks the reply's code and, unless want is NULL, the
 * whole reply, every line of it. */
void raw_expect(int fd, const char *request, int code, const char *want);

/* Sends len bytes; aborts on failure. */
void raw_send(int fd, const char *bytes, size_t len);

/* Reads one whole reply (continuation lines included) into buf and
 * returns its code, or -1 at the end of the stream before any byte.
 * Fails the test when no reply comes within 5 s or a reply is cut. */
int raw_reply(int fd, char *buf, size_t cap);

/* Logs alice in (password alice-pw) on a fresh connection, or fails. */
void broker_login_once(const struct broker_fixture *b);

/* Fails the test unless the broker has closed the connection: the next
 * read sees the end of the stream or a reset (not a byte, not 5 s of
 * silence). */
void raw_expect_closed(int fd);

/* Runs path (from PATH when it has no '/') with argv, PAM through
 * pam_wrapper on the PAM directory pam_dir, stdin_text on its stdin: its
 * exit status; its stdout and stderr go to out[cap]. */
int run_in_pam_dir(const char *pam_dir, const char *path,
    const char *const *argv, const char *stdin_text, char *out, size_t cap);

/* Runs the loginbroker CLI with stdin_text and returns its exit status;
 * its stdout and stderr go to out[cap]. */
int run_cli(const struct broker_fixture *b, const char *const *args,
    const char *stdin_text, char *out, size_t cap);

/* Runs "loginbrokerd -n -c path" with the fixture's users: its exit
 * status, its output in out[cap]. */
int run_check(const char *path, char *out, size_t cap);

/* Runs loginbrokerctl with the broker's configuration and the fixture's
 * users; its exit status, its output in out[cap]. */
int run_ctl(const struct broker_fixture *b, const char *const *args,
    char *out, size_t cap);

/* The same, with stdin_text on its stdin. */
int run_ctl_input(const struct broker_fixture *b, const char *const *args,
    const char *stdin_text, char *out, size_t cap);

/* Gives user SCRAM-SHA-256 keys for password, through loginbrokerctl
 * scram set. */
void broker_scram_set(const struct broker_fixture *b, const char *user,
    const char *password);

/* Fails the test unless the broker logged, once, that session id's
 * worker broke the protocol in state with why, and was killed. */
void broker_expect_violation(const struct broker_fixture *b, unsigned id,
    const char *state, const char *why);

/* A compromised worker's orders (tests/fixtures/evil_worker.c) and the
 * violation they must end in. */
struct violation_case {
	const char *orders, *why, *state;
};

/* Each case's orders on a fresh connection (the broker's sessions 1, 2,
 * ... in order), each expected to end in its violation. */
void broker_expect_violations(const struct broker_fixture *b,
    const struct violation_case *cases, size_t n);

/* Enrolls user for totp with loginbrokerctl; the URI it prints, in
 * uri[cap]. */
void broker_totp_enroll(const struct broker_fixture *b, const char *user,
    char *uri, size_t cap);

/* The code an authenticator app shows now (offset in 30 s steps) for
 * user's secret in the broker's totp file. */
void broker_totp_code(const struct broker_fixture *b, const char *user,
    int offset, char code[7]);

/* The worker process serving a session that waits at a prompt now: the
 * pid the broker logged for session id. */
pid_t session_worker_pid(const struct broker_fixture *b, unsigned id);

#endif
