/* SPDX-License-Identifier: ISC */
/* names.c: user and mechanism name rules. */
#include "names.h"

#include <arpa/inet.h>

#include <string.h>

#include "ipc_proto.h"
#include "line.h"

/* Characters that would let a name pass for another, or break the line
 * it is shown on: C0 and C1 controls, DEL, and Unicode's invisible
 * formatting (bidi overrides and isolates, zero-width characters, line
 * and paragraph separators, the byte-order mark). */
static bool
char_forbidden_in_name(uint32_t c)
{
	return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x061c ||
	    (c >= 0x200b && c <= 0x200f) || (c >= 0x2028 && c <= 0x202e) ||
	    (c >= 0x2060 && c <= 0x206f) || c == 0xfeff ||
	    (c >= 0xfff9 && c <= 0xfffb);
}

/* Whether the len bytes of s are UTF-8 without forbidden characters,
 * nor '/' or ':' when names is true. */
static bool
text_clean(const char *s, size_t len, bool names)
{
	size_t i, n;
	uint32_t c;

	for (i = 0; i < len; i += n)
		if ((n = line_utf8_next(s + i, len - i, &c)) == 0 ||
		    char_forbidden_in_name(c) ||
		    (names && (c == '/' || c == ':')))
			return false;
	return true;
}

bool
name_user_valid(const char *user)
{
	size_t len = strlen(user);

	return len > 0 && len < USER_NAME_MAX && user[0] != '-' &&
	    text_clean(user, len, true);
}

void
name_text_sanitize(char *s)
{
	unsigned char *p = (unsigned char *)s;

	for (; *p != '\0'; p++) {
		if (*p < 0x20 || *p == 0x7f)
			*p = '?';
		else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			p[0] = p[1] = '?';
	}
}

bool
name_text_valid(const char *text)
{
	return name_text_fits(text, CONTEXT_COMMAND_MAX);
}

bool
name_text_fits(const char *text, size_t cap)
{
	size_t len = strnlen(text, cap);

	return len < cap && text_clean(text, len, false);
}

bool
name_env_valid(const char *name)
{
	size_t len = strlen(name), i;

	if (len == 0 || len >= SESSION_ENV_NAME_MAX ||
	    (name[0] >= '0' && name[0] <= '9'))
		return false;
	for (i = 0; i < len; i++)
		if (!((name[i] >= 'A' && name[i] <= 'Z') ||
		    (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
			return false;
	return true;
}

bool
name_mech_valid(const char *mech)
{
	size_t len = strlen(mech), i;

	if (len == 0 || len >= MECH_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (!((mech[i] >= 'a' && mech[i] <= 'z') ||
		    (mech[i] >= '0' && mech[i] <= '9') || mech[i] == '-'))
			return false;
	return true;
}

bool
name_address_valid(const char *addr)
{
	struct in6_addr a;

	return inet_pton(AF_INET, addr, &a) == 1 ||
	    inet_pton(AF_INET6, addr, &a) == 1;
}
