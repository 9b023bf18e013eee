/* workers.c: start the worker launcher; relay what workers write to stderr. */
#include "workers.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "config.h"
#include "event.h"
#include "log.h"
#include "spawn_ctl.h"
#include "spawn_exec.h"

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

/* The worker program, with an empty environment, the log pipe as its
 * stderr; fork + exec, so that every launcher has a fresh address-space
 * layout and stack canary, and no broker memory. */
static pid_t
start_launcher(int chan_fd, void *ctx)
{
	char spares[16], maxc[16], fid[16];
	char *argv[16];
	char *envp[] = { NULL };
	int argc = 0;

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
	return spawn_exec(chan_fd, log_wfd, conf->worker_path, argv, envp);
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
