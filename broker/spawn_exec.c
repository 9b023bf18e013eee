/* SPDX-License-Identifier: ISC */
/* spawn_exec.c: fork and exec a spawner program (spawn_exec.h). */
#include "spawn_exec.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

pid_t
spawn_exec(int chan_fd, int err_fd, const char *path, char *const argv[],
    char *const envp[])
{
	sigset_t none;
	pid_t pid;
	int devnull;

	if ((pid = fork()) != 0)
		return pid;
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1)
		_exit(127);
	if (err_fd != -1 && ((devnull = open("/dev/null", O_RDWR)) == -1 ||
	    dup2(devnull, 0) == -1 || dup2(devnull, 1) == -1 ||
	    dup2(err_fd, 2) == -1))
		_exit(127);
	/* dup2 onto itself would keep close-on-exec. */
	if ((chan_fd != 3 && dup2(chan_fd, 3) == -1) ||
	    fcntl(3, F_SETFD, 0) == -1)
		_exit(127);
	closefrom(4);
	execve(path, argv, envp);
	dprintf(2, "cannot exec %s: %s\n", path, strerror(errno));
	_exit(127);
}
