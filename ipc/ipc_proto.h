/* SPDX-License-Identifier: ISC */
/*
 * ipc_proto.h: every message type between loginbroker's processes, with
 * its direction and payload.  Which message is legal when is decided by
 * the receiver's dispatch table (doc/architecture.md lists them all).
 * peerid carries the session id on broker/launcher messages.
 */
#ifndef LB_IPC_PROTO_H
#define LB_IPC_PROTO_H

/* The version of all of this.  A spawner says it in SPAWNER_READY, and
 * a broker refuses one that speaks another (a launcher re-executed from a
 * newer binary on disk, say): bump it with any change of a layout. */
#define IPC_PROTO_VERSION	10

/* Explicit numbers: they are the wire format (ipc/msg.c has the layouts,
 * doc/architecture.md the table). */
enum ipc_type {
	/* spawner (worker launcher, PAM zygote) <-> broker: ipc/spawner.h */
	MSG_SPAWNER_READY = 1,	/* u32 version: set up, children follow */
	MSG_SPARE = 2,		/* fd the broker's channel to a fresh child;
				 * u32 child pid */
	MSG_SPAWN = 3,		/* broker -> spawner, empty: one more child */
	MSG_CHILD_EXIT = 4,	/* u32 pid, u32 wait status */

	/* broker -> worker */
	MSG_ASSIGN = 5,		/* fd client; peerid session; u32 idle timeout
				 * ms, u32 n, n x str mechanism, u8 enum
				 * front_end */
	MSG_PROMPT = 6,		/* u8 enum prompt_kind, str text */
	MSG_ROUND = 7,		/* str name, str instruction, u32 n,
				 * n x (u8 echo, str prompt) */
	MSG_OFFER = 8,		/* str user the chain continues as ("": none),
				 * u32 n, n x str mechanism: what the client
				 * may begin now; a RESULT follows */
	MSG_RESULT = 9,		/* u32 reply code, str text, bytes the
				 * mechanism's final data (200 only) */
	MSG_CLOSE = 10,		/* the same; then end */
	/* worker -> broker */
	MSG_AUTH_BEGIN = 11,	/* str mechanism, str user, u8 the client's
				 * initial response follows, as the answer
				 * to a data prompt the broker did not send */
	MSG_AUTH_ANSWER = 12,	/* u32 n, n x str answer (secrets): one per
				 * prompt shown, none for a message */
	MSG_AUTH_ABORT = 13,	/* empty: the client started over */
	MSG_CONTEXT = 14,	/* str remote address, str remote user ("":
				 * none), str command ("": none): a front
				 * end's context request */

	/* broker -> PAM helper */
	MSG_PAM_BEGIN = 15,	/* str user, u8 may change an expired password,
				 * str remote host, str remote user ("": none) */
	/* PAM helper -> broker */
	MSG_PAM_CONV = 16,	/* u32 n, n x (u8 enum prompt_kind, str) */
	MSG_PAM_RESULT = 17,	/* u32 PAM code, u8 enum pam_stage */
	/* broker -> PAM helper */
	MSG_PAM_CONV_REPLY = 18,	/* u32 n, n x str answer (secret) */

	/* mechanism data, for mechanisms with binary steps */
	MSG_DATA = 19,		/* broker -> worker, bytes: for the client
				 * (300); its answer is an AUTH_DATA */
	MSG_AUTH_DATA = 20,	/* worker -> broker, bytes: the client's */

	/* worker -> broker */
	MSG_LEAVING = 21,	/* empty: the worker closes the connection
				 * itself (quit, idle timeout) */

	/* broker <-> GSSAPI helper: the client's tokens go to it as
	 * AUTH_DATA, its tokens for the client come back as DATA */
	MSG_GSS_BEGIN = 22,	/* broker -> helper: str user, str keytab,
				 * str acceptor principal ("": any key),
				 * bytes session binding, str credential
				 * cache for delegation ("": do not keep) */
	MSG_GSS_RESULT = 23,	/* helper -> broker: u8 enum mech_outcome,
				 * str audit detail, str principal, str its
				 * realm, u8 credentials delegated and
				 * stored */

	/* broker <-> SCRAM helper: the client's messages go to it as
	 * AUTH_DATA, its own for the client come back as DATA */
	MSG_SCRAM_BEGIN = 24,	/* broker -> helper: str user, str the
				 * stored-key file */
	MSG_SCRAM_RESULT = 25,	/* helper -> broker: u8 enum mech_outcome,
				 * str audit detail, str authzid ("":
				 * none), bytes server-final */

	/* broker <-> Duo helper: libduo's factor menu and status lines go
	 * to the broker as PROMPTs, each answered (a menu choice, or none
	 * for a status line) with an AUTH_ANSWER */
	MSG_DUO_BEGIN = 26,	/* broker -> helper: str user, str key file,
				 * str API host ("": the file's), str CA file
				 * ("": the file's or Duo's own), str client
				 * address ("": none), str command ("":
				 * none), u32 flags, u8 fail secure, u32
				 * HTTPS timeout ms */
	MSG_DUO_RESULT = 27,	/* helper -> broker: u8 enum mech_outcome,
				 * str audit detail */

	/* worker -> broker, after a login: the front end's session
	 * requests (doc/protocol.md); START, FD and CLOSE go on from the
	 * broker to the session's keeper as they are */
	MSG_SESSION_ENV = 28,	/* str name, str value */
	MSG_SESSION_OPEN = 29,	/* str PAM_TTY ("": the default) */
	MSG_SESSION_FD = 30,	/* fd stdin, stdout or stderr; empty */
	MSG_SESSION_START = 31,	/* u32 argc, argc x str (0: the login
				 * shell); the FDs sent just before go with
				 * it */
	MSG_SESSION_WAIT = 32,	/* empty: reply when the process ended */
	MSG_SESSION_CLOSE = 33,	/* empty: hang the session up */

	/* broker <-> session keeper (a PAM helper kept after its login, or
	 * one begun for a login proven without PAM) */
	MSG_KEEPER_BEGIN = 34,	/* broker -> helper, as PAM_BEGIN: the user
				 * is proven; account check, then keep */
	MSG_KEEPER_OPEN = 35,	/* broker -> keeper: u32 session, u32 the
				 * front end's uid, str service, str PAM_TTY, str credential cache
				 * ("": none), str state directory, str utmp,
				 * str wtmp ("": none), u32 n,
				 * n x str NAME=VALUE */
	MSG_KEEPER_RESULT = 36,	/* keeper -> broker: u8 enum keeper_step,
				 * u32 code (0: done; else a PAM code or an
				 * errno), str detail, u32 pid */
	MSG_KEEPER_EXIT = 37,	/* keeper -> broker: u32 wait status, str
				 * the terminal ("": none) */

	/* broker <-> groups helper (one lookup, then it exits) */
	MSG_GROUPS_BEGIN = 38,	/* broker -> helper: str user */
	MSG_GROUPS_RESULT = 39,	/* helper -> broker: u32 n, n x str group
				 * name, the primary group first */

	MSG_TYPE_END
};

/* The protocol a client speaks, by the socket it came in on: the line
 * protocol (doc/protocol.md), or greetd's IPC for greeters
 * (doc/greetd.md).  The worker parses either; the broker only writes its
 * few fixed refusals in the client's own. */
enum front_end {
	FRONT_LINE,
	FRONT_GREETD,
	FRONT_COUNT
};

/* How a prompt is shown; the PAM message styles map onto these. */
enum prompt_kind {
	PROMPT_SECRET = 1,	/* ask without echo */
	PROMPT_VISIBLE,		/* ask with echo */
	PROMPT_INFO,		/* show */
	PROMPT_ERROR,		/* show as an error */
};

/* The PAM step a result comes from. */
enum pam_stage {
	PAM_STAGE_START = 1,
	PAM_STAGE_AUTHENTICATE,
	PAM_STAGE_ACCOUNT,
	PAM_STAGE_CHAUTHTOK,
};

/* What a KEEPER_RESULT reports on. */
enum keeper_step {
	KEEPER_STEP_OPEN = 1,	/* the account check, setcred, open_session */
	KEEPER_STEP_START,	/* the user's process: pid, or why not */
};

/* Session requests' bounds: variables given, a NAME=VALUE, the words of
 * a command and each word, descriptors with a start, a PAM_TTY. */
#define SESSION_ENV_MAX		16
#define SESSION_ENV_NAME_MAX	64
#define SESSION_ENV_LEN		512
#define SESSION_ARGV_MAX	14
#define SESSION_ARG_LEN		1024
#define SESSION_FDS_MAX		3
#define SESSION_TTY_MAX		64
/* PAM_TTY when the front end names no terminal, as sshd sets "ssh". */
#define SESSION_TTY_DEFAULT	"loginbroker"

/* What a mechanism's helper (GSSAPI, SCRAM, Duo) reports last. */
enum mech_outcome {
	MECH_OUTCOME_OK = 1,	/* proven, and may log in as the user */
	MECH_OUTCOME_FAILED,	/* a bad proof or token, a refused identity */
	MECH_OUTCOME_ERROR,	/* the helper could not work (keytab, store) */
	MECH_OUTCOME_FAILOPEN,	/* the service could not be reached and the
				 * factor's failmode lets the login go on */
};

/* A front end's context: the command its user runs (shown in a Duo
 * push), at most this long with its NUL. */
#define CONTEXT_COMMAND_MAX	256
/* DUO_BEGIN: an API host name ("api-XXXX.duosecurity.com[:port]"). */
#define DUO_HOST_MAX		256
/* DUO_BEGIN flags: libduo's DUO_FLAG_AUTO and DUO_FLAG_SYNC. */
#define DUO_BEGIN_AUTO		0x1
#define DUO_BEGIN_SYNC		0x2

/* Keyboard-interactive bounds: prompts in a round (one pass request holds
 * all answers: LINE_MAX_WORDS - 1) and rounds in one login. */
#define ROUND_MAX_PROMPTS	15
#define LOGIN_MAX_ROUNDS	16
/* A round's instruction: the messages of one conversation call. */
#define ROUND_INSTRUCTION_MAX	2048

/* Bounds on one PAM conversation, as Linux-PAM's own. */
#define CONV_MAX_MESSAGES	32
#define CONV_MAX_TEXT		512	/* PAM_MAX_MSG_SIZE */
#define CONV_MAX_ANSWER		512	/* PAM_MAX_RESP_SIZE */
/* Mechanism data in one step, decoded: what the base64 word of a request
 * line can carry (LINE_MAX_BYTES 16384 - "pass " - CRLF, three bytes per
 * four); a DATA message or a success with it fits one IPC message. */
#define MECH_DATA_MAX		12282
/* A mechanism's final data with a success ("200 TEXT DATA"): the reply
 * line's text leaves it less room than a step has. */
#define MECH_FINAL_MAX		12000
/* A GSSAPI session binding (doc/protocol.md) and a Kerberos principal's
 * text. */
#define GSS_BINDING_MAX		512
#define GSS_PRINCIPAL_MAX	256
/* A path the broker hands a helper (keytab, credential cache). */
#define HELPER_PATH_MAX		256
/* The GSSAPI helpers' replay cache: a directory in the credential cache
 * directory that the broker makes, root's alone. */
#define GSS_RCACHE_DIR		".rcache"
/* Mechanisms one session may be offered, and the length of a name. */
#define MECH_MAX		12
#define MECH_NAME_MAX		32
/* A user name; LOGIN_NAME_MAX is 256 on Linux. */
#define USER_NAME_MAX		256
/* A user's groups a GROUPS_RESULT names, and a group name with its NUL:
 * the policy's bounds (POLICY_GROUPS_MAX, POLICY_NAME_MAX). */
#define GROUPS_MAX		32
#define GROUP_NAME_MAX		64

#endif
