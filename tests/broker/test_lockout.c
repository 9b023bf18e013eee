/*
 * test_lockout.c: the lockout table (broker/state/lockout.c) on a file of
 * its own: every entry stays reachable however deletions reorder its
 * probe run, a locked user is never given up, names are exact, and a
 * table moved to another size keeps its entries.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "lockout.h"
#include "log.h"

#define USERS	16

static char dir[64], file[96];
static const struct lockout_rules one = { 1, 600, 600 };	/* 1 locks */
static const struct lockout_rules three = { 3, 600, 600 };
static const time_t now = 1000000;

static void
name(char out[32], int i)
{
	/* Blanks and a '%' in some: kept exactly, never folded. */
	snprintf(out, 32, i % 3 == 0 ? " user%d" : i % 3 == 1 ? "user%d " :
	    "us%%er%d", i);
}

static int
setup(void **state)
{
	snprintf(dir, sizeof(dir), "/tmp/lbtest-lockout.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(file, sizeof(file), "%s/lockout", dir);
	log_init(true, false);
	lockout_init(file, USERS);
	return 0;
}

static int
teardown(void **state)
{
	unlink(file);
	rmdir(dir);
	return 0;
}

static size_t
entries(void)
{
	static struct lockout_entry e[4 * USERS];

	return lockout_list(e, 4 * USERS);
}

/* Names from to to, each locked by its failure. */
static void
lock_names(int from, int to)
{
	char n[32];
	int i;

	for (i = from; i < to; i++) {
		name(n, i);
		assert_true(lockout_failed(n, now, &one));
	}
}

/* Whether names from to to are all locked. */
static bool
all_locked(int from, int to)
{
	char n[32];
	int i;

	for (i = from; i < to; i++) {
		name(n, i);
		if (lockout_remaining(n, now) == 0)
			return false;
	}
	return true;
}

/* Fill, drop every other entry, refill: every name is found where it
 * should be, whatever collisions and deletions did to its probe run. */
static void
test_entries_survive_deletions_in_their_probe_run(void **state)
{
	char n[32];
	int i;

	assert_int_equal(lockout_clear(NULL) >= 0, 1);
	lock_names(0, USERS);
	assert_int_equal(entries(), USERS);
	for (i = 1; i < USERS; i += 2) {
		name(n, i);
		lockout_succeeded(n);
	}
	assert_int_equal(entries(), USERS / 2);
	for (i = 0; i < USERS; i++) {
		name(n, i);
		assert_int_equal(lockout_remaining(n, now) > 0, i % 2 == 0);
	}
	lock_names(USERS, USERS + USERS / 2);
	for (i = 0; i < USERS + USERS / 2; i++) {
		name(n, i);
		assert_int_equal(lockout_remaining(n, now) > 0,
		    i >= USERS || i % 2 == 0);
	}
	/* The bare names were never counted. */
	assert_int_equal(lockout_remaining("user0", now), 0);
	assert_int_equal(lockout_remaining("user1", now), 0);
}

/* Full of locked users: a new name is not counted and nobody locked is
 * given up; once a lock runs out, its entry makes room. */
static void
test_a_full_table_never_gives_up_a_locked_user(void **state)
{
	assert_int_equal(lockout_clear(NULL) >= 0, 1);
	lock_names(0, USERS);
	assert_false(lockout_failed("newcomer", now, &one));
	assert_int_equal(lockout_remaining("newcomer", now), 0);
	assert_true(all_locked(0, USERS));
	/* 600 s later every lock has run out: the oldest entry goes. */
	assert_true(lockout_failed("newcomer", now + 600, &one));
	assert_int_equal(entries(), USERS);
}

/* A guess given back lifts the lock it made; the last one, the entry. */
static void
test_a_refund_lifts_the_lock_it_made(void **state)
{
	int i;

	assert_int_equal(lockout_clear(NULL) >= 0, 1);
	for (i = 0; i < 3; i++)
		assert_int_equal(lockout_failed("alice", now, &three), i == 2);
	lockout_refund("alice", &three);
	assert_int_equal(lockout_remaining("alice", now), 0);
	lockout_refund("alice", &three);
	lockout_refund("alice", &three);
	assert_int_equal(entries(), 0);
}

/* lockout_users changed: the table moves to the new size at its next
 * use, its entries kept. */
static void
test_a_table_of_another_size_is_moved_with_its_entries(void **state)
{
	assert_int_equal(lockout_clear(NULL) >= 0, 1);
	lock_names(0, USERS);
	lockout_init(file, 4 * USERS);
	assert_true(all_locked(0, USERS));
	lock_names(USERS, 4 * USERS);
	assert_int_equal(entries(), 4 * USERS);
	lockout_init(file, USERS);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_entries_survive_deletions_in_their_probe_run),
		cmocka_unit_test(
		    test_a_full_table_never_gives_up_a_locked_user),
		cmocka_unit_test(test_a_refund_lifts_the_lock_it_made),
		cmocka_unit_test(
		    test_a_table_of_another_size_is_moved_with_its_entries),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
