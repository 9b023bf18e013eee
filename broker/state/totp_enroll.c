/* SPDX-License-Identifier: ISC */
/* totp_enroll.c: add or replace a user's line in the TOTP users file. */
#include "totp_enroll.h"

#include <errno.h>
#include <fcntl.h>
#include <liboath/oath.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#define USERS_LINE_MAX	1024

/* The line's user: "TYPE USER ...".  True when it names user. */
static bool
line_is_for(const char *line, const char *user)
{
	const char *u = line + strcspn(line, " \t");
	size_t len;

	u += strspn(u, " \t");
	len = strcspn(u, " \t\n");
	return len == strlen(user) && strncmp(u, user, len) == 0;
}

/* Percent-encodes s for a URI path or query into out[cap]. */
static void
uri_escape(const char *s, char *out, size_t cap)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = 0;

	for (; *s != '\0' && n + 4 < cap; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || strchr("-._~", c) != NULL) {
			out[n++] = (char)c;
		} else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = '\0';
}

/* Copies every line of the old file but user's into f: 1 if user had
 * one, 0 if not, -1 on error. */
static int
copy_others(const char *path, const char *user, FILE *f)
{
	char line[USERS_LINE_MAX];
	FILE *old;
	int had = 0;

	if ((old = fopen(path, "re")) == NULL)
		return errno == ENOENT ? 0 : -1;
	while (fgets(line, sizeof(line), old) != NULL) {
		if (line_is_for(line, user))
			had = 1;
		else
			fputs(line, f);
	}
	fclose(old);
	return had;
}

static int
write_file(const char *path, const char *user, bool replace,
    const char *hexsecret)
{
	char tmp[4096];
	FILE *f;
	int had, fd;

	snprintf(tmp, sizeof(tmp), "%s.enroll", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC,
	    0600)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "%s: %s\n", tmp, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	had = copy_others(path, user, f);
	if (had == 1 && !replace) {
		fprintf(stderr, "%s is enrolled already (replace with -f)\n",
		    user);
		fclose(f);
		unlink(tmp);
		return -1;
	}
	fprintf(f, "HOTP/T30/6\t%s\t-\t%s\n", user, hexsecret);
	if (had == -1 || fflush(f) != 0 || fsync(fd) != 0 || fclose(f) != 0 ||
	    rename(tmp, path) == -1) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		unlink(tmp);
		return -1;
	}
	return 0;
}

int
totp_enroll(const char *path, const char *user, const char *issuer,
    bool replace, char *uri)
{
	unsigned char secret[TOTP_SECRET_BYTES];
	char hexsecret[2 * TOTP_SECRET_BYTES + 1], lockpath[4096];
	char euser[256], eissuer[256], *b32 = NULL;
	size_t b32len = 0, i;
	int lockfd, rc = -1;

	if (getrandom(secret, sizeof(secret), 0) != sizeof(secret)) {
		fprintf(stderr, "getrandom: %s\n", strerror(errno));
		return -1;
	}
	for (i = 0; i < sizeof(secret); i++)
		snprintf(hexsecret + 2 * i, 3, "%02x", secret[i]);
	/* liboath's own lock while it records a used code: PATH.lock
	 * exists only while someone rewrites the file. */
	snprintf(lockpath, sizeof(lockpath), "%s.lock", path);
	for (i = 0; (lockfd = open(lockpath, O_WRONLY | O_CREAT | O_EXCL |
	    O_CLOEXEC, 0600)) == -1 && errno == EEXIST && i < 100; i++)
		usleep(10000);
	if (lockfd == -1) {
		fprintf(stderr, "%s: %s%s\n", lockpath, strerror(errno),
		    errno == EEXIST ? " (remove it if nothing runs)" : "");
		goto out;
	}
	if (write_file(path, user, replace, hexsecret) == -1 ||
	    oath_base32_encode((const char *)secret, sizeof(secret), &b32,
	    &b32len) != OATH_OK)
		goto out;
	uri_escape(user, euser, sizeof(euser));
	uri_escape(issuer, eissuer, sizeof(eissuer));
	snprintf(uri, TOTP_URI_MAX, "otpauth://totp/%s:%s?secret=%.*s&"
	    "issuer=%s&algorithm=SHA1&digits=6&period=30", eissuer, euser,
	    (int)strcspn(b32, "="), b32, eissuer);
	rc = 0;
out:
	if (lockfd != -1) {
		close(lockfd);
		unlink(lockpath);
	}
	explicit_bzero(secret, sizeof(secret));
	explicit_bzero(hexsecret, sizeof(hexsecret));
	if (b32 != NULL) {
		explicit_bzero(b32, b32len);
		free(b32);
	}
	return rc;
}
