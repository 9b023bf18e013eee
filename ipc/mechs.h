/* SPDX-License-Identifier: ISC */
/*
 * mechs.h: the one list of authentication mechanisms, by their protocol
 * names, shared by the policy language, the broker's verifiers
 * (broker/verify.c) and the worker's dialogs (worker/mech.c).  Those two
 * tables are indexed by this enum, a row each for what this build
 * supports; tests/test_mechanisms.c checks that they agree.
 */
#ifndef LB_MECHS_H
#define LB_MECHS_H

#include <stdbool.h>

enum mech {
	MECH_PASSWORD,
	MECH_KBDINT,
	MECH_GSSAPI,
	MECH_SCRAM_SHA_256,
	MECH_PLAIN,
	MECH_TOTP,
	MECH_DUO,
	MECH_UNIX,
#ifdef LB_TEST_MECHANISMS
	MECH_ECHO_TEST,		/* test builds: data both ways */
#endif
	MECH_COUNT
};

/* A mechanism's protocol name ("keyboard-interactive"), or NULL. */
const char *mech_name(int m);

/* The mechanism with that protocol name, or -1. */
int mech_by_name(const char *name);

/* True when the named mechanism's dialog is prompts a person answers
 * (password, keyboard-interactive, totp, duo), which a front end that
 * only relays prompts (a PAM module, a greeter) can run; false for data
 * a program computes (gssapi-with-mic, scram-sha-256, plain), for unix,
 * which asks nothing, and for a name this build does not know. */
bool mech_name_prompts_person(const char *name);

#endif
