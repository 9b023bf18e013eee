/*
 * loginbroker.h: the client library for loginbroker's protocol.
 *
 * Connect, list mechanisms, and log a user in, answering each prompt from
 * a callback.  In blocking mode every call runs to completion.  Opened
 * with LB_NONBLOCK, a call that would block returns LB_EAGAIN: wait until
 * lb_fd() is ready for lb_want() (POLLIN or POLLOUT) and make the same
 * call again with the same arguments, as with libssh2.  The prompt
 * callback is called once per prompt either way.
 */
#ifndef LOGINBROKER_H
#define LOGINBROKER_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

enum lb_status {
	LB_OK = 0,
	LB_EAGAIN = -1,		/* would block; call again when ready */
	LB_DENIED = -2,		/* not logged in: failed (506, 509), expired
				 * password (512), disabled account (513),
				 * locked out (515) */
	LB_UNAVAILABLE = -3,	/* no service: cannot connect, 502, 505,
				 * 510, 511 */
	LB_PROTOCOL_ERROR = -4,	/* unparsable reply, or the broker hung up */
	LB_REFUSED = -5,	/* the request was refused: unknown mechanism,
				 * bad user name, already logged in, ... */
	LB_ABORTED = -6,	/* the prompt callback gave up */
	LB_PARTIAL = -7,	/* that factor is proven; the policy wants
				 * another (306): see lb_next_mechanisms */
};

enum lb_prompt_kind {
	LB_PROMPT_SECRET,	/* ask, do not echo (301) */
	LB_PROMPT_VISIBLE,	/* ask, echo (302) */
	LB_PROMPT_INFO,		/* show (303) */
	LB_PROMPT_ERROR,	/* show as an error (304) */
};

struct lb_prompt {
	enum lb_prompt_kind kind;
	const char *text;	/* may hold several lines */
	bool echo;		/* for the asking kinds */
};

/* Answers a prompt: for the asking kinds, write a NUL-terminated answer
 * into answer[cap] (the library wipes it after sending); for messages,
 * just show the text.  Returns 0, or -1 to abort the login. */
typedef int (*lb_prompt_fn)(const struct lb_prompt *p, char *answer,
    size_t cap, void *arg);

/* A prompt of a keyboard-interactive round. */
struct lb_kbdint_prompt {
	const char *text;
	bool echo;
};

/* A response the callback fills: text is malloc'd by the callback (or left
 * NULL for an empty answer); the library wipes and frees it. */
struct lb_kbdint_response {
	char *text;
};

/* Answers a keyboard-interactive round: show name and instruction (either
 * may be empty), ask each of the num_prompts prompts, fill responses[i].
 * A round may have no prompts (information only).  Returns 0, or -1 to
 * abort the login. */
typedef int (*lb_kbdint_fn)(const char *name, const char *instruction,
    int num_prompts, const struct lb_kbdint_prompt *prompts,
    struct lb_kbdint_response *responses, void *arg);

#define LB_NONBLOCK	0x1

struct lb_conn;

/* Connects to the broker's socket.  NULL with errno on failure. */
struct lb_conn *lb_open(const char *socket_path, int flags);

/* Closes the connection and frees everything, wiping buffers. */
void lb_close(struct lb_conn *c);

/* The socket, for poll(2), and the events the pending call waits for. */
int lb_fd(const struct lb_conn *c);
short lb_want(const struct lb_conn *c);

/* Lists the mechanisms this connection may use; *names stays valid until
 * the next call on c. */
int lb_list_mechanisms(struct lb_conn *c, const char *const **names,
    size_t *n);

/* Logs user in with mech, calling prompt for each prompt or message (a
 * keyboard-interactive round comes as its name and instruction, then each
 * prompt in turn). */
int lb_login(struct lb_conn *c, const char *mech, const char *user,
    lb_prompt_fn prompt, void *arg);

/* Logs user in with keyboard-interactive, calling kbdint once per round
 * with all its prompts, as libssh2 does. */
int lb_login_kbdint(struct lb_conn *c, const char *user, lb_kbdint_fn kbdint,
    void *arg);

/* lb_login_gssapi's flags: forward the caller's Kerberos credentials to
 * the broker, which keeps them for the user's session (ssh -K). */
#define LB_DELEGATE	0x1

/* Logs user in with gssapi-with-mic: the caller's Kerberos ticket
 * (KRB5CCNAME) for the service host@target_host, mutual authentication,
 * and a MIC over this attempt's session binding.  LB_ABORTED when the
 * initiator fails (no ticket, say): lb_last_text says why.  Fetching a
 * service ticket may wait for the KDC, as in libssh2. */
int lb_login_gssapi(struct lb_conn *c, const char *user,
    const char *target_host, int flags);

/* After LB_PARTIAL: the mechanisms one of which must come next, for the
 * same user; *names stays valid until the next call on c. */
int lb_next_mechanisms(struct lb_conn *c, const char *const **names,
    size_t *n);

/* For a trusted front end, before any login: the address (and remote
 * user name, or NULL) of the person it serves, for the policy's rules and
 * PAM_RHOST/PAM_RUSER.  LB_REFUSED when this peer may not. */
int lb_set_context(struct lb_conn *c, const char *address,
    const char *remote_user);

/* The code and text of the broker's last reply (0 and "" before any). */
int lb_last_code(const struct lb_conn *c);
const char *lb_last_text(const struct lb_conn *c);

/* A short description of an lb_status. */
const char *lb_strerror(int status);

#ifdef __cplusplus
}
#endif

#endif
