/* SPDX-License-Identifier: ISC */
/* broker_fixture.c: start, drive and stop the real broker. */
#include "broker_fixture.h"
#include "testlib.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <fnmatch.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <liboath/oath.h>

/* Paths come from meson (tests/meson.build). */
static const char *
env(const char *name)
{
	const char *v = getenv(name);

	if (v == NULL)
		fail_msg("%s is not set: run through meson test", name);
	return v != NULL ? v : "";
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
		{ "endless", "endless", "" },
		{ "expired", "", "expired" },
		{ "acctexpired", "", "acctexpired" },
		{ "denied", "", "denied" },
		{ "prompts15", "prompts=15", "" },
		{ "prompts16", "prompts=16", "" },
		{ "prompts32", "prompts=32", "" },
		{ "messages32", "messages=32", "" },
		{ "messages33", "messages=33", "" },
		{ "long", "long", "" },
		{ "instruction", "instruction", "" },
		{ "error", "error", "" },
		{ "context", "context", "" },
	};
	const char *module = env("LB_TEST_MODULE");
	char path[256], text[1024];
	size_t i;

	/* "slow": a stack whose zygote takes a second to become ready. */
	snprintf(path, sizeof(path), "%s/services/lbtest-slow", b->dir);
	snprintf(text, sizeof(text), "auth     optional %s\n"
	    "auth     required %s\naccount  required %s\n",
	    env("LB_SLOW_MODULE"), module, module);
	write_file(path, text);
	/* "session" and "sessfail": every call recorded in DIR/record. */
	snprintf(path, sizeof(path), "%s/services/lbtest-session", b->dir);
	snprintf(text, sizeof(text), "auth     required %s record=%s/record\n"
	    "account  required %s\nsession  required %s record=%s/record\n",
	    module, b->dir, module, module, b->dir);
	write_file(path, text);
	snprintf(path, sizeof(path), "%s/services/lbtest-sessfail", b->dir);
	snprintf(text, sizeof(text), "auth     required %s\n"
	    "account  required %s\nsession  required %s sessfail\n",
	    module, module, module);
	write_file(path, text);
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

/* A pam_matrix stack for PAM service name, with the fixture's users
 * (pam_matrix wants the service in each passdb line), after the auth
 * lines of before (may be ""). */
static void
write_matrix_service(const struct broker_fixture *b, const char *name,
    const char *before)
{
	char path[256], passdb[256], text[1024], line[256];
	const char *modules = env("LB_PAM_MODULES");
	FILE *in, *out;

	snprintf(path, sizeof(path), "%s/passdb", env("LB_FIXTURES"));
	snprintf(passdb, sizeof(passdb), "%s/passdb-%s", b->dir, name);
	assert_non_null(in = fopen(path, "r"));
	assert_non_null(out = fopen(passdb, "w"));
	while (fgets(line, sizeof(line), in) != NULL) {
		*strrchr(line, ':') = '\0';
		fprintf(out, "%s:%s\n", line, name);
	}
	fclose(in);
	assert_int_equal(fclose(out), 0);
	snprintf(path, sizeof(path), "%s/services/%s", b->dir, name);
	snprintf(text, sizeof(text), "%s"
	    "auth     required %s/pam_matrix.so passdb=%s\n"
	    "account  required %s/pam_matrix.so passdb=%s\n",
	    before, modules, passdb, modules, passdb);
	write_file(path, text);
}

/* The fixture's user and group files (tests/fixtures/passwd, group);
 * read before a fork, so that a child never needs cmocka. */
static void
fixture_nss_paths(char passwd[256], char group[256])
{
	snprintf(passwd, 256, "%s/passwd", env("LB_FIXTURES"));
	snprintf(group, 256, "%s/group", env("LB_FIXTURES"));
}

/* In a child about to exec: those users and groups through nss_wrapper.
 * Plain calls only: a child never returns into the test runner. */
static void
use_fixture_nss(const char *preload, const char *passwd, const char *group)
{
	setenv("LD_PRELOAD", preload, 1);
	/* Sanitizer builds: the wrapper is preloaded before ASan. */
	setenv("ASAN_OPTIONS", "verify_asan_link_order=0", 1);
	setenv("NSS_WRAPPER_PASSWD", passwd, 1);
	setenv("NSS_WRAPPER_GROUP", group, 1);
	/* Nor may nss_wrapper load libc with RTLD_DEEPBIND, which it does
	 * for a host lookup (the Duo helper's). */
	setenv("NSS_WRAPPER_DISABLE_DEEPBIND", "1", 1);
}

/* A root that is not a mount point, as chroot(8) into a directory gives:
 * dir/root with each directory of / bound in and its symlinks copied, in a
 * mount namespace of its own.  0, or -1. */
static int
enter_plain_chroot(const char *dir)
{
	char root[128], src[512], dst[512], target[256];
	struct dirent *d;
	struct stat st;
	ssize_t n;
	DIR *top;

	snprintf(root, sizeof(root), "%s/root", dir);
	if (unshare(CLONE_NEWNS) == -1 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1 ||
	    mkdir(root, 0755) == -1 || (top = opendir("/")) == NULL)
		return -1;
	while ((d = readdir(top)) != NULL) {
		snprintf(src, sizeof(src), "/%s", d->d_name);
		snprintf(dst, sizeof(dst), "%s/%s", root, d->d_name);
		if (d->d_name[0] == '.' || lstat(src, &st) == -1)
			continue;
		if (S_ISLNK(st.st_mode) &&
		    (n = readlink(src, target, sizeof(target) - 1)) > 0) {
			target[n] = '\0';
			(void)!symlink(target, dst);
		} else if (S_ISDIR(st.st_mode) && mkdir(dst, 0755) == 0) {
			/* /tmp holds root itself: not its mounts again. */
			(void)mount(src, dst, NULL, MS_BIND |
			    (strcmp(d->d_name, "tmp") != 0 ? MS_REC : 0), NULL);
		}
	}
	closedir(top);
	return chroot(root) == 0 && chdir("/") == 0 ? 0 : -1;
}

/* Starts loginbrokerd in the foreground on the fixture's directory. */
/* Drops from the bounding set every capability names (blank-separated
 * CAP_ names) leaves out, as systemd's CapabilityBoundingSet= does: 0,
 * or -1. */
static int
keep_only_capabilities(const char *names)
{
	char list[1024], *name, *save;
	bool keep[CAP_LAST_CAP + 1] = { false };
	cap_value_t cap;

	snprintf(list, sizeof(list), "%s", names);
	for (name = strtok_r(list, " ", &save); name != NULL;
	    name = strtok_r(NULL, " ", &save)) {
		if (cap_from_name(name, &cap) == -1 || cap > CAP_LAST_CAP)
			return -1;
		keep[cap] = true;
	}
	for (cap = 0; cap <= CAP_LAST_CAP; cap++)
		if (!keep[cap] && prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 &&
		    errno != EINVAL)
			return -1;
	return 0;
}

static void
launch_broker(struct broker_fixture *b)
{
	char path[256], svc[128], passwd[256], group[256];
	const char *brokerd = env("LB_BROKERD"), *pam = env("LB_PAM");
	const char *nss_slow = b->with.slow_user != NULL ? env("LB_NSS_SLOW") :
	    NULL;
	int logfd;

	snprintf(path, sizeof(path), "%s/config", b->dir);
	snprintf(svc, sizeof(svc), "%s/services", b->dir);
	fixture_nss_paths(passwd, group);
	b->pid = fork();
	assert_true(b->pid >= 0);
	if (b->pid == 0) {
		/* Nothing of the test's own stdio: a broker left behind must
		 * not hold the test runner's pipes open. */
		logfd = open(b->log, O_WRONLY | O_CREAT | O_APPEND, 0644);
		if (logfd == -1 || dup2(logfd, 1) == -1 || dup2(logfd, 2) == -1)
			_exit(127);
		/* Real PAM on a private stack, for the fixture's users or
		 * the system's. */
		if (b->with.system_users) {
			/* libcrypt loaded at the start: ASan's crypt_r
			 * interceptor finds no crypt_r in one that pam_unix
			 * loads later, and calls NULL. */
			setenv("LD_PRELOAD", "libcrypt.so.1 libpam_wrapper.so",
			    1);
			setenv("ASAN_OPTIONS", "verify_asan_link_order=0", 1);
		} else {
			use_fixture_nss("libpam_wrapper.so libnss_wrapper.so",
			    passwd, group);
		}
		if (nss_slow != NULL) {
			setenv("NSS_WRAPPER_MODULE_SO_PATH", nss_slow, 1);
			setenv("NSS_WRAPPER_MODULE_FN_PREFIX", "lbslow", 1);
			setenv("LB_NSS_DELAY_MS", "60000", 1);
			setenv("LB_NSS_SLOW_USER", b->with.slow_user, 1);
		}
		setenv("PAM_WRAPPER", "1", 1);
		setenv("PAM_WRAPPER_SERVICE_DIR", svc, 1);
		/* Sanitizer builds: pam_wrapper must not dlopen libpam with
		 * RTLD_DEEPBIND (it reads uid_wrapper's variable for that). */
		setenv("UID_WRAPPER_DISABLE_DEEPBIND", "1", 1);
		if (b->with.nofile != 0 && setrlimit(RLIMIT_NOFILE,
		    &(struct rlimit){ b->with.nofile, b->with.nofile }) == -1)
			_exit(127);
		if (b->with.plain_chroot && enter_plain_chroot(b->dir) == -1)
			_exit(127);
		if (b->with.bounding_set != NULL &&
		    keep_only_capabilities(b->with.bounding_set) == -1)
			_exit(127);
		execl(brokerd, "loginbrokerd", "-d", "-f", "-c", path, "-w",
		    b->worker, "-p", pam, (char *)NULL);
		_exit(127);
	}
	memset(&b->with, 0, sizeof(b->with));
}

static void
spawn_broker(struct broker_fixture *b)
{
	int i;

	launch_broker(b);
	/* Not a probe connection: that would be a session of its own. */
	for (i = 0; i < 500; i++) {
		if (broker_log_count(b, "listening on ") > b->starts) {
			b->starts++;
			return;
		}
		if (waitpid(b->pid, NULL, WNOHANG) == b->pid)
			fail_msg("loginbrokerd exited at startup (see %s)",
			    b->log);
		sleep_ms(10);
	}
	fail_msg("loginbrokerd did not listen within 5 s");
}

/* Whether the test's lines set key (a line that begins "key "). */
static bool
sets(const char *extra, const char *key)
{
	const char *p;

	for (p = extra; p != NULL && (p = strstr(p, key)) != NULL; p++)
		if (p == extra || p[-1] == '\n')
			return true;
	return false;
}

void
broker_write_config(const struct broker_fixture *b, const char *extra)
{
	char dir_file[7][192];
	/* The fixture's settings, each unless the test's lines set it. */
	const char *const defaults[][2] = {
		{ "socket ", b->sock },
		{ "lockout_file ", dir_file[0] },
		{ "totp_file ", dir_file[1] },
		{ "gss_path ", env("LB_GSS") },
		{ "ccache_dir ", dir_file[2] },
		{ "scram_path ", env("LB_SCRAM") },
		{ "scram_file ", dir_file[3] },
		{ "sessions_dir ", dir_file[4] },
		{ "utmp_file ", dir_file[5] },
		{ "wtmp_file ", dir_file[6] },
		{ "socket_mode ", "0666" },
		{ "greetd_socket ", b->greetd_sock },
		{ "greetd_socket_mode ", "0666" },
		{ "failure_delay_ms ", "50" },
		{ "duo_path ", env("LB_DUO") },
		{ "groups_path ", env("LB_GROUPS") },
		{ "worker_path ", env("LB_WORKER") },
		{ "pam_path ", env("LB_PAM") },
	};
	static const char *const in_dir[] = { "lockout", "totp", "ccache",
	    "scram", "sessions", "utmp", "wtmp" };
	char path[256], text[8192];
	size_t i, len;
	int n;

	for (i = 0; i < sizeof(in_dir) / sizeof(in_dir[0]); i++)
		snprintf(dir_file[i], sizeof(dir_file[i]), "%s/%s", b->dir,
		    in_dir[i]);
	snprintf(path, sizeof(path), "%s/config", b->dir);
	/* The test's lines first, so that rules keep their line numbers. */
	n = snprintf(text, sizeof(text), "%s"
	    "# written by tests/lib/broker_fixture.c\n",
	    extra != NULL ? extra : "");
	assert_true(n > 0 && (size_t)n < sizeof(text));
	len = (size_t)n;
	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++) {
		if (sets(extra, defaults[i][0]))
			continue;
		n = snprintf(text + len, sizeof(text) - len, "%s%s\n",
		    defaults[i][0], defaults[i][1]);
		assert_true(n > 0 && (size_t)n < sizeof(text) - len);
		len += (size_t)n;
	}
	write_file(path, text);
}

/* The temporary directory with the PAM stacks and the configuration. */
static void
prepare_broker(struct broker_fixture *b, const char *extra_config,
    const char *worker)
{
	__typeof__(b->with) with;
	static const char *const matrix_services[] = { "loginbroker",
	    "login", "sshd" };
	char path[256];
	size_t i;

	with = b->with;
	memset(b, 0, sizeof(*b));
	b->with = with;
	snprintf(b->dir, sizeof(b->dir), "/tmp/lbtest.XXXXXX");
	assert_non_null(mkdtemp(b->dir));
	chmod(b->dir, 0755);
	snprintf(b->sock, sizeof(b->sock), "%s/sock", b->dir);
	snprintf(b->greetd_sock, sizeof(b->greetd_sock), "%s/greetd.sock",
	    b->dir);
	snprintf(b->log, sizeof(b->log), "%s/log", b->dir);
	snprintf(b->worker, sizeof(b->worker), "%s", worker != NULL ? worker :
	    env("LB_WORKER"));
	snprintf(path, sizeof(path), "%s/services", b->dir);
	assert_int_equal(mkdir(path, 0755), 0);

	for (i = 0; i < sizeof(matrix_services) / sizeof(matrix_services[0]);
	    i++)
		write_matrix_service(b, matrix_services[i], "");
	/* Debian's login stack: a failure is answered after 2 s. */
	write_matrix_service(b, "faildelay",
	    "auth     optional pam_faildelay.so delay=2000000\n");
	/* A stack whose module does not exist: PAM cannot decide. */
	snprintf(path, sizeof(path), "%s/services/broken", b->dir);
	write_file(path, "auth required /nonexistent/pam_nothing.so\n"
	    "account required /nonexistent/pam_nothing.so\n");
	write_test_services(b);
	/* No user has SCRAM keys until a test sets them (broker_scram_set). */
	snprintf(path, sizeof(path), "%s/scram", b->dir);
	write_file(path, "");
	assert_int_equal(chmod(path, 0600), 0);
	broker_write_config(b, extra_config);
}

void
broker_start(struct broker_fixture *b, const char *extra_config,
    const char *worker)
{
	prepare_broker(b, extra_config, worker);
	spawn_broker(b);
}

int
broker_start_failing(struct broker_fixture *b, const char *extra_config,
    const char *worker)
{
	int i, status;

	prepare_broker(b, extra_config, worker);
	launch_broker(b);
	for (i = 0; i < 1000; i++) {
		if (waitpid(b->pid, &status, WNOHANG) == b->pid) {
			b->pid = 0;
			return status;
		}
		sleep_ms(10);
	}
	fail_msg("loginbrokerd did not stop within 10 s (see %s)", b->log);
	return -1;
}

/* Stops the broker and checks that it stopped cleanly. */
static void
stop_broker(struct broker_fixture *b)
{
	static const char *const reports[] = { "AddressSanitizer",
	    "LeakSanitizer", "runtime error:" };
	size_t i;
	int status;

	if (b->pid <= 0)
		return;
	assert_int_equal(kill(b->pid, SIGTERM), 0);
	assert_int_equal(waitpid(b->pid, &status, 0), b->pid);
	b->pid = 0;
	/* A clean stop, and nothing the sanitizers saw. */
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail_msg("loginbrokerd ended with status 0x%x (see %s)",
		    status, b->log);
	for (i = 0; i < sizeof(reports) / sizeof(reports[0]); i++)
		if (broker_log_wait(b, reports[i], 0, NULL, 0))
			fail_msg("%s in %s", reports[i], b->log);
}

void
broker_restart(struct broker_fixture *b)
{
	stop_broker(b);
	spawn_broker(b);
}

void
broker_reload(struct broker_fixture *b, const char *extra_config,
    const char *expect)
{
	unsigned before = broker_log_count(b, expect);

	broker_write_config(b, extra_config);
	assert_int_equal(kill(b->pid, SIGHUP), 0);
	for (int i = 0; i < 500; i++) {
		if (broker_log_count(b, expect) > before)
			return;
		sleep_ms(10);
	}
	fail_msg("no \"%s\" in %s after SIGHUP", expect, b->log);
}

void
broker_pam_service(const struct broker_fixture *b, const char *name,
    const char *text)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/services/%s", b->dir, name);
	write_file(path, text);
}

const char *
broker_service(const char *name, const char *pam_service,
    const char *lines)
{
	static char text[2048];

	snprintf(text, sizeof(text), "service %s {\n"
	    "\tpeer any\n"
	    "\tpam-service %s\n"
	    "%s"
	    "}\n", name, pam_service, lines);
	return text;
}

void
broker_stop(struct broker_fixture *b)
{
	char cmd[128];

	if (b->dir[0] == '\0')
		return;
	stop_broker(b);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", b->dir);
	if (getenv("LB_KEEP_TEST_DIRS") == NULL)
		(void)!system(cmd);
	b->dir[0] = '\0';
}

int
broker_teardown(void **state)
{
	broker_stop(*state);
	return 0;
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

unsigned
broker_log_count(const struct broker_fixture *b, const char *needle)
{
	char line[1024];
	unsigned n = 0;
	FILE *f;

	if ((f = fopen(b->log, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		n += strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

/* A connection with a 5 s receive timeout, or -1; no cmocka calls, so
 * that a forked child may use it. */
static int
connect_socket(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	struct timeval tv = { 5, 0 };
	int fd;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", path);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) == -1) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Lines of the broker log whose message (after "loginbrokerd: ") matches
 * pattern, in fnmatch(3)'s terms. */
unsigned
broker_log_matches(const struct broker_fixture *b, const char *pattern)
{
	static const char prefix[] = "loginbrokerd: ";
	char line[1024];
	const char *msg;
	unsigned n = 0;
	FILE *f;

	if ((f = fopen(b->log, "r")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		msg = strstr(line, prefix);
		n += msg != NULL && fnmatch(pattern, msg + strlen(prefix),
		    0) == 0;
	}
	fclose(f);
	return n;
}

void
broker_log_expect(const struct broker_fixture *b, const char *pattern,
    unsigned count)
{
	unsigned n = 0;

	/* The broker may still be writing: wait for the count, then make
	 * sure it is not passed. */
	for (int waited = 0; waited < 2000; waited += 10) {
		if ((n = broker_log_matches(b, pattern)) >= count)
			break;
		sleep_ms(10);
	}
	if (n != count)
		fail_msg("%u log lines match \"%s\", wanted %u (see %s)", n,
		    pattern, count, b->log);
}

int
raw_connect_as(const struct broker_fixture *b, uid_t uid, gid_t gid)
{
	return raw_connect_path_as(b->sock, uid, gid);
}

int
raw_connect_path_as(const char *path, uid_t uid, gid_t gid)
{
	char byte = 0, cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { &byte, 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1,
	    .msg_control = cbuf, .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	struct timeval tv = { 5, 0 };
	int sv[2], fd, status;
	pid_t pid;

	/* SO_PEERCRED is taken at connect(): a child connects with those
	 * ids and hands the socket back.  The child makes plain calls and
	 * _exits: a cmocka failure there would return into the runner. */
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	assert_int_equal(setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof(tv)), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(sv[0]);
		if (setgroups(0, NULL) == -1 || setresgid(gid, gid, gid) == -1 ||
		    setresuid(uid, uid, uid) == -1 ||
		    (fd = connect_socket(path)) == -1)
			_exit(1);
		memset(cbuf, 0, sizeof(cbuf));
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
		_exit(sendmsg(sv[1], &mh, 0) == 1 ? 0 : 1);
	}
	close(sv[1]);
	assert_int_equal(recvmsg(sv[0], &mh, 0), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_int_equal(status, 0);
	cm = CMSG_FIRSTHDR(&mh);
	assert_non_null(cm);
	memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	close(sv[0]);
	return fd;
}

int
raw_connect(const struct broker_fixture *b)
{
	int fd = connect_socket(b->sock);

	if (fd == -1)
		fail_msg("cannot connect to %s: %s", b->sock, strerror(errno));
	return fd;
}

int
raw_connect_greeted_as(const struct broker_fixture *b, uid_t uid, gid_t gid)
{
	char reply[64];
	int fd = uid == 0 && gid == 0 ? raw_connect(b) :
	    raw_connect_as(b, uid, gid);

	assert_int_equal(raw_reply(fd, reply, sizeof(reply)), 201);
	assert_string_equal(reply, "201 1 1\r\n");
	return fd;
}

int
raw_connect_greeted(const struct broker_fixture *b)
{
	return raw_connect_greeted_as(b, 0, 0);
}

void
raw_expect(int fd, const char *request, int code, const char *want)
{
	static char reply[8192];
	int got;

	raw_send(fd, request, strlen(request));
	got = raw_reply(fd, reply, sizeof(reply));
	if (got != code)
		fail_msg("%s-> %d, wanted %d (reply: %s)", request, got, code,
		    got == -1 ? "none" : reply);
	if (want != NULL && strcmp(reply, want) != 0)
		fail_msg("%sgot:\n%swanted:\n%s", request, reply, want);
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
	ssize_t n;
	char c;

	/* Byte by byte: slow, simple, and never reads past the reply. */
	while (len + 1 < cap) {
		if ((n = recv(fd, &c, 1, 0)) == 0 && len == 0)
			return -1;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			fail_msg("no reply within 5 s (so far: %.*s)", (int)len,
			    buf);
		if (n != 1)
			fail_msg("reply cut short after %zu bytes: %s", len,
			    n == 0 ? "end of stream" : strerror(errno));
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
	fail_msg("reply longer than %zu bytes", cap);
	return -1;
}

void
raw_expect_closed(int fd)
{
	char c;
	ssize_t n = recv(fd, &c, 1, 0);

	if (n == 1)
		fail_msg("the connection is open: it sent '%c'", c);
	/* Closed with bytes of ours unread: a reset, closed all the same. */
	if (n == -1 && errno != ECONNRESET)
		fail_msg("the connection is %s", errno == EAGAIN ||
		    errno == EWOULDBLOCK ? "open (no end of stream in 5 s)" :
		    strerror(errno));
}

/* Runs path (searched in PATH when it has no '/') with argv, stdin_text
 * on its stdin, its output into out; with the fixture's NSS when nss is
 * set, with PAM through pam_wrapper on pam_dir unless it is NULL.  Its
 * exit status. */
static int
run_program(const char *path, const char *const *argv, bool nss,
    const char *pam_dir, const char *stdin_text, char *out, size_t cap)
{
	int in[2], outp[2], status;
	char passwd[256], group[256];
	size_t len = 0;
	ssize_t r;
	pid_t pid;

	fixture_nss_paths(passwd, group);
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
		if (nss)
			use_fixture_nss("libnss_wrapper.so", passwd, group);
		if (pam_dir != NULL) {
			setenv("PAM_WRAPPER", "1", 1);
			setenv("PAM_WRAPPER_SERVICE_DIR", pam_dir, 1);
			setenv("LD_PRELOAD", "libpam_wrapper.so", 1);
			setenv("ASAN_OPTIONS", "verify_asan_link_order=0", 1);
			setenv("UID_WRAPPER_DISABLE_DEEPBIND", "1", 1);
		}
		execvp(path, (char *const *)argv);
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

int
run_in_pam_dir(const char *pam_dir, const char *path,
    const char *const *argv, const char *stdin_text, char *out, size_t cap)
{
	return run_program(path, argv, false, pam_dir, stdin_text, out, cap);
}

int
run_cli(const struct broker_fixture *b, const char *const *args,
    const char *stdin_text, char *out, size_t cap)
{
	const char *argv[16];
	size_t n = 0;

	argv[n++] = "loginbroker";
	argv[n++] = "-s";
	argv[n++] = b->sock;
	while (*args != NULL && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	return run_program(env("LB_CLI"), argv, false, NULL, stdin_text, out,
	    cap);
}

int
run_check(const char *path, char *out, size_t cap)
{
	const char *argv[] = { "loginbrokerd", "-n", "-c", path, "-w",
	    env("LB_WORKER"), "-p", env("LB_PAM"), NULL };

	return run_program(env("LB_BROKERD"), argv, true, NULL, NULL, out,
	    cap);
}

int
run_ctl(const struct broker_fixture *b, const char *const *args, char *out,
    size_t cap)
{
	return run_ctl_input(b, args, NULL, out, cap);
}

int
run_ctl_input(const struct broker_fixture *b, const char *const *args,
    const char *stdin_text, char *out, size_t cap)
{
	char config[256];
	const char *argv[16];
	size_t n = 0;

	snprintf(config, sizeof(config), "%s/config", b->dir);
	argv[n++] = "loginbrokerctl";
	argv[n++] = "-c";
	argv[n++] = config;
	while (*args != NULL && n < 15)
		argv[n++] = *args++;
	argv[n] = NULL;
	return run_program(env("LB_CTL"), argv, true, NULL, stdin_text, out,
	    cap);
}

void
broker_scram_set(const struct broker_fixture *b, const char *user,
    const char *password)
{
	const char *args[] = { "scram", "set", user, NULL };
	char line[600], out[512];

	snprintf(line, sizeof(line), "%s\n", password);
	if (run_ctl_input(b, args, line, out, sizeof(out)) != 0)
		fail_msg("loginbrokerctl scram set %s: %s", user, out);
}

void
broker_expect_violation(const struct broker_fixture *b, unsigned id,
    const char *state, const char *why)
{
	char want[256];

	snprintf(want, sizeof(want), "session %u: worker * broke the protocol "
	    "in state %s: %s; killed", id, state, why);
	broker_log_expect(b, want, 1);
}

void
broker_expect_violations(const struct broker_fixture *b,
    const struct violation_case *cases, size_t n)
{
	size_t i;
	int fd;

	for (i = 0; i < n; i++) {
		fd = raw_connect_greeted(b);
		/* The worker may be killed before it says "done". */
		raw_send(fd, cases[i].orders, strlen(cases[i].orders));
		broker_expect_violation(b, (unsigned)i + 1, cases[i].state,
		    cases[i].why);
		close(fd);
	}
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

void
broker_login_once(const struct broker_fixture *b)
{
	int fd = raw_connect_greeted(b);

	raw_expect(fd, "login password alice\r\n", 301, NULL);
	raw_expect(fd, "pass alice-pw\r\n", 200, NULL);
	close(fd);
}

void
broker_totp_enroll(const struct broker_fixture *b, const char *user,
    char *uri, size_t cap)
{
	/* -u: a test's users may be the system's, not nss_wrapper's. */
	const char *args[] = { "totp", "enroll", "-u", user, NULL };
	char pattern[128];

	assert_int_equal(run_ctl(b, args, uri, cap), 0);
	snprintf(pattern, sizeof(pattern), "otpauth://totp/loginbroker:%s"
	    "?secret=*", user);
	assert_int_equal(test_lines_matching(uri, pattern), 1);
}

void
broker_totp_code(const struct broker_fixture *b, const char *user,
    int offset, char code[7])
{
	char path[256], line[256], hex[64], name[64];
	char secret[32];
	size_t len = sizeof(secret);
	FILE *f;

	snprintf(path, sizeof(path), "%s/totp", b->dir);
	assert_non_null(f = fopen(path, "r"));
	hex[0] = '\0';
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "%*s %63s - %63s", name, hex) == 2 &&
		    strcmp(name, user) == 0)
			break;
	fclose(f);
	assert_int_equal(oath_hex2bin(hex, secret, &len), OATH_OK);
	assert_int_equal(oath_totp_generate(secret, len, time(NULL) +
	    offset * 30, 30, 0, 6, code), OATH_OK);
}
