/* SPDX-License-Identifier: ISC */
/*
 * loginbrokerctl: the administrator's command for the broker's state
 * files, which it reads and writes under the same locks as the broker:
 *
 *   loginbrokerctl [-c FILE] lockout list
 *   loginbrokerctl [-c FILE] lockout clear [USER]
 *   loginbrokerctl [-c FILE] totp enroll [-f] [-i ISSUER] USER
 *   loginbrokerctl [-c FILE] scram set [-i ITERATIONS] USER
 *   loginbrokerctl [-c FILE] sessions
 *
 * FILE is the broker's configuration, for the files' paths.
 */
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <getopt.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#ifdef HAVE_QRENCODE
#include <qrencode.h>
#endif

#include "config.h"
#include "lockout.h"
#include "log.h"
#include "names.h"
#include "scram_store.h"
#include "totp_enroll.h"

static struct config conf;

/* The usage, on stderr for a mistake (exit 2), on stdout when asked. */
static _Noreturn void
usage_to(FILE *f, int status)
{
	fprintf(f, "usage: loginbrokerctl [-c config] lockout list\n"
	    "       loginbrokerctl [-c config] lockout clear [user]\n"
	    "       loginbrokerctl [-c config] totp enroll [-fu] [-i issuer] "
	    "user\n"
	    "       loginbrokerctl [-c config] scram set [-i iterations] "
	    "user\n"
	    "       loginbrokerctl [-c config] sessions\n"
	    "  -c, --config FILE      the broker's configuration (default: "
	    "built in)\n"
	    "  -f, --force            totp enroll: replace a secret\n"
	    "  -u, --unknown-user     totp enroll: a user the system does "
	    "not know\n"
	    "  -i, --issuer NAME      totp enroll: the issuer the app shows\n"
	    "  -i, --iterations N     scram set: PBKDF2 iterations\n"
	    "  -h, --help, -V, --version\n");
	exit(status);
}

static _Noreturn void
usage(void)
{
	usage_to(stderr, 2);
}

static int
lockout_list_cmd(int argc, char **argv)
{
	struct lockout_entry *e;
	time_t now = time(NULL);
	char why[160];
	size_t i, n;

	if (argc != 1)
		usage();
	/* No table and nowhere to make one: not "no failures". */
	if (lockout_usable(conf.lockout_file, why, sizeof(why)) == -1) {
		fprintf(stderr, "loginbrokerctl: lockout_file %s: %s\n",
		    conf.lockout_file, why);
		return 1;
	}
	if ((e = lockout_list(&n)) == NULL) {
		fprintf(stderr, "loginbrokerctl: cannot read the lockout "
		    "table\n");
		return 1;
	}
	printf("%-24s %8s %-20s %s\n", "USER", "FAILURES", "FIRST FAILURE",
	    "LOCKED");
	for (i = 0; i < n; i++) {
		char first[32], user[LOG_QUOTED_MAX(USER_NAME_MAX)];

		/* Quoted as in the log: " alice" is not alice. */
		log_quote(e[i].user, user, sizeof(user));
		strftime(first, sizeof(first), "%Y-%m-%d %H:%M:%S",
		    localtime(&e[i].first_failure));
		if (e[i].locked_until > now)
			printf("%-24s %8u %-20s %llds more\n", user,
			    e[i].failures, first,
			    (long long)(e[i].locked_until - now));
		else
			printf("%-24s %8u %-20s no\n", user, e[i].failures,
			    first);
	}
	free(e);
	return 0;
}

static int
lockout_clear_cmd(int argc, char **argv)
{
	int n;

	if (argc > 2)
		usage();
	if ((n = lockout_clear(argc == 2 ? argv[1] : NULL)) == -1)
		return 1;
	printf("cleared %d entr%s\n", n, n == 1 ? "y" : "ies");
	return 0;
}

/* The URI as a QR code in half-block characters, two modules a line. */
static void
print_qr(const char *uri)
{
#ifdef HAVE_QRENCODE
	QRcode *qr = QRcode_encodeString(uri, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
	int x, y, w;

	if (qr == NULL)
		return;
	w = qr->width;
	/* A quiet zone of two modules, light on dark or dark on light
	 * alike: top and bottom module of each cell. */
	for (y = -2; y < w + 2; y += 2) {
		for (x = -2; x < w + 2; x++) {
			bool top = y >= 0 && y < w && x >= 0 && x < w &&
			    (qr->data[y * w + x] & 1);
			bool bottom = y + 1 >= 0 && y + 1 < w && x >= 0 &&
			    x < w && (qr->data[(y + 1) * w + x] & 1);

			fputs(top && bottom ? " " : top ? "\u2584" :
			    bottom ? "\u2580" : "\u2588", stdout);
		}
		fputc('\n', stdout);
	}
	QRcode_free(qr);
#else
	(void)uri;
#endif
}

static int
totp_enroll_cmd(int argc, char **argv)
{
	const char *issuer = "loginbroker";
	char uri[TOTP_URI_MAX];
	bool replace = false;
	int ch;

	optind = 1;
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "issuer", required_argument, NULL, 'i' },
		{ "unknown-user", no_argument, NULL, 'u' },
		{ NULL, 0, NULL, 0 },
	};
	bool unknown = false;

	while ((ch = getopt_long(argc, argv, "+fi:u", longopts, NULL)) != -1) {
		switch (ch) {
		case 'f':
			replace = true;
			break;
		case 'i':
			issuer = optarg;
			break;
		case 'u':
			unknown = true;
			break;
		default:
			usage();
		}
	}
	if (argc - optind != 1)
		usage();
	if (!name_user_valid(argv[optind])) {
		fprintf(stderr, "loginbrokerctl: invalid user name\n");
		return 1;
	}
	/* A typo would enroll nobody who can log in. */
	if (!unknown && getpwnam(argv[optind]) == NULL) {
		fprintf(stderr, "loginbrokerctl: %s: no such user (-u enrolls "
		    "one the system does not know)\n", argv[optind]);
		return 1;
	}
	if (totp_enroll(conf.totp_file, argv[optind], issuer, replace,
	    uri) == -1)
		return 1;
	printf("%s\n", uri);
	if (isatty(STDOUT_FILENO))
		print_qr(uri);
	return 0;
}

/* One line from stdin, without echo on a terminal: 0, or -1. */
static int
read_password(const char *prompt, char *buf, size_t cap)
{
	struct termios old, quiet;
	bool tty = tcgetattr(STDIN_FILENO, &old) == 0;
	size_t n;
	char *got;

	if (tty) {
		fputs(prompt, stderr);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
	}
	got = fgets(buf, (int)cap, stdin);
	if (tty) {
		(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
		fputc('\n', stderr);
	}
	if (got == NULL || (n = strcspn(buf, "\n")) == 0 ||
	    (buf[n] != '\n' && !feof(stdin)))
		return -1;
	buf[n] = '\0';
	return 0;
}

/* Stores a user's SCRAM-SHA-256 keys, derived from a password that is
 * read (twice on a terminal) and never stored. */
static int
scram_set_cmd(int argc, char **argv)
{
	char pw[512], again[512];
	struct scram_entry e;
	unsigned long iter = SCRAM_ITER_MIN;
	char *end;
	int ch, rc = 1;

	optind = 1;
	static const struct option longopts[] = {
		{ "iterations", required_argument, NULL, 'i' },
		{ NULL, 0, NULL, 0 },
	};

	while ((ch = getopt_long(argc, argv, "+i:", longopts, NULL)) != -1) {
		if (ch != 'i')
			usage();
		iter = strtoul(optarg, &end, 10);
		if (*end != '\0' || iter < SCRAM_ITER_MIN ||
		    iter > SCRAM_ITER_MAX) {
			fprintf(stderr, "loginbrokerctl: iterations: %u to "
			    "%u\n", SCRAM_ITER_MIN, SCRAM_ITER_MAX);
			return 1;
		}
	}
	if (argc - optind != 1)
		usage();
	if (!name_user_valid(argv[optind])) {
		fprintf(stderr, "loginbrokerctl: invalid user name\n");
		return 1;
	}
	/* No copy of the password in stdio's buffer. */
	setvbuf(stdin, NULL, _IONBF, 0);
	if (read_password("Password: ", pw, sizeof(pw)) == -1)
		fprintf(stderr, "loginbrokerctl: no password read\n");
	else if (isatty(STDIN_FILENO) && (read_password("Again: ", again,
	    sizeof(again)) == -1 || strcmp(pw, again) != 0))
		fprintf(stderr, "loginbrokerctl: the passwords differ\n");
	else if (scram_entry_from_password(pw, (unsigned)iter, &e) == -1)
		fprintf(stderr, "loginbrokerctl: cannot derive the keys\n");
	else if (scram_store_set(conf.scram_file, argv[optind], &e) == -1)
		fprintf(stderr, "loginbrokerctl: %s: %s\n", conf.scram_file,
		    strerror(errno));
	else
		rc = 0;
	explicit_bzero(pw, sizeof(pw));
	explicit_bzero(again, sizeof(again));
	explicit_bzero(&e, sizeof(e));
	return rc;
}

/* The value of the tab-separated field "key=" in a keeper's state line
 * (broker/pam/session_keeper.c writes it), quoted as the log quotes
 * (a user name may hold a space), into out[cap]; "-" when missing. */
static const char *
state_field(const char *line, const char *key, char *out, size_t cap)
{
	char pat[32], value[USER_NAME_MAX];
	const char *v;
	size_t len;

	snprintf(pat, sizeof(pat), "%s=", key);
	for (v = line; (v = strstr(v, pat)) != NULL; v++)
		if (v == line || v[-1] == '\t')
			break;
	if (v == NULL)
		return log_quote("", out, cap);
	v += strlen(pat);
	len = strcspn(v, "\t\n");
	snprintf(value, sizeof(value), "%.*s", (int)(len < sizeof(value) ?
	    len : sizeof(value) - 1), v);
	return log_quote(value, out, cap);
}

/* The live user sessions, from the files their keepers keep in
 * sessions_dir: what a restarted broker knows of them too. */
static int
sessions_list_cmd(int argc, char **argv)
{
	char path[CONFIG_PATH_MAX + 300], line[2048];
	char f[5][LOG_QUOTED_MAX(USER_NAME_MAX)];
	struct dirent *d;
	time_t started;
	DIR *dir;
	FILE *in;
	long keeper;

	if (argc != 1)
		usage();
	if ((dir = opendir(conf.sessions_dir)) == NULL && errno != ENOENT) {
		fprintf(stderr, "loginbrokerctl: %s: %s\n", conf.sessions_dir,
		    strerror(errno));
		return 1;
	}
	printf("%-8s %-8s %-16s %-12s %-12s %s\n", "KEEPER", "PID", "USER",
	    "SERVICE", "TTY", "STARTED");
	while (dir != NULL && (d = readdir(dir)) != NULL) {
		if ((keeper = strtol(d->d_name, NULL, 10)) <= 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", conf.sessions_dir,
		    d->d_name);
		if ((in = fopen(path, "r")) == NULL)
			continue;
		if (fgets(line, sizeof(line), in) == NULL)
			line[0] = '\0';
		fclose(in);
		/* A keeper that died without its cleanup left a stale file. */
		if (kill((pid_t)keeper, 0) == -1 && errno == ESRCH)
			continue;
		if ((started = (time_t)strtoll(state_field(line, "started",
		    f[4], sizeof(f[4])), NULL, 10)) <= 0)
			continue;
		strftime(f[4], sizeof(f[4]), "%Y-%m-%d %H:%M:%S",
		    localtime(&started));
		printf("%-8ld %-8s %-16s %-12s %-12s %s\n", keeper,
		    state_field(line, "pid", f[0], sizeof(f[0])),
		    state_field(line, "user", f[1], sizeof(f[1])),
		    state_field(line, "service", f[2], sizeof(f[2])),
		    state_field(line, "tty", f[3], sizeof(f[3])), f[4]);
	}
	if (dir != NULL)
		closedir(dir);
	return 0;
}

static const struct command {
	const char *group, *verb;
	int (*run)(int argc, char **argv);
} commands[] = {
	{ "lockout", "list", lockout_list_cmd },
	{ "lockout", "clear", lockout_clear_cmd },
	{ "totp", "enroll", totp_enroll_cmd },
	{ "scram", "set", scram_set_cmd },
	{ "sessions", NULL, sessions_list_cmd },
};

int
main(int argc, char **argv)
{
	static struct policy_errors errs;
	const char *config_path = NULL;
	struct policy *p;
	size_t i;
	int ch;

	static const struct option longopts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};

	while ((ch = getopt_long(argc, argv, "+c:hV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config_path = optarg;
			break;
		case 'h':
			usage_to(stdout, 0);
		case 'V':
			printf("loginbrokerctl %s\n", LB_VERSION);
			return 0;
		default:
			usage();
		}
	}
	if (argc - optind < 1)
		usage();
	config_defaults(&conf);
	/* Only the settings matter here; which mechanisms this build
	 * verifies is the daemon's to check (loginbrokerd -n). */
	if ((p = config_read(config_path, &conf, NULL, &errs)) == NULL) {
		policy_errors_print(&errs, stderr);
		return 1;
	}
	policy_unref(p);
	log_init(true, false);
	/* The table's own size: only the broker moves it to another. */
	lockout_init(conf.lockout_file, 0);
	/* A group with no verb is its own command (sessions). */
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[optind], commands[i].group) == 0 &&
		    (commands[i].verb == NULL ? argc - optind == 1 :
		    argc - optind >= 2 &&
		    strcmp(argv[optind + 1], commands[i].verb) == 0))
			return commands[i].run(argc - optind - (commands[i].verb
			    != NULL), argv + optind + (commands[i].verb != NULL));
	usage();
}
