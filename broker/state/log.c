/* log.c: one line per event, never a secret. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

static bool to_stderr;
static bool with_debug;

void
log_init(bool foreground, bool debug)
{
	to_stderr = foreground;
	with_debug = debug;
	if (!foreground)
		openlog("loginbrokerd", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
}

void
log_msg(int prio, const char *fmt, ...)
{
	char line[1024], stamp[32];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if (prio == LOG_DEBUG && !with_debug)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (!to_stderr) {
		syslog(prio, "%s", line);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ldZ loginbrokerd: %s\n", stamp,
	    ts.tv_nsec / 1000000, line);
}
