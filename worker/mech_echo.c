/*
 * mech_echo.c: the dialog of echo-test, a mechanism built only into test
 * builds (-Dtest_mechanisms=true): mechanism data both ways, nothing
 * else, so that the data path is tested end to end before the real
 * mechanisms with binary steps use it.
 */
#include "mech.h"

#include "client_proto.h"

const struct mech_dialog mech_echo = {
	.show_data = ws_reply_data,
};
