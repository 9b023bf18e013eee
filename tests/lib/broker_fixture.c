/* broker_fixture.c: start, drive and stop the real broker. */
#include "broker_fixture.h"

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
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

/* Paths come from meson (tests/meson.build). */
static const char *
env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL)
		fail_msg("%s is not set: run through meson test", name);
	return v;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* Services "lbtest-VARIANT" on tests/fixtures/pam_lbtest.c, one per
 * conversation or account state the tests need. */
static void
write_test_services(const struct broker_fixture *b)
{
	static const struct {
		const char *name, *auth, *account;
	} services[] = {
		{ "plain", "", "" },
		{ "two", "two", "" },
		{ "info", "info", "" },
		{ "rounds", "rounds", "" },
		{ "empty", "empty", "" },
		{ "many", "many", "" },
		{ "endless", "endless", "" },
		{ "expired", "", "expired" },
		{ "acctexpired", "", "acctexpired" },
		{ "denied", "", "denied" },
	};
	const char *module = env("LB_TEST_MODULE");
	char path[256], text[1024];
	size_t i;

	for (i = 0; i < sizeof(services) / sizeof(services[0]); i++) {
		snprintf(path, sizeof(path), "%s/services/lbtest-%s", b->dir,
		    services[i].name);
		snprintf(text, sizeof(text),
		    "auth     required %s %s\n"
		    "account  required %s %s\n"
		    "password required %s\n",
		    module, services[i].auth, module, services[i].account,
		    module);
		write_file(path, text);
	}
}

void
broker_start(struct broker_fixture *b, const char *extra_config,
    const char *worker)
{
	char path[256], text[2048];
	const char *modules = env("LB_PAM_MODULES");
	const char *fixtures = env("LB_FIXTURES");
	int i, logfd;

	snprintf(b->dir, sizeof(b->dir), "/tmp/lbtest.XXXXXX");
	assert_non_null(mkdtemp(b->dir));
	chmod(b->dir, 0755);
	snprintf(b->sock, sizeof(b->sock), "%s/sock", b->dir);
	snprintf(b->log, sizeof(b->log), "%s/log", b->dir);
	snprintf(path, sizeof(path), "%s/services", b->dir);
	assert_int_equal(mkdir(path, 0755), 0);

	snprintf(path, sizeof(path), "%s/services/loginbroker", b->dir);
	snprintf(text, sizeof(text),
	    "auth     required %s/pam_matrix.so passdb=%s/passdb\n"
	    "account  required %s/pam_matrix.so passdb=%s/passdb\n",
	    modules, fixtures, modules, fixtures);
	write_file(path, text);
	/* A stack whose module does not exist: PAM cannot decide. */
	snprintf(path, sizeof(path), "%s/services/broken", b->dir);
	write_file(path, "auth required /nonexistent/pam_nothing.so\n"
	    "account required /nonexistent/pam_nothing.so\n");
	write_test_services(b);

	snprintf(path, sizeof(path), "%s/config", b->dir);
	snprintf(text, sizeof(text),
	    "# written by tests/lib/broker_fixture.c\n"
	    "socket %s\n"
	    "failure_delay_ms 50\n"
	    "max_attempts 3\n"
	    "%s", b->sock, extra_config != NULL ? extra_config : "");
	write_file(path, text);

	b->pid = fork();
	assert_true(b->pid >= 0);
	if (b->pid == 0) {
		char svc[128];

		/* Nothing of the test's own stdio: a broker left behind must
		 * not hold the test runner's pipes open. */
		logfd = open(b->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (logfd == -1 || dup2(logfd, 1) == -1 || dup2(logfd, 2) == -1)
			_exit(127);
		snprintf(svc, sizeof(svc), "%s/services", b->dir);
		setenv("LD_PRELOAD", "libpam_wrapper.so", 1);
		setenv("PAM_WRAPPER", "1", 1);
		setenv("PAM_WRAPPER_SERVICE_DIR", svc, 1);
		/* Sanitizer builds: pam_wrapper is preloaded before ASan,
		 * and must not dlopen libpam with RTLD_DEEPBIND (pam_wrapper
		 * reads uid_wrapper's variable name for that). */
		setenv("ASAN_OPTIONS", "verify_asan_link_order=0", 1);
		setenv("UID_WRAPPER_DISABLE_DEEPBIND", "1", 1);
		execl(env("LB_BROKERD"), "loginbrokerd", "-d", "-f", "-c", path,
		    "-w", worker != NULL ? worker : env("LB_WORKER"),
		    (char *)NULL);
		_exit(127);
	}
	/* Not a probe connection: that would be a session of its own. */
	for (i = 0; i < 500; i++) {
		if (broker_log_wait(b, "listening on ", 0, NULL, 0))
			return;
		if (waitpid(b->pid, NULL, WNOHANG) == b->pid)
			fail_msg("loginbrokerd exited at startup (see %s)",
			    b->log);
		sleep_ms(10);
	}
	fail_msg("loginbrokerd did not listen within 5 s");
}

void
broker_stop(struct broker_fixture *b)
{
	static const char *const reports[] = { "AddressSanitizer",
	    "LeakSanitizer", "runtime error:" };
	char cmd[128];
	size_t i;
	int status;

	if (b->pid > 0) {
		kill(b->pid, SIGTERM);
		waitpid(b->pid, &status, 0);
		b->pid = 0;
		/* A clean stop, and nothing the sanitizers saw. */
		if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
			fail_msg("loginbrokerd ended with status 0x%x (see %s)",
			    status, b->log);
		for (i = 0; i < sizeof(reports) / sizeof(reports[0]); i++)
			if (broker_log_wait(b, reports[i], 0, NULL, 0))
				fail_msg("%s in %s", reports[i], b->log);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", b->dir);
	if (getenv("LB_KEEP_TEST_DIRS") == NULL)
		(void)!system(cmd);
}

bool
broker_log_wait(const struct broker_fixture *b, const char *needle,
    int timeout_ms, char *rest, size_t cap)
{
	char line[1024];
	const char *hit;
	FILE *f;

	for (int waited = 0; waited <= timeout_ms; waited += 10) {
		if ((f = fopen(b->log, "r")) != NULL) {
			while (fgets(line, sizeof(line), f) != NULL) {
				if ((hit = strstr(line, needle)) == NULL)
					continue;
				if (rest != NULL) {
					snprintf(rest, cap, "%s",
					    hit + strlen(needle));
					rest[strcspn(rest, "\n")] = '\0';
				}
				fclose(f);
				return true;
			}
			fclose(f);
		}
		sleep_ms(10);
	}
	return false;
}

int
raw_connect(const struct broker_fixture *b)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { 5, 0 };
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", b->sock);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sun, sizeof(sun)), 0);
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)), 0);
	return fd;
}

void
raw_send(int fd, const char *bytes, size_t len)
{
	assert_int_equal(send(fd, bytes, len, MSG_NOSIGNAL), (ssize_t)len);
}

int
raw_reply(int fd, char *buf, size_t cap)
{
	size_t len = 0, start = 0;
	char c;

	/* Byte by byte: slow, simple, and never reads past the reply. */
	while (len + 1 < cap) {
		if (recv(fd, &c, 1, 0) != 1)
			return -1;
		buf[len++] = c;
		if (c != '\n')
			continue;
		if (len - start >= 4 && buf[start + 3] == '-') {
			start = len;
			continue;
		}
		buf[len] = '\0';
		return atoi(buf + start);
	}
	return -1;
}

int
run_cli(const struct broker_fixture *b, const char *const *args,
    const char *stdin_text, char *out, size_t cap)
{
	int in[2], outp[2], status;
	const char *argv[16];
	size_t n = 0, len = 0;
	ssize_t r;
	pid_t pid;

	argv[n++] = "loginbroker";
	argv[n++] = "-s";
	argv[n++] = b->sock;
	while (*args != NULL && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	assert_int_equal(pipe(in), 0);
	assert_int_equal(pipe(outp), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(outp[1], 1);
		dup2(outp[1], 2);
		close(in[1]);
		close(outp[0]);
		execv(env("LB_CLI"), (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(outp[1]);
	if (stdin_text != NULL)
		(void)!write(in[1], stdin_text, strlen(stdin_text));
	close(in[1]);
	while (len + 1 < cap && (r = read(outp[0], out + len,
	    cap - 1 - len)) > 0)
		len += (size_t)r;
	out[len] = '\0';
	close(outp[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

pid_t
session_worker_pid(const struct broker_fixture *b, unsigned id)
{
	char needle[64], rest[256];

	snprintf(needle, sizeof(needle), "session %u: worker ", id);
	if (!broker_log_wait(b, needle, 5000, rest, sizeof(rest)))
		fail_msg("no worker logged for session %u", id);
	return (pid_t)atoi(rest);
}
