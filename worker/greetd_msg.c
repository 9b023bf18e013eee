/* SPDX-License-Identifier: ISC */
/* greetd_msg.c: greetd's requests from JSON, its replies to JSON. */
#include "greetd_msg.h"

#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "line.h"

static char why_buf[96];

/* Says what is wrong with a field, for the error reply. */
static int
bad_field(const char *key, const char *what, const char **why)
{
	snprintf(why_buf, sizeof(why_buf), "%s: %s", key, what);
	*why = why_buf;
	return -1;
}

/* Copies a JSON string into out[cap]: 0, or -1 when it is not a string,
 * holds a NUL, or does not fit. */
static int
copy_string(struct json_object *v, const char *key, char *out, size_t cap,
    const char **why)
{
	const char *s;
	size_t len;

	if (!json_object_is_type(v, json_type_string))
		return bad_field(key, "expected a string", why);
	s = json_object_get_string(v);
	len = (size_t)json_object_get_string_len(v);
	if (strlen(s) != len)
		return bad_field(key, "holds a NUL", why);
	if (len >= cap)
		return bad_field(key, "too long", why);
	memcpy(out, s, len + 1);
	/* The object's copy may be a secret (a response): wiped before
	 * json-c frees it. */
	explicit_bzero((char *)s, len);
	return 0;
}

/* A string field that must be there. */
static int
get_string(struct json_object *o, const char *key, char *out, size_t cap,
    const char **why)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return bad_field(key, "missing", why);
	return copy_string(v, key, out, cap, why);
}

/* An array of strings (missing: none when optional): into out, at most
 * max of cap bytes each. */
static int
get_strings(struct json_object *o, const char *key, bool optional,
    char *out, size_t max, size_t cap, size_t *n, const char **why)
{
	struct json_object *v;
	size_t i, len;

	*n = 0;
	if (!json_object_object_get_ex(o, key, &v))
		return optional ? 0 : bad_field(key, "missing", why);
	if (!json_object_is_type(v, json_type_array))
		return bad_field(key, "expected an array of strings", why);
	if ((len = json_object_array_length(v)) > max)
		return bad_field(key, "too many elements", why);
	for (i = 0; i < len; i++)
		if (copy_string(json_object_array_get_idx(v, i), key,
		    out + i * cap, cap, why) == -1)
			return -1;
	*n = len;
	return 0;
}

static int
get_create(struct json_object *o, struct greetd_request *r, const char **why)
{
	return get_string(o, "username", r->username, sizeof(r->username),
	    why);
}

/* null (or none) acknowledges a message; a prompt's answer is a string. */
static int
get_response(struct json_object *o, struct greetd_request *r,
    const char **why)
{
	struct json_object *v;

	r->has_response = json_object_object_get_ex(o, "response", &v) &&
	    !json_object_is_type(v, json_type_null);
	if (!r->has_response)
		return 0;
	return copy_string(v, "response", r->response, sizeof(r->response),
	    why);
}

static int
get_start(struct json_object *o, struct greetd_request *r, const char **why)
{
	if (get_strings(o, "cmd", false, r->cmd[0], SESSION_ARGV_MAX,
	    sizeof(r->cmd[0]), &r->ncmd, why) == -1)
		return -1;
	return get_strings(o, "env", true, r->env[0], SESSION_ENV_MAX,
	    sizeof(r->env[0]), &r->nenv, why);
}

static int
get_nothing(struct json_object *o, struct greetd_request *r,
    const char **why)
{
	return 0;
}

/* Every request type, and how its fields are read.  Fields a type does
 * not know are ignored, as greetd's own parser (serde) ignores them. */
static const struct {
	const char *name;
	enum greetd_type type;
	int (*get)(struct json_object *, struct greetd_request *,
	    const char **);
} types[] = {
	{ "create_session", GREETD_CREATE_SESSION, get_create },
	{ "post_auth_message_response", GREETD_POST_RESPONSE, get_response },
	{ "start_session", GREETD_START_SESSION, get_start },
	{ "cancel_session", GREETD_CANCEL_SESSION, get_nothing },
};

/* Parses the whole of json[len] as one value: the object, or NULL with
 * *why set.  json-c parses iteratively, so the depth bound holds without
 * recursion. */
static struct json_object *
parse_object(const char *json, size_t len, const char **why)
{
	struct json_tokener *tok;
	struct json_object *o;
	size_t end;

	if (len > GREETD_FRAME_MAX) {
		*why = "Message too long";
		return NULL;
	}
	if ((tok = json_tokener_new_ex(GREETD_DEPTH_MAX)) == NULL) {
		*why = "Out of memory";
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, json, (int)len);
	end = json_tokener_get_parse_end(tok);
	if (o == NULL)
		*why = json_tokener_get_error(tok) == json_tokener_error_depth ?
		    "Invalid JSON: nested too deep" : "Invalid JSON";
	json_tokener_free(tok);
	if (o == NULL)
		return NULL;
	/* Nothing but blanks after the value. */
	while (end < len && (json[end] == ' ' || json[end] == '\t' ||
	    json[end] == '\r' || json[end] == '\n'))
		end++;
	if (end != len || !json_object_is_type(o, json_type_object)) {
		*why = "Invalid JSON: expected one object";
		json_object_put(o);
		return NULL;
	}
	return o;
}

int
greetd_parse(const char *json, size_t len, struct greetd_request *out,
    const char **why)
{
	struct json_object *o, *type;
	const char *name;
	size_t i;
	int rc = -1;

	memset(out, 0, sizeof(*out));
	if ((o = parse_object(json, len, why)) == NULL)
		return -1;
	if (!json_object_object_get_ex(o, "type", &type) ||
	    !json_object_is_type(type, json_type_string)) {
		*why = "type: missing";
		goto out;
	}
	name = json_object_get_string(type);
	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(types[i].name, name) == 0)
			break;
	if (i == sizeof(types) / sizeof(types[0])) {
		*why = "Unknown request type";
		goto out;
	}
	out->type = types[i].type;
	rc = types[i].get(o, out, why);
out:
	json_object_put(o);
	return rc;
}

/* text as well-formed UTF-8, which greetd's JSON must be, in out[cap]:
 * what is not (Latin-1 from a PAM module, a character cut at a bound)
 * becomes '?'. */
static const char *
valid_utf8(const char *text, char *out, size_t cap)
{
	size_t len = strlen(text), i = 0, o = 0, n;
	uint32_t cp;

	while (i < len && o + 4 < cap) {
		if ((n = line_utf8_next(text + i, len - i, &cp)) == 0) {
			out[o++] = '?';
			i++;
			continue;
		}
		memcpy(out + o, text + i, n);
		o += n;
		i += n;
	}
	out[o] = '\0';
	return out;
}

static const char *const message_types[] = {
	[PROMPT_SECRET] = "secret",
	[PROMPT_VISIBLE] = "visible",
	[PROMPT_INFO] = "info",
	[PROMPT_ERROR] = "error",
};

/* Adds a string member; false when memory ran out. */
static bool
add_string(struct json_object *o, const char *key, const char *value)
{
	static char text[GREETD_TEXT_MAX];
	struct json_object *v = json_object_new_string(valid_utf8(value, text,
	    sizeof(text)));

	if (v == NULL || json_object_object_add(o, key, v) != 0) {
		json_object_put(v);
		return false;
	}
	return true;
}

static bool
fill_reply(struct json_object *o, enum greetd_reply_type type,
    enum prompt_kind kind, const char *text)
{
	switch (type) {
	case GREETD_SUCCESS:
		return add_string(o, "type", "success");
	case GREETD_ERROR:
	case GREETD_AUTH_ERROR:
		return add_string(o, "type", "error") &&
		    add_string(o, "error_type", type == GREETD_ERROR ?
		    "error" : "auth_error") &&
		    add_string(o, "description", text);
	case GREETD_AUTH_MESSAGE:
		return add_string(o, "type", "auth_message") &&
		    add_string(o, "auth_message_type", message_types[kind]) &&
		    add_string(o, "auth_message", text);
	}
	return false;
}

size_t
greetd_put_reply(char *out, size_t cap, enum greetd_reply_type type,
    enum prompt_kind kind, const char *text)
{
	struct json_object *o;
	const char *json;
	size_t len = 0, total = 0;
	uint32_t word;

	if ((o = json_object_new_object()) == NULL)
		return 0;
	if (fill_reply(o, type, kind, text) &&
	    (json = json_object_to_json_string_length(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE,
	    &len)) != NULL && len <= UINT32_MAX &&
	    cap >= sizeof(word) && len <= cap - sizeof(word)) {
		word = (uint32_t)len;
		memcpy(out, &word, sizeof(word));
		memcpy(out + sizeof(word), json, len);
		total = sizeof(word) + len;
	}
	json_object_put(o);
	return total;
}
