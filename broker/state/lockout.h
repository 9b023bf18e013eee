/* SPDX-License-Identifier: ISC */
/*
 * lockout.h: failures per user and the lockouts they earn, as
 * pam_faillock keeps them: in a file only root reads, a fixed table of
 * slots mapped shared and changed one slot at a time under flock(2), so
 * the state survives restarts and the administrator's command can change
 * it while the broker runs.
 */
#ifndef LB_LOCKOUT_H
#define LB_LOCKOUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "ipc_proto.h"

/* Users tracked at once (lockout_users): the default and the bounds. */
#define LOCKOUT_USERS_DEFAULT	1024
#define LOCKOUT_USERS_MIN	16
#define LOCKOUT_USERS_MAX	100000

struct lockout_entry {
	char user[USER_NAME_MAX];
	unsigned failures;		/* within the window */
	time_t first_failure;
	time_t locked_until;		/* 0: not locked */
};

struct lockout_rules {
	unsigned failures;		/* 0: never lock */
	unsigned window_s;
	unsigned duration_s;
};

/* Whether the state file at path can be used: it exists as a file root
 * may read and write, or its directory exists to make it in.  0, or -1
 * with why[cap] saying what is wrong.  Makes nothing. */
int lockout_usable(const char *path, char *why, size_t cap);

/* Uses the state file at path, made on the first failure, for users
 * entries; an existing table of another size is moved to this one.
 * users 0 (loginbrokerctl): the table's own size, never moved. */
void lockout_init(const char *path, unsigned users);

/* Seconds the user stays locked at now, or 0. */
unsigned lockout_remaining(const char *user, time_t now);

/* Counts a failure; locks the user when the rules (failures > 0) say so.
 * True when this failure locked the user.  A full table forgets the
 * unlocked entry whose first failure is oldest; a table full of locked
 * users counts nothing more (both logged as warnings). */
bool lockout_failed(const char *user, time_t now,
    const struct lockout_rules *rules, time_t *window);

/* A factor was proven: the failure its guess was charged is given back,
 * and a lock that charge made is lifted, if the user's window is still
 * the one lockout_failed gave (window). */
void lockout_refund(const char *user, const struct lockout_rules *rules,
    time_t window);

/* A login succeeded: the user's failures are forgotten. */
void lockout_succeeded(const char *user);

/* Every entry (locked or counting), *count of them, in an array the
 * caller frees; NULL when the table cannot be read. */
struct lockout_entry *lockout_list(size_t *count);

/* Forgets one user's entry (NULL: everyone's): how many were dropped, or
 * -1 when the file could not be written. */
int lockout_clear(const char *user);

#endif
