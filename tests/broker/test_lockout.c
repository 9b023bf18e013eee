/* SPDX-License-Identifier: ISC */
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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "lockout.h"
#include "log.h"

#define USERS	16

static char dir[64], file[96];
static const struct lockout_rules one = { 1, 600, 600 };	/* 1 locks */
static const struct lockout_rules three = { 3, 600, 600 };
static const time_t now = 1000000;
static time_t window;	/* what lockout_failed said last */

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
	struct lockout_entry *e;
	size_t n;

	assert_non_null(e = lockout_list(&n));
	free(e);
	return n;
}

/* Names from to to, each locked by its failure. */
static void
lock_names(int from, int to)
{
	char n[32];
	int i;

	for (i = from; i < to; i++) {
		name(n, i);
		assert_true(lockout_failed(n, now, &one, &window));
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
	assert_false(lockout_failed("newcomer", now, &one, &window));
	assert_int_equal(lockout_remaining("newcomer", now), 0);
	assert_true(all_locked(0, USERS));
	/* 600 s later every lock has run out: the oldest entry goes. */
	assert_true(lockout_failed("newcomer", now + 600, &one, &window));
	assert_int_equal(entries(), USERS);
}

/* A guess given back lifts the lock it made; the last one, the entry. */
static void
test_a_refund_lifts_the_lock_it_made(void **state)
{
	int i;

	assert_int_equal(lockout_clear(NULL) >= 0, 1);
	for (i = 0; i < 3; i++)
		assert_int_equal(lockout_failed("alice", now, &three, &window), i == 2);
	lockout_refund("alice", &three, window);
	assert_int_equal(lockout_remaining("alice", now), 0);
	lockout_refund("alice", &three, window);
	lockout_refund("alice", &three, window);
	assert_int_equal(entries(), 0);
}

/* A refund belongs to the window its guess was charged to: once a new
 * window began, it cancels none of its failures. */
static void
test_a_refund_never_reaches_into_a_later_window(void **state)
{
	time_t first;

	assert_int_equal(lockout_clear(NULL) >= 0, 1);
	lockout_failed("alice", now, &three, &first);
	lockout_failed("alice", now + 600, &three, &window);	/* new one */
	lockout_refund("alice", &three, first);
	assert_int_equal(entries(), 1);
	lockout_failed("alice", now + 601, &three, &window);
	assert_true(lockout_failed("alice", now + 602, &three, &window));
}

/* A file that is not a table of this version (a text file of an older
 * release) is set aside as PATH.old, and the lockout goes on counting in
 * a fresh table instead of switching itself off. */
static void
test_a_file_of_another_format_is_set_aside(void **state)
{
	char old[128];
	FILE *f;

	lockout_init(file, USERS);
	unlink(file);
	assert_non_null(f = fopen(file, "w"));
	fputs("3 1000000 1000600 alice\n", f);
	assert_int_equal(fclose(f), 0);
	lockout_init(file, USERS);
	assert_true(lockout_failed("bob", now, &one, &window));
	assert_true(lockout_remaining("bob", now) > 0);
	snprintf(old, sizeof(old), "%s.old", file);
	assert_int_equal(access(old, F_OK), 0);
	unlink(old);
}

/* Shrunk below its entries, the table keeps the locked ones first. */
static void
test_shrinking_keeps_the_locked_users(void **state)
{
	char n[32];
	int i;

	lockout_init(file, 4 * USERS);
	assert_int_equal(lockout_clear(NULL) >= 0, 1);
	for (i = 0; i < 3 * USERS; i++) {
		name(n, i);
		lockout_failed(n, now, &three, &window);	/* unlocked */
	}
	lock_names(3 * USERS, 4 * USERS);
	lockout_init(file, USERS);
	assert_true(all_locked(3 * USERS, 4 * USERS));
	assert_int_equal(entries(), USERS);
}

/* loginbrokerctl (users 0) reads a table of any size, never moving it. */
static void
test_the_administrator_command_never_resizes(void **state)
{
	struct stat before, after;

	assert_int_equal(lockout_clear(NULL) >= 0, 1);
	lock_names(0, 2);
	assert_int_equal(stat(file, &before), 0);
	lockout_init(file, 0);
	assert_int_equal(entries(), 2);
	assert_int_equal(stat(file, &after), 0);
	assert_int_equal(before.st_ino, after.st_ino);
	assert_int_equal(before.st_size, after.st_size);
	lockout_init(file, USERS);
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
		cmocka_unit_test(
		    test_a_refund_never_reaches_into_a_later_window),
		cmocka_unit_test(test_a_file_of_another_format_is_set_aside),
		cmocka_unit_test(test_shrinking_keeps_the_locked_users),
		cmocka_unit_test(test_the_administrator_command_never_resizes),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
