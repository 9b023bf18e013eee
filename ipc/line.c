/* SPDX-License-Identifier: ISC */
/* line.c: line framing, word splitting and quoting. */
#include "line.h"

#include <stdint.h>
#include <string.h>

void
line_reader_reset(struct line_reader *r)
{
	explicit_bzero(r->buf, sizeof(r->buf));
	r->len = 0;
	r->taken = 0;
	r->skipping = false;
}

void
line_reader_clear(struct line_reader *r)
{
	explicit_bzero(r->buf, r->len);
	r->len = 0;
	r->taken = 0;
	r->skipping = false;
}

void
line_reader_done(struct line_reader *r)
{
	if (r->taken == 0)
		return;
	memmove(r->buf, r->buf + r->taken, r->len - r->taken);
	explicit_bzero(r->buf + r->len - r->taken, r->taken);
	r->len -= r->taken;
	r->taken = 0;
}

char *
line_reader_space(struct line_reader *r, size_t *room)
{
	line_reader_done(r);
	*room = sizeof(r->buf) - r->len;
	return r->buf + r->len;
}

void
line_reader_added(struct line_reader *r, size_t n)
{
	r->len += n;
}

enum line_status
line_reader_next(struct line_reader *r, const char **line, size_t *len)
{
	char *lf;
	size_t n;

	line_reader_done(r);
	lf = memchr(r->buf, '\n', r->len);
	if (lf == NULL) {
		if (r->len < sizeof(r->buf))
			return LINE_NEED_MORE;
		/* Full buffer, no end in sight: drop it and skip the rest. */
		explicit_bzero(r->buf, r->len);
		r->len = 0;
		if (r->skipping)
			return LINE_NEED_MORE;
		r->skipping = true;
		return LINE_TOO_LONG;
	}
	r->taken = (size_t)(lf - r->buf) + 1;
	if (r->skipping) {
		/* The tail of an over-long line, already answered. */
		r->skipping = false;
		return line_reader_next(r, line, len);
	}
	n = (size_t)(lf - r->buf);
	if (n > 0 && r->buf[n - 1] == '\r')
		n--;
	*line = r->buf;
	*len = n;
	return LINE_OK;
}

size_t
line_utf8_next(const char *s, size_t len, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t k, need;
	uint32_t c, min;

	if (len == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if ((p[0] & 0xe0) == 0xc0)
		need = 1, c = p[0] & 0x1f, min = 0x80;
	else if ((p[0] & 0xf0) == 0xe0)
		need = 2, c = p[0] & 0x0f, min = 0x800;
	else if ((p[0] & 0xf8) == 0xf0)
		need = 3, c = p[0] & 0x07, min = 0x10000;
	else
		return 0;
	if (need > len - 1)
		return 0;
	for (k = 1; k <= need; k++) {
		if ((p[k] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (p[k] & 0x3f);
	}
	/* Overlong forms, surrogates and beyond Unicode are not UTF-8. */
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return need + 1;
}

bool
line_utf8_valid(const char *s, size_t len)
{
	size_t i = 0, n;
	uint32_t cp;

	for (; i < len; i += n)
		if ((n = line_utf8_next(s + i, len - i, &cp)) == 0)
			return false;
	return true;
}

enum line_status
line_split(const char *line, size_t len, struct line_words *out)
{
	size_t i = 0, o = 0, start;
	bool quoted;

	out->n = 0;
	out->bad_utf8 = 0;
	if (memchr(line, '\0', len) != NULL)
		return LINE_HAS_NUL;
	for (;;) {
		while (i < len && (line[i] == ' ' || line[i] == '\t'))
			i++;
		if (i == len)
			return out->bad_utf8 != 0 ? LINE_BAD_UTF8 : LINE_OK;
		if (out->n == LINE_MAX_WORDS)
			return LINE_TOO_MANY_WORDS;
		/* The store is as large as a whole line: words always fit. */
		out->w[out->n++] = out->store + o;
		start = o;
		quoted = false;
		for (; i < len; i++) {
			if (line[i] == '\\') {
				if (++i == len)
					return LINE_BAD_QUOTING;
				out->store[o++] = line[i];
			} else if (line[i] == '"') {
				quoted = !quoted;
			} else if (!quoted && (line[i] == ' ' || line[i] == '\t')) {
				break;
			} else {
				out->store[o++] = line[i];
			}
		}
		if (quoted)
			return LINE_BAD_QUOTING;
		/* Quotes and escapes are ASCII: no UTF-8 sequence spans a
		 * word's boundary, so each word is checked alone. */
		if (!line_utf8_valid(out->store + start, o - start))
			out->bad_utf8 |= 1u << (out->n - 1);
		out->store[o++] = '\0';
	}
}

void
line_words_wipe(struct line_words *out, size_t len)
{
	/* Each word but the last ends at a separator of the line: its NUL
	 * takes that byte's room. */
	explicit_bzero(out->store, len < sizeof(out->store) ?
	    len + 1 : sizeof(out->store));
}

void
line_out_init(struct line_out *o, char *buf, size_t cap)
{
	o->buf = buf;
	o->cap = cap;
	o->len = 0;
	o->overflow = false;
	o->spaced = false;
}

static void
put_char(struct line_out *o, char c)
{
	if (o->overflow || o->len == o->cap) {
		o->overflow = true;
		return;
	}
	o->buf[o->len++] = c;
}

void
line_out_raw(struct line_out *o, const char *s)
{
	while (*s != '\0')
		put_char(o, *s++);
	o->spaced = false;
}

static bool
needs_quotes(const char *w)
{
	if (*w == '\0')
		return true;
	for (; *w != '\0'; w++)
		if (*w == ' ' || *w == '\t' || *w == '"' || *w == '\\')
			return true;
	return false;
}

void
line_out_word(struct line_out *o, const char *word)
{
	bool quote = needs_quotes(word);
	const char *p;

	if (strpbrk(word, "\r\n") != NULL) {
		o->overflow = true;
		return;
	}
	if (o->spaced)
		put_char(o, ' ');
	o->spaced = true;
	if (quote)
		put_char(o, '"');
	for (p = word; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			put_char(o, '\\');
		put_char(o, *p);
	}
	if (quote)
		put_char(o, '"');
}

bool
line_out_end(struct line_out *o)
{
	put_char(o, '\r');
	put_char(o, '\n');
	return !o->overflow;
}
