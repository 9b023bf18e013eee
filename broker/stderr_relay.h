/* SPDX-License-Identifier: ISC */
/*
 * stderr_relay.h: what spawners and their children (workers, PAM helpers
 * and the modules they load) write to stderr, into the broker's log.  A
 * compromised worker writes there too, so each line is cut to a bound,
 * quoted (log_quote) so that it can never pass for a line of our own, and
 * rate-limited so that it can never flood the log or keep us busy.
 */
#ifndef LB_STDERR_RELAY_H
#define LB_STDERR_RELAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"

/* A line's bound: the rest is cut (and says so). */
#define RELAY_LINE_MAX		256
/* Lines a second; past them the relay stops reading until the second
 * ends, and the writers, whose end never blocks, lose what they write. */
#define RELAY_LINES_PER_SEC	20

struct stderr_relay {
	const char *tag;		/* "worker", "pam": outlives the relay */
	struct event pipe_ev;		/* our end of the pipe */
	struct event timer_ev;		/* the end of a paused second */
	int write_fd;			/* for the writers' stderr */
	uint64_t window_start_ms;
	unsigned window_lines;
	bool cutting;			/* inside a line already cut */
	size_t len;
	char buf[RELAY_LINE_MAX];
};

/* Makes the pipe and watches it: 0, or -1 with errno. */
int stderr_relay_open(struct stderr_relay *r, const char *tag);

/* The descriptor to give a spawner as its stderr (spawn_exec). */
int stderr_relay_fd(const struct stderr_relay *r);

/* Logs what is buffered now, even an unfinished line (before exiting, or
 * to show why a spawner failed). */
void stderr_relay_drain(struct stderr_relay *r);

#endif
