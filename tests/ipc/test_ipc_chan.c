/* SPDX-License-Identifier: ISC */
/* test_ipc_chan.c: framing, partial transfers, garbage and descriptors. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>

#include "ipc_chan.h"
#include "testlib.h"

struct pair {
	struct ipc_chan *tx;
	struct ipc_chan *rx;
	int raw;	/* extra raw end, when the test writes bytes itself */
};

static int
setup_chans(void **state)
{
	static struct pair p;
	int sv[2];

	test_socketpair(sv);
	p.tx = ipc_chan_new(sv[0], true);
	p.rx = ipc_chan_new(sv[1], true);
	p.raw = -1;
	*state = &p;
	return 0;
}

/* rx reads from a raw socket the test writes to. */
static int
setup_raw(void **state)
{
	static struct pair p;
	int sv[2];

	test_socketpair(sv);
	p.tx = NULL;
	p.rx = ipc_chan_new(sv[1], true);
	p.raw = sv[0];
	*state = &p;
	return 0;
}

static int
teardown(void **state)
{
	struct pair *p = *state;

	ipc_chan_free(p->tx);
	ipc_chan_free(p->rx);
	if (p->raw != -1)
		close(p->raw);
	return 0;
}

static void
encode(uint8_t *out, uint32_t type, uint16_t len, uint16_t flags)
{
	struct ipc_hdr h = { type, len, flags, 7, 42 };

	ipc_hdr_encode(&h, out);
}

static void
test_two_messages_in_one_read(void **state)
{
	struct pair *p = *state;
	struct ipc_msg m;

	assert_int_equal(ipc_chan_compose(p->tx, 1, 11, -1, "one", 3), 0);
	assert_int_equal(ipc_chan_compose(p->tx, 2, 22, -1, "two!", 4), 0);
	assert_int_equal(ipc_chan_flush(p->tx), 1);
	assert_int_equal(ipc_chan_read(p->rx), 2 * IPC_HDR_SIZE + 7);

	assert_int_equal(ipc_chan_get(p->rx, &m), 1);
	assert_int_equal(m.hdr.type, 1);
	assert_int_equal(m.hdr.peerid, 11);
	assert_int_equal(m.hdr.pid, getpid());
	assert_int_equal(m.len, 3);
	assert_memory_equal(m.data, "one", 3);
	assert_int_equal(m.fd, -1);
	assert_int_equal(ipc_chan_get(p->rx, &m), 1);
	assert_int_equal(m.hdr.type, 2);
	assert_memory_equal(m.data, "two!", 4);
	assert_int_equal(ipc_chan_get(p->rx, &m), 0);
}

static void
test_stream_fed_one_byte_at_a_time(void **state)
{
	struct pair *p = *state;
	uint8_t frame[2 * IPC_HDR_SIZE + 5];
	struct ipc_msg m;
	size_t i, got = 0;

	encode(frame, 5, IPC_HDR_SIZE + 5, 0);
	memcpy(frame + IPC_HDR_SIZE, "hello", 5);
	encode(frame + IPC_HDR_SIZE + 5, 6, IPC_HDR_SIZE, 0);
	for (i = 0; i < sizeof(frame); i++) {
		test_write_all(p->raw, frame + i, 1);
		assert_int_equal(ipc_chan_read(p->rx), 1);
		while (ipc_chan_get(p->rx, &m) == 1) {
			got++;
			if (got == 1) {
				assert_int_equal(i, IPC_HDR_SIZE + 4);
				assert_int_equal(m.hdr.type, 5);
				assert_memory_equal(m.data, "hello", 5);
			} else {
				assert_int_equal(i, sizeof(frame) - 1);
				assert_int_equal(m.hdr.type, 6);
				assert_int_equal(m.len, 0);
			}
		}
	}
	assert_int_equal(got, 2);
}

static void
test_header_announcing_more_than_the_bound_is_refused(void **state)
{
	struct pair *p = *state;
	uint8_t hdr[IPC_HDR_SIZE];
	struct ipc_msg m;

	encode(hdr, 1, 0, 0);
	hdr[4] = 0x40;		/* length 16384 + 1 */
	hdr[5] = 0x01;
	test_write_all(p->raw, hdr, sizeof(hdr));
	assert_int_equal(ipc_chan_read(p->rx), IPC_HDR_SIZE);
	assert_int_equal(ipc_chan_get(p->rx, &m), -1);
	assert_int_equal(errno, ERANGE);
	/* The channel stays broken: no resynchronising on garbage. */
	assert_int_equal(ipc_chan_get(p->rx, &m), -1);
}

static void
test_length_below_header_size_is_refused(void **state)
{
	struct pair *p = *state;
	uint8_t hdr[IPC_HDR_SIZE];
	struct ipc_msg m;

	encode(hdr, 1, IPC_HDR_SIZE - 1, 0);
	test_write_all(p->raw, hdr, sizeof(hdr));
	assert_int_equal(ipc_chan_read(p->rx), IPC_HDR_SIZE);
	assert_int_equal(ipc_chan_get(p->rx, &m), -1);
	assert_int_equal(errno, ERANGE);
}

static void
test_unknown_flags_are_refused(void **state)
{
	struct pair *p = *state;
	uint8_t hdr[IPC_HDR_SIZE];
	struct ipc_msg m;

	encode(hdr, 1, IPC_HDR_SIZE, 0x8000);
	test_write_all(p->raw, hdr, sizeof(hdr));
	assert_int_equal(ipc_chan_read(p->rx), IPC_HDR_SIZE);
	assert_int_equal(ipc_chan_get(p->rx, &m), -1);
	assert_int_equal(errno, EBADMSG);
}

static void
test_truncated_header_at_eof(void **state)
{
	struct pair *p = *state;
	uint8_t hdr[IPC_HDR_SIZE];
	struct ipc_msg m;

	encode(hdr, 1, IPC_HDR_SIZE, 0);
	test_write_all(p->raw, hdr, 10);
	close(p->raw);
	p->raw = -1;
	assert_int_equal(ipc_chan_read(p->rx), 10);
	assert_int_equal(ipc_chan_get(p->rx, &m), 0);
	assert_int_equal(ipc_chan_read(p->rx), 0);
	assert_int_equal(ipc_chan_wait(p->rx, &m, 1000), 0);
}

static void
test_nothing_to_read_is_eagain(void **state)
{
	struct pair *p = *state;
	struct ipc_msg m;

	assert_int_equal(ipc_chan_read(p->rx), -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(ipc_chan_wait(p->rx, &m, 10), -1);
	assert_int_equal(errno, ETIMEDOUT);
}

static void
test_descriptor_arrives_and_works(void **state)
{
	struct pair *p = *state;
	struct ipc_msg m;
	int pfd[2];
	char buf[8];

	assert_int_equal(pipe(pfd), 0);
	assert_int_equal(ipc_chan_compose(p->tx, 1, 0, -1, "a", 1), 0);
	assert_int_equal(ipc_chan_compose(p->tx, 2, 0, pfd[1], "fd", 2), 0);
	assert_int_equal(ipc_chan_compose(p->tx, 3, 0, -1, "b", 1), 0);
	assert_int_equal(ipc_chan_flush_wait(p->tx, 1000), 0);

	assert_int_equal(ipc_chan_wait(p->rx, &m, 1000), 1);
	assert_int_equal(m.hdr.type, 1);
	assert_int_equal(m.fd, -1);
	assert_int_equal(ipc_chan_wait(p->rx, &m, 1000), 1);
	assert_int_equal(m.hdr.type, 2);
	assert_true(m.fd >= 0);
	assert_int_equal(write(m.fd, "works", 5), 5);
	close(m.fd);
	assert_int_equal(read(pfd[0], buf, sizeof(buf)), 5);
	assert_memory_equal(buf, "works", 5);
	close(pfd[0]);
	assert_int_equal(ipc_chan_wait(p->rx, &m, 1000), 1);
	assert_int_equal(m.hdr.type, 3);
	assert_int_equal(m.fd, -1);
}

/* Sends bytes on the raw socket with one descriptor attached. */
static void
raw_send_with_fd(int sock, const void *buf, size_t len, int fd)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(int))];
	} cmsg;
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh;
	struct cmsghdr *cm;

	memset(&mh, 0, sizeof(mh));
	memset(&cmsg, 0, sizeof(cmsg));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cmsg.buf;
	mh.msg_controllen = sizeof(cmsg.buf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	assert_int_equal(sendmsg(sock, &mh, 0), (ssize_t)len);
}

static void
test_descriptor_no_message_claims_is_closed(void **state)
{
	struct pair *p = *state;
	uint8_t hdr[IPC_HDR_SIZE];
	struct ipc_msg m;
	int before, fd;

	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	before = test_open_fds();
	encode(hdr, 1, IPC_HDR_SIZE, 0);	/* no IPC_F_FD */
	raw_send_with_fd(p->raw, hdr, sizeof(hdr), fd);
	close(fd);
	assert_int_equal(ipc_chan_read(p->rx), IPC_HDR_SIZE);
	assert_int_equal(ipc_chan_get(p->rx, &m), -1);
	assert_int_equal(errno, EBADMSG);
	assert_int_equal(test_open_fds(), before - 1);
}

static void
test_flagged_message_without_descriptor_is_refused(void **state)
{
	struct pair *p = *state;
	uint8_t hdr[IPC_HDR_SIZE];
	struct ipc_msg m;

	encode(hdr, 1, IPC_HDR_SIZE, IPC_F_FD);
	test_write_all(p->raw, hdr, sizeof(hdr));
	assert_int_equal(ipc_chan_read(p->rx), IPC_HDR_SIZE);
	assert_int_equal(ipc_chan_get(p->rx, &m), -1);
	assert_int_equal(errno, EBADMSG);
}

/* Sends the first n bytes of a header announcing a len-byte message
 * with a descriptor (of /dev/null, which this process closes): how many
 * descriptors the process had open once it was made. */
static int
send_header_with_fd(int sock, uint16_t len, size_t n)
{
	uint8_t hdr[IPC_HDR_SIZE];
	int fd, before;

	assert_true((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) != -1);
	before = test_open_fds();
	encode(hdr, 1, len, IPC_F_FD);
	raw_send_with_fd(sock, hdr, n, fd);
	close(fd);
	return before;
}

static void
test_descriptor_on_channel_without_fdpass_is_closed(void **state)
{
	struct ipc_chan *rx;
	struct ipc_msg m;
	int sv[2], before;

	test_socketpair(sv);
	rx = ipc_chan_new(sv[1], false);
	before = send_header_with_fd(sv[0], IPC_HDR_SIZE, IPC_HDR_SIZE);
	assert_int_equal(ipc_chan_read(rx), IPC_HDR_SIZE);
	assert_int_equal(ipc_chan_get(rx, &m), -1);
	assert_int_equal(test_open_fds(), before - 1);
	assert_int_equal(ipc_chan_compose(rx, 1, 0, dup(0), NULL, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(test_open_fds(), before - 1);
	ipc_chan_free(rx);
	close(sv[0]);
}

/* A channel that gives descriptors but takes none (the broker's end of a
 * worker's): one from the peer breaks it and is closed at once, so that a
 * peer cannot park descriptors behind an unfinished message. */
static void
test_refused_descriptor_breaks_the_channel_at_once(void **state)
{
	struct ipc_chan *rx;
	struct ipc_msg m;
	int sv[2], before;

	test_socketpair(sv);
	rx = ipc_chan_new(sv[1], true);
	ipc_chan_take_fds(rx, 0);
	/* Half a header: the message is not even complete. */
	before = send_header_with_fd(sv[0], IPC_HDR_SIZE + 8, IPC_HDR_SIZE / 2);
	assert_int_equal(ipc_chan_read(rx), IPC_HDR_SIZE / 2);
	assert_int_equal(test_open_fds(), before - 1);
	assert_int_equal(ipc_chan_get(rx, &m), -1);
	/* It still gives them. */
	assert_int_equal(ipc_chan_compose(rx, 1, 0, dup(0), NULL, 0), 0);
	ipc_chan_free(rx);
	close(sv[0]);
}

static void
test_oversized_compose_is_refused(void **state)
{
	struct pair *p = *state;
	static uint8_t big[IPC_PAYLOAD_MAX + 1];

	assert_int_equal(ipc_chan_compose(p->tx, 1, 0, -1, big,
	    IPC_PAYLOAD_MAX), 0);
	assert_int_equal(ipc_chan_compose(p->tx, 1, 0, -1, big,
	    IPC_PAYLOAD_MAX + 1), -1);
	assert_int_equal(errno, ERANGE);
}

/* A queue with room for less than a header refuses even an empty
 * message, instead of writing the header past its end. */
static void
test_queue_without_room_for_a_header_refuses_an_empty_message(void **state)
{
	struct pair *p = *state;
	static uint8_t payload[IPC_PAYLOAD_MAX];
	size_t left = 8, i;

	for (i = 0; i < IPC_CHAN_WBUF / IPC_MSG_MAX - 1; i++)
		assert_int_equal(ipc_chan_compose(p->tx, 1, 0, -1, payload,
		    sizeof(payload)), 0);
	assert_int_equal(ipc_chan_compose(p->tx, 1, 0, -1, payload,
	    IPC_PAYLOAD_MAX - left), 0);
	assert_int_equal(ipc_chan_queued(p->tx), IPC_CHAN_WBUF - left);
	assert_int_equal(ipc_chan_compose(p->tx, 2, 0, -1, NULL, 0), -1);
	assert_int_equal(errno, ENOBUFS);
	assert_int_equal(ipc_chan_queued(p->tx), IPC_CHAN_WBUF - left);
}

static void
test_partial_writes_when_the_socket_is_full(void **state)
{
	struct pair *p = *state;
	static uint8_t payload[IPC_PAYLOAD_MAX];
	int small = 4096, sent = 0, received = 0, rc;
	struct ipc_msg m;

	assert_int_equal(setsockopt(ipc_chan_fd(p->tx), SOL_SOCKET, SO_SNDBUF,
	    &small, sizeof(small)), 0);
	while (ipc_chan_compose(p->tx, 9, (uint32_t)sent, -1, payload,
	    sizeof(payload)) == 0) {
		memset(payload, ++sent, sizeof(payload));
	}
	assert_int_equal(errno, ENOBUFS);
	assert_int_equal(sent, IPC_CHAN_WBUF / IPC_MSG_MAX);
	assert_int_equal(ipc_chan_flush(p->tx), 0);	/* socket full */
	assert_true(ipc_chan_queued(p->tx) > 0);

	while (received < sent) {
		rc = ipc_chan_flush(p->tx);
		assert_true(rc >= 0);
		if (ipc_chan_read(p->rx) == -1)
			assert_int_equal(errno, EAGAIN);
		while (ipc_chan_get(p->rx, &m) == 1) {
			assert_int_equal(m.hdr.peerid, received);
			assert_int_equal(m.len, IPC_PAYLOAD_MAX);
			assert_int_equal(m.data[0], received);
			assert_int_equal(m.data[IPC_PAYLOAD_MAX - 1], received);
			received++;
		}
	}
	assert_int_equal(ipc_chan_queued(p->tx), 0);
}

static void
test_consumed_message_is_wiped(void **state)
{
	struct pair *p = *state;
	const uint8_t *where;
	struct ipc_msg m;

	assert_int_equal(ipc_chan_compose(p->tx, 1, 0, -1, "hunter2", 7), 0);
	assert_int_equal(ipc_chan_flush(p->tx), 1);
	assert_int_equal(ipc_chan_wait(p->rx, &m, 1000), 1);
	where = m.data;
	assert_memory_equal(where, "hunter2", 7);
	assert_int_equal(ipc_chan_get(p->rx, &m), 0);
	/* The bytes live on inside the channel: they must be zero now. */
	assert_memory_equal(where - IPC_HDR_SIZE,
	    "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0",
	    IPC_HDR_SIZE + 7);
}

static void
test_free_closes_queued_descriptors(void **state)
{
	struct ipc_chan *tx;
	int sv[2], before;

	test_socketpair(sv);
	before = test_open_fds();
	tx = ipc_chan_new(sv[0], true);
	assert_int_equal(ipc_chan_compose(tx, 1, 0, dup(0), NULL, 0), 0);
	assert_int_equal(test_open_fds(), before + 1);
	ipc_chan_free(tx);
	assert_int_equal(test_open_fds(), before - 1);
	close(sv[1]);
}

#define CHAN_TEST(f)	cmocka_unit_test_setup_teardown(f, setup_chans, teardown)
#define RAW_TEST(f)	cmocka_unit_test_setup_teardown(f, setup_raw, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		CHAN_TEST(test_two_messages_in_one_read),
		RAW_TEST(test_stream_fed_one_byte_at_a_time),
		RAW_TEST(test_header_announcing_more_than_the_bound_is_refused),
		RAW_TEST(test_length_below_header_size_is_refused),
		RAW_TEST(test_unknown_flags_are_refused),
		RAW_TEST(test_truncated_header_at_eof),
		CHAN_TEST(test_nothing_to_read_is_eagain),
		CHAN_TEST(test_descriptor_arrives_and_works),
		RAW_TEST(test_descriptor_no_message_claims_is_closed),
		RAW_TEST(test_flagged_message_without_descriptor_is_refused),
		cmocka_unit_test(test_descriptor_on_channel_without_fdpass_is_closed),
		cmocka_unit_test(
		    test_refused_descriptor_breaks_the_channel_at_once),
		CHAN_TEST(test_oversized_compose_is_refused),
		CHAN_TEST(
		    test_queue_without_room_for_a_header_refuses_an_empty_message),
		CHAN_TEST(test_partial_writes_when_the_socket_is_full),
		CHAN_TEST(test_consumed_message_is_wiped),
		cmocka_unit_test(test_free_closes_queued_descriptors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
