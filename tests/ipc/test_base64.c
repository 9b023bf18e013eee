/* SPDX-License-Identifier: ISC */
/* test_base64.c: RFC 4648 base64, and only its canonical form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "base64.h"

/* RFC 4648, section 10. */
static const struct {
	const char *bytes, *text;
} vectors[] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

static void
test_rfc4648_vectors_both_ways(void **state)
{
	char text[16];
	uint8_t bytes[16];
	size_t i, n;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		n = strlen(vectors[i].bytes);
		assert_int_equal(base64_encode(vectors[i].bytes, n, text,
		    sizeof(text)), strlen(vectors[i].text));
		assert_string_equal(text, vectors[i].text);
		assert_int_equal(base64_decode(vectors[i].text, bytes,
		    sizeof(bytes)), n);
		assert_memory_equal(bytes, vectors[i].bytes, n);
	}
}

static void
test_every_byte_value_and_length_round_trips(void **state)
{
	uint8_t in[300], out[300];
	char text[BASE64_LEN(300) + 1];
	size_t len, i;

	for (i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 7 + 3);
	for (len = 0; len <= sizeof(in); len++) {
		assert_int_equal(base64_encode(in, len, text, sizeof(text)),
		    BASE64_LEN(len));
		assert_int_equal(base64_decode(text, out, sizeof(out)), len);
		assert_memory_equal(out, in, len);
	}
}

static void
test_only_the_canonical_form_decodes(void **state)
{
	static const char *const refused[] = {
		"Zg", "Zg=", "Zm9vY", "=", "====", "Z===", "Zg=a", "Zh==",
		"Zm9=", "Zm9v\n", " Zm9v", "Zm9v====", "Zm-v", "Zm_v",
		"Zg==Zg==",
	};
	uint8_t out[16];
	size_t i;

	for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
		if (base64_decode(refused[i], out, sizeof(out)) != -1)
			fail_msg("\"%s\" decoded", refused[i]);
}

static void
test_bounds_are_refused_not_overrun(void **state)
{
	uint8_t out[3];
	char text[9];

	assert_int_equal(base64_decode("Zm9vYg==", out, 3), -1);
	assert_int_equal(base64_decode("Zm9v", out, 3), 3);
	/* Eight characters and the terminator need nine bytes. */
	assert_int_equal(base64_encode("foob", 4, text, 8), -1);
	assert_int_equal(base64_encode("foob", 4, text, 9), 8);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rfc4648_vectors_both_ways),
		cmocka_unit_test(test_every_byte_value_and_length_round_trips),
		cmocka_unit_test(test_only_the_canonical_form_decodes),
		cmocka_unit_test(test_bounds_are_refused_not_overrun),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
