/* SPDX-License-Identifier: ISC */
/* test_log.c: a value from outside is one log field, whatever it holds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "log.h"

static const struct {
	const char *value, *field;
} quoted[] = {
	{ "alice", "alice" },
	{ "alice@EXAMPLE.COM", "alice@EXAMPLE.COM" },
	{ "10.0.0.1", "10.0.0.1" },
	{ "2001:db8::1", "2001:db8::1" },
	{ "", "-" },
	{ "-", "\"-\"" },
	{ "root outcome=success", "\"root outcome=success\"" },
	{ "a=b", "\"a=b\"" },
	{ "say \"hi\"", "\"say \\\"hi\\\"\"" },
	{ "back\\slash", "\"back\\\\slash\"" },
	{ "\r\x1b[2Kaudit: x", "\"\\x0d\\x1b[2Kaudit: x\"" },
	{ "a\nb", "\"a\\x0ab\"" },
	{ "a\xc2\x9b" "b", "\"a\\xc2\\x9bb\"" },
	{ "j\xc3\xb6rg", "\"j\\xc3\\xb6rg\"" },
	{ "\x7f", "\"\\x7f\"" },
};

static void
test_values_become_one_field(void **state)
{
	char out[LOG_QUOTED_MAX(32)];
	size_t i;

	for (i = 0; i < sizeof(quoted) / sizeof(quoted[0]); i++)
		assert_string_equal(log_quote(quoted[i].value, out,
		    sizeof(out)), quoted[i].field);
}

/* The worst case fits the documented bound exactly. */
static void
test_worst_case_fits_its_bound(void **state)
{
	char value[65], out[LOG_QUOTED_MAX(64)];

	memset(value, '\x01', 64);
	value[64] = '\0';
	log_quote(value, out, sizeof(out));
	assert_int_equal(strlen(out), sizeof(out) - 1);
	assert_int_equal(out[0], '"');
	assert_int_equal(out[sizeof(out) - 2], '"');
}

/* Too small a buffer cuts between escapes and still closes the quote. */
static void
test_truncation_keeps_the_field_whole(void **state)
{
	char out[8];

	assert_string_equal(log_quote("\x01\x02\x03", out, sizeof(out)),
	    "\"\\x01\"");
	assert_string_equal(log_quote("a b c d e f", out, sizeof(out)),
	    "\"a b c\"");
	assert_string_equal(log_quote("abcdefghij", out, sizeof(out)),
	    "abcdefg");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_become_one_field),
		cmocka_unit_test(test_worst_case_fits_its_bound),
		cmocka_unit_test(test_truncation_keeps_the_field_whole),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
