/* SPDX-License-Identifier: ISC */
/* sandbox_fail.h: the fail-closed exit shared by both stages. */
#ifndef LB_SANDBOX_FAIL_H
#define LB_SANDBOX_FAIL_H

/* Reports step with the errno text on stderr and exits SANDBOX_EXIT. */
_Noreturn void sandbox_fail(const char *step);

#endif
