/* SPDX-License-Identifier: ISC */
/*
 * duo_helper.h: one Duo login (libduo's duo_login) in its own process,
 * forked by the Duo zygote (loginbroker-duo).  It waits for the broker's
 * DUO_BEGIN, reads the integration key, secret key and API host from the
 * key file, and runs duo_login: libduo's factor menu goes to the broker
 * as a visible PROMPT and its status lines as INFO PROMPTs, each as it
 * happens and each waiting for the client's AUTH_ANSWER; then it reports
 * DUO_RESULT and exits.  It is the only process of loginbroker that holds
 * the keys or talks to Duo; the broker kills it at the factor's deadline.
 */
#ifndef LB_DUO_HELPER_H
#define LB_DUO_HELPER_H

#include <stdbool.h>
#include <stddef.h>

/* What a key file (pam_duo's format: "[duo]", then ikey, skey, host and
 * optionally cafile) holds. */
struct duo_keys {
	char ikey[64];
	char skey[128];
	char host[256];
	char cafile[256];
};

/* Reads and checks path into k: 0, or -1 with why[cap] saying what is
 * wrong (unreadable, readable by others, an unknown key, a key of the
 * wrong form: an ikey is 20 letters and digits, an skey 40). */
int duo_keys_read(const char *path, struct duo_keys *k, char *why,
    size_t cap);

/* A helper's body (a spawner_child_fn); arg is the struct
 * sandbox_identity it becomes once it has read the keys. */
void duo_helper_main(int sock, void *arg);

#endif
