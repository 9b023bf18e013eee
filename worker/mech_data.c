/*
 * mech_data.c: the dialog of mechanisms whose steps are data rather than
 * questions for a person: gssapi-with-mic, and echo-test in test builds
 * (-Dtest_mechanisms=true).  The broker's data goes to the client as
 * 300 DATA and the client's pass DATA back decoded; the worker bounds and
 * relays the bytes, it never parses them (a GSSAPI token's DER is for
 * the broker's helper).
 */
#include "mech.h"

#include "client_proto.h"

const struct mech_dialog mech_data_steps = {
	.show_data = ws_reply_data,
};
