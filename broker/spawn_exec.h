/* SPDX-License-Identifier: ISC */
/*
 * spawn_exec.h: how the broker starts a spawner program (the worker
 * launcher, a PAM zygote): posix_spawn, a fixed descriptor layout, as
 * OpenSSH starts sshd-session and OpenBSD's daemons re-exec each role.
 */
#ifndef LB_SPAWN_EXEC_H
#define LB_SPAWN_EXEC_H

#include <sys/types.h>

/* For a spawn_params.start: runs the spawner program path
 * with argv and envp, its channel chan_fd on descriptor 3 and nothing
 * else of the broker's: no other descriptor, no signal mask, no memory.
 * With err_fd != -1, /dev/null is its stdin and stdout and err_fd its
 * stderr; otherwise it keeps the broker's.  The child's pid, or -1. */
pid_t spawn_exec(int chan_fd, int err_fd, const char *path,
    char *const argv[], char *const envp[]);

#endif
