/* SPDX-License-Identifier: ISC */
/* clock.h: monotonic milliseconds for deadlines, shared by every process. */
#ifndef LB_CLOCK_H
#define LB_CLOCK_H

#include <stdint.h>

/* Milliseconds on CLOCK_MONOTONIC. */
uint64_t clock_now_ms(void);

/* Milliseconds left until deadline_ms for poll(2): 0 when passed, -1 when
 * deadline_ms is 0 (no deadline), capped at INT_MAX. */
int clock_poll_timeout(uint64_t deadline_ms);

#endif
