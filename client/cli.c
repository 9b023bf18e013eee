/* SPDX-License-Identifier: ISC */
/*
 * loginbroker: log a user in through loginbrokerd from a terminal or a
 * script.  Exit codes (doc/protocol.md): 0 logged in, 1 denied, 2 usage,
 * 3 unavailable, 4 protocol error, 5 request refused, 6 aborted.  With
 * --login it is a console's login program (agetty -l): the broker starts
 * the user's shell on this terminal, and it exits with the shell's
 * status.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "loginbroker.h"

#define DEFAULT_SOCKET	"/run/loginbroker/socket"
/* A user name typed at the login prompt, with its NUL. */
#define USER_NAME_MAX_CLI	256

enum exit_code {
	EXIT_LOGGED_IN = 0,
	EXIT_DENIED = 1,
	EXIT_USAGE = 2,
	EXIT_UNAVAILABLE = 3,
	EXIT_PROTOCOL = 4,
	EXIT_REFUSED = 5,
	EXIT_ABORTED = 6,
};

/* The usage, on stderr for a mistake (exit 2), on stdout when asked. */
static _Noreturn void
usage(FILE *f, int status)
{
	fprintf(f, "usage: loginbroker [-s socket] [-m mechanism] "
	    "[-a address [-r remote-user] [-x command]] [-K] [-H host] "
	    "user\n"
	    "       loginbroker [-s socket] [-a address [-r remote-user]] "
	    "-l\n"
	    "       loginbroker --login [-s socket] [-m mechanism] [user]\n"
	    "  -s, --socket PATH        the broker's socket\n"
	    "  -m, --mechanism NAME     password (the default), "
	    "keyboard-interactive, totp,\n"
	    "                           duo, scram-sha-256, plain, unix, "
	    "gssapi-with-mic\n"
	    "  -a, --address ADDRESS    the person's address (a trusted "
	    "front end)\n"
	    "  -r, --remote-user NAME   their remote user name\n"
	    "  -x, --command TEXT       the command they run\n"
	    "  -K, --delegate           gssapi-with-mic: forward the "
	    "ticket\n"
	    "  -H, --host HOST          gssapi-with-mic: the service's "
	    "host\n"
	    "  -l, --list               list the mechanisms offered\n"
	    "      --login              a console's login program\n"
	    "  -h, --help, -V, --version\n");
	exit(status);
}

/* Shows text safely: a broker sanitises it too, but a terminal deserves
 * belt and braces. */
static void
show(FILE *f, const char *text)
{
	for (; *text != '\0'; text++)
		fputc((unsigned char)*text < 0x20 && *text != '\n' ? '?' :
		    *text, f);
}

/* Shows prompt and reads one line into buf without its newline; echo off
 * when secret and stdin is a terminal, before the prompt shows (as
 * getpass(3): what is typed once it shows is never echoed, nor thrown
 * away).  0, or -1 at end of input. */
static int
read_answer(const char *prompt, char *buf, size_t cap, int secret)
{
	struct termios saved, quiet;
	int tty = isatty(STDIN_FILENO), hidden = 0;
	char *ok;

	if (tty && secret && tcgetattr(STDIN_FILENO, &saved) == 0) {
		quiet = saved;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		hidden = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
	}
	show(stderr, prompt);
	fflush(stderr);
	ok = fgets(buf, (int)cap, stdin);
	if (hidden)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved);
	/* Nothing echoed the answer's newline: end the prompt's line. */
	if (hidden || !tty)
		fputc('\n', stderr);
	if (ok == NULL)
		return -1;
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

/* Shows a list's messages and asks its prompts, each answer into
 * answers[] for the next step to copy: 0, or -1 at end of input. */
static int
interact(struct lb_interact *need, char (*answers)[LB_ANSWER_MAX + 1])
{
	FILE *f;
	size_t n = 0;

	for (; need->id != LB_INTERACT_LIST_END; need++) {
		if (need->id == LB_INTERACT_INFO ||
		    need->id == LB_INTERACT_ERROR) {
			f = need->id == LB_INTERACT_INFO ? stdout : stderr;
			show(f, need->prompt);
			fputc('\n', f);
			fflush(f);
			continue;
		}
		if (n == LB_ASK_MAX)
			return -1;
		if (read_answer(need->prompt, answers[n], LB_ANSWER_MAX + 1,
		    need->id == LB_INTERACT_PASS ||
		    need->id == LB_INTERACT_NOECHOPROMPT) == -1)
			return -1;
		need->result = answers[n];
		need->len = (unsigned)strlen(answers[n++]);
	}
	return 0;
}

static int
exit_for(int status)
{
	switch (status) {
	case LB_OK:
		return EXIT_LOGGED_IN;
	case LB_DENIED:
		return EXIT_DENIED;
	case LB_UNAVAILABLE:
		return EXIT_UNAVAILABLE;
	case LB_REFUSED:
		return EXIT_REFUSED;
	case LB_ABORTED:
		return EXIT_ABORTED;
	default:
		return EXIT_PROTOCOL;
	}
}

/* gssapi-with-mic: the service host@gss_host, and -K (delegate). */
static char gss_host[256];
static int gss_flags;

/* One factor with mech on the step API, its messages shown and prompts
 * asked until the broker decides; gssapi-with-mic with the caller's
 * Kerberos ticket (KRB5CCNAME). */
static int
login_with(struct lb_conn *c, const char *mech, const char *user)
{
	static char answers[LB_ASK_MAX][LB_ANSWER_MAX + 1];
	struct lb_interact *need;
	const void *out;
	size_t outlen;
	int rc;

	if (strcmp(mech, "gssapi-with-mic") == 0) {
		if ((rc = lb_login_gssapi(c, user, gss_host, gss_flags)) ==
		    LB_ABORTED) {
			show(stderr, lb_last_text(c));
			fputc('\n', stderr);
		}
		return rc;
	}
	rc = lb_client_start(c, mech, user, &need, &out, &outlen);
	while (rc == LB_INTERACT) {
		rc = interact(need, answers) == -1 ? LB_ABORTED :
		    lb_client_step(c, NULL, 0, &need, &out, &outlen);
		explicit_bzero(answers, sizeof(answers));
	}
	/* No mechanism this command runs answers data of its own. */
	return rc == LB_CONTINUE ? LB_PROTOCOL_ERROR : rc;
}

/* Every factor the policy asks for: after a partial success, the first
 * mechanism the broker lists next. */
static int
login_chain(struct lb_conn *c, const char *mech, const char *user)
{
	const char *const *next;
	size_t n;
	int rc;

	while ((rc = login_with(c, mech, user)) == LB_PARTIAL) {
		if (lb_next_mechanisms(c, &next, &n) != LB_OK || n == 0)
			return LB_PROTOCOL_ERROR;
		mech = next[0];
		fprintf(stderr, "Partial success; next: %s\n", mech);
	}
	return rc;
}

/* --login: asks for the user name when none was given, as login(1). */
static int
ask_user(char *buf, size_t cap)
{
	fputs("login: ", stderr);
	fflush(stderr);
	if (fgets(buf, (int)cap, stdin) == NULL)
		return -1;
	buf[strcspn(buf, "\r\n")] = '\0';
	return buf[0] != '\0' ? 0 : -1;
}

/* --login, logged in: the session on this terminal, its shell started by
 * the broker; the shell's exit status, or -1 after saying why not. */
static int
console_session(struct lb_conn *c)
{
	const char *term = getenv("TERM"), *tty = ttyname(STDIN_FILENO);
	int fd = STDIN_FILENO, status, rc;

	if (tty == NULL) {
		fprintf(stderr, "loginbroker: standard input is no terminal\n");
		return -1;
	}
	if (strncmp(tty, "/dev/", 5) == 0)
		tty += 5;
	if (term != NULL && (rc = lb_session_env(c, "TERM", term)) != LB_OK)
		fprintf(stderr, "loginbroker: TERM not passed: %s\n",
		    lb_last_text(c));
	if ((rc = lb_session_open(c, tty)) != LB_OK ||
	    (rc = lb_session_start(c, NULL, &fd, 1)) != LB_OK ||
	    (rc = lb_session_wait(c, &status)) != LB_OK) {
		fprintf(stderr, "loginbroker: %s (", lb_strerror(rc));
		show(stderr, lb_last_text(c));
		fputs(")\n", stderr);
		return -1;
	}
	return status;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "address", required_argument, NULL, 'a' },
		{ "command", required_argument, NULL, 'x' },
		{ "delegate", no_argument, NULL, 'K' },
		{ "help", no_argument, NULL, 'h' },
		{ "host", required_argument, NULL, 'H' },
		{ "list", no_argument, NULL, 'l' },
		{ "login", no_argument, NULL, 'L' },
		{ "mechanism", required_argument, NULL, 'm' },
		{ "remote-user", required_argument, NULL, 'r' },
		{ "socket", required_argument, NULL, 's' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	char login_user[USER_NAME_MAX_CLI];
	int console = 0, status;
	const char *socket_path = DEFAULT_SOCKET, *mech = "password";
	const char *address = NULL, *remote_user = NULL, *command = NULL;
	const char *const *names;
	struct lb_conn *c;
	int ch, list = 0, rc = LB_OK;
	size_t i, n;

	/* As sshd names itself: host/ this machine's name. */
	if (gethostname(gss_host, sizeof(gss_host)) == -1)
		snprintf(gss_host, sizeof(gss_host), "localhost");
	while ((ch = getopt_long(argc, argv, "a:hH:Klm:r:s:Vx:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'h':
			usage(stdout, EXIT_LOGGED_IN);
		case 'V':
			printf("loginbroker %s\n", LB_VERSION);
			return EXIT_LOGGED_IN;
		case 'L':
			console = 1;
			break;
		case 'a':
			address = optarg;
			break;
		case 'H':
			snprintf(gss_host, sizeof(gss_host), "%s", optarg);
			break;
		case 'K':
			gss_flags |= LB_DELEGATE;
			break;
		case 'r':
			remote_user = optarg;
			break;
		case 'l':
			list = 1;
			break;
		case 'm':
			mech = optarg;
			break;
		case 's':
			socket_path = optarg;
			break;
		case 'x':
			command = optarg;
			break;
		default:
			usage(stderr, EXIT_USAGE);
		}
	}
	if (console && !list && argc - optind <= 1) {
		if (argc - optind == 1)
			snprintf(login_user, sizeof(login_user), "%s",
			    argv[optind]);
		else if (ask_user(login_user, sizeof(login_user)) == -1)
			return EXIT_ABORTED;
	} else if (console || argc - optind != (list ? 0 : 1) ||
	    ((remote_user != NULL || command != NULL) && address == NULL)) {
		usage(stderr, EXIT_USAGE);
	} else if (!list) {
		snprintf(login_user, sizeof(login_user), "%s", argv[optind]);
	}
	if ((c = lb_open(socket_path, 0)) == NULL) {
		fprintf(stderr, "loginbroker: %s: %s\n", socket_path,
		    strerror(errno));
		return EXIT_UNAVAILABLE;
	}
	if (address != NULL)
		rc = lb_set_context(c, address, remote_user, command);
	if (rc == LB_OK && list) {
		rc = lb_list_mechanisms(c, &names, &n);
		for (i = 0; rc == LB_OK && i < n; i++)
			printf("%s\n", names[i]);
	} else if (rc == LB_OK) {
		rc = login_chain(c, mech, login_user);
	}
	if (rc == LB_OK && console) {
		status = console_session(c);
		lb_close(c);
		if (status == -1)
			return EXIT_UNAVAILABLE;
		return WIFEXITED(status) ? WEXITSTATUS(status) :
		    128 + WTERMSIG(status);
	}
	if (console && rc != LB_OK)
		fputs("Login incorrect\n", stderr);
	if (rc == LB_OK && !list) {
		show(stdout, lb_last_text(c));
		fputc('\n', stdout);
	} else if (rc != LB_OK) {
		fprintf(stderr, "loginbroker: %s", lb_strerror(rc));
		if (lb_last_code(c) >= 500) {
			fprintf(stderr, " (%d ", lb_last_code(c));
			show(stderr, lb_last_text(c));
			fputc(')', stderr);
		}
		fputc('\n', stderr);
	}
	lb_close(c);
	return exit_for(rc);
}
