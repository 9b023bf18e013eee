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

/* A run's start: its wall clock and the machine's busy CPU time then. */
struct run_clock {
	uint64_t t0_ns;
	uint64_t busy0_ms;
};

/* Starts a run's clock. */
void run_start(struct run_clock *rc);

/*
 * Prints "MODE clients=N logins=N per_s=X p50_us=X p99_us=X cpu_ms=X":
 * cpu_ms is the CPU time all processes on the machine (this one too)
 * spent since run_start, per sample, from /proc/stat.
 */
void run_report(const char *mode, long clients, struct samples *s,
    const struct run_clock *rc);

#endif
