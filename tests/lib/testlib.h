/* SPDX-License-Identifier: ISC */
/* testlib.h: small helpers shared by the unit tests. */
#ifndef LB_TESTLIB_H
#define LB_TESTLIB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <unistd.h>

/* Skips the current cmocka test, saying why, unless running as root (the
 * sandbox and the broker need it; CI runs as root). */
#define NEED_ROOT() do { \
	if (geteuid() != 0) { \
		print_message("needs root: skipped\n"); \
		skip(); \
	} \
} while (0)

/* A non-blocking AF_UNIX stream socketpair; aborts the test on failure. */
void test_socketpair(int sv[2]);

/* How many descriptors this process has open (to catch leaks). */
int test_open_fds(void);

/* How many descriptors pid has open; when used is not NULL, used[n] is
 * set for each one numbered below cap. */
size_t test_proc_fds(pid_t pid, bool *used, size_t cap);

/* Writes all of buf to fd or aborts the test. */
void test_write_all(int fd, const void *buf, size_t len);

/* The value of "key:" in /proc/pid/status copied into out[cap], or NULL. */
char *test_proc_status(pid_t pid, const char *key, char *out, size_t cap);

/* Asserts what every confined process shows in /proc/PID/status: seccomp
 * filtering with exactly filters programs stacked, no_new_privs, every
 * capability set (inheritable, permitted, effective, bounding, ambient)
 * empty, the real, effective, saved and file-system uid and gid all uid
 * and gid (never 0), and no supplementary groups. */
void test_assert_confined(pid_t pid, unsigned filters, uid_t uid,
    gid_t gid);

/* The ids a worker runs as: the user "loginbroker", or the fallback id
 * 64999 (doc/sandbox.md). */
void test_sandbox_ids(uid_t *uid, gid_t *gid);

/* How many lines of text (without their newlines) match the fnmatch(3)
 * pattern as a whole. */
unsigned test_lines_matching(const char *text, const char *pattern);

/* The line number of the first line of policies/examples/NAME.conf
 * (LB_EXAMPLES) whose text, blanks at both ends left out, is text; fails
 * the test when there is none.  Rule names (rule=NAME:LINE) are derived
 * from it, so a comment added to an example breaks no test. */
unsigned test_example_line(const char *name, const char *text);

/* True when needle's bytes are anywhere in pid's readable memory, as
 * /proc/pid/maps and /proc/pid/mem show it (root reads any process);
 * regions over 1 GiB (a sanitizer's shadow) are skipped. */
bool test_memory_holds(pid_t pid, const char *needle);

/* Runs argv[0] (a path) with env's NAME=VALUE strings added (NULL-ended;
 * env may be NULL) in a session of its own whose controlling terminal is
 * a new pty, stdio on it, as agetty leaves a console: its pid.  *master
 * is the pty's master for the test to read and type on; name[cap] the
 * terminal's path. */
pid_t test_spawn_on_pty(const char *const *argv, const char *const *env,
    int *master, char *name, size_t cap);

/* Reads the pty's output into buf[cap] (appending at *len, NUL-ended)
 * until it holds want; fails the test after 10 s or at its end. */
void test_expect_pty(int master, char *buf, size_t cap, size_t *len,
    const char *want);

#endif
