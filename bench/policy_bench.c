/* SPDX-License-Identifier: ISC */
/*
 * policy_bench: what the policy costs.  Parses each example policy (what
 * a reload does) and times policy_match over a table of logins (what each
 * first factor does), as medians over batches.
 *   policy_bench EXAMPLES_DIR COUNT
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"
#include "stats.h"

#define BATCH	1000

static const char *const examples[] = { "greeter", "remote-shell", "console" };

static const struct {
	const char *user, *group, *from;
} logins[] = {
	{ "bob", "bob", NULL },
	{ "alice", "admins", NULL },
	{ "backup", "backup", NULL },
	{ "carol", "admins", "10.1.2.3" },
	{ "dave", "staff", "192.0.2.7" },
	{ "erin", "staff", "2001:db8::1" },
};

int
main(int argc, char **argv)
{
	static const struct policy_hooks hooks = { NULL, NULL, NULL };
	struct samples parse = { 0 }, match = { 0 };
	struct policy_errors errs;
	struct policy_net nets[sizeof(logins) / sizeof(logins[0])];
	const struct policy_rule *volatile sink;
	char path[512];
	size_t e, i, j, n = sizeof(logins) / sizeof(logins[0]);
	struct policy *p;
	int count, k;
	uint64_t t;

	if (argc != 3 || (count = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: policy_bench EXAMPLES_DIR COUNT\n");
		return 2;
	}
	for (i = 0; i < n; i++)
		if (logins[i].from != NULL)
			policy_net_parse(logins[i].from, &nets[i]);
	for (e = 0; e < sizeof(examples) / sizeof(examples[0]); e++) {
		snprintf(path, sizeof(path), "%s/%s.conf", argv[1], examples[e]);
		for (k = 0; k < count; k++) {
			t = now_ns();
			p = policy_load(path, &hooks, &errs);
			samples_add(&parse, now_ns() - t);
			if (p == NULL) {
				fprintf(stderr, "%s\n", errs.text[0]);
				return 1;
			}
			policy_unref(p);
		}
		p = policy_load(path, &hooks, &errs);
		for (k = 0; k < count; k++) {
			t = now_ns();
			for (j = 0; j < BATCH; j++) {
				i = j % n;
				const char *g = logins[i].group;
				struct policy_query q = { logins[i].user, &g, 1,
				    logins[i].from != NULL ? &nets[i] : NULL,
				    NULL };

				sink = policy_match(&p->services[0], &q);
			}
			samples_add(&match, (now_ns() - t) / BATCH);
		}
		(void)sink;
		policy_unref(p);
	}
	printf("parse+load (reload) p50_us %.1f p99_us %.1f; match p50_ns %.0f "
	    "p99_ns %.0f\n", samples_quantile_us(&parse, 0.5),
	    samples_quantile_us(&parse, 0.99),
	    samples_quantile_us(&match, 0.5) * 1000,
	    samples_quantile_us(&match, 0.99) * 1000);
	samples_free(&parse);
	samples_free(&match);
	return 0;
}
