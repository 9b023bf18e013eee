/*
 * fuzz_ipc.c: libFuzzer over what a compromised worker controls: raw bytes
 * into the broker's channel framing, and each whole message's payload read
 * as every field layout the broker accepts.
 */
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ipc_chan.h"
#include "ipc_payload.h"
#include "ipc_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Reads a payload the ways the broker does; the result must only ever be
 * "valid" or "refused", never a crash or an overread. */
static void
read_fields(const struct ipc_msg *m)
{
	char a[USER_NAME_MAX], b[CONV_MAX_ANSWER];
	struct ipc_reader r;
	uint32_t n, i;

	ipc_reader_init(&r, m->data, m->len);	/* AUTH_BEGIN */
	ipc_get_str(&r, a, MECH_NAME_MAX);
	ipc_get_str(&r, a, sizeof(a));
	(void)ipc_reader_end(&r);
	ipc_reader_init(&r, m->data, m->len);	/* kbdint AUTH_ANSWER */
	n = ipc_get_u32(&r);
	for (i = 0; i < n && i < ROUND_MAX_PROMPTS + 1 && !r.bad; i++)
		ipc_get_str(&r, b, sizeof(b));
	(void)ipc_reader_end(&r);
	ipc_reader_init(&r, m->data, m->len);	/* PAM_CONV */
	n = ipc_get_u32(&r);
	for (i = 0; i < n && i < CONV_MAX_MESSAGES && !r.bad; i++) {
		(void)ipc_get_u8(&r);
		ipc_get_str(&r, b, sizeof(b));
	}
	(void)ipc_reader_end(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ipc_chan *c;
	struct ipc_msg m;
	size_t off = 0, n;
	int sv[2], rc = 0;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv) == -1)
		return 0;
	c = ipc_chan_new(sv[1], true);
	/* In slices, so that frames split across reads. */
	while (off < size && rc != -1) {
		n = size - off < 997 ? size - off : 997;
		if (write(sv[0], data + off, n) != (ssize_t)n)
			break;
		off += n;
		if (ipc_chan_read(c) <= 0)
			break;
		while ((rc = ipc_chan_get(c, &m)) == 1) {
			read_fields(&m);
			if (m.fd != -1)
				close(m.fd);
		}
	}
	ipc_chan_free(c);
	close(sv[0]);
	return 0;
}
