/* testlib.h: small helpers shared by the unit tests. */
#ifndef LB_TESTLIB_H
#define LB_TESTLIB_H

#include <stddef.h>

/* A non-blocking AF_UNIX stream socketpair; aborts the test on failure. */
void test_socketpair(int sv[2]);

/* How many descriptors this process has open (to catch leaks). */
int test_open_fds(void);

/* Writes all of buf to fd or aborts the test. */
void test_write_all(int fd, const void *buf, size_t len);

#endif
