/* SPDX-License-Identifier: ISC */
/*
 * fuzz_policy.c: libFuzzer over the policy parser: any bytes as a
 * configuration file must give a policy or errors, never a crash, an
 * overread or a leak; a policy that parses must evaluate.
 */
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *
any_setting(void *ctx, const char *key, const char *value, bool *bad_key)
{
	return NULL;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct policy_hooks hooks = { any_setting, NULL, NULL };
	static struct policy_errors errs;
	const char *groups[] = { "admins" };
	struct policy_query q = { "alice", groups, 1, NULL, "jdoe" };
	struct policy_net from;
	struct policy *p;
	size_t i;

	if (size > POLICY_FILE_MAX)
		return 0;
	p = policy_parse("fuzz", (const char *)data, size, &hooks, &errs);
	if (p == NULL)
		return 0;
	policy_net_parse("10.1.2.3", &from);
	q.from = &from;
	for (i = 0; i < p->nservices; i++) {
		(void)policy_match(&p->services[i], &q);
		(void)policy_first_mechs(&p->services[i], &from, "jdoe");
	}
	policy_unref(p);
	return 0;
}
