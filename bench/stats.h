/* SPDX-License-Identifier: ISC */
/* stats.h: latency samples and their summary, for the benchmarks. */
#ifndef LB_BENCH_STATS_H
#define LB_BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

struct samples {
	uint64_t *ns;
	size_t n, cap;
};

/* Nanoseconds on CLOCK_MONOTONIC. */
uint64_t now_ns(void);

/* Adds one sample (exits on allocation failure: a benchmark, not a daemon). */
void samples_add(struct samples *s, uint64_t ns);

/* The q-quantile (0.5 median, 0.99) in microseconds; sorts the samples. */
double samples_quantile_us(struct samples *s, double q);

void samples_free(struct samples *s);

#endif
