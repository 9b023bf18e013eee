/* log.h: the broker's log, to syslog or (foreground) to stderr. */
#ifndef LB_LOG_H
#define LB_LOG_H

#include <stdbool.h>
#include <syslog.h>

/* Chooses stderr (with a timestamp) when foreground, else syslog; LOG_DEBUG
 * lines (session lifecycle, worker pids) only with debug. */
void log_init(bool foreground, bool debug);

/* Logs one line at a syslog priority. */
void log_msg(int prio, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#endif
