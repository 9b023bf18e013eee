/* SPDX-License-Identifier: ISC */
/*
 * loginbroker.h: the client library for loginbroker's protocol.
 *
 * Connect, list mechanisms, and log a user in: step by step, in the shape
 * of Cyrus SASL's sasl_client_start/sasl_client_step (lb_client_start,
 * lb_client_step), or in one call that answers each prompt from a
 * callback (lb_login, lb_login_kbdint).  In blocking mode every call runs
 * to completion.  Opened with LB_NONBLOCK, a call that would block returns
 * LB_EAGAIN: wait until lb_fd() is ready for lb_want() (POLLIN or POLLOUT)
 * and make the same call again with the same arguments, as with libssh2.
 * A prompt callback is called once per prompt either way.
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
	LB_CONTINUE = 1,	/* step API: the broker's data is in *out; give
				 * the answer to lb_client_step */
	LB_INTERACT = 2,	/* step API: fill in *prompt_need, then call
				 * lb_client_step */
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
 * keyboard-interactive round comes as its name and each line of its
 * instruction, then each prompt in turn; scram-sha-256 and plain ask the
 * password as an LB_PROMPT_SECRET).  Runs on the step API below. */
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

/*
 * The step API.  lb_client_start begins a login and returns what the
 * caller must do next; lb_client_step goes on once it has.  Statuses:
 *
 * LB_INTERACT: the person must see or answer *prompt_need, a list ended
 *   by an entry of id LB_INTERACT_LIST_END.  Fill in result and len of
 *   each entry that asks, then call lb_client_step(c, NULL, 0, ...).
 * LB_CONTINUE: *out[*outlen] is the broker's data (300) for a mechanism
 *   the library does not run (gssapi-with-mic, a test mechanism); give
 *   the answer as lb_client_step's in[inlen].
 * LB_OK: logged in.  *out[*outlen] is the mechanism's final data (200
 *   TEXT DATA), NULL and 0 when there was none.  For scram-sha-256 the
 *   library verified it (the server signature): a success that does not
 *   prove the broker knows the password, or comes without it, is
 *   LB_PROTOCOL_ERROR, lb_last_text saying why; so is an LB_PARTIAL
 *   before the server signature came (as a last 300).  The caller checks
 *   the final data of a mechanism it runs itself.
 * LB_PARTIAL and the errors as lb_login returns them; the attempt is then
 *   over.  A new lb_client_start abandons the attempt in progress.
 *
 * The library runs scram-sha-256 (RFC 5802/7677 by GNU SASL, no channel
 * binding) and plain (RFC 4616, no authorization id): both ask the
 * password (LB_INTERACT_PASS) before anything is sent, then send the
 * first message with the login.  unix needs nothing (the broker checks
 * the connecting uid).  Any other mechanism relays what the broker sends:
 * prompts as LB_INTERACT, data as LB_CONTINUE.  *prompt_need and *out
 * stay valid until the next call on c.  The library copies the results
 * and the data it sends, wipes its copies once sent, and wipes the
 * password when the attempt ends; lb_close wipes everything.
 */

/* What an entry of an LB_INTERACT list is. */
enum lb_interact_id {
	LB_INTERACT_LIST_END = 0,	/* ends the list */
	LB_INTERACT_USER,		/* ask the authorization id, echo */
	LB_INTERACT_AUTHNAME,		/* ask the authentication id, echo;
					 * neither is asked yet: the user comes
					 * with lb_client_start, and no
					 * authorization id is sent */
	LB_INTERACT_PASS,		/* ask the password, do not echo */
	LB_INTERACT_ECHOPROMPT,		/* ask, echo (302, a round's echo) */
	LB_INTERACT_NOECHOPROMPT,	/* ask, do not echo (301, noecho) */
	LB_INTERACT_INFO,		/* show (303, a round's name and each
					 * line of its instruction) */
	LB_INTERACT_ERROR,		/* show as an error (304) */
};

/* One entry, as Cyrus SASL's sasl_interact_t.  The library sets id,
 * prompt (the text to show) and challenge and defresult (NULL: the
 * broker sends neither); for an entry that asks (not INFO or ERROR) the
 * caller sets result to the answer's bytes and len to their count (at
 * most LB_ANSWER_MAX, no NUL; no CR or LF but in a password). */
struct lb_interact {
	unsigned long id;
	const char *challenge;
	const char *prompt;
	const char *defresult;
	const void *result;
	unsigned len;
};

/* Bounds to size an application's buffers by: the entries of one list
 * that ask (a keyboard-interactive round's prompts), the bytes of an
 * answer, and of one step's data. */
#define LB_ASK_MAX	15
#define LB_ANSWER_MAX	511
#define LB_DATA_MAX	12282

/* Begins logging user in with mech (see above); returns LB_INTERACT,
 * LB_CONTINUE, LB_OK, LB_PARTIAL, LB_EAGAIN or an error. */
int lb_client_start(struct lb_conn *c, const char *mech, const char *user,
    struct lb_interact **prompt_need, const void **out, size_t *outlen);

/* Goes on with the attempt lb_client_start began: after LB_INTERACT with
 * the results filled in (in NULL, inlen 0), after LB_CONTINUE with the
 * client's data in[inlen].  Returns as lb_client_start; LB_REFUSED when
 * no attempt waits, or a result or the data cannot be sent. */
int lb_client_step(struct lb_conn *c, const void *in, size_t inlen,
    struct lb_interact **prompt_need, const void **out, size_t *outlen);

/* After LB_PARTIAL: the mechanisms one of which must come next, for the
 * same user; *names stays valid until the next call on c. */
int lb_next_mechanisms(struct lb_conn *c, const char *const **names,
    size_t *n);

/* For a trusted front end, before any login: the address (and remote
 * user name, and the command that person runs, each or NULL) of the
 * person it serves, for the policy's rules, PAM_RHOST/PAM_RUSER and
 * what a Duo push shows.  LB_REFUSED when this peer may not. */
int lb_set_context(struct lb_conn *c, const char *address,
    const char *remote_user, const char *command);

/*
 * After a login, where the service offers sessions (doc/protocol.md,
 * "Sessions"): the broker opens the user's PAM session and starts the
 * user's process as the user.  Each returns LB_OK, or LB_REFUSED,
 * LB_UNAVAILABLE (505: PAM could not open it) or LB_DENIED (512, 513:
 * the account) with the broker's text in lb_last_text.
 */

/* A variable for the session (only those the policy allows): before the
 * open. */
int lb_session_env(struct lb_conn *c, const char *name, const char *value);

/* Opens the PAM session, with PAM_TTY tty (NULL: the broker's default). */
int lb_session_open(struct lb_conn *c, const char *tty);

/* Starts argv (NULL: the user's login shell; else argv[0] an absolute
 * path the policy allows) with stdin, stdout and stderr from fds (nfds 0:
 * /dev/null; 1: all three; 2: stdin, then stdout and stderr; 3: each),
 * which stay the caller's; a terminal becomes the session's. */
int lb_session_start(struct lb_conn *c, const char *const *argv,
    const int *fds, size_t nfds);

/* Waits until the session's process has ended; *status (when not NULL)
 * is its wait(2) status. */
int lb_session_wait(struct lb_conn *c, int *status);

/* Hangs the session up (SIGHUP, then SIGKILL) and waits for its end. */
int lb_session_close(struct lb_conn *c, int *status);

/* The code and text of the broker's last reply (0 and "" before any). */
int lb_last_code(const struct lb_conn *c);
const char *lb_last_text(const struct lb_conn *c);

/* A short description of an lb_status. */
const char *lb_strerror(int status);

#ifdef __cplusplus
}
#endif

#endif
