/* SPDX-License-Identifier: ISC */
/*
 * base64.h: RFC 4648 base64, as mechanism data travels in the client
 * protocol (300 DATA, pass DATA).  Decoding accepts only the canonical
 * form: padded, no white space, no other alphabet, unused bits zero, so
 * that one byte string has exactly one text.
 */
#ifndef LB_BASE64_H
#define LB_BASE64_H

#include <stddef.h>
#include <sys/types.h>

/* The length of the text of n bytes, without its terminator. */
#define BASE64_LEN(n)	(((n) + 2) / 3 * 4)

/* Writes the text of src[len] and a terminator into dst[cap]: the text's
 * length, or -1 when it does not fit. */
ssize_t base64_encode(const void *src, size_t len, char *dst, size_t cap);

/* Decodes text into dst[cap]: the number of bytes, or -1 when text is not
 * canonical base64 or its bytes do not fit. */
ssize_t base64_decode(const char *text, void *dst, size_t cap);

#endif
