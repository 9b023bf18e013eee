/* SPDX-License-Identifier: ISC */
/*
 * loginbroker-scram: the SCRAM zygote, exec'd by the broker
 * (broker/verifiers/zygotes.c) with its channel on fd 3.  It confines
 * itself (sandbox_privileged_helper: no network, a read-only view of the
 * filesystem, three capabilities, enough to read the root-only stored-key
 * file), loads GNU SASL and forks one helper per scram-sha-256 attempt
 * (scram_helper.h).  It links only GNU SASL, ipc and sandbox.
 */
#include "scram_helper.h"
#include "zygote_main.h"

int
main(int argc, char **argv)
{
	zygote_main("loginbroker-scram", argc, argv, ZYGOTE_PRIVILEGED, NULL,
	    scram_libraries_load, scram_helper_main);
}
