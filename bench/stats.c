/* SPDX-License-Identifier: ISC */
/* stats.c: latency samples and a run's report. */
#include "stats.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

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

/* Busy CPU time of the whole machine: /proc/stat's first line, all but
 * idle and iowait. */
static uint64_t
busy_ms(void)
{
	unsigned long long user, nice, sys, idle, iowait, irq, softirq, steal;
	long hz = sysconf(_SC_CLK_TCK);
	FILE *f;
	int n;

	if ((f = fopen("/proc/stat", "r")) == NULL) {
		perror("/proc/stat");
		exit(1);
	}
	n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &user,
	    &nice, &sys, &idle, &iowait, &irq, &softirq, &steal);
	fclose(f);
	if (n != 8 || hz <= 0) {
		fprintf(stderr, "/proc/stat: unexpected format\n");
		exit(1);
	}
	return (user + nice + sys + irq + softirq + steal) * 1000 /
	    (unsigned long long)hz;
}

void
run_start(struct run_clock *rc)
{
	rc->t0_ns = now_ns();
	rc->busy0_ms = busy_ms();
}

void
run_report(const char *mode, long clients, struct samples *s,
    const struct run_clock *rc)
{
	double n = (double)s->n;

	printf("%s clients=%ld logins=%zu per_s=%.0f p50_us=%.1f p99_us=%.1f "
	    "cpu_ms=%.2f\n", mode, clients, s->n,
	    n * 1e9 / (double)(now_ns() - rc->t0_ns),
	    samples_quantile_us(s, 0.5), samples_quantile_us(s, 0.99),
	    n > 0 ? (double)(busy_ms() - rc->busy0_ms) / n : 0);
}
