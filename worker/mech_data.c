/* SPDX-License-Identifier: ISC */
/*
 * mech_data.c: the dialogs of mechanisms whose steps are data rather than
 * questions for a person: gssapi-with-mic, scram-sha-256, and echo-test in
 * test builds (-Dtest_mechanisms=true).  The broker's data goes to the
 * client as 300 DATA and the client's pass DATA back decoded; the worker
 * bounds and relays the bytes, it never parses them (a GSSAPI token's DER
 * and a SCRAM message are for the broker's helpers).
 */
#include "mech.h"

#include "client_proto.h"

const struct mech_dialog mech_data_steps = {
	.show_data = ws_reply_data,
};

/* SASL mechanisms: the client may begin with its first message. */
const struct mech_dialog mech_sasl_steps = {
	.show_data = ws_reply_data,
	.initial_response = true,
};
