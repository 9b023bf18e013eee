/* SPDX-License-Identifier: ISC */
/*
 * test_faults.c: fault injection (issue 10).  8 clients log in 1,000
 * times while a killer SIGKILLs a random worker, PAM helper, PAM zygote
 * or worker launcher every few milliseconds.  Afterwards no session is
 * stuck, the broker's descriptors and children are back to their idle
 * count, every login that lost its process got an error reply (never a
 * bare end of stream or silence), and the others logged in.  The real
 * loginbrokerd, raw protocol lines.  Needs root.
 */
#include <dirent.h>
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
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "broker_fixture.h"
#include "testlib.h"

#define CLIENTS		8
#define LOGINS		1000
#define REPLY_WAIT_MS	10000

static struct broker_fixture broker;


/* --- the clients ------------------------------------------------------ */

enum outcome { LOGGED_IN, ERROR_REPLY, NO_REPLY, OUTCOMES };

/* The code of the next whole reply (its last line), or -1 at the end of
 * the stream or after REPLY_WAIT_MS of silence. */
static int
read_reply(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	char line[512];
	size_t n = 0;

	for (;;) {
		if (poll(&pfd, 1, REPLY_WAIT_MS) != 1 ||
		    recv(fd, line + n, 1, 0) != 1)
			return -1;
		if (line[n] != '\n') {
			if (n + 1 < sizeof(line))
				n++;
			continue;
		}
		if (n >= 4 && line[3] == ' ')
			return atoi(line);
		n = 0;	/* a continuation line */
	}
}

/* One login over a fresh connection: greeting, login, pass. */
static enum outcome
one_login(const char *sock)
{
	static const char *const sends[] = { NULL, "login password alice\r\n",
	    "pass alice-pw\r\n" };
	static const int wants[] = { 201, 301, 200 };
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	enum outcome o = LOGGED_IN;
	int fd, code;
	size_t i;

	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", sock);
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1)
		_exit(3);
	for (i = 0; i < 3 && o == LOGGED_IN; i++) {
		if (sends[i] != NULL)
			(void)!send(fd, sends[i], strlen(sends[i]),
			    MSG_NOSIGNAL);
		code = read_reply(fd);
		if (code == -1)
			o = NO_REPLY;
		else if (code != wants[i])
			o = ERROR_REPLY;
	}
	close(fd);
	return o;
}

/* A client process: its share of the logins, the counts to out. */
static _Noreturn void
client(const char *sock, unsigned logins, int out)
{
	unsigned counts[OUTCOMES] = { 0 };

	while (logins-- > 0)
		counts[one_login(sock)]++;
	if (write(out, counts, sizeof(counts)) != sizeof(counts))
		_exit(2);
	_exit(0);
}

/* --- the processes ------------------------------------------------------ */

enum victim { WORKER, HELPER, ZYGOTE, LAUNCHER, VICTIMS };

static const char *const victim_names[] = { "worker", "PAM helper",
    "PAM zygote", "worker launcher" };

static pid_t
parent_of(pid_t pid)
{
	char v[32];

	return test_proc_status(pid, "PPid", v, sizeof(v)) != NULL ?
	    (pid_t)atoi(v) : -1;
}

/* Whether pid runs the program whose file name ends in name. */
static bool
runs(pid_t pid, const char *name)
{
	char path[64], exe[512];
	ssize_t n;
	size_t len = strlen(name);

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if ((n = readlink(path, exe, sizeof(exe) - 1)) <= 0)
		return false;
	exe[n] = '\0';
	return (size_t)n >= len && strcmp(exe + n - len, name) == 0;
}

/* The processes below the broker, each with its kind. */
struct tree {
	size_t n;
	pid_t pid[512];
	enum victim kind[512];
};

/* A spawner counts once it is up (it has children): killing one that is
 * still starting, again and again, is what a broken binary does, and the
 * broker rightly gives up on it for a while. */
static void
scan(struct tree *t)
{
	pid_t pids[512], parents[512], parent;
	bool worker_program[512];
	size_t n = 0, i, j;
	struct dirent *d;
	DIR *proc;

	assert_non_null(proc = opendir("/proc"));
	while (n < 512 && (d = readdir(proc)) != NULL) {
		if ((pids[n] = (pid_t)atoi(d->d_name)) <= 0 ||
		    (parents[n] = parent_of(pids[n])) <= 0)
			continue;
		worker_program[n] = runs(pids[n], "loginbroker-worker");
		if (worker_program[n] || runs(pids[n], "loginbroker-pam"))
			n++;
	}
	closedir(proc);
	t->n = 0;
	for (i = 0; i < n; i++) {
		parent = parents[i];
		if (parent == broker.pid) {
			for (j = 0; j < n && parents[j] != pids[i]; j++)
				;
			if (j == n)
				continue;	/* not up yet, or an orphan */
			t->kind[t->n] = worker_program[i] ? LAUNCHER : ZYGOTE;
		} else if (parent_of(parent) == broker.pid) {
			t->kind[t->n] = worker_program[i] ? WORKER : HELPER;
		} else {
			continue;
		}
		t->pid[t->n++] = pids[i];
	}
}

/* Every process below the broker, orphans and spawners starting
 * included. */
static size_t
descendants(void)
{
	struct dirent *d;
	size_t n = 0;
	pid_t pid, parent;
	DIR *proc;

	assert_non_null(proc = opendir("/proc"));
	while ((d = readdir(proc)) != NULL)
		if ((pid = (pid_t)atoi(d->d_name)) > 0 &&
		    (parent = parent_of(pid)) > 0 && (parent == broker.pid ||
		    parent_of(parent) == broker.pid) &&
		    (runs(pid, "loginbroker-worker") ||
		    runs(pid, "loginbroker-pam")))
			n++;
	closedir(proc);
	return n;
}

static size_t
broker_fds(void)
{
	return test_proc_fds(broker.pid, NULL, 0);
}

/* The killer: until told to stop (stop_fd readable), SIGKILLs a random
 * one of the processes below the broker every 5-40 ms; the counts per
 * kind to out. */
static _Noreturn void
killer(int stop_fd, int out)
{
	struct pollfd pfd = { .fd = stop_fd, .events = POLLIN };
	unsigned kills[VICTIMS] = { 0 };
	static struct tree t;
	size_t i;

	srand((unsigned)getpid());
	while (poll(&pfd, 1, 5 + rand() % 36) == 0) {
		scan(&t);
		if (t.n == 0)
			continue;
		i = (size_t)rand() % t.n;
		if (kill(t.pid[i], SIGKILL) == 0)
			kills[t.kind[i]]++;
	}
	if (write(out, kills, sizeof(kills)) != sizeof(kills))
		_exit(2);
	_exit(0);
}

/* --- the test ------------------------------------------------------------- */

static void
login_once(void)
{
	assert_int_equal(one_login(broker.sock), LOGGED_IN);
}

/* Waits up to 10 s for the broker's descriptors and processes to be back
 * to what they were idle. */
static void
expect_back_to_idle(size_t fds, size_t procs)
{
	int i;

	for (i = 0; i < 1000 && (broker_fds() != fds ||
	    descendants() != procs); i++)
		usleep(10000);
	if (broker_fds() != fds || descendants() != procs)
		fail_msg("idle was %zu descriptors and %zu processes, now "
		    "%zu and %zu", fds, procs, broker_fds(), descendants());
}

static void
test_random_kills_during_1000_logins(void **state)
{
	unsigned counts[OUTCOMES] = { 0 }, part[OUTCOMES], kills[VICTIMS];
	int results[2], stop_killer[2], killed[2], i, k, status;
	size_t idle_fds, idle_procs;
	pid_t clients[CLIENTS], killer_pid;

	NEED_ROOT();
	broker_start(&broker, NULL, NULL);
	login_once();
	/* Idle: the spares refilled, nothing changing for 300 ms. */
	idle_fds = idle_procs = 0;
	for (i = 0; i < 100 && (broker_fds() != idle_fds ||
	    descendants() != idle_procs); i++) {
		idle_fds = broker_fds();
		idle_procs = descendants();
		usleep(300000);
	}

	assert_int_equal(pipe(results), 0);
	assert_int_equal(pipe(stop_killer), 0);
	assert_int_equal(pipe(killed), 0);
	if ((killer_pid = fork()) == 0)
		killer(stop_killer[0], killed[1]);
	for (i = 0; i < CLIENTS; i++)
		if ((clients[i] = fork()) == 0)
			client(broker.sock, LOGINS / CLIENTS, results[1]);
	for (i = 0; i < CLIENTS; i++) {
		assert_int_equal(waitpid(clients[i], &status, 0), clients[i]);
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
		assert_int_equal(read(results[0], part, sizeof(part)),
		    sizeof(part));
		for (k = 0; k < OUTCOMES; k++)
			counts[k] += part[k];
	}
	assert_int_equal(write(stop_killer[1], "x", 1), 1);
	assert_int_equal(waitpid(killer_pid, &status, 0), killer_pid);
	assert_int_equal(read(killed[0], kills, sizeof(kills)), sizeof(kills));

	print_message("# %u logins: %u logged in, %u error replies, %u "
	    "without a reply\n", LOGINS, counts[LOGGED_IN],
	    counts[ERROR_REPLY], counts[NO_REPLY]);
	for (k = 0; k < VICTIMS; k++)
		print_message("# killed %u × %s\n", kills[k], victim_names[k]);
	assert_int_equal(counts[NO_REPLY], 0);
	assert_int_equal(counts[LOGGED_IN] + counts[ERROR_REPLY], LOGINS);
	/* A kill takes at most the one login its process served (a
	 * launcher's or a zygote's orphans, reparented to the broker, may
	 * be taken for one). */
	assert_true(kills[WORKER] + kills[HELPER] > 0);
	assert_true(counts[ERROR_REPLY] <= kills[WORKER] + kills[HELPER] +
	    kills[ZYGOTE] + kills[LAUNCHER]);

	expect_back_to_idle(idle_fds, idle_procs);
	login_once();	/* and it still serves */
	for (i = 0; i < 2; i++) {
		close(results[i]);
		close(stop_killer[i]);
		close(killed[i]);
	}
	broker_stop(&broker);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		BROKER_TEST(test_random_kills_during_1000_logins, &broker),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
