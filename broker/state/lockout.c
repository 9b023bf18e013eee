/* lockout.c: the failure and lockout state file. */
#include "lockout.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

static char path[256];
static struct lockout_entry table[LOCKOUT_USERS_MAX];
static size_t nentries;
static struct stat loaded;	/* the file the table came from */

void
lockout_init(const char *p)
{
	snprintf(path, sizeof(path), "%s", p);
	memset(&loaded, 0, sizeof(loaded));
	nentries = 0;
}

/* A user name as the file holds it: every byte but letters, digits and
 * ._@+- as %XX, so that blanks, '%' and anything else survive the round
 * trip exactly and no two names share a line's form. */
#define ENCODED_MAX	(3 * USER_NAME_MAX)

static void
encode_user(const char *user, char out[ENCODED_MAX])
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *p = (const unsigned char *)user;
	size_t n = 0;

	for (; *p != '\0' && n + 4 <= ENCODED_MAX; p++) {
		if (isalnum(*p) || strchr("._@+-", *p) != NULL) {
			out[n++] = (char)*p;
		} else {
			out[n++] = '%';
			out[n++] = hex[*p >> 4];
			out[n++] = hex[*p & 15];
		}
	}
	out[n] = '\0';
}

/* The name back from its file form: 0, or -1 when it is not one. */
static int
decode_user(const char *in, char out[USER_NAME_MAX])
{
	size_t n = 0;
	unsigned byte;

	for (; *in != '\0'; n++) {
		if (n + 1 >= USER_NAME_MAX)
			return -1;
		if (*in != '%') {
			out[n] = *in++;
			continue;
		}
		if (!isxdigit((unsigned char)in[1]) ||
		    !isxdigit((unsigned char)in[2]) ||
		    sscanf(in + 1, "%2x", &byte) != 1 || byte == 0)
			return -1;
		out[n] = (char)byte;
		in += 3;
	}
	out[n] = '\0';
	return n > 0 ? 0 : -1;
}

/* Reads the file when it is not the one in the table.  Each line is
 * "FAILURES FIRST LOCKED_UNTIL USER", the user encoded (encode_user). */
static void
refresh(void)
{
	char line[ENCODED_MAX + 64];
	struct lockout_entry *e;
	struct stat st;
	long long first, until;
	int user_at;
	FILE *f;

	if (stat(path, &st) == -1) {
		nentries = 0;
		memset(&loaded, 0, sizeof(loaded));
		return;
	}
	if (st.st_ino == loaded.st_ino && st.st_dev == loaded.st_dev &&
	    st.st_mtim.tv_sec == loaded.st_mtim.tv_sec &&
	    st.st_mtim.tv_nsec == loaded.st_mtim.tv_nsec)
		return;
	if ((f = fopen(path, "re")) == NULL) {
		log_msg(LOG_ERR, "%s: %s", path, strerror(errno));
		return;
	}
	nentries = 0;
	while (nentries < LOCKOUT_USERS_MAX &&
	    fgets(line, sizeof(line), f) != NULL) {
		e = &table[nentries];
		line[strcspn(line, "\n")] = '\0';
		if (sscanf(line, "%u %lld %lld %n", &e->failures, &first, &until,
		    &user_at) != 3 || decode_user(line + user_at, e->user) == -1)
			continue;
		e->first_failure = (time_t)first;
		e->locked_until = (time_t)until;
		nentries++;
	}
	fclose(f);
	loaded = st;
}

/* Serialises read-modify-write with the administrator's command. */
static int
lock_file(void)
{
	char lockpath[sizeof(path) + 8];
	int fd;

	snprintf(lockpath, sizeof(lockpath), "%s.lock", path);
	if ((fd = open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) == -1 ||
	    flock(fd, LOCK_EX) == -1) {
		log_msg(LOG_ERR, "%s: %s", lockpath, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	refresh();
	return fd;
}

/* Writes the table and unlocks: 0, or -1. */
static int
save_unlock(int lockfd)
{
	char tmp[sizeof(path) + 8], user[ENCODED_MAX];
	size_t i;
	FILE *f;
	int rc = -1;

	snprintf(tmp, sizeof(tmp), "%s.new", path);
	if ((f = fopen(tmp, "we")) != NULL) {
		fchmod(fileno(f), 0600);
		for (i = 0; i < nentries; i++) {
			encode_user(table[i].user, user);
			fprintf(f, "%u %lld %lld %s\n", table[i].failures,
			    (long long)table[i].first_failure,
			    (long long)table[i].locked_until, user);
		}
		rc = fclose(f) == 0 && rename(tmp, path) == 0 ? 0 : -1;
	}
	if (rc == -1)
		log_msg(LOG_ERR, "%s: %s", path, strerror(errno));
	else
		stat(path, &loaded);
	close(lockfd);
	return rc;
}

static struct lockout_entry *
find(const char *user)
{
	size_t i;

	for (i = 0; i < nentries; i++)
		if (strcmp(table[i].user, user) == 0)
			return &table[i];
	return NULL;
}

static void
drop(struct lockout_entry *e)
{
	*e = table[--nentries];
}

unsigned
lockout_remaining(const char *user, time_t now)
{
	const struct lockout_entry *e;

	refresh();
	if ((e = find(user)) == NULL || e->locked_until <= now)
		return 0;
	return (unsigned)(e->locked_until - now);
}

/* A full table forgets the entry whose first failure is oldest among
 * those not locked (or the oldest of all): bounded memory and file. */
static struct lockout_entry *
make_room(time_t now)
{
	struct lockout_entry *victim = &table[0];
	size_t i;

	for (i = 1; i < nentries; i++) {
		bool vlocked = victim->locked_until > now;
		bool locked = table[i].locked_until > now;

		if ((vlocked && !locked) || (vlocked == locked &&
		    table[i].first_failure < victim->first_failure))
			victim = &table[i];
	}
	drop(victim);
	return &table[nentries++];
}

bool
lockout_failed(const char *user, time_t now, const struct lockout_rules *r)
{
	struct lockout_entry *e;
	bool locked = false;
	int fd;

	if ((fd = lock_file()) == -1)
		return false;
	if ((e = find(user)) == NULL) {
		e = nentries < LOCKOUT_USERS_MAX ? &table[nentries++] :
		    make_room(now);
		memset(e, 0, sizeof(*e));
		snprintf(e->user, sizeof(e->user), "%s", user);
	}
	/* A new window starts with the first failure after the last one
	 * ended, or after a lockout ran out. */
	if (e->failures == 0 || now - e->first_failure >=
	    (time_t)r->window_s || (e->locked_until != 0 &&
	    e->locked_until <= now)) {
		e->failures = 0;
		e->first_failure = now;
		e->locked_until = 0;
	}
	if (++e->failures >= r->failures && e->locked_until <= now) {
		e->locked_until = now + (time_t)r->duration_s;
		locked = true;
	}
	save_unlock(fd);
	return locked;
}

void
lockout_refund(const char *user, const struct lockout_rules *r)
{
	struct lockout_entry *e;
	int fd;

	refresh();
	if (find(user) == NULL || (fd = lock_file()) == -1)
		return;
	if ((e = find(user)) != NULL && e->failures > 0 &&
	    --e->failures < r->failures)
		e->locked_until = 0;
	if (e != NULL && e->failures == 0)
		drop(e);
	save_unlock(fd);
}

void
lockout_succeeded(const char *user)
{
	struct lockout_entry *e;
	int fd;

	refresh();
	if (find(user) == NULL || (fd = lock_file()) == -1)
		return;
	if ((e = find(user)) != NULL)
		drop(e);
	save_unlock(fd);
}

size_t
lockout_list(struct lockout_entry *out, size_t cap)
{
	size_t n;

	refresh();
	n = nentries < cap ? nentries : cap;
	memcpy(out, table, n * sizeof(*out));
	return n;
}

int
lockout_clear(const char *user)
{
	struct lockout_entry *e;
	int fd, dropped = 0;

	if ((fd = lock_file()) == -1)
		return -1;
	if (user == NULL) {
		dropped = (int)nentries;
		nentries = 0;
	} else if ((e = find(user)) != NULL) {
		drop(e);
		dropped = 1;
	}
	return save_unlock(fd) == -1 ? -1 : dropped;
}
