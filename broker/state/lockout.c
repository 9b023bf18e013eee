/* SPDX-License-Identifier: ISC */
/*
 * lockout.c: the failure and lockout state, a fixed table of slots in
 * lockout_file, mapped shared by the broker and loginbrokerctl.  A user's
 * slot is found by hashing the name (open addressing, twice as many slots
 * as users, so probes stay short); every update writes that one slot under
 * flock(2) on the file: O(1), never a rewrite of the whole state, and no
 * fsync, like the audit log.  Names are kept exactly as given.
 */
#include "lockout.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"

#define MAGIC		"LBLOCK1\n"

struct header {
	char magic[8];
	uint32_t users;			/* entries at most */
	uint32_t used;			/* entries now */
};

struct slot {
	char user[USER_NAME_MAX];	/* "": free */
	uint32_t failures;
	uint32_t pad;
	int64_t first_failure;
	int64_t locked_until;
};

static char path[256];
static unsigned want_users = LOCKOUT_USERS_DEFAULT;
static int fd = -1;
static struct header *hdr;
static struct slot *slots;
static size_t nslots, mapped;
static bool counted;		/* hdr->used taken again since mapped */
static size_t hand;		/* where make_room looks next */
/* Until then every entry is locked: a new name finds no room, at once. */
static time_t full_until;
/* Warnings about a full table: one a minute, not one per failure. */
static time_t warned_at;


static size_t
file_size(uint32_t users)
{
	return sizeof(struct header) + 2 * (size_t)users * sizeof(struct slot);
}

static void
unmap(void)
{
	if (hdr != NULL)
		munmap(hdr, mapped);
	if (fd != -1)
		close(fd);
	hdr = NULL;
	slots = NULL;
	fd = -1;
	counted = false;
}

int
lockout_usable(const char *p, char *why, size_t cap)
{
	char dir[256];
	struct stat st;
	char *slash;

	if (stat(p, &st) == 0) {
		if (!S_ISREG(st.st_mode)) {
			snprintf(why, cap, "not a regular file");
			return -1;
		}
		if (access(p, R_OK | W_OK) == -1) {
			snprintf(why, cap, "%s", strerror(errno));
			return -1;
		}
		return 0;
	}
	if (errno != ENOENT) {
		snprintf(why, cap, "%s", strerror(errno));
		return -1;
	}
	/* Made at the first failure: its directory must take it then. */
	snprintf(dir, sizeof(dir), "%s", p);
	if ((slash = strrchr(dir, '/')) == NULL || slash == dir) {
		snprintf(why, cap, "not an absolute path in a directory");
		return -1;
	}
	*slash = '\0';
	if (stat(dir, &st) == -1 || (S_ISDIR(st.st_mode) &&
	    access(dir, W_OK | X_OK) == -1)) {
		snprintf(why, cap, "directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(why, cap, "%s is not a directory", dir);
		return -1;
	}
	return 0;
}

void
lockout_init(const char *p, unsigned users)
{
	unmap();
	snprintf(path, sizeof(path), "%s", p);
	want_users = users;
	full_until = 0;
}

/* Maps the table file at p (made, sized for want_users with its blocks
 * allocated, when create and it does not exist): 0, or -1 with errno
 * (ENOENT: no table yet; EINVAL: not a table of this version). */
static int
map_file(const char *p, bool create)
{
	struct stat st;
	void *m;
	int err;

	if ((fd = open(p, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0),
	    0600)) == -1)
		return -1;
	if (fstat(fd, &st) == -1)
		goto fail;
	/* Allocated now, not sparse: a full disk is an error here, never
	 * a SIGBUS at the first write to a page. */
	if (st.st_size == 0 && (err = posix_fallocate(fd, 0,
	    (off_t)file_size(want_users))) != 0) {
		errno = err;
		goto fail;
	}
	if (fstat(fd, &st) == -1 || (m = mmap(NULL, (size_t)st.st_size,
	    PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0)) == MAP_FAILED)
		goto fail;
	hdr = m;
	mapped = (size_t)st.st_size;
	if (mapped >= sizeof(*hdr) && hdr->magic[0] == '\0') {
		memcpy(hdr->magic, MAGIC, sizeof(hdr->magic));
		hdr->users = want_users;
	}
	if (mapped < sizeof(*hdr) ||
	    memcmp(hdr->magic, MAGIC, sizeof(hdr->magic)) != 0 ||
	    hdr->users < LOCKOUT_USERS_MIN || hdr->users > LOCKOUT_USERS_MAX ||
	    mapped != file_size(hdr->users)) {
		errno = EINVAL;
		goto fail;
	}
	slots = (struct slot *)(hdr + 1);
	nslots = 2 * (size_t)hdr->users;
	return 0;
fail:
	err = errno;
	unmap();
	errno = err;
	return -1;
}

static struct slot *probe(const char *user);

/* Copies old[n] into the mapped table, locked entries first, as many as
 * fit: how many. */
static size_t
carry_over(const struct slot *old, size_t n)
{
	struct slot *s;
	size_t i, kept = 0;
	int locked;

	for (locked = 1; locked >= 0; locked--)
		for (i = 0; i < n && hdr->used < hdr->users; i++) {
			if (old[i].user[0] == '\0' ||
			    (old[i].locked_until != 0) != locked ||
			    (s = probe(old[i].user)) == NULL)
				continue;
			*s = old[i];
			hdr->used++;
			kept++;
		}
	return kept;
}

/* Moves the table, locked by us, to one of want_users entries
 * (lockout_users changed).  The old file stays mapped and locked until
 * the new one has replaced it.  0, or -1 with the old table in place. */
static int
resize(void)
{
	char newpath[sizeof(path) + 8];
	struct header *old_hdr = hdr;
	struct slot *old_slots = slots;
	size_t old_n = nslots, old_mapped = mapped, kept;
	int old_fd = fd, err;

	snprintf(newpath, sizeof(newpath), "%s.new", path);
	unlink(newpath);
	hdr = NULL;
	fd = -1;
	if (map_file(newpath, true) == -1 ||
	    (kept = carry_over(old_slots, old_n), rename(newpath, path)) == -1) {
		err = errno;
		unmap();
		unlink(newpath);
		hdr = old_hdr;
		slots = old_slots;
		nslots = old_n;
		mapped = old_mapped;
		fd = old_fd;
		errno = err;
		return -1;
	}
	munmap(old_hdr, old_mapped);
	close(old_fd);
	log_msg(LOG_WARNING, "%s: now %u users (%zu entries kept)", path,
	    hdr->users, kept);
	return 0;
}

/* Maps the table, made at a first failure (create): 0, or -1 with errno
 * (ENOENT: no table yet: nothing counted, nobody locked).  A file that
 * is not a table of this version is set aside as PATH.old, loudly: left
 * in place it would switch the lockout off. */
static int
map_table(bool create)
{
	char old[sizeof(path) + 8];

	if (hdr != NULL)
		return 0;
	if (map_file(path, create) == -1 && errno == EINVAL) {
		snprintf(old, sizeof(old), "%s.old", path);
		log_msg(LOG_ERR, "%s: not a lockout table of this version; "
		    "moved to %s", path, old);
		if (rename(path, old) == -1)
			log_msg(LOG_ERR, "%s: %s", old, strerror(errno));
		else if (map_file(path, create) == 0)
			return 0;
		errno = ENOENT;
	}
	if (hdr == NULL) {
		if (errno != ENOENT)
			log_msg(LOG_ERR, "%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* What a process killed in the middle of a change may have left: the
 * count of entries is taken again once per mapping. */
static void
recount(void)
{
	size_t i;

	hdr->used = 0;
	for (i = 0; i < nslots; i++)
		hdr->used += slots[i].user[0] != '\0';
	counted = true;
}

/* The mapped table is no longer the file at path (another process moved
 * a new one there): map the new one. */
static bool
replaced(void)
{
	struct stat mine, there;

	return fstat(fd, &mine) == -1 || stat(path, &there) == -1 ||
	    mine.st_ino != there.st_ino || mine.st_dev != there.st_dev;
}

/* Maps the table and locks it, exclusive or shared: 0, or -1 with errno
 * (ENOENT: none yet, and not made since not create).  Only the broker
 * (want_users not 0) moves a table to another size. */
static int
begin(int how, bool create)
{
	int tries;

	for (tries = 0; tries < 2; tries++) {
		if (map_table(create) == -1)
			return -1;
		if (flock(fd, how) == -1) {
			log_msg(LOG_ERR, "%s: %s", path, strerror(errno));
			return -1;
		}
		if (!replaced())
			break;
		unmap();
	}
	if (hdr == NULL)
		return -1;
	if (want_users != 0 && hdr->users != want_users &&
	    (how == LOCK_EX || flock(fd, LOCK_EX) == 0)) {
		if (resize() == -1)
			log_msg(LOG_ERR, "%s: cannot resize to %u users: %s",
			    path, want_users, strerror(errno));
		else
			flock(fd, how);
	}
	if (!counted)
		recount();
	return 0;
}

static void
end(void)
{
	flock(fd, LOCK_UN);
}

/* FNV-1a: the home slot of a name. */
static size_t
home(const char *user)
{
	uint64_t h = 14695981039346656037ull;

	for (; *user != '\0'; user++)
		h = (h ^ (unsigned char)*user) * 1099511628211ull;
	return (size_t)(h % nslots);
}

/* The user's slot, or the free slot where it would go; NULL when
 * neither (a table that a crash left full: it is never trusted). */
static struct slot *
probe(const char *user)
{
	size_t i = home(user), steps;

	for (steps = 0; steps < nslots; steps++, i = (i + 1) % nslots)
		if (slots[i].user[0] == '\0' ||
		    strcmp(slots[i].user, user) == 0)
			return &slots[i];
	return NULL;
}

static struct slot *
find(const char *user)
{
	struct slot *s = probe(user);

	return s != NULL && s->user[0] != '\0' ? s : NULL;
}

/* Whether slot k, whose home is h, may move back to free slot i: h is
 * not cyclically within (i, k]. */
static bool
may_move(size_t h, size_t i, size_t k)
{
	return i <= k ? h <= i || h > k : h <= i && h > k;
}

/* Frees a slot and moves later ones of its probe run back, so that every
 * entry stays reachable from its home without tombstones. */
static void
drop(struct slot *s)
{
	size_t i = (size_t)(s - slots), k = (i + 1) % nslots;

	memset(&slots[i], 0, sizeof(slots[i]));
	hdr->used--;
	for (; slots[k].user[0] != '\0'; k = (k + 1) % nslots) {
		if (!may_move(home(slots[k].user), i, k))
			continue;
		slots[i] = slots[k];
		memset(&slots[k], 0, sizeof(slots[k]));
		i = k;
	}
}


static void
warn_full(time_t now, const char *what)
{
	if (now - warned_at < 60)
		return;
	warned_at = now;
	log_msg(LOG_WARNING, "lockout table full (%u users): %s", hdr->users,
	    what);
}

/* Entries make_room weighs at a time: the oldest unlocked among them
 * goes, so that a full table costs a bounded scan per new name. */
#define ROOM_WINDOW	64

/* A full table gives up an unlocked entry, the one whose first failure
 * is the oldest of the next ROOM_WINDOW found from a rotating hand;
 * locked entries are never given up.  True when room was made. */
static bool
make_room(time_t now)
{
	struct slot *victim = NULL, *s;
	time_t earliest = 0;
	size_t steps, seen = 0;

	if (now < full_until)
		return false;
	for (steps = 0; steps < nslots && (victim == NULL ||
	    seen < ROOM_WINDOW); steps++, hand = (hand + 1) % nslots) {
		if ((s = &slots[hand % nslots])->user[0] == '\0')
			continue;
		seen++;
		if (s->locked_until > now) {
			if (earliest == 0 || s->locked_until < earliest)
				earliest = s->locked_until;
		} else if (victim == NULL ||
		    s->first_failure < victim->first_failure) {
			victim = s;
		}
	}
	if (victim == NULL) {
		full_until = earliest;
		warn_full(now, "every user in it is locked; failures of other "
		    "names are not counted until a lock runs out");
		return false;
	}
	warn_full(now, "forgetting the unlocked entry of the oldest failure");
	drop(victim);
	return true;
}

unsigned
lockout_remaining(const char *user, time_t now)
{
	const struct slot *s;
	unsigned left = 0;

	if (begin(LOCK_SH, false) == -1)
		return 0;
	if ((s = find(user)) != NULL && s->locked_until > now)
		left = (unsigned)(s->locked_until - now);
	end();
	return left;
}

bool
lockout_failed(const char *user, time_t now, const struct lockout_rules *r,
    time_t *window)
{
	struct slot *s;
	bool locked = false;

	*window = 0;
	if (begin(LOCK_EX, true) == -1)
		return false;
	if ((s = find(user)) == NULL) {
		if ((hdr->used >= hdr->users && !make_room(now)) ||
		    (s = probe(user)) == NULL) {
			end();
			return false;
		}
		memset(s, 0, sizeof(*s));
		snprintf(s->user, sizeof(s->user), "%s", user);
		hdr->used++;
	}
	/* A new window starts with the first failure after the last one
	 * ended, or after a lockout ran out. */
	if (s->failures == 0 || now - s->first_failure >=
	    (time_t)r->window_s || (s->locked_until != 0 &&
	    s->locked_until <= now)) {
		s->failures = 0;
		s->first_failure = now;
		s->locked_until = 0;
	}
	if (++s->failures >= r->failures && s->locked_until <= now) {
		s->locked_until = now + (time_t)r->duration_s;
		locked = true;
	}
	*window = (time_t)s->first_failure;
	end();
	return locked;
}

void
lockout_refund(const char *user, const struct lockout_rules *r,
    time_t window)
{
	struct slot *s;

	if (begin(LOCK_EX, false) == -1)
		return;
	/* Only within the window the guess was charged to: a refund never
	 * cancels a failure of a later window, nor lifts a later lock. */
	if ((s = find(user)) != NULL && s->first_failure == window &&
	    s->failures > 0) {
		if (--s->failures < r->failures)
			s->locked_until = 0;
		if (s->failures == 0)
			drop(s);
	}
	end();
}

void
lockout_succeeded(const char *user)
{
	struct slot *s;

	if (begin(LOCK_EX, false) == -1)
		return;
	if ((s = find(user)) != NULL)
		drop(s);
	end();
}

struct lockout_entry *
lockout_list(size_t *count)
{
	struct lockout_entry *out;
	size_t i, n = 0;

	*count = 0;
	if (begin(LOCK_SH, false) == -1)
		return errno == ENOENT ? calloc(1, sizeof(*out)) : NULL;
	if ((out = calloc(hdr->used + 1, sizeof(*out))) == NULL) {
		end();
		return NULL;
	}
	for (i = 0; i < nslots && n < hdr->used; i++) {
		if (slots[i].user[0] == '\0')
			continue;
		memcpy(out[n].user, slots[i].user, sizeof(out[n].user));
		out[n].failures = slots[i].failures;
		out[n].first_failure = (time_t)slots[i].first_failure;
		out[n].locked_until = (time_t)slots[i].locked_until;
		n++;
	}
	end();
	*count = n;
	return out;
}

int
lockout_clear(const char *user)
{
	struct slot *s;
	int dropped = 0;

	if (begin(LOCK_EX, false) == -1)
		return errno == ENOENT ? 0 : -1;
	if (user == NULL) {
		dropped = (int)hdr->used;
		memset(slots, 0, nslots * sizeof(*slots));
		hdr->used = 0;
	} else if ((s = find(user)) != NULL) {
		drop(s);
		dropped = 1;
	}
	end();
	return dropped;
}
