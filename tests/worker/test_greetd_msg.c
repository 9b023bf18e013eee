/* SPDX-License-Identifier: ISC */
/*
 * test_greetd_msg.c: greetd's requests parsed from JSON and replies
 * written as frames (worker/greetd_msg.h), request by request.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "greetd_msg.h"

static struct greetd_request req;

/* Parses json: its return, and *why when it failed. */
static int
parse(const char *json, const char **why)
{
	*why = NULL;
	return greetd_parse(json, strlen(json), &req, why);
}

/* What agreety 0.9 sends, field by field. */
static void
test_requests_of_a_greeter_parse(void **state)
{
	const char *why;

	assert_int_equal(parse("{\"type\": \"create_session\", \"username\": "
	    "\"alice\"}", &why), 0);
	assert_int_equal(req.type, GREETD_CREATE_SESSION);
	assert_string_equal(req.username, "alice");

	assert_int_equal(parse("{\"type\": \"post_auth_message_response\", "
	    "\"response\": \"p\\u00e4ss \\\"w\\\"\"}", &why), 0);
	assert_int_equal(req.type, GREETD_POST_RESPONSE);
	assert_true(req.has_response);
	assert_string_equal(req.response, "p\xc3\xa4ss \"w\"");

	/* null, or none at all: a message acknowledged. */
	assert_int_equal(parse("{\"type\": \"post_auth_message_response\", "
	    "\"response\": null}", &why), 0);
	assert_false(req.has_response);
	assert_int_equal(parse("{\"type\": \"post_auth_message_response\"}",
	    &why), 0);
	assert_false(req.has_response);

	assert_int_equal(parse("{\"type\": \"start_session\", \"cmd\": "
	    "[\"/usr/bin/sway\", \"--debug\"], \"env\": [\"XDG_SESSION_TYPE="
	    "wayland\"], \"extra\": {\"ignored\": true}}", &why), 0);
	assert_int_equal(req.type, GREETD_START_SESSION);
	assert_int_equal(req.ncmd, 2);
	assert_string_equal(req.cmd[1], "--debug");
	assert_int_equal(req.nenv, 1);
	assert_string_equal(req.env[0], "XDG_SESSION_TYPE=wayland");
	/* env may be left out (greetd before 0.9). */
	assert_int_equal(parse("{\"type\": \"start_session\", \"cmd\": []}",
	    &why), 0);
	assert_int_equal(req.nenv, 0);

	assert_int_equal(parse(" {\"type\": \"cancel_session\"} \r\n", &why),
	    0);
	assert_int_equal(req.type, GREETD_CANCEL_SESSION);
}

/* Each malformed request and what its error says. */
static void
test_malformed_requests_say_why(void **state)
{
	static char big[GREETD_FRAME_MAX + 2], deep[64], long_user[400];
	static const struct {
		const char *json, *why;
	} cases[] = {
		{ "", "Invalid JSON" },
		{ "{", "Invalid JSON" },
		{ "{\"type\": \"cancel_session\",}", "Invalid JSON" },
		{ "{'type': 'cancel_session'}", "Invalid JSON" },
		{ "{\"type\": \"cancel_session\"} x",
		    "Invalid JSON" },
		{ "\"cancel_session\"", "Invalid JSON: expected one object" },
		{ "{\"type\": \"create_session\", \"username\": \"\xc3\x28\"}",
		    "Invalid JSON" },
		{ "{}", "type: missing" },
		{ "{\"type\": null}", "type: missing" },
		{ "{\"type\": \"login\"}", "Unknown request type" },
		{ "{\"type\": \"create_session\"}", "username: missing" },
		{ "{\"type\": \"create_session\", \"username\": true}",
		    "username: expected a string" },
		{ "{\"type\": \"create_session\", \"username\": \"a\\u0000\"}",
		    "username: holds a NUL" },
		{ "{\"type\": \"post_auth_message_response\", \"response\": 1}",
		    "response: expected a string" },
		{ "{\"type\": \"start_session\"}", "cmd: missing" },
		{ "{\"type\": \"start_session\", \"cmd\": [1]}",
		    "cmd: expected a string" },
		{ "{\"type\": \"start_session\", \"cmd\": [], \"env\": {}}",
		    "env: expected an array of strings" },
		{ "{\"type\": \"start_session\", \"cmd\": [\"a\",\"a\",\"a\","
		    "\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\","
		    "\"a\",\"a\",\"a\"]}", "cmd: too many elements" },
	};
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (parse(cases[i].json, &why) != -1 || why == NULL ||
		    strcmp(why, cases[i].why) != 0)
			fail_msg("%s: \"%s\", wanted \"%s\"", cases[i].json,
			    why != NULL ? why : "(parsed)", cases[i].why);
	}
	/* One over the frame's bound, whatever it holds. */
	memset(big, ' ', sizeof(big) - 1);
	assert_int_equal(parse(big, &why), -1);
	assert_string_equal(why, "Message too long");
	/* The depth bound: an array in an array in the object. */
	snprintf(deep, sizeof(deep), "{\"type\": \"start_session\", "
	    "\"cmd\": [[\"a\"]]}");
	assert_int_equal(parse(deep, &why), -1);
	assert_string_equal(why, "Invalid JSON: nested too deep");
	/* A string one byte over its field. */
	snprintf(long_user, sizeof(long_user), "{\"type\": \"create_session\", "
	    "\"username\": \"%0*d\"}", USER_NAME_MAX, 0);
	assert_int_equal(parse(long_user, &why), -1);
	assert_string_equal(why, "username: too long");
}

/* A reply frame: the native length, then the JSON, escapes and all. */
static void
expect_frame(const char *out, size_t n, const char *json)
{
	uint32_t len;

	assert_int_equal(n, sizeof(len) + strlen(json));
	memcpy(&len, out, sizeof(len));
	assert_int_equal(len, strlen(json));
	assert_memory_equal(out + sizeof(len), json, len);
}

static void
test_replies_are_framed_json(void **state)
{
	char out[256];

	expect_frame(out, greetd_put_reply(out, sizeof(out), GREETD_SUCCESS,
	    PROMPT_INFO, ""), "{\"type\":\"success\"}");
	expect_frame(out, greetd_put_reply(out, sizeof(out),
	    GREETD_AUTH_ERROR, PROMPT_INFO, "Authentication failed"),
	    "{\"type\":\"error\",\"error_type\":\"auth_error\","
	    "\"description\":\"Authentication failed\"}");
	expect_frame(out, greetd_put_reply(out, sizeof(out),
	    GREETD_AUTH_MESSAGE, PROMPT_VISIBLE, "Code \"1\"\nor /2: "),
	    "{\"type\":\"auth_message\",\"auth_message_type\":\"visible\","
	    "\"auth_message\":\"Code \\\"1\\\"\\nor /2: \"}");
	expect_frame(out, greetd_put_reply(out, sizeof(out),
	    GREETD_AUTH_MESSAGE, PROMPT_ERROR, "e"),
	    "{\"type\":\"auth_message\",\"auth_message_type\":\"error\","
	    "\"auth_message\":\"e\"}");
	/* Too small for it: nothing. */
	assert_int_equal(greetd_put_reply(out, 20, GREETD_ERROR, PROMPT_INFO,
	    "a description"), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_requests_of_a_greeter_parse),
		cmocka_unit_test(test_malformed_requests_say_why),
		cmocka_unit_test(test_replies_are_framed_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
