/* testlib.h: small helpers shared by the unit tests. */
#ifndef LB_TESTLIB_H
#define LB_TESTLIB_H

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

/* Writes all of buf to fd or aborts the test. */
void test_write_all(int fd, const void *buf, size_t len);

/* The value of "key:" in /proc/pid/status copied into out[cap], or NULL. */
char *test_proc_status(pid_t pid, const char *key, char *out, size_t cap);

/* Asserts what every confined process shows in /proc/PID/status: the
 * seccomp filter on, no_new_privs, no effective capabilities, not root. */
void test_assert_confined(pid_t pid);

#endif
