/* pam_zygote.c: load the PAM stack once, fork one helper per attempt. */
#include "pam_zygote.h"

#include <signal.h>
#include <stdio.h>
#include <unistd.h>

#include "config.h"
#include "ipc_chan.h"
#include "pam_helper.h"
#include "spawn_ctl.h"
#include "spawner.h"

static const struct config *conf;

static _Noreturn void
zygote_main(int chan_fd)
{
	static struct pam_stack stack;
	struct ipc_chan *chan;
	sigset_t none;
	int sigfd;

	/* Forked from the broker: drop its descriptors and signal mask. */
	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1 ||
	    spawner_keep_only(chan_fd) == -1 ||
	    (sigfd = spawner_prepare()) == -1 ||
	    (chan = ipc_chan_new(chan_fd, true)) == NULL) {
		fprintf(stderr, "PAM zygote: cannot set up\n");
		_exit(1);
	}
	pam_stack_load(&stack, conf->pam_service);
	spawner_run(chan, sigfd, conf->spare_pam_helpers, pam_helper_main,
	    &stack);
}

static pid_t
start_zygote(int chan_fd)
{
	pid_t pid = fork();

	if (pid == 0)
		zygote_main(chan_fd);
	return pid;
}

struct spawn_ctl *
pam_zygote_start(const struct config *c)
{
	struct spawn_params p = { "PAM zygote", start_zygote,
	    c->spare_pam_helpers, 0 };

	conf = c;
	return spawn_ctl_start(&p);
}
