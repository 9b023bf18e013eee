/* SPDX-License-Identifier: ISC */
/*
 * line.h: the client protocol's text lines, shared by the worker (which
 * parses requests) and the client library (which parses replies).
 *
 * A line is UTF-8 ending in CRLF (a bare LF is accepted).  Words are
 * separated by spaces or tabs; a backslash makes the next character
 * literal; double quotes group words, spaces included.  NUL never appears.
 */
#ifndef LB_LINE_H
#define LB_LINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A line, terminator included: what one step of mechanism data needs
 * (a Kerberos ticket with an Active Directory PAC runs to kilobytes), its
 * bytes within one IPC message (ipc_proto.h, MECH_DATA_MAX). */
#define LINE_MAX_BYTES	16384
/* Words in a request: pass with one answer per prompt of a round. */
#define LINE_MAX_WORDS	16

enum line_status {
	LINE_OK,
	LINE_NEED_MORE,		/* no whole line buffered yet */
	LINE_TOO_LONG,		/* skipped up to its end */
	LINE_HAS_NUL,
	LINE_BAD_UTF8,
	LINE_BAD_QUOTING,	/* open quote or trailing backslash */
	LINE_TOO_MANY_WORDS,
};

/* Accumulates bytes and cuts them into lines. */
struct line_reader {
	size_t len;
	size_t taken;		/* bytes of the line handed out last */
	bool skipping;		/* inside an over-long line */
	char buf[LINE_MAX_BYTES];
};

struct line_words {
	size_t n;
	char *w[LINE_MAX_WORDS];
	unsigned bad_utf8;	/* bit i: word i is not UTF-8 */
	char store[LINE_MAX_BYTES];
};

/* Empties the reader (wiping what it held). */
void line_reader_reset(struct line_reader *r);

/* Empties a reader in use, wiping only the bytes it holds: nothing past
 * them is ever written, so a fresh process's reader costs no page. */
void line_reader_clear(struct line_reader *r);

/* Where the next bytes go, and how many fit; 0 means a line is complete
 * and must be taken first. */
char *line_reader_space(struct line_reader *r, size_t *room);

/* Records n bytes written at line_reader_space. */
void line_reader_added(struct line_reader *r, size_t n);

/* Takes the next line without its terminator: LINE_OK with *line and *len
 * set (valid until the next call), LINE_NEED_MORE, or LINE_TOO_LONG once
 * per over-long line, which is dropped. */
enum line_status line_reader_next(struct line_reader *r, const char **line,
    size_t *len);

/* Drops the line handed out last, wiping it: it may have been a password.
 * line_reader_space and line_reader_next do it too; call it as soon as the
 * line has been used, not when the next bytes come. */
void line_reader_done(struct line_reader *r);

/* Splits a line into words: LINE_OK, LINE_HAS_NUL, LINE_BAD_QUOTING,
 * LINE_TOO_MANY_WORDS, or LINE_BAD_UTF8 with the words split all the
 * same and the bad ones marked in bad_utf8 (so that a caller can say
 * which one it was). */
enum line_status line_split(const char *line, size_t len,
    struct line_words *out);

/* Wipes what line_split wrote for a line of len bytes: its words, not the
 * whole store (a fresh process's store costs no page). */
void line_words_wipe(struct line_words *out, size_t len);

/* True when p[len] is well-formed UTF-8 (no overlongs, no surrogates). */
bool line_utf8_valid(const char *p, size_t len);

/* Decodes the character at the start of p[len] into *cp: its length in
 * bytes, or 0 when p does not begin with well-formed UTF-8. */
size_t line_utf8_next(const char *p, size_t len, uint32_t *cp);

/* An output line under construction; overflow is sticky. */
struct line_out {
	char *buf;
	size_t cap;
	size_t len;
	bool overflow;
	bool spaced;		/* the next word needs a space before it */
};

/* Starts writing into buf[cap]. */
void line_out_init(struct line_out *o, char *buf, size_t cap);

/* Appends raw text (no quoting); the next word follows it directly. */
void line_out_raw(struct line_out *o, const char *s);

/* Appends a space (unless it follows raw text) and word, quoted when it
 * needs it.
 * A word holding CR, LF or NUL cannot be sent: the line overflows. */
void line_out_word(struct line_out *o, const char *word);

/* Ends the line with CRLF; false when anything did not fit. */
bool line_out_end(struct line_out *o);

#endif
