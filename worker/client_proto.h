/* SPDX-License-Identifier: ISC */
/*
 * client_proto.h: the worker's side of the client protocol
 * (doc/protocol.md): one state machine per session that turns request
 * lines into replies and broker messages, and broker messages into
 * replies.  It does no I/O of its own, so it can be tested line by line;
 * session_loop.c moves the bytes.
 */
#ifndef LB_CLIENT_PROTO_H
#define LB_CLIENT_PROTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ipc_chan.h"
#include "ipc_proto.h"
#include "line.h"
#include "msg.h"

struct mech_dialog;
struct wsession;

/* Takes each reply line (its code, whether more lines of the reply
 * follow, its words) for a front end that words replies its own way
 * (greetd's JSON) instead of as protocol lines in out. */
typedef void ws_reply_fn(struct wsession *ws, int code, bool more,
    const char *const *words, size_t n);

enum wstate {
	WS_GREETING,	/* until ws_start: the client is not read */
	WS_IDLE,	/* requests welcome */
	WS_WAIT_BROKER,	/* a request is with the broker: the client waits */
	WS_DIALOG,	/* a prompt is out: pass answers it */
	WS_LOGGED_IN,
	WS_CLOSING,	/* send what is queued, then end */
};

/* Room for the longest reply, a keyboard-interactive round: its name, an
 * instruction whose ROUND_INSTRUCTION_MAX - 1 bytes may each end a line
 * of their own, and ROUND_MAX_PROMPTS prompts.  A line costs at most
 * WS_LINE_COST bytes besides its text ("305-instruction \"\"\r\n"), and
 * quoting at most doubles a text. */
#define WS_LINE_COST	24
#define WS_OUT_MAX	((ROUND_INSTRUCTION_MAX + 1 + ROUND_MAX_PROMPTS) * \
			    WS_LINE_COST + 2 * (ROUND_INSTRUCTION_MAX + \
			    (ROUND_MAX_PROMPTS + 1) * CONV_MAX_TEXT))

struct wsession {
	enum wstate state;
	struct ipc_chan *broker;
	const struct mech_dialog *dialog;	/* in progress, or NULL */
	size_t answers_expected;		/* by the pending prompt */
	bool data_expected;			/* pass carries data (300) */
	uint32_t idle_timeout_ms;
	enum front_end front;			/* from ASSIGN */
	ws_reply_fn *reply_to;			/* NULL: lines in out */
	/* What the broker lets the client begin now, and the user a chain
	 * in progress continues as ("": none). */
	struct msg_mechs offer;
	char chain_user[USER_NAME_MAX];
	bool context_closed;	/* a context or a login was sent: no context */
	uint32_t attempt;	/* AUTH_BEGINs sent: the broker's count */
	uint32_t abandoned;	/* the last attempt abandoned (0: none) */
	bool logged_in;		/* a login completed: session requests */
	/* Descriptors the client sent, for its next request, which must be
	 * "session start"; more than SESSION_FDS_MAX: none is passed. */
	size_t nfds;
	bool fds_overflow;
	int fds[SESSION_FDS_MAX];
	size_t outlen;
	bool out_full;		/* a reply did not fit: nothing more goes */
	char out[WS_OUT_MAX];
};

/* Starts a session that talks to the broker over chan (not owned). */
void ws_init(struct wsession *ws, struct ipc_chan *chan);

/* Takes the session parameters of the broker's ASSIGN (idle timeout,
 * mechanisms): 0, or -1 when they are malformed.  The broker greeted the
 * client when it accepted it. */
int ws_start(struct wsession *ws, const struct ipc_msg *assign);

/* True when the next request line may be handled now. */
bool ws_wants_request(const struct wsession *ws);

/* Descriptors that came with the client's bytes (n of them; truncated:
 * the kernel dropped more): kept for the next request line, which passes
 * them on with "session start" or closes them. */
void ws_on_fds(struct wsession *ws, const int *fds, size_t n,
    bool truncated);

/* Closes descriptors no request took. */
void ws_drop_fds(struct wsession *ws);

/* Handles one request line (terminator removed). */
void ws_on_line(struct wsession *ws, const char *line, size_t len);

/* Handles one request already in words (a front end's translation): as a
 * line that split into them. */
void ws_request(struct wsession *ws, const struct line_words *req);

/* Abandons the authentication whose prompt is out, as a new login would
 * (the broker counts it): the session is idle again.  Nothing else. */
void ws_abandon(struct wsession *ws);

/* Answers a line the reader refused (too long). */
void ws_on_bad_line(struct wsession *ws, enum line_status why);

/* Handles one broker message; -1 when the broker broke the protocol
 * (a bug: the caller ends the process). */
int ws_on_broker(struct wsession *ws, const struct ipc_msg *m);

/* The client said nothing for idle_timeout_ms. */
void ws_on_idle_timeout(struct wsession *ws);

/* The worker ends the connection once what is queued has gone: the
 * broker is told first (LEAVING), so that it takes the going for no
 * failure. */
void ws_leave(struct wsession *ws);

/* The client hung up: the broker is told (LEAVING), so that it does not
 * take the worker's end for a failure. */
void ws_on_client_gone(struct wsession *ws);

/* Queues a reply; text may hold several lines ('\n'), each becomes a
 * line of the reply (CODE- continuation, CODE last).  Control characters
 * in text are shown as '?'. */
void ws_reply(struct wsession *ws, int code, const char *text);

/* Queues "300 DATA": d in base64, "=" when empty (a dialog's show_data
 * for mechanisms whose steps are plain data). */
void ws_reply_data(struct wsession *ws, const struct msg_data *d);

/* Queues one reply line with the given words (no text sanitising), or
 * hands it to reply_to. */
void ws_reply_words(struct wsession *ws, int code, bool more,
    const char *const *words, size_t n);

#endif
