/* SPDX-License-Identifier: ISC */
/* test_ipc_payload.c: typed payload fields and their bounds. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipc_frame.h"
#include "ipc_payload.h"

static struct ipc_writer w;
static uint8_t wbuf[IPC_PAYLOAD_MAX];

static void
test_fields_round_trip_in_big_endian(void **state)
{
	struct ipc_reader r;
	char str[16];
	uint8_t bytes[8];

	ipc_writer_init(&w, wbuf, sizeof(wbuf));
	ipc_put_u8(&w, 0xab);
	ipc_put_u32(&w, 0x01020304);
	ipc_put_u64(&w, 0x1122334455667788ull);
	ipc_put_str(&w, "alice");
	ipc_put_bytes(&w, "\0\1\2", 3);
	assert_true(ipc_writer_ok(&w));
	assert_int_equal(w.len, 1 + 4 + 8 + 4 + 5 + 4 + 3);
	assert_memory_equal(w.buf + 1, "\x01\x02\x03\x04", 4);

	ipc_reader_init(&r, w.buf, w.len);
	assert_int_equal(ipc_get_u8(&r), 0xab);
	assert_int_equal(ipc_get_u32(&r), 0x01020304);
	assert_true(ipc_get_u64(&r) == 0x1122334455667788ull);
	ipc_get_str(&r, str, sizeof(str));
	assert_string_equal(str, "alice");
	assert_int_equal(ipc_get_bytes(&r, bytes, sizeof(bytes)), 3);
	assert_memory_equal(bytes, "\0\1\2", 3);
	assert_int_equal(ipc_reader_end(&r), 0);
}

static void
test_string_length_past_the_end_is_refused(void **state)
{
	uint8_t payload[] = { 0, 0, 0, 9, 'a', 'b', 'c' };
	struct ipc_reader r;
	char str[32];

	ipc_reader_init(&r, payload, sizeof(payload));
	ipc_get_str(&r, str, sizeof(str));
	assert_string_equal(str, "");
	assert_int_equal(ipc_reader_end(&r), -1);
	assert_int_equal(errno, EBADMSG);
}

static void
test_huge_string_length_is_refused(void **state)
{
	uint8_t payload[] = { 0xff, 0xff, 0xff, 0xff, 'a' };
	struct ipc_reader r;
	char str[32];

	ipc_reader_init(&r, payload, sizeof(payload));
	ipc_get_str(&r, str, sizeof(str));
	assert_int_equal(ipc_reader_end(&r), -1);
}

static void
test_trailing_bytes_are_refused(void **state)
{
	struct ipc_reader r;

	ipc_writer_init(&w, wbuf, sizeof(wbuf));
	ipc_put_u32(&w, 7);
	ipc_put_u8(&w, 1);
	ipc_reader_init(&r, w.buf, w.len);
	assert_int_equal(ipc_get_u32(&r), 7);
	assert_int_equal(ipc_reader_end(&r), -1);
	assert_int_equal(errno, EBADMSG);
}

static void
test_short_payload_is_refused_and_errors_stick(void **state)
{
	uint8_t payload[] = { 1, 2 };
	struct ipc_reader r;

	ipc_reader_init(&r, payload, sizeof(payload));
	assert_int_equal(ipc_get_u32(&r), 0);
	/* Sticky: a later field that would fit is not read either. */
	assert_int_equal(ipc_get_u8(&r), 0);
	assert_int_equal(ipc_reader_end(&r), -1);
}

static void
test_string_with_nul_inside_is_refused(void **state)
{
	struct ipc_reader r;
	char str[16];

	ipc_writer_init(&w, wbuf, sizeof(wbuf));
	ipc_put_bytes(&w, "ali\0ce", 6);
	ipc_reader_init(&r, w.buf, w.len);
	ipc_get_str(&r, str, sizeof(str));
	assert_string_equal(str, "");
	assert_int_equal(ipc_reader_end(&r), -1);
}

static void
test_string_larger_than_destination_is_refused(void **state)
{
	struct ipc_reader r;
	char str[5];

	ipc_writer_init(&w, wbuf, sizeof(wbuf));
	ipc_put_str(&w, "alice");	/* needs 6 with its terminator */
	ipc_reader_init(&r, w.buf, w.len);
	ipc_get_str(&r, str, sizeof(str));
	assert_int_equal(ipc_reader_end(&r), -1);
}

static void
test_writer_overflow_is_reported(void **state)
{
	static uint8_t big[IPC_PAYLOAD_MAX];

	ipc_writer_init(&w, wbuf, sizeof(wbuf));
	ipc_put_bytes(&w, big, IPC_PAYLOAD_MAX - 4);
	assert_true(ipc_writer_ok(&w));
	ipc_put_u8(&w, 1);
	assert_false(ipc_writer_ok(&w));

	ipc_writer_init(&w, wbuf, sizeof(wbuf));
	ipc_put_bytes(&w, big, IPC_PAYLOAD_MAX);
	assert_false(ipc_writer_ok(&w));
}

static void
test_writer_wipe_clears_secret(void **state)
{
	ipc_writer_init(&w, wbuf, sizeof(wbuf));
	ipc_put_str(&w, "hunter2");
	ipc_writer_wipe(&w);
	assert_int_equal(w.len, 0);
	assert_null(memmem(w.buf, 16, "hunter2", 7));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fields_round_trip_in_big_endian),
		cmocka_unit_test(test_string_length_past_the_end_is_refused),
		cmocka_unit_test(test_huge_string_length_is_refused),
		cmocka_unit_test(test_trailing_bytes_are_refused),
		cmocka_unit_test(test_short_payload_is_refused_and_errors_stick),
		cmocka_unit_test(test_string_with_nul_inside_is_refused),
		cmocka_unit_test(test_string_larger_than_destination_is_refused),
		cmocka_unit_test(test_writer_overflow_is_reported),
		cmocka_unit_test(test_writer_wipe_clears_secret),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
