/* SPDX-License-Identifier: ISC */
/*
 * sandbox_ids.h: the steps that make a root process another user for
 * good, shared by sandbox_drop (the worker launcher) and
 * sandbox_helper_become (a Duo helper); each fails closed.
 */
#ifndef LB_SANDBOX_IDS_H
#define LB_SANDBOX_IDS_H

#include "sandbox.h"

/* No supplementary group, then id's gid and uid, real, effective and
 * saved; checked, and root checked to be out of reach. */
void sandbox_switch_identity(const struct sandbox_identity *id);

/* Clears the effective, permitted, inheritable and ambient sets, and
 * checks that nothing is left. */
void sandbox_clear_capabilities(void);

#endif
