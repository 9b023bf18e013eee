/* SPDX-License-Identifier: ISC */
/* clock.c: monotonic milliseconds. */
#include "clock.h"

#include <limits.h>
#include <time.h>

uint64_t
clock_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

int
clock_poll_timeout(uint64_t deadline_ms)
{
	uint64_t now;

	if (deadline_ms == 0)
		return -1;
	now = clock_now_ms();
	if (now >= deadline_ms)
		return 0;
	if (deadline_ms - now > INT_MAX)
		return INT_MAX;
	return (int)(deadline_ms - now);
}
