/* SPDX-License-Identifier: ISC */
/* policy.c: mechanism names, addresses, references, reading the file. */
#include "policy.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
policy_net_parse(const char *text, struct policy_net *out)
{
	static const uint8_t v4mapped[12] = { [10] = 0xff, [11] = 0xff };
	char addr[INET6_ADDRSTRLEN];
	const char *slash = strchr(text, '/');
	size_t len = slash != NULL ? (size_t)(slash - text) : strlen(text);
	unsigned long prefix;
	char *end;

	if (len == 0 || len >= sizeof(addr))
		return -1;
	memcpy(addr, text, len);
	addr[len] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, addr, out->addr) == 1) {
		out->family = AF_INET;
		out->prefix = 32;
	} else if (inet_pton(AF_INET6, addr, out->addr) == 1) {
		out->family = AF_INET6;
		out->prefix = 128;
		/* ::ffff:a.b.c.d is the IPv4 address as a dual-stack socket
		 * reports it: match it against IPv4 rules. */
		if (memcmp(out->addr, v4mapped, sizeof(v4mapped)) == 0) {
			memmove(out->addr, out->addr + 12, 4);
			memset(out->addr + 4, 0, 12);
			out->family = AF_INET;
			out->prefix = 32;
		}
	} else {
		return -1;
	}
	if (slash == NULL)
		return 0;
	errno = 0;
	prefix = strtoul(slash + 1, &end, 10);
	if (slash[1] < '0' || slash[1] > '9' || *end != '\0' || errno != 0 ||
	    prefix > (out->family == AF_INET ? 32 : 128))
		return -1;
	out->prefix = (unsigned)prefix;
	return 0;
}

void
policy_errors_print(const struct policy_errors *errs, FILE *f)
{
	size_t i;

	for (i = 0; i < errs->n; i++)
		fprintf(f, "%s\n", errs->text[i]);
	if (errs->truncated)
		fprintf(f, "(more errors not shown)\n");
}

struct policy *
policy_ref(struct policy *p)
{
	p->refs++;
	return p;
}

void
policy_unref(struct policy *p)
{
	if (p != NULL && --p->refs == 0)
		free(p);
}

struct policy *
policy_load(const char *path, const struct policy_hooks *h,
    struct policy_errors *errs)
{
	struct policy *p = NULL;
	char *text;
	ssize_t n = 0;
	size_t len = 0;
	int fd;

	memset(errs, 0, sizeof(*errs));
	if ((text = malloc(POLICY_FILE_MAX + 1)) == NULL ||
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(errs->text[errs->n++], POLICY_ERROR_LEN, "%s: %s",
		    path, strerror(errno));
		free(text);
		return NULL;
	}
	/* One byte more than allowed tells an over-long file. */
	while (len <= POLICY_FILE_MAX && (n = read(fd, text + len,
	    POLICY_FILE_MAX + 1 - len)) > 0)
		len += (size_t)n;
	if (n == -1 || len > POLICY_FILE_MAX)
		snprintf(errs->text[errs->n++], POLICY_ERROR_LEN, "%s: %s",
		    path, n == -1 ? strerror(errno) : "file too long");
	else
		p = policy_parse(path, text, len, h, errs);
	close(fd);
	free(text);
	return p;
}
