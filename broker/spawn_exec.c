/* SPDX-License-Identifier: ISC */
/* spawn_exec.c: start a spawner program (spawn_exec.h). */
#include "spawn_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>

/* posix_spawn, not fork: glibc's clones with the broker's memory shared
 * until the exec, so that starting a program costs the same whatever the
 * broker's size (a fork would copy the page tables of thousands of
 * sessions, stalling the loop), and an exec that fails is an error here. */
pid_t
spawn_exec(int chan_fd, int err_fd, const char *path, char *const argv[],
    char *const envp[])
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	pid_t pid = -1;
	int rc;

	sigemptyset(&none);
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0) {
		errno = rc;
		return -1;
	}
	if ((rc = posix_spawnattr_init(&attr)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		errno = rc;
		return -1;
	}
	rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	if (rc == 0)
		rc = posix_spawnattr_setsigmask(&attr, &none);
	if (rc == 0 && err_fd != -1) {
		rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null",
		    O_RDWR, 0);
		if (rc == 0)
			rc = posix_spawn_file_actions_adddup2(&fa, 0, 1);
		if (rc == 0)
			rc = posix_spawn_file_actions_adddup2(&fa, err_fd, 2);
	}
	/* A dup2 onto itself clears close-on-exec here, as POSIX says. */
	if (rc == 0)
		rc = posix_spawn_file_actions_adddup2(&fa, chan_fd, 3);
	if (rc == 0)
		rc = posix_spawn_file_actions_addclosefrom_np(&fa, 4);
	if (rc == 0)
		rc = posix_spawn(&pid, path, &fa, &attr, argv, envp);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return pid;
}
