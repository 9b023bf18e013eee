/* SPDX-License-Identifier: ISC */
/*
 * totp_bench: what a TOTP check costs the broker.  liboath's check of a
 * fresh code (which records it: a locked rewrite of the users file with
 * fsync) in-process, the baseline, against the same check in a forked
 * child read back through a pipe, which is how verify_totp.c keeps it
 * out of the event loop.  Each user is checked once (a code is accepted
 * once), interleaving the two ways.  The child's cost to the event loop
 * is only the pipe and fork: reported as the stall.
 *   totp_bench DIR COUNT
 */
#include <liboath/oath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "stats.h"

static const char secret[] = "12345678901234567890";

static int
check(const char *file, const char *user, const char *code)
{
	time_t last;

	return oath_authenticate_usersfile(file, user, code, 1, "", &last);
}

static struct samples stall;

static int
check_in_child(const char *file, const char *user, const char *code)
{
	int fds[2], rc = -1;
	uint64_t t = now_ns();
	pid_t pid;

	if (pipe(fds) == -1 || (pid = fork()) == -1)
		return -1;
	if (pid > 0)
		samples_add(&stall, now_ns() - t);
	if (pid == 0) {
		rc = check(file, user, code);
		_exit(write(fds[1], &rc, sizeof(rc)) == sizeof(rc) ? 0 : 1);
	}
	close(fds[1]);
	if (read(fds[0], &rc, sizeof(rc)) != sizeof(rc))
		rc = -1;
	close(fds[0]);
	waitpid(pid, NULL, 0);
	return rc;
}

int
main(int argc, char **argv)
{
	struct samples inproc = { 0 }, child = { 0 };
	char file[512], user[32], code[8];
	int count, i, rc;
	uint64_t t;
	FILE *f;

	if (argc != 3 || (count = atoi(argv[2])) <= 0) {
		fprintf(stderr, "usage: totp_bench DIR COUNT\n");
		return 2;
	}
	oath_init();
	snprintf(file, sizeof(file), "%s/totp", argv[1]);
	if ((f = fopen(file, "w")) == NULL)
		return 1;
	for (i = 0; i < 2 * count; i++)
		fprintf(f, "HOTP/T30/6\tu%d\t-\t"
		    "3132333435363738393031323334353637383930\n", i);
	fclose(f);
	oath_totp_generate(secret, 20, time(NULL), 30, 0, 6, code);
	for (i = 0; i < count; i++) {
		snprintf(user, sizeof(user), "u%d", 2 * i);
		t = now_ns();
		rc = check(file, user, code);
		samples_add(&inproc, now_ns() - t);
		snprintf(user, sizeof(user), "u%d", 2 * i + 1);
		t = now_ns();
		if (rc != OATH_OK || check_in_child(file, user, code) != OATH_OK) {
			fprintf(stderr, "check %d failed\n", i);
			return 1;
		}
		samples_add(&child, now_ns() - t);
	}
	printf("totp check (%d users in the file): in-process p50_us %.1f "
	    "p99_us %.1f; forked child p50_us %.1f p99_us %.1f (%.2f x); "
	    "event-loop stall with the child p50_us %.1f p99_us %.1f\n",
	    2 * count, samples_quantile_us(&inproc, 0.5),
	    samples_quantile_us(&inproc, 0.99),
	    samples_quantile_us(&child, 0.5), samples_quantile_us(&child, 0.99),
	    samples_quantile_us(&child, 0.5) /
	    samples_quantile_us(&inproc, 0.5),
	    samples_quantile_us(&stall, 0.5), samples_quantile_us(&stall, 0.99));
	samples_free(&inproc);
	samples_free(&child);
	samples_free(&stall);
	return 0;
}
