/*
 * loginbroker: log a user in through loginbrokerd from a terminal or a
 * script.  Exit codes (doc/protocol.md): 0 logged in, 1 denied, 2 usage,
 * 3 unavailable, 4 protocol error, 5 request refused, 6 aborted.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "loginbroker.h"

#define DEFAULT_SOCKET	"/run/loginbroker/socket"

enum exit_code {
	EXIT_LOGGED_IN = 0,
	EXIT_DENIED = 1,
	EXIT_USAGE = 2,
	EXIT_UNAVAILABLE = 3,
	EXIT_PROTOCOL = 4,
	EXIT_REFUSED = 5,
	EXIT_ABORTED = 6,
};

static _Noreturn void
usage(void)
{
	fprintf(stderr, "usage: loginbroker [-s socket] [-m mechanism] "
	    "[-a address [-r remote-user]] [-K] [-H host] user\n"
	    "       loginbroker [-s socket] [-a address [-r remote-user]] "
	    "-l\n");
	exit(EXIT_USAGE);
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

/* Reads one line into buf without its newline; echo off when secret and
 * stdin is a terminal.  0, or -1 at end of input. */
static int
read_answer(char *buf, size_t cap, int secret)
{
	struct termios saved, quiet;
	int tty = isatty(STDIN_FILENO), hidden = 0;
	char *ok;

	if (tty && secret && tcgetattr(STDIN_FILENO, &saved) == 0) {
		quiet = saved;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		hidden = tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
	}
	ok = fgets(buf, (int)cap, stdin);
	if (hidden)
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	/* Nothing echoed the answer's newline: end the prompt's line. */
	if (hidden || !tty)
		fputc('\n', stderr);
	if (ok == NULL)
		return -1;
	buf[strcspn(buf, "\r\n")] = '\0';
	return 0;
}

static int
on_prompt(const struct lb_prompt *p, char *answer, size_t cap, void *arg)
{
	switch (p->kind) {
	case LB_PROMPT_INFO:
		show(stdout, p->text);
		fputc('\n', stdout);
		fflush(stdout);
		return 0;
	case LB_PROMPT_ERROR:
		show(stderr, p->text);
		fputc('\n', stderr);
		return 0;
	case LB_PROMPT_SECRET:
	case LB_PROMPT_VISIBLE:
		break;
	}
	show(stderr, p->text);
	fflush(stderr);
	return read_answer(answer, cap, p->kind == LB_PROMPT_SECRET);
}

/* A keyboard-interactive round: its name and instruction, then each
 * prompt, echoed or not as flagged. */
static int
on_round(const char *name, const char *instruction, int num_prompts,
    const struct lb_kbdint_prompt *prompts,
    struct lb_kbdint_response *responses, void *arg)
{
	char answer[512];
	int i;

	for (i = 0; i < 2; i++) {
		const char *text = i == 0 ? name : instruction;

		if (text[0] != '\0') {
			show(stdout, text);
			fputc('\n', stdout);
		}
	}
	fflush(stdout);
	for (i = 0; i < num_prompts; i++) {
		show(stderr, prompts[i].text);
		fflush(stderr);
		if (read_answer(answer, sizeof(answer), !prompts[i].echo) == -1)
			return -1;
		responses[i].text = strdup(answer);
		explicit_bzero(answer, sizeof(answer));
		if (responses[i].text == NULL)
			return -1;
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

/* One factor with mech; kbdint rounds come whole, a Kerberos ticket is
 * the caller's own (KRB5CCNAME). */
static int
login_with(struct lb_conn *c, const char *mech, const char *user)
{
	int rc;

	if (strcmp(mech, "keyboard-interactive") == 0)
		return lb_login_kbdint(c, user, on_round, NULL);
	if (strcmp(mech, "gssapi-with-mic") != 0)
		return lb_login(c, mech, user, on_prompt, NULL);
	if ((rc = lb_login_gssapi(c, user, gss_host, gss_flags)) ==
	    LB_ABORTED) {
		show(stderr, lb_last_text(c));
		fputc('\n', stderr);
	}
	return rc;
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

int
main(int argc, char **argv)
{
	const char *socket_path = DEFAULT_SOCKET, *mech = "password";
	const char *address = NULL, *remote_user = NULL;
	const char *const *names;
	struct lb_conn *c;
	int ch, list = 0, rc = LB_OK;
	size_t i, n;

	/* As sshd names itself: host/ this machine's name. */
	if (gethostname(gss_host, sizeof(gss_host)) == -1)
		snprintf(gss_host, sizeof(gss_host), "localhost");
	while ((ch = getopt(argc, argv, "a:H:Klm:r:s:")) != -1) {
		switch (ch) {
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
		default:
			usage();
		}
	}
	if (argc - optind != (list ? 0 : 1) ||
	    (remote_user != NULL && address == NULL))
		usage();
	if ((c = lb_open(socket_path, 0)) == NULL) {
		fprintf(stderr, "loginbroker: %s: %s\n", socket_path,
		    strerror(errno));
		return EXIT_UNAVAILABLE;
	}
	if (address != NULL)
		rc = lb_set_context(c, address, remote_user);
	if (rc == LB_OK && list) {
		rc = lb_list_mechanisms(c, &names, &n);
		for (i = 0; rc == LB_OK && i < n; i++)
			printf("%s\n", names[i]);
	} else if (rc == LB_OK) {
		rc = login_chain(c, mech, argv[optind]);
	}
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
