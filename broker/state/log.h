/* SPDX-License-Identifier: ISC */
/* log.h: the broker's log, to syslog or (foreground) to stderr. */
#ifndef LB_LOG_H
#define LB_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

/* Chooses stderr when foreground: stamped lines with their level named,
 * or, when stderr is systemd's journal (JOURNAL_STREAM), each line with
 * its syslog priority as "<N>"; else syslog, and stderr too until
 * log_detached.  LOG_DEBUG lines (session lifecycle, worker pids) only
 * with debug.  0, or -1 with the reason on stderr: a daemon with no
 * syslog socket. */
int log_init(bool foreground, bool debug);

/* An error before the log is set up (a bad option, a bad file): on
 * stderr as "loginbrokerd: ...", an error's priority first when stderr
 * is the journal. */
void log_early_error(const char *fmt, ...)
    __attribute__((format(printf, 1, 2)));

/* A daemon has detached: syslog only from here on. */
void log_detached(void);

/* A log line's bound: an audit line with every quoted field at its
 * longest fits (audit.c). */
#define LOG_LINE_MAX	4096

/* Bytes log_quote may write for a value of len bytes: each byte as
 * "\xHH" at worst, two quotes and the NUL. */
#define LOG_QUOTED_MAX(len)	(4 * (len) + 3)

/* Writes s into out[cap] as one log field value that no input can turn
 * into two: bare when it is only letters, digits and ._@:/+-, else in
 * double quotes with \" and \\ for quote and backslash, and \xHH for every
 * other byte outside printable ASCII (controls, DEL, all of UTF-8, as
 * OpenSSH's logging writes them); "-" for "" and "\"-\"" for "-".
 * Truncated (the quote still closed) when cap is too small.  Returns out. */
const char *log_quote(const char *s, char *out, size_t cap);

/* Logs one line at a syslog priority. */
void log_msg(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
