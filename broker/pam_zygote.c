/* pam_zygote.c: load a PAM stack once, fork one helper per attempt. */
#include "pam_zygote.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "ipc_chan.h"
#include "log.h"
#include "pam_helper.h"
#include "spawn_ctl.h"
#include "spawner.h"

/* One zygote per PAM service a policy has named since the start: a
 * reload that drops a service keeps its zygote, which idles. */
#define ZYGOTES_MAX	16

struct zygote {
	char service[64];
	char name[96];			/* for the log */
	struct spawn_ctl *ctl;
};

static const struct config *conf;
static struct zygote zygotes[ZYGOTES_MAX];
static size_t nzygotes;

static _Noreturn void
zygote_main(int chan_fd, const struct zygote *z)
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
	pam_stack_load(&stack, z->service);
	spawner_run(chan, sigfd, conf->spare_pam_helpers, pam_helper_main,
	    &stack);
}

static pid_t
start_zygote(int chan_fd, void *ctx)
{
	pid_t pid = fork();

	if (pid == 0)
		zygote_main(chan_fd, ctx);
	return pid;
}

struct spawn_ctl *
pam_zygote_find(const char *service)
{
	size_t i;

	for (i = 0; i < nzygotes; i++)
		if (strcmp(zygotes[i].service, service) == 0)
			return zygotes[i].ctl;
	return NULL;
}

int
pam_zygote_start(const struct config *c, const char *service)
{
	struct zygote *z;
	struct spawn_params p;

	conf = c;
	if (pam_zygote_find(service) != NULL)
		return 0;
	if (nzygotes == ZYGOTES_MAX || strlen(service) >= sizeof(z->service)) {
		log_msg(LOG_ERR, "PAM service %s: too many PAM services",
		    service);
		return -1;
	}
	z = &zygotes[nzygotes];
	snprintf(z->service, sizeof(z->service), "%s", service);
	snprintf(z->name, sizeof(z->name), "PAM zygote of %s", service);
	p = (struct spawn_params){ z->name, start_zygote, z,
	    c->spare_pam_helpers, 0 };
	if ((z->ctl = spawn_ctl_start(&p)) == NULL)
		return -1;
	nzygotes++;
	return 0;
}
