/* names.c: user and mechanism name rules. */
#include "names.h"

#include <arpa/inet.h>

#include <string.h>

#include "ipc_proto.h"
#include "line.h"

bool
name_user_valid(const char *user)
{
	size_t len = strlen(user), i;

	if (len == 0 || len >= USER_NAME_MAX || user[0] == '-')
		return false;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)user[i];

		if (c < 0x20 || c == 0x7f || c == '/' || c == ':')
			return false;
	}
	return line_utf8_valid(user, len);
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
