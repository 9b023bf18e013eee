/* SPDX-License-Identifier: ISC */
/* scram_store.c: reading and writing the stored-key file. */
#include "scram_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gsasl.h>

#include "base64.h"

#define SCHEME	"{SCRAM-SHA-256}"

/* Decodes one base64 field of exactly len bytes (0: any up to cap). */
static int
field(const char *text, uint8_t *out, size_t cap, size_t len, size_t *got)
{
	ssize_t n = base64_decode(text, out, cap);

	if (n <= 0 || (len != 0 && (size_t)n != len))
		return -1;
	if (got != NULL)
		*got = (size_t)n;
	return 0;
}

int
scram_entry_parse(const char *text, struct scram_entry *e)
{
	char buf[SCRAM_LINE_MAX], *f[4], *p, *end;
	unsigned long iter;
	size_t i;
	int rc = -1;

	if (strncmp(text, SCHEME, strlen(SCHEME)) != 0 ||
	    snprintf(buf, sizeof(buf), "%s", text + strlen(SCHEME)) >=
	    (int)sizeof(buf))
		return -1;
	for (i = 0, p = buf; i < 4; i++) {
		f[i] = p;
		if ((p = strchr(p, ',')) != NULL)
			*p++ = '\0';
		else if (i < 3)
			goto out;
	}
	if (p != NULL)			/* a fifth field */
		goto out;
	errno = 0;
	iter = strtoul(f[0], &end, 10);
	if (errno != 0 || *end != '\0' || f[0][0] < '1' || f[0][0] > '9' ||
	    iter < SCRAM_ITER_MIN || iter > SCRAM_ITER_MAX)
		goto out;
	e->iter = (unsigned)iter;
	if (field(f[1], e->salt, sizeof(e->salt), 0, &e->salt_len) == -1 ||
	    field(f[2], e->stored_key, SCRAM_KEY_LEN, SCRAM_KEY_LEN,
	    NULL) == -1 ||
	    field(f[3], e->server_key, SCRAM_KEY_LEN, SCRAM_KEY_LEN,
	    NULL) == -1)
		goto out;
	rc = 0;
out:
	explicit_bzero(buf, sizeof(buf));
	return rc;
}

int
scram_entry_from_password(const char *password, unsigned iter,
    struct scram_entry *e)
{
	char salted[SCRAM_KEY_LEN], client[SCRAM_KEY_LEN];
	int rc;

	if (iter < SCRAM_ITER_MIN || iter > SCRAM_ITER_MAX)
		return -1;
	e->iter = iter;
	e->salt_len = 16;
	if (getrandom(e->salt, e->salt_len, 0) != (ssize_t)e->salt_len)
		return -1;
	rc = gsasl_scram_secrets_from_password(GSASL_HASH_SHA256, password,
	    iter, (const char *)e->salt, e->salt_len, salted, client,
	    (char *)e->server_key, (char *)e->stored_key);
	explicit_bzero(salted, sizeof(salted));
	explicit_bzero(client, sizeof(client));
	return rc == GSASL_OK ? 0 : -1;
}

int
scram_entry_format(const struct scram_entry *e, char *out, size_t cap)
{
	char salt[BASE64_LEN(SCRAM_SALT_MAX) + 1];
	char stored[BASE64_LEN(SCRAM_KEY_LEN) + 1];
	char server[BASE64_LEN(SCRAM_KEY_LEN) + 1];
	int n;

	if (base64_encode(e->salt, e->salt_len, salt, sizeof(salt)) == -1 ||
	    base64_encode(e->stored_key, SCRAM_KEY_LEN, stored,
	    sizeof(stored)) == -1 ||
	    base64_encode(e->server_key, SCRAM_KEY_LEN, server,
	    sizeof(server)) == -1)
		return -1;
	n = snprintf(out, cap, SCHEME "%u,%s,%s,%s", e->iter, salt, stored,
	    server);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* The file, if it is root's and no one else may read or write it. */
static FILE *
open_store(const char *path)
{
	struct stat st;
	FILE *f;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return NULL;
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    (st.st_mode & 077) != 0) {
		close(fd);
		errno = EINVAL;
		return NULL;
	}
	if ((f = fdopen(fd, "r")) == NULL)
		close(fd);
	return f;
}

/* Whether line (newline removed) is user's; its entry then follows. */
static const char *
entry_of(const char *line, const char *user)
{
	size_t n = strlen(user);

	return strncmp(line, user, n) == 0 && line[n] == ':' ?
	    line + n + 1 : NULL;
}

/* Reads one line into buf[cap] without its newline: 1, 0 at the end, -1
 * (EINVAL) for a line too long. */
static int
read_line(FILE *f, char *buf, size_t cap)
{
	size_t n;

	if (fgets(buf, (int)cap, f) == NULL)
		return 0;
	n = strlen(buf);
	if (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	else if (!feof(f)) {
		errno = EINVAL;
		return -1;
	}
	return 1;
}

int
scram_store_find(const char *path, const char *user, struct scram_entry *e)
{
	char line[SCRAM_LINE_MAX];
	const char *entry;
	FILE *f;
	int rc, found = 0;

	if ((f = open_store(path)) == NULL)
		return -1;
	/* Every line is read, found or not: the time it takes does not
	 * tell whether the user has keys. */
	while ((rc = read_line(f, line, sizeof(line))) == 1)
		if (found == 0 && (entry = entry_of(line, user)) != NULL)
			found = scram_entry_parse(entry, e) == 0 ? 1 : -1;
	explicit_bzero(line, sizeof(line));
	fclose(f);
	if (rc == -1 || found == -1) {
		errno = EINVAL;
		return -1;
	}
	return found;
}

/* Copies every line but user's from the old file (if any) to out. */
static int
copy_others(const char *path, const char *user, FILE *out)
{
	char line[SCRAM_LINE_MAX];
	FILE *f;
	int rc;

	if ((f = open_store(path)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((rc = read_line(f, line, sizeof(line))) == 1)
		if (line[0] != '\0' && entry_of(line, user) == NULL &&
		    fprintf(out, "%s\n", line) < 0)
			rc = -1;
	explicit_bzero(line, sizeof(line));
	fclose(f);
	return rc;
}

int
scram_store_set(const char *path, const char *user,
    const struct scram_entry *e)
{
	char tmp[4096], lock[4096], entry[SCRAM_LINE_MAX];
	FILE *out;
	int fd, lockfd = -1, rc = -1, err;

	if (strchr(user, ':') != NULL || strchr(user, '\n') != NULL ||
	    scram_entry_format(e, entry, sizeof(entry)) == -1) {
		errno = EINVAL;
		return -1;
	}
	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp) ||
	    snprintf(lock, sizeof(lock), "%s.lock", path) >= (int)sizeof(lock)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* Two writers at once would each keep the other's lines out. */
	if ((lockfd = open(lock, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600)) == -1 || flock(lockfd, LOCK_EX) == -1)
		goto out;
	if ((fd = mkstemp(tmp)) == -1)
		goto out;
	if (fchmod(fd, 0600) == -1 || (out = fdopen(fd, "w")) == NULL) {
		close(fd);
		unlink(tmp);
		goto out;
	}
	if (copy_others(path, user, out) == 0 &&
	    fprintf(out, "%s:%s\n", user, entry) > 0 && fflush(out) == 0 &&
	    fsync(fileno(out)) == 0)
		rc = 0;
	if (fclose(out) != 0)
		rc = -1;
	if (rc == 0 && rename(tmp, path) == -1)
		rc = -1;
	if (rc == -1)
		unlink(tmp);
out:
	err = errno;
	explicit_bzero(entry, sizeof(entry));
	if (lockfd != -1)
		close(lockfd);
	errno = err;
	return rc;
}
