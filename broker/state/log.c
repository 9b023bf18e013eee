/* SPDX-License-Identifier: ISC */
/* log.c: one line per event, never a secret. */
#include "log.h"

#include <paths.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static enum {
	SINK_STDERR,		/* a terminal's: stamped, the level named */
	SINK_JOURNAL,		/* systemd's journal on stderr: "<N>" */
	SINK_SYSLOG,
} sink;
static bool stderr_too;		/* a daemon not yet detached */
static bool with_debug;

/* systemd's JOURNAL_STREAM names stderr when stderr is the journal. */
static bool
stderr_is_journal(void)
{
	const char *v = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return v != NULL && sscanf(v, "%llu:%llu", &dev, &ino) == 2 &&
	    fstat(2, &st) == 0 && st.st_dev == (dev_t)dev &&
	    st.st_ino == (ino_t)ino;
}

int
log_init(bool foreground, bool debug)
{
	struct stat st;

	with_debug = debug;
	if (foreground) {
		sink = stderr_is_journal() ? SINK_JOURNAL : SINK_STDERR;
		return 0;
	}
	/* With no syslog socket a daemon's log, the audit trail in it,
	 * would go nowhere. */
	if (stat(_PATH_LOG, &st) == -1 || !S_ISSOCK(st.st_mode)) {
		fprintf(stderr, "loginbrokerd: no syslog socket at %s: the "
		    "audit log would be lost; run a syslog daemon, or run in "
		    "the foreground (-f) with stderr kept\n", _PATH_LOG);
		return -1;
	}
	sink = SINK_SYSLOG;
	stderr_too = true;
	openlog("loginbrokerd", LOG_PID | LOG_NDELAY, LOG_AUTHPRIV);
	return 0;
}

void
log_early_error(const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%sloginbrokerd: %s\n", stderr_is_journal() ? "<3>" :
	    "", line);
}

void
log_detached(void)
{
	stderr_too = false;
}

static bool
is_bare(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || strchr("._@:/+-", c) != NULL;
}

const char *
log_quote(const char *s, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t o = 0, n;
	char esc[5];
	bool bare = *p != '\0' && strcmp(s, "-") != 0;

	if (cap < 3) {
		if (cap > 0)
			out[0] = '\0';
		return out;
	}
	for (n = 0; bare && p[n] != '\0'; n++)
		bare = is_bare(p[n]);
	if (bare) {
		snprintf(out, cap, "%s", s);
		return out;
	}
	if (*p == '\0') {
		snprintf(out, cap, "-");
		return out;
	}
	out[o++] = '"';
	for (; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			snprintf(esc, sizeof(esc), "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			snprintf(esc, sizeof(esc), "\\x%02x", *p);
		else
			snprintf(esc, sizeof(esc), "%c", *p);
		n = strlen(esc);
		if (o + n + 2 > cap)	/* room for the quote and the NUL */
			break;
		memcpy(out + o, esc, n);
		o += n;
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

/* syslog's name of a priority, so that a log on stderr keeps it. */
static const char *
level_name(int prio)
{
	static const char *const names[] = { "emerg", "alert", "crit", "err",
	    "warning", "notice", "info", "debug" };

	return prio >= 0 && prio <= LOG_DEBUG ? names[prio] : "notice";
}

void
log_msg(int prio, const char *fmt, ...)
{
	char line[LOG_LINE_MAX], stamp[32];
	struct timespec ts;
	struct tm tm;
	va_list ap;

	if (prio == LOG_DEBUG && !with_debug)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (sink == SINK_SYSLOG)
		syslog(prio, "%s", line);
	if (sink == SINK_JOURNAL)
		fprintf(stderr, "<%d>%s\n", prio, line);
	if (sink == SINK_SYSLOG ? !stderr_too : sink != SINK_STDERR)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ldZ %s loginbrokerd: %s\n", stamp,
	    ts.tv_nsec / 1000000, level_name(prio), line);
}
