/* SPDX-License-Identifier: ISC */
/* base64.c: RFC 4648 base64, canonical form only. */
#include "base64.h"

#include <stdint.h>
#include <string.h>

static const char alphabet[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

ssize_t
base64_encode(const void *src, size_t len, char *dst, size_t cap)
{
	const uint8_t *p = src;
	size_t i, o = 0;
	uint32_t v;

	if (len > (SIZE_MAX - 3) / 4 * 3 || BASE64_LEN(len) >= cap)
		return -1;
	for (i = 0; i < len; i += 3) {
		v = (uint32_t)p[i] << 16;
		if (i + 1 < len)
			v |= (uint32_t)p[i + 1] << 8;
		if (i + 2 < len)
			v |= p[i + 2];
		dst[o++] = alphabet[v >> 18 & 63];
		dst[o++] = alphabet[v >> 12 & 63];
		dst[o++] = i + 1 < len ? alphabet[v >> 6 & 63] : '=';
		dst[o++] = i + 2 < len ? alphabet[v & 63] : '=';
	}
	dst[o] = '\0';
	return (ssize_t)o;
}

/* The value of c, or -1 outside the alphabet. */
static int
value(char c)
{
	const char *at = c != '\0' ? strchr(alphabet, c) : NULL;

	return at != NULL ? (int)(at - alphabet) : -1;
}

ssize_t
base64_decode(const char *text, void *dst, size_t cap)
{
	size_t len = strlen(text), i, o = 0, pad = 0;
	uint8_t *out = dst;
	uint32_t v;
	int d[4], k;

	if (len % 4 != 0)
		return -1;
	if (len > 0 && text[len - 1] == '=')
		pad = len > 1 && text[len - 2] == '=' ? 2 : 1;
	if (len / 4 * 3 - pad > cap)
		return -1;
	for (i = 0; i < len; i += 4) {
		for (k = 0; k < 4; k++) {
			/* '=' only as the padding of the last group. */
			if (i + 4 == len && k >= 4 - (int)pad)
				d[k] = 0;
			else if ((d[k] = value(text[i + k])) == -1)
				return -1;
		}
		v = (uint32_t)d[0] << 18 | (uint32_t)d[1] << 12 |
		    (uint32_t)d[2] << 6 | (uint32_t)d[3];
		/* Canonical: the bits the padding leaves unused are zero. */
		if (i + 4 == len && ((pad == 1 && (v & 0xff) != 0) ||
		    (pad == 2 && (v & 0xffff) != 0)))
			return -1;
		out[o++] = (uint8_t)(v >> 16);
		if (i + 4 < len || pad < 2)
			out[o++] = (uint8_t)(v >> 8);
		if (i + 4 < len || pad < 1)
			out[o++] = (uint8_t)v;
	}
	return (ssize_t)o;
}
