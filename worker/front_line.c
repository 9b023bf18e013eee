/* SPDX-License-Identifier: ISC */
/* front_line.c: the line protocol's reading side (doc/protocol.md). */
#include "front.h"

#include "line.h"

static struct line_reader in;

static void
line_start(struct wsession *ws)
{
	line_reader_clear(&in);
}

static char *
line_space(size_t *room)
{
	return line_reader_space(&in, room);
}

static void
line_added(size_t n)
{
	line_reader_added(&in, n);
}

static bool
line_handle(struct wsession *ws)
{
	enum line_status st;
	const char *line;
	size_t len;

	st = line_reader_next(&in, &line, &len);
	if (st == LINE_NEED_MORE)
		return false;
	if (st == LINE_OK)
		ws_on_line(ws, line, len);
	else
		ws_on_bad_line(ws, st);
	/* Its answer is in the IPC message now: wipe it while the login is
	 * pending, not when the next line comes. */
	line_reader_done(&in);
	return true;
}

static bool
line_idle_clock(const struct wsession *ws)
{
	return true;
}

static void
line_reset(void)
{
	line_reader_clear(&in);
}

const struct front front_line = {
	.start = line_start,
	.space = line_space,
	.added = line_added,
	.handle = line_handle,
	.idle_clock = line_idle_clock,
	.reset = line_reset,
	.takes_fds = true,
};
