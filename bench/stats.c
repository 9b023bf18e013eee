/* SPDX-License-Identifier: ISC */
/* stats.c: latency samples. */
#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void
samples_add(struct samples *s, uint64_t ns)
{
	uint64_t *grown;

	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		if ((grown = realloc(s->ns, s->cap * sizeof(*grown))) == NULL) {
			perror("realloc");
			exit(1);
		}
		s->ns = grown;
	}
	s->ns[s->n++] = ns;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

double
samples_quantile_us(struct samples *s, double q)
{
	size_t i;

	if (s->n == 0)
		return 0;
	qsort(s->ns, s->n, sizeof(*s->ns), cmp_u64);
	i = (size_t)(q * (double)(s->n - 1) + 0.5);
	return (double)s->ns[i] / 1000.0;
}

void
samples_free(struct samples *s)
{
	free(s->ns);
	s->ns = NULL;
	s->n = s->cap = 0;
}
