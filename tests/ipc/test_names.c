/* SPDX-License-Identifier: ISC */
/* test_names.c: which user names the worker and the broker accept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "ipc_proto.h"
#include "names.h"

static const struct {
	const char *name;
	bool valid;
} users[] = {
	{ "alice", true },
	{ "alice@EXAMPLE.COM", true },
	{ "j\xc3\xb6rg", true },			/* ö */
	{ "\xe6\x9d\x8e", true },			/* 李 */
	{ "root outcome=success", true },	/* quoted in the log */
	{ "", false },
	{ "-alice", false },			/* an option to a program */
	{ "a/b", false },
	{ "a:b", false },
	{ "a\tb", false },			/* C0 */
	{ "a\x7f" "b", false },			/* DEL */
	{ "a\xc2\x85" "b", false },		/* U+0085 NEL, C1 */
	{ "a\xc2\x9b" "b", false },		/* U+009B CSI, C1 */
	{ "a\xc2\xa0" "b", true },		/* U+00A0, printable */
	{ "admin\xe2\x80\xae" "nimda", false },	/* U+202E RLO */
	{ "a\xe2\x80\x8b" "b", false },		/* U+200B zero width */
	{ "a\xe2\x81\xa6" "b", false },		/* U+2066 LRI */
	{ "a\xe2\x80\xa8" "b", false },		/* U+2028 line separator */
	{ "a\xd8\x9c" "b", false },		/* U+061C Arabic letter mark */
	{ "\xef\xbb\xbf" "alice", false },	/* U+FEFF BOM */
	{ "a\xc3\x28" "b", false },		/* not UTF-8 */
	{ "a\xc0\xae" "b", false },		/* overlong '.' */
	{ "a\xed\xa0\x80" "b", false },		/* a surrogate */
};

static void
test_user_names_table(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++)
		if (name_user_valid(users[i].name) != users[i].valid)
			fail_msg("user name %zu (\"%s\"): want %s", i,
			    users[i].name, users[i].valid ? "valid" :
			    "refused");
}

static void
test_user_name_length_bound(void **state)
{
	char name[USER_NAME_MAX + 1];

	memset(name, 'a', sizeof(name));
	name[USER_NAME_MAX - 1] = '\0';
	assert_true(name_user_valid(name));
	name[USER_NAME_MAX - 1] = 'a';
	name[USER_NAME_MAX] = '\0';
	assert_false(name_user_valid(name));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_user_names_table),
		cmocka_unit_test(test_user_name_length_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
