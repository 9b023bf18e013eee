/* SPDX-License-Identifier: ISC */
/* stderr_relay.c: bounded, quoted, rate-limited stderr lines. */
#include "stderr_relay.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"

/* Logs buf[len] as one line, unless this second's lines are spent. */
static void
emit(struct stderr_relay *r, size_t len, bool cut)
{
	char text[RELAY_LINE_MAX + 1], quoted[LOG_QUOTED_MAX(RELAY_LINE_MAX)];
	struct itimerspec its = { { 0, 0 }, { 0, 0 } };
	uint64_t now = clock_now_ms(), left;

	if (now - r->window_start_ms >= 1000) {
		r->window_start_ms = now;
		r->window_lines = 0;
	}
	memcpy(text, r->buf, len);
	text[len] = '\0';
	log_msg(LOG_WARNING, "%s stderr: %s%s", r->tag,
	    log_quote(text, quoted, sizeof(quoted)), cut ? " (cut)" : "");
	if (++r->window_lines < RELAY_LINES_PER_SEC)
		return;
	/* Spent: stop reading until the second ends. */
	left = 1000 - (now - r->window_start_ms);
	its.it_value.tv_sec = (time_t)(left / 1000);
	its.it_value.tv_nsec = (long)(left % 1000) * 1000000L + 1;
	if (timerfd_settime(r->timer_ev.fd, 0, &its, NULL) == 0) {
		log_msg(LOG_WARNING, "%s stderr: more than %d lines a second; "
		    "the rest of this second is dropped", r->tag,
		    RELAY_LINES_PER_SEC);
		event_mod(&r->pipe_ev, 0);
	}
}

/* Logs the complete lines in the buffer, and a full one cut. */
static void
emit_lines(struct stderr_relay *r)
{
	char *nl;
	size_t len;

	while (r->pipe_ev.watching != 0 && r->len > 0) {
		nl = memchr(r->buf, '\n', r->len);
		if (nl == NULL && r->len < sizeof(r->buf))
			return;
		len = nl != NULL ? (size_t)(nl - r->buf) : r->len;
		if (!r->cutting)
			emit(r, len, nl == NULL);
		/* A cut line's tail is skipped up to its end. */
		r->cutting = nl == NULL;
		len += nl != NULL;
		memmove(r->buf, r->buf + len, r->len - len);
		r->len -= len;
	}
}

static void
on_pipe(struct event *ev, uint32_t events)
{
	struct stderr_relay *r = ev->ctx;
	ssize_t n;

	n = read(ev->fd, r->buf + r->len, sizeof(r->buf) - r->len);
	if (n > 0) {
		r->len += (size_t)n;
		emit_lines(r);
	}
}

static void
on_timer(struct event *ev, uint32_t events)
{
	struct stderr_relay *r = ev->ctx;
	uint64_t expirations;

	(void)!read(ev->fd, &expirations, sizeof(expirations));
	r->window_start_ms = clock_now_ms();
	r->window_lines = 0;
	event_mod(&r->pipe_ev, EPOLLIN);
	emit_lines(r);
}

int
stderr_relay_open(struct stderr_relay *r, const char *tag)
{
	int fds[2], tfd;

	memset(r, 0, sizeof(*r));
	r->tag = tag;
	/* Both ends non-blocking: a writer that fills the pipe loses its
	 * line rather than wait for us. */
	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) == -1)
		return -1;
	if ((tfd = timerfd_create(CLOCK_MONOTONIC,
	    TFD_NONBLOCK | TFD_CLOEXEC)) == -1) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	r->write_fd = fds[1];
	r->pipe_ev = (struct event){ .fd = fds[0], .cb = on_pipe, .ctx = r };
	r->timer_ev = (struct event){ .fd = tfd, .cb = on_timer, .ctx = r };
	if (event_add(&r->pipe_ev, EPOLLIN) == -1 ||
	    event_add(&r->timer_ev, EPOLLIN) == -1)
		return -1;
	return 0;
}

int
stderr_relay_fd(const struct stderr_relay *r)
{
	return r->write_fd;
}

void
stderr_relay_drain(struct stderr_relay *r)
{
	on_pipe(&r->pipe_ev, EPOLLIN);
	if (r->len > 0 && !r->cutting && r->pipe_ev.watching != 0) {
		emit(r, r->len, false);
		r->len = 0;
	}
}
