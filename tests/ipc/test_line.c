/* SPDX-License-Identifier: ISC */
/* test_line.c: line framing, word splitting, quoting, UTF-8. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "line.h"

static const struct split_case {
	const char *line;
	enum line_status status;
	size_t n;
	const char *words[4];
} split_cases[] = {
	{ "lsauth", LINE_OK, 1, { "lsauth" } },
	{ "  login \t password  alice ", LINE_OK, 3,
	    { "login", "password", "alice" } },
	{ "pass \"two words\"", LINE_OK, 2, { "pass", "two words" } },
	{ "pass \"\"", LINE_OK, 2, { "pass", "" } },
	{ "pass a\\ b", LINE_OK, 2, { "pass", "a b" } },
	{ "pass \\\"q\\\\", LINE_OK, 2, { "pass", "\"q\\" } },
	{ "\"log\"in x\"y z\"", LINE_OK, 2, { "login", "xy z" } },
	{ "pass \\n", LINE_OK, 2, { "pass", "n" } },
	{ "", LINE_OK, 0, { NULL } },
	{ "pass \"open", LINE_BAD_QUOTING, 0, { NULL } },
	{ "pass end\\", LINE_BAD_QUOTING, 0, { NULL } },
	{ "a b c d e f g h i j k l m n o p", LINE_OK, 16, { "a", "b", "c" } },
	{ "a b c d e f g h i j k l m n o p q", LINE_TOO_MANY_WORDS, 0,
	    { NULL } },
	{ "pass \xc3\xa9t\xc3\xa9", LINE_OK, 2, { "pass", "\xc3\xa9t\xc3\xa9" } },
	{ "pass \xc3", LINE_BAD_UTF8, 0, { NULL } },
	{ "pass \xc0\xaf", LINE_BAD_UTF8, 0, { NULL } },	/* overlong '/' */
	{ "pass \xed\xa0\x80", LINE_BAD_UTF8, 0, { NULL } },	/* surrogate */
	{ "pass \xf4\x90\x80\x80", LINE_BAD_UTF8, 0, { NULL } },	/* > U+10FFFF */
	{ "pass \xff", LINE_BAD_UTF8, 0, { NULL } },
};

static void
test_split_table(void **state)
{
	static struct line_words w;
	size_t i, k;

	for (i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]); i++) {
		const struct split_case *c = &split_cases[i];
		enum line_status st = line_split(c->line, strlen(c->line), &w);

		if (st != c->status)
			fail_msg("case %zu \"%s\": status %d, wanted %d", i,
			    c->line, st, c->status);
		if (st != LINE_OK)
			continue;
		assert_int_equal(w.n, c->n);
		for (k = 0; k < 4 && c->words[k] != NULL; k++)
			assert_string_equal(w.w[k], c->words[k]);
	}
}

/* A line that is not UTF-8 is still split, and says which words are
 * not: a user name among them can be told apart. */
static void
test_bad_utf8_words_are_marked(void **state)
{
	static struct line_words w;

	assert_int_equal(line_split("login password \xc3\x28", 17, &w),
	    LINE_BAD_UTF8);
	assert_int_equal(w.n, 3);
	assert_int_equal(w.bad_utf8, 1u << 2);
	assert_int_equal(line_split("login pa\xffss \"b\xc3\"\\\x28\"", 18,
	    &w), LINE_BAD_UTF8);
	assert_int_equal(w.n, 3);
	assert_int_equal(w.bad_utf8, (1u << 1) | (1u << 2));
	/* Split by quoting, a sequence is still whole in its word. */
	assert_int_equal(line_split("pass \"\xc3\"\xa9", 9, &w), LINE_OK);
	assert_string_equal(w.w[1], "\xc3\xa9");
	assert_int_equal(w.bad_utf8, 0);
}

static void
test_nul_inside_a_line_is_refused(void **state)
{
	static struct line_words w;

	assert_int_equal(line_split("pa\0ss", 5, &w), LINE_HAS_NUL);
}

/* Whatever a word holds (but CR, LF, NUL), quoting then splitting gives it
 * back: the client library and the worker agree. */
static void
test_quoting_round_trips(void **state)
{
	static const char *const words[] = { "plain", "", "two words",
	    "tab\there", "q\"uote", "back\\slash", "\"\\ \"", "j\xc3\xb6rg" };
	static struct line_words w;
	struct line_out o;
	char buf[256];
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		line_out_init(&o, buf, sizeof(buf));
		line_out_word(&o, "pass");
		line_out_word(&o, words[i]);
		assert_true(line_out_end(&o));
		assert_memory_equal(buf + o.len - 2, "\r\n", 2);
		assert_int_equal(line_split(buf, o.len - 2, &w), LINE_OK);
		assert_int_equal(w.n, 2);
		assert_string_equal(w.w[1], words[i]);
	}
}

static void
test_words_with_line_breaks_cannot_be_sent(void **state)
{
	struct line_out o;
	char buf[64];

	line_out_init(&o, buf, sizeof(buf));
	line_out_word(&o, "a\r\nquit");
	assert_false(line_out_end(&o));
}

static void
test_output_overflow_is_reported(void **state)
{
	struct line_out o;
	char buf[8];

	line_out_init(&o, buf, sizeof(buf));
	line_out_word(&o, "exactly8");
	assert_false(line_out_end(&o));
}

static void
feed(struct line_reader *r, const char *bytes, size_t n)
{
	size_t room;
	char *space = line_reader_space(r, &room);

	assert_true(n <= room);
	memcpy(space, bytes, n);
	line_reader_added(r, n);
}

static void
test_reader_cuts_crlf_and_lf_lines(void **state)
{
	static struct line_reader r;
	const char *line;
	size_t len;

	line_reader_reset(&r);
	feed(&r, "one\r\ntwo\nthr", 12);
	assert_int_equal(line_reader_next(&r, &line, &len), LINE_OK);
	assert_int_equal(len, 3);
	assert_memory_equal(line, "one", 3);
	assert_int_equal(line_reader_next(&r, &line, &len), LINE_OK);
	assert_memory_equal(line, "two", 3);
	assert_int_equal(line_reader_next(&r, &line, &len), LINE_NEED_MORE);
	feed(&r, "ee\r\n", 4);
	assert_int_equal(line_reader_next(&r, &line, &len), LINE_OK);
	assert_int_equal(len, 5);
	assert_memory_equal(line, "three", 5);
}

static void
test_reader_skips_an_overlong_line_once(void **state)
{
	static struct line_reader r;
	static char big[LINE_MAX_BYTES];
	const char *line;
	size_t len;

	line_reader_reset(&r);
	memset(big, 'x', sizeof(big));
	feed(&r, big, sizeof(big));
	assert_int_equal(line_reader_next(&r, &line, &len), LINE_TOO_LONG);
	feed(&r, big, 100);		/* more of the same line */
	assert_int_equal(line_reader_next(&r, &line, &len), LINE_NEED_MORE);
	feed(&r, "tail\r\nnext\r\n", 12);
	assert_int_equal(line_reader_next(&r, &line, &len), LINE_OK);
	assert_int_equal(len, 4);
	assert_memory_equal(line, "next", 4);
}

static void
test_reader_wipes_a_taken_line(void **state)
{
	static struct line_reader r;
	const char *line;
	size_t len;

	line_reader_reset(&r);
	feed(&r, "pass hunter2\r\n", 14);
	assert_int_equal(line_reader_next(&r, &line, &len), LINE_OK);
	assert_int_equal(line_reader_next(&r, &line, &len), LINE_NEED_MORE);
	assert_null(memmem(r.buf, sizeof(r.buf), "hunter2", 7));
}

/* Nothing of a reader in use survives a clear, and bytes past what it
 * holds are never written (a fresh process's reader costs no page). */
static void
test_reader_clear_wipes_what_it_holds(void **state)
{
	static struct line_reader r;
	static const char zero[sizeof(r.buf)];
	const char *line;
	size_t len;

	line_reader_clear(&r);
	feed(&r, "pass hunter2\r\npass more", 24);
	assert_int_equal(line_reader_next(&r, &line, &len), LINE_OK);
	line_reader_clear(&r);
	assert_int_equal(r.len, 0);
	assert_memory_equal(r.buf, zero, sizeof(r.buf));
	feed(&r, "next\r\n", 6);
	assert_int_equal(line_reader_next(&r, &line, &len), LINE_OK);
	assert_memory_equal(line, "next", 4);
}

/* The longest split a line allows (every word quoted, escaped, spaced)
 * leaves nothing in the store past what line_words_wipe wipes. */
static void
test_words_wipe_covers_the_split(void **state)
{
	static const char *const lines[] = {
		"pass hunter2",
		"a b c d e f g h i j k l m n o p",
		"pass \"two words\" \\\"x",
		"x",
	};
	static struct line_words w;
	static const char zero[sizeof(w.store)];
	size_t i;

	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		assert_int_equal(line_split(lines[i], strlen(lines[i]), &w),
		    LINE_OK);
		line_words_wipe(&w, strlen(lines[i]));
		assert_memory_equal(w.store, zero, sizeof(w.store));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_table),
		cmocka_unit_test(test_nul_inside_a_line_is_refused),
		cmocka_unit_test(test_bad_utf8_words_are_marked),
		cmocka_unit_test(test_quoting_round_trips),
		cmocka_unit_test(test_words_with_line_breaks_cannot_be_sent),
		cmocka_unit_test(test_output_overflow_is_reported),
		cmocka_unit_test(test_reader_cuts_crlf_and_lf_lines),
		cmocka_unit_test(test_reader_skips_an_overlong_line_once),
		cmocka_unit_test(test_reader_wipes_a_taken_line),
		cmocka_unit_test(test_reader_clear_wipes_what_it_holds),
		cmocka_unit_test(test_words_wipe_covers_the_split),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
