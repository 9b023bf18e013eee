/* SPDX-License-Identifier: ISC */
/*
 * test_spawn_ctl.c: the broker's side of a spawner against fake spawners
 * (forked here, speaking ipc/spawner.h's protocol): children that cannot
 * be used are retried with a growing wait, never in a fork loop (issue
 * 10, finding 2), and a spawner that breaks the protocol is replaced.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "clock.h"
#include "event.h"
#include "ipc_proto.h"
#include "log.h"
#include "msg.h"
#include "spawn_ctl.h"
#include "testlib.h"

enum fake_kind {
	FAKE_FOREIGN_PIDS,	/* every SPARE names a process not its child */
	FAKE_GARBAGE,		/* READY, then a message of no known type */
	FAKE_MUTE,		/* READY, then reads SPAWNs and answers none */
};

/* Each fake spawner writes one byte here per SPAWN it is asked for. */
static int asked[2] = { -1, -1 };
static unsigned started;

static void
send_or_die(struct ipc_chan *c, uint32_t type, int fd, const void *m)
{
	if (msg_send(c, type, 0, fd, m) == -1 ||
	    ipc_chan_flush_wait(c, 5000) == -1)
		_exit(2);
}

/* A spare child that is not the spawner's: pid 1, with a fresh channel. */
static void
send_foreign_spare(struct ipc_chan *c)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1)
		_exit(2);
	close(sv[1]);
	send_or_die(c, MSG_SPARE, sv[0], &(struct msg_spare){ 1 });
}

static _Noreturn void
fake_spawner(int fd, enum fake_kind kind, unsigned spares)
{
	struct ipc_chan *c = ipc_chan_new(fd, true);
	struct ipc_msg m;

	if (c == NULL)
		_exit(2);
	send_or_die(c, MSG_SPAWNER_READY,
	    -1, &(struct msg_spawner_ready){ IPC_PROTO_VERSION });
	if (kind == FAKE_GARBAGE) {
		if (ipc_chan_compose(c, 9999, 0, -1, NULL, 0) == -1 ||
		    ipc_chan_flush_wait(c, 5000) == -1)
			_exit(2);
	} else if (kind == FAKE_FOREIGN_PIDS) {
		while (spares-- > 0)
			send_foreign_spare(c);
	}
	while (ipc_chan_wait(c, &m, -1) == 1) {
		if (m.hdr.type != MSG_SPAWN)
			continue;
		(void)!write(asked[1], "s", 1);
		if (kind == FAKE_FOREIGN_PIDS)
			send_foreign_spare(c);
	}
	_exit(0);
}

static enum fake_kind kind;
static unsigned spares = 2;

static pid_t
start_fake(int chan_fd, void *ctx)
{
	pid_t pid = fork();
	int fd;

	if (pid == 0) {
		/* Only its channel and the count: holding the broker's end
		 * would keep it from ever seeing our EOF. */
		for (fd = 3; fd < 1024; fd++)
			if (fd != chan_fd && fd != asked[1])
				close(fd);
		fake_spawner(chan_fd, kind, spares);
	}
	if (pid > 0)
		started++;
	return pid;
}

/* Runs the event loop for ms. */
static void
run_for(unsigned ms)
{
	uint64_t end = clock_now_ms() + ms;

	while (clock_now_ms() < end)
		assert_int_not_equal(event_dispatch(clock_poll_timeout(end)),
		    -1);
}

static unsigned
spawns_asked(void)
{
	char buf[4096];
	unsigned n = 0;
	ssize_t r;

	while ((r = read(asked[0], buf, sizeof(buf))) > 0)
		n += (unsigned)r;
	return n;
}

static struct spawn_ctl *
start(enum fake_kind k)
{
	const struct spawn_params p = { "fake spawner", start_fake, NULL,
	    NULL, spares, 0 };
	struct spawn_ctl *sc;

	kind = k;
	started = 0;
	(void)spawns_asked();
	assert_non_null(sc = spawn_ctl_start(&p));
	return sc;
}

static void
stop(struct spawn_ctl *sc)
{
	spawn_ctl_free(sc);
	/* Our EOF ends each fake spawner. */
	while (waitpid(-1, NULL, 0) > 0)
		;
}

/* Every child arrives unusable (as when pidfd_open fails for want of
 * descriptors): the first failure is retried at once, the next after 1 s,
 * then 2 s, 4 s...; in 3.5 s the spawner is asked for at most 2 spares
 * twice, not thousands of times. */
static void
test_unusable_children_are_retried_with_a_growing_wait(void **state)
{
	struct spawn_ctl *sc = start(FAKE_FOREIGN_PIDS);
	unsigned n;

	run_for(3500);
	n = spawns_asked();
	if (n > 2 * spares)
		fail_msg("%u children asked for in 3.5 s", n);
	assert_true(n > 0);	/* it does retry */
	assert_int_equal(started, 1);
	stop(sc);
}

/* A spawner that sends what its protocol has not is replaced: at once the
 * first time, after 1 s the second, 2 s later the third; never in a
 * loop. */
static void
test_spawner_sending_garbage_is_replaced(void **state)
{
	struct spawn_ctl *sc = start(FAKE_GARBAGE);

	run_for(1500);
	assert_int_equal(spawn_ctl_state(sc), SPAWN_READY);
	if (started != 3)
		fail_msg("%u spawners started in 1.5 s", started);
	stop(sc);
}

static void
no_child(struct spawn_wait *w, const struct spawn_child *child)
{
	if (child != NULL)
		fail_msg("a mute spawner handed out a child");
}

/* 20,000 sessions wait for a spawner that is slow to answer (or does not
 * at all): it is asked for 32 children in flight at most, its 2 initial
 * spares counted, so that the requests never fill the channel; the broker
 * neither blocks nor kills a spawner for being slow. */
static void
test_requests_in_flight_are_bounded(void **state)
{
	static struct spawn_wait waits[20000];
	struct spawn_ctl *sc = start(FAKE_MUTE);
	size_t i;

	run_for(200);	/* READY */
	assert_int_equal(spawn_ctl_state(sc), SPAWN_READY);
	for (i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		waits[i].ready = no_child;
		spawn_ctl_take(sc, &waits[i]);
	}
	run_for(300);
	assert_int_equal(spawns_asked(), 32 - spares);
	assert_int_equal(started, 1);
	for (i = 0; i < sizeof(waits) / sizeof(waits[0]); i++)
		spawn_ctl_cancel(sc, &waits[i]);
	stop(sc);
}

static int
setup(void **state)
{
	if (pipe2(asked, O_NONBLOCK | O_CLOEXEC) == -1 || event_init() == -1)
		return -1;
	log_init(true, false);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
		    test_unusable_children_are_retried_with_a_growing_wait),
		cmocka_unit_test(test_spawner_sending_garbage_is_replaced),
		cmocka_unit_test(test_requests_in_flight_are_bounded),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
