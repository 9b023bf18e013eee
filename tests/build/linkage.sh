#!/bin/sh
# SPDX-License-Identifier: ISC
# linkage.sh: each program links what its role needs and nothing of
# another's: the worker no credential library, the broker and
# loginbrokerctl neither libpam nor Kerberos, loginbrokerctl none of the
# daemon, the PAM zygote libpam, the GSSAPI zygote Kerberos, the SCRAM
# zygote GNU SASL and the Duo zygote libduo, the groups zygote no
# credential library, and only it asks NSS for groups; pam_loginbroker.so
# libpam
# alone, exporting the PAM entry points alone; libloginbroker exporting
# exactly the symbols its map names.  TAP output.
#   linkage.sh LOGINBROKERCTL LOGINBROKERD LOGINBROKER-WORKER LOGINBROKER-PAM
#              LOGINBROKER-GSS LOGINBROKER-SCRAM LOGINBROKER-DUO
#              PAM_LOGINBROKER.SO LIBLOGINBROKER.SO LIBLOGINBROKER.MAP
#              LOGINBROKER-GROUPS
set -u
ctl=$1 brokerd=$2 worker=$3 pam=$4 gss=$5 scram=$6 duo=$7 module=$8
lib=$9 libmap=${10} groups=${11}

. "$(dirname "$0")/tap.sh"

# The libraries a program needs, by name; the C runtime and a sanitizer
# build's runtime left out.
libs() {
	ldd "$1" | awk '{ print $1 }' | sed 's/\.so.*//; s,.*/,,' |
	    grep -vxE 'linux-vdso|ld-linux-x86-64|libc|libasan|libubsan|libstdc\+\+|libgcc_s|libm|libdl|libpthread|librt' |
	    sort | tr '\n' ' '
}

# Whether program defines any of the symbols.
defines() {
	prog=$1
	shift
	for sym in "$@"; do
		nm "$prog" | awk '$2 ~ /^[TtDdBb]$/ { print $3 }' |
		    grep -qx "$sym" && return 0
	done
	return 1
}

check "pam_loginbroker.so links libpam, nothing else" \
    '[ "$(libs "$module" | sed "s/libaudit //; s/libcap-ng //")" = "libpam " ]'
check "pam_loginbroker.so exports the PAM entry points alone" \
    '[ "$(nm -D --defined-only "$module" | awk "{ print \$3 }" | sort | tr "\n" " ")" = "pam_sm_acct_mgmt pam_sm_authenticate pam_sm_setcred " ]'
check "the worker links libseccomp, libcap and json-c, nothing else" \
    '[ "$(libs "$worker")" = "libcap libjson-c libseccomp " ]'
check "loginbrokerd does not link libpam" \
    '! libs "$brokerd" | grep -q libpam'
check "loginbrokerd runs no PAM code" \
    '! defines "$brokerd" pam_start pam_authenticate pam_helper_main'
check "loginbrokerctl does not link libpam" \
    '! libs "$ctl" | grep -q libpam'
check "loginbrokerctl has none of the daemon" \
    '! defines "$ctl" session_new event_dispatch spawn_ctl_start verifier_of listener_open pam_helper_main'
check "loginbroker-pam links libpam" \
    'libs "$pam" | grep -q libpam'
check "loginbroker-pam has none of the daemon" \
    '! defines "$pam" session_new event_dispatch verifier_of'
check "loginbrokerd links no Kerberos library" \
    '! libs "$brokerd" | grep -qE "libgssapi|libkrb5"'
check "loginbrokerd parses no GSSAPI token" \
    '! defines "$brokerd" gss_helper_main gss_accept_sec_context'
check "loginbroker-gss links GSSAPI and Kerberos, not libpam" \
    'libs "$gss" | grep -q libgssapi_krb5 && libs "$gss" | grep -q libkrb5 && ! libs "$gss" | grep -q libpam'
check "loginbroker-gss has none of the daemon" \
    '! defines "$gss" session_new event_dispatch verifier_of'
check "loginbrokerd links no SASL library" \
    '! libs "$brokerd" | grep -qE "libgsasl|libsasl2"'
check "loginbrokerd parses no SCRAM message" \
    '! defines "$brokerd" scram_helper_main gsasl_step'
check "loginbroker-scram links GNU SASL, neither libpam nor Kerberos" \
    'libs "$scram" | grep -q libgsasl && ! libs "$scram" | grep -qE "libpam|libkrb5|libgssapi"'
check "loginbroker-scram has none of the daemon" \
    '! defines "$scram" session_new event_dispatch verifier_of'
check "loginbrokerd links neither libduo nor TLS: it never talks to Duo" \
    '! libs "$brokerd" | grep -qE "libduo|libssl|libcrypto"'
check "loginbrokerd holds no Duo key" \
    '! defines "$brokerd" duo_helper_main duo_keys_read duo_login'
check "loginbroker-duo links libduo, neither libpam nor Kerberos nor SASL" \
    'libs "$duo" | grep -q libduo && ! libs "$duo" | grep -qE "libpam|libkrb5|libgssapi|libgsasl"'
check "loginbroker-duo has none of the daemon" \
    '! defines "$duo" session_new event_dispatch verifier_of'
# Whether program calls any of the functions (an undefined symbol).
calls() {
	prog=$1
	shift
	for sym in "$@"; do
		nm -D --undefined-only "$prog" | awk '{ print $2 }' |
		    sed 's/@.*//' | grep -qx "$sym" && return 0
	done
	return 1
}
check "loginbrokerd asks NSS for no group: a slow directory would stall it" \
    '! calls "$brokerd" getgrouplist getgrgid getgrgid_r initgroups'
check "loginbroker-groups links no credential library, and asks NSS for groups" \
    '[ "$(libs "$groups")" = "libcap libseccomp " ] && calls "$groups" getgrouplist'
check "loginbroker-groups has none of the daemon" \
    '! defines "$groups" session_new event_dispatch verifier_of'
# The functions a library exports, by name, sorted.
exported() {
	nm -D --defined-only "$1" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort
}
check "libloginbroker exports exactly the functions its map names" \
    '[ "$(exported "$lib")" = "$(sed -n "s/^[[:space:]]*\(lb_[a-z_0-9]*\);$/\1/p" "$libmap" | sort)" ]'
check "libloginbroker exports nothing but lb_ functions" \
    '! exported "$lib" | grep -qv "^lb_"'
finish
