/* SPDX-License-Identifier: ISC */
/*
 * session.h: one client connection on the broker side, from accept to
 * close, as an explicit state machine.  The worker's messages are checked
 * against the state by a dispatch table; anything else ends the session.
 */
#ifndef LB_SESSION_H
#define LB_SESSION_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/queue.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "attempt.h"
#include "audit.h"
#include "event.h"
#include "ipc_chan.h"
#include "ipc_proto.h"
#include "policy.h"
#include "spawn_ctl.h"

struct config;
struct keeper;
struct user_session;
struct verifier;

enum session_state {
	SS_LAUNCHING,	/* waiting for a ready worker */
	SS_IDLE,	/* the worker may begin an authentication */
	SS_RESOLVING,	/* a helper looks up the user's groups for the
			 * policy; the worker waits */
	SS_VERIFYING,	/* the verifier works; the worker waits */
	SS_PROMPTING,	/* a prompt is with the client */
	SS_DELAYING,	/* failed: the reply waits out the failure delay */
	SS_LOGGED_IN,
	SS_SESSION_BUSY,	/* a session request is with the keeper */
	SS_CLOSING,	/* CLOSE sent; the worker writes it and goes */
	SS_STATE_COUNT
};

struct session {
	TAILQ_ENTRY(session) entry;
	uint32_t id;
	bool answer_may_cross;		/* the attempt ended with a prompt
					 * out: one answer is ignored */
	bool attempt_recorded;		/* its audit line is written */
	bool audit_warning;		/* ... at warning level (failopen) */
	bool failed_open;		/* a factor of this login failed open */
	bool logged_in;			/* stays so when the worker leaves */
	bool charged;			/* the attempt's guess is counted */
	bool charge_locked;		/* and that locked the user */
	time_t charge_window;		/* the window it was charged to */
	enum session_state state;
	bool dead;			/* ended; freed after this round */
	struct ucred peer;
	const struct config *conf;
	struct policy *policy;		/* the one it started under */
	const struct policy_service *svc;

	int client_fd;			/* until a worker has it */
	enum front_end front;		/* the protocol the client speaks */
	struct spawn_wait worker_wait;
	pid_t worker_pid;
	int worker_pidfd;		/* -1 once it needs no killing */
	struct ipc_chan *worker;
	struct event worker_ev;
	struct event timer_ev;		/* timerfd for every deadline */

	uint64_t grace_deadline;	/* session timeout until logged in */
	uint64_t prompt_deadline;
	uint64_t verify_deadline;	/* attempt_deadline's */
	uint64_t reply_at;		/* end of the failure delay */
	uint64_t close_deadline;	/* the worker must be gone by then */

	/* The front end's context (policy_peer_trusted), set at most once. */
	bool has_context;
	bool context_closed;	/* CONTEXT or AUTH_BEGIN seen: no CONTEXT */
	struct policy_net remote_addr;
	char remote_host[64];		/* as the front end wrote it */
	char remote_user[USER_NAME_MAX];
	char remote_command[CONTEXT_COMMAND_MAX];

	/* The factor chain: the rule that decides this login, and the step
	 * being proven.  Past the first step the chain is fixed: same
	 * rule, same user. */
	const struct policy_rule *rule;
	size_t step;
	const char *refusal;		/* non-NULL: this attempt fails whatever
					 * comes, audited with this outcome */
	policy_mechs offer;		/* what the client may begin now */
	char chain_user[USER_NAME_MAX];
	char rule_name[AUDIT_RULE_MAX];

	unsigned attempts;
	uint64_t attempt_started_ms;
	uint64_t answered_ms;		/* last answer, for the delay */
	char mech[MECH_NAME_MAX];
	char user[USER_NAME_MAX];
	const struct verifier *verifier;
	struct attempt attempt;		/* what the verifier sees */
	bool wants_data;		/* what was shown is data, not prompts */
	bool initial_pending;		/* the initial response is on its way */
	struct ipc_msg early;		/* the initial response, come while
					 * resolving: taken once the factor
					 * begins (data: a copy; NULL: none) */
	bool final_ack;			/* a proven factor's final data is out:
					 * the client takes it, then 306 */
	char vdetail[AUDIT_DETAIL_MAX];		/* the verifier's word for the audit */
	char ccache[HELPER_PATH_MAX];	/* delegated credentials; "": none */
	char act_for[USER_NAME_MAX];	/* the authorization identity the
					 * chain's rule let the user act for,
					 * once a factor asking it is proven;
					 * "": the user's own */
	char act_for_asked[USER_NAME_MAX];	/* this attempt's, granted */
	bool secret_proven;		/* a factor of the chain took a secret */

	/* After the login: the keeper of the user's session (from the PAM
	 * helper that proved it, or begun at the open), and what the front
	 * end asked for it (session_requests.c). */
	struct keeper *keeper;
	struct user_session *us;

	uint32_t held_type;		/* reply held during the delay */
	uint32_t held_code;
	const char *held_text;
};

TAILQ_HEAD(session_list, session);

struct session_io;

/* Where sessions get their workers from; once, before any session. */
void session_init(struct spawn_ctl *workers);

/* How sessions do I/O (session_io.h); the event loop's unless a test
 * says otherwise, before any session. */
void session_set_io(const struct session_io *io);

/* The I/O layer's calls: a message from the worker, a frame it could
 * not read (errno err), the worker's channel closed, a deadline come. */
void session_on_message(struct session *s, const struct ipc_msg *m);
void session_on_frame_error(struct session *s, int err);
void session_on_worker_gone(struct session *s);
void session_on_deadline(struct session *s);

/* Creates a session of service svc (of policy p, which the session
 * references) for an accepted client that speaks front's protocol (the
 * session owns client_fd) and
 * gives it to a ready worker, now or as soon as there is one. */
void session_new(const struct config *conf, struct policy *p,
    const struct policy_service *svc, int client_fd, enum front_end front,
    const struct ucred *peer);

/* A session request is answered: code and text to the client, and the
 * session is ready for the next one. */
void session_answer(struct session *s, uint32_t code, const char *text);

/* A session request waits for the keeper. */
void session_busy(struct session *s);

/* The worker broke the protocol: it is killed, and why is logged. */
void session_violation(struct session *s, const char *why);

/* Ends a session and logs why (at prio); the worker is killed if alive. */
void session_end(struct session *s, int prio, const char *why);

/* Live sessions. */
unsigned session_count(void);

/* Live sessions of the service named svc_name from peer uid. */
unsigned session_count_peer(const char *svc_name, uid_t uid);

/* Ends every session (shutdown). */
void session_end_all(void);

/* Frees sessions ended during the last event round. */
void session_reap(void);

#endif
