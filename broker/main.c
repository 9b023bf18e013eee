/* SPDX-License-Identifier: ISC */
/*
 * loginbrokerd: the privileged broker.  It owns the credential stores and
 * the decisions; everything a client sends is parsed by confined workers.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

#include "clock.h"
#include "config.h"
#include "daemon.h"
#include "event.h"
#include "fd_budget.h"
#include "helper_run.h"
#include "keeper.h"
#include "listener.h"
#include "lockout.h"
#include "log.h"
#include "policy_live.h"
#include "session.h"
#include "spawn_ctl.h"
#include "verify.h"
#include "workers.h"

/* How long the helpers may take to come up at startup. */
#define HELPERS_READY_MS	5000

static struct config conf;
static struct spawn_ctl *workers;
static bool stopping;
static bool serving;		/* set up: a reload may replace the policy */

/* The usage, on stderr for a mistake (exit 2), on stdout when asked. */
static _Noreturn void
usage(FILE *f, int status)
{
	fprintf(f, "usage: loginbrokerd [-dfn] [-c config] [-s socket] "
	    "[-w worker] [-p pam]\n"
	    "  -c, --config FILE   settings and policy (default: built in)\n"
	    "  -d, --debug         log each session's worker and end\n"
	    "  -f, --foreground    stay in the foreground, log to stderr\n"
	    "  -n, --check         check FILE, print each error, exit\n"
	    "  -s, --socket PATH   listen on PATH\n"
	    "  -w, --worker PATH   the loginbroker-worker executable\n"
	    "  -p, --pam PATH      the loginbroker-pam executable\n"
	    "  -h, --help, -V, --version\n");
	exit(status);
}

static void
on_signal(struct event *ev, uint32_t events)
{
	struct signalfd_siginfo si;
	pid_t pid;
	int status;

	while (read(ev->fd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD:
			/* Spawners (their own exits are seen on their
			 * channels), and children orphaned by a spawner that
			 * died: we are their subreaper. */
			while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
				;
			break;
		case SIGHUP:
			/* While starting, the startup policy is still being
			 * made ready: a reload would replace it under us. */
			if (!serving) {
				log_msg(LOG_WARNING, "SIGHUP while starting: "
				    "ignored");
				break;
			}
			daemon_notify("RELOADING=1");
			policy_live_reload(&conf);
			daemon_notify("READY=1");
			break;
		default:
			log_msg(LOG_INFO, "signal %u: stopping", si.ssi_signo);
			stopping = true;
		}
	}
}

static int
setup_signals(void)
{
	static struct event sig_ev;
	sigset_t set;
	int fd;

	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1 ||
	    (fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC)) == -1)
		return -1;
	sig_ev = (struct event){ .fd = fd, .cb = on_signal, .ctx = NULL };
	return event_add(&sig_ev, EPOLLIN);
}

/* Raises the descriptor limit and takes max_sessions down to what it
 * carries, so that a session too many is refused with 511 at the door
 * instead of failing half-way. */
static int
fit_sessions_to_descriptors(struct config *c)
{
	rlim_t nofile = fd_budget_raise();
	unsigned fit = fd_budget_sessions(nofile);

	if (fit == 0) {
		log_msg(LOG_ERR, "RLIMIT_NOFILE %llu leaves no descriptors "
		    "for sessions", (unsigned long long)nofile);
		return -1;
	}
	if (c->max_sessions > fit) {
		log_msg(LOG_WARNING, "max_sessions %u: RLIMIT_NOFILE %llu "
		    "carries %u sessions; serving at most %u", c->max_sessions,
		    (unsigned long long)nofile, fit, fit);
		c->max_sessions = fit;
	}
	return 0;
}

/* At startup, and only then, wait for the worker launcher and the PAM
 * zygotes: a sandbox or a PAM stack that cannot be set up must stop the
 * broker before it accepts anyone.  No session exists yet to stall. */
static int
wait_for_helpers(const struct policy *p)
{
	uint64_t end = clock_now_ms() + HELPERS_READY_MS;

	/* Until all are up or one has failed: a failed one is not retried
	 * at startup. */
	while ((spawn_ctl_state(workers) == SPAWN_STARTING ||
	    verifiers_prepared(p) == 1) &&
	    spawn_ctl_state(workers) != SPAWN_FAILED &&
	    verifiers_prepared(p) != -1 && clock_now_ms() < end)
		if (event_dispatch(clock_poll_timeout(end)) == -1)
			return -1;
	if (spawn_ctl_state(workers) != SPAWN_READY) {
		log_msg(LOG_ERR, "the worker launcher did not start");
		return -1;
	}
	if (verifiers_prepared(p) != 0) {
		log_msg(LOG_ERR, "the PAM zygotes did not start");
		return -1;
	}
	return 0;
}

/* A path from the command line in place of the file's: -1 after saying
 * so when it does not fit (a socket path is at most 107 bytes). */
static int
override(char *field, size_t cap, const char *option, const char *value)
{
	if (value == NULL)
		return 0;
	if (strlen(value) >= cap) {
		log_early_error("%s: longer than %zu bytes", option, cap - 1);
		return -1;
	}
	memcpy(field, value, strlen(value) + 1);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *config_path = NULL, *socket_path = NULL;
	const char *worker_path = NULL, *pam_path = NULL;
	bool foreground = false, check_only = false, debug = false;
	static struct policy_errors errs;
	struct policy *policy;
	char why[512], config_full[PATH_MAX];
	int ch;

	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "debug", no_argument, NULL, 'd' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "check", no_argument, NULL, 'n' },
		{ "socket", required_argument, NULL, 's' },
		{ "worker", required_argument, NULL, 'w' },
		{ "pam", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};

	while ((ch = getopt_long(argc, argv, "c:dfhnp:s:Vw:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout, 0);
		case 'V':
			printf("loginbrokerd %s\n", LB_VERSION);
			return 0;
		case 'c':
			config_path = optarg;
			break;
		case 'd':
			debug = true;
			break;
		case 'f':
			foreground = true;
			break;
		case 'n':
			check_only = true;
			break;
		case 'p':
			pam_path = optarg;
			break;
		case 's':
			socket_path = optarg;
			break;
		case 'w':
			worker_path = optarg;
			break;
		default:
			usage(stderr, 2);
		}
	}
	if (optind != argc)
		usage(stderr, 2);

	/* The file by its full name: a detached broker works from /, and
	 * every reload reads the file again. */
	if (config_path != NULL && realpath(config_path, config_full) == NULL) {
		log_early_error("%s: %s", config_path, strerror(errno));
		return 1;
	}
	if (config_path != NULL)
		config_path = config_full;
	config_defaults(&conf);
	if ((policy = config_read(config_path, &conf, verifier_exists,
	    &errs)) == NULL) {
		policy_errors_print(&errs, stderr);
		return 1;
	}
	if (override(conf.listen[FRONT_LINE].path,
	    sizeof(conf.listen[FRONT_LINE].path), "--socket", socket_path) ==
	    -1 || override(conf.worker_path, sizeof(conf.worker_path),
	    "--worker", worker_path) == -1 || override(conf.pam_path,
	    sizeof(conf.pam_path), "--pam", pam_path) == -1) {
		policy_unref(policy);
		return 1;
	}
	if (config_check(&conf, policy, why, sizeof(why)) == -1) {
		log_early_error("%s", why);
		policy_unref(policy);
		return 1;
	}
	if (check_only) {
		log_init(true, false);
		if (verifiers_check(&conf, policy) == -1 ||
		    verifiers_check_keys(&conf, policy) == -1) {
			policy_unref(policy);
			return 1;
		}
		printf("%s: OK, %zu service%s\n", config_path != NULL ?
		    config_path : "(built-in)", policy->nservices,
		    policy->nservices == 1 ? "" : "s");
		policy_unref(policy);
		return 0;
	}
	if (geteuid() != 0) {
		fprintf(stderr, "loginbrokerd: must run as root: it confines "
		    "its workers and runs PAM\n");
		policy_unref(policy);
		return 1;
	}

	if (log_init(foreground, debug) == -1) {
		policy_unref(policy);
		return 1;
	}
	/* Before any child exists, so that they are all ours to reap; the
	 * parent waits until we are set up, and exits with how it went. */
	if (daemon_start(!foreground) == -1) {
		fprintf(stderr, "loginbrokerd: detaching: %s\n",
		    strerror(errno));
		policy_unref(policy);
		return 1;
	}
	prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	/* Helpers first, clients last: nobody connects to a half-made
	 * broker. */
	lockout_init(conf.lockout_file, conf.lockout_users);
	policy_live_set(config_path, policy);
	if (fit_sessions_to_descriptors(&conf) == -1 || event_init() == -1 || setup_signals() == -1 ||
	    (workers = workers_start(&conf)) == NULL ||
	    verifiers_check_keys(&conf, policy) == -1 ||
	    verifiers_prepare(&conf, policy) == -1 ||
	    wait_for_helpers(policy) == -1 || listener_open(&conf) == -1) {
		log_msg(LOG_ERR, "cannot start");
		return 1;
	}
	session_init(workers);
	log_msg(LOG_INFO, "listening on %s", conf.listen[FRONT_LINE].path);
	if (daemon_ready(conf.pid_file) == -1) {
		listener_close();
		return 1;
	}
	log_detached();
	serving = true;

	while (!stopping) {
		if (event_dispatch(-1) == -1) {
			log_msg(LOG_ERR, "epoll: %s", strerror(errno));
			break;
		}
		session_reap();
		keeper_reap();
	}
	daemon_notify("STOPPING=1");
	listener_close();
	session_end_all();
	session_reap();
	/* Running user sessions outlive the broker. */
	keeper_let_go_all();
	keeper_reap();
	helper_run_stop_waiting();
	spawn_ctl_stop(workers);
	policy_live_clear();
	daemon_stop();
	log_msg(LOG_INFO, "stopped");
	return 0;
}
