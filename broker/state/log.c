/* log.c: one line per event, never a secret. */
#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
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
	if (!to_stderr) {
		syslog(prio, "%s", line);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
	fprintf(stderr, "%s.%03ldZ %s loginbrokerd: %s\n", stamp,
	    ts.tv_nsec / 1000000, level_name(prio), line);
}
