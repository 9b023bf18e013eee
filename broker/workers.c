/* workers.c: start the worker launcher; relay what workers write to stderr. */
#include "workers.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "config.h"
#include "event.h"
#include "log.h"
#include "spawn_ctl.h"

/* Worker stderr lines relayed into the broker's log. */
#define LOG_LINE_MAX	512

static const struct config *conf;
static struct event log_ev = { .fd = -1 };
static int log_wfd = -1;
static char log_buf[LOG_LINE_MAX];
static size_t log_len;

/* Worker and launcher stderr: bounded lines, tagged, into our log. */
static void
on_log(struct event *ev, uint32_t events)
{
	ssize_t n;
	char *nl;
	size_t len;

	n = read(ev->fd, log_buf + log_len, sizeof(log_buf) - 1 - log_len);
	if (n <= 0)
		return;
	log_len += (size_t)n;
	while ((nl = memchr(log_buf, '\n', log_len)) != NULL ||
	    log_len == sizeof(log_buf) - 1) {
		len = nl != NULL ? (size_t)(nl - log_buf) : log_len;
		log_msg(LOG_WARNING, "[worker] %.*s", (int)len, log_buf);
		len += nl != NULL;
		memmove(log_buf, log_buf + len, log_len - len);
		log_len -= len;
	}
}

/* In the child: fixed descriptors (0 and 1 /dev/null, 2 the log pipe, 3
 * the channel), nothing else, an empty environment, the worker binary. */
static _Noreturn void
exec_launcher(int chan_fd)
{
	char spares[16], maxc[16], fid[16];
	char *argv[16];
	char *envp[] = { NULL };
	int argc = 0, devnull;
	sigset_t none;

	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if ((devnull = open("/dev/null", O_RDWR)) == -1 ||
	    dup2(devnull, 0) == -1 || dup2(devnull, 1) == -1 ||
	    dup2(log_wfd, 2) == -1 || dup2(chan_fd, 3) == -1)
		_exit(127);
	closefrom(4);
	snprintf(spares, sizeof(spares), "%u", conf->spare_workers);
	snprintf(maxc, sizeof(maxc), "%u", conf->max_sessions);
	snprintf(fid, sizeof(fid), "%u", (unsigned)conf->worker_fallback_id);
	argv[argc++] = "loginbroker-worker";
	argv[argc++] = "--user";
	argv[argc++] = (char *)conf->worker_user;
	argv[argc++] = "--fallback-id";
	argv[argc++] = fid;
	argv[argc++] = "--spares";
	argv[argc++] = spares;
	argv[argc++] = "--max-children";
	argv[argc++] = maxc;
	if (conf->sandbox_debug)
		argv[argc++] = "--sandbox-debug";
	argv[argc] = NULL;
	execve(conf->worker_path, argv, envp);
	dprintf(2, "cannot exec %s: %s\n", conf->worker_path, strerror(errno));
	_exit(127);
}

/* fork + exec, so that every launcher has a fresh address-space layout
 * and stack canary, and no broker memory. */
static pid_t
start_launcher(int chan_fd, void *ctx)
{
	pid_t pid = fork();

	if (pid == 0)
		exec_launcher(chan_fd);
	return pid;
}

struct spawn_ctl *
workers_start(const struct config *c)
{
	struct spawn_params p = { "worker launcher", start_launcher, NULL,
	    NULL, c->spare_workers, c->launcher_recycle };
	struct spawn_ctl *sc;
	int fds[2];

	conf = c;
	if (pipe2(fds, O_CLOEXEC) == -1)
		return NULL;
	fcntl(fds[0], F_SETFL, O_NONBLOCK);
	log_ev = (struct event){ .fd = fds[0], .cb = on_log, .ctx = NULL };
	log_wfd = fds[1];
	if (event_add(&log_ev, EPOLLIN) == -1)
		return NULL;
	if ((sc = spawn_ctl_start(&p)) == NULL)
		on_log(&log_ev, EPOLLIN);	/* show why it failed */
	return sc;
}
