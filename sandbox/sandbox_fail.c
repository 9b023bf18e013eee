/* SPDX-License-Identifier: ISC */
/* sandbox_fail.c: fail closed. */
#include "sandbox_fail.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "sandbox.h"

_Noreturn void
sandbox_fail(const char *step)
{
	char line[256];
	int n;

	n = snprintf(line, sizeof(line), "sandbox: %s: %s\n", step,
	    strerror(errno));
	if (n > 0)
		(void)!write(STDERR_FILENO, line,
		    (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	_exit(SANDBOX_EXIT);
}
