#!/bin/sh
# SPDX-License-Identifier: ISC
# install.sh: `meson install` into a DESTDIR makes a system service: the
# programs, the worker and helpers in libexec, the PAM module where PAM
# looks, the default configuration (which `loginbrokerd -n` passes), the
# broker's PAM service, a systemd unit and its hardening drop-in (both
# pass `systemd-analyze verify`), the sandbox user (sysusers.d) and the
# directories (tmpfiles.d), which systemd's tools make in the DESTDIR,
# the manual pages (which render without a warning) and the example
# policies; and nothing that is only for tests or benchmarks.  TAP.
#   install.sh BUILD-DIR
set -u
build=$1
dest=$(mktemp -d /tmp/lbinstall.XXXXXX)
trap 'rm -rf "$dest"' EXIT

. "$(dirname "$0")/tap.sh"

# The one installed file whose path ends in $1, or nothing.
found() {
	find "$dest" -path "*$1" \( -type f -o -type l \) | head -n 1
}
# Exactly one installed file ends in each argument.
all_found() {
	for f; do
		[ "$(find "$dest" -path "*$f" | wc -l)" -eq 1 ] ||
			{ echo "# missing: $f"; return 1; }
	done
}

meson install -C "$build" --no-rebuild --quiet --destdir "$dest" >/dev/null
check "meson install into a DESTDIR" '[ -x "$(found /sbin/loginbrokerd)" ]'
check "the programs, the worker and helpers in libexec" \
    'all_found /sbin/loginbrokerd /sbin/loginbrokerctl /bin/loginbroker \
    /libexec/loginbroker-worker /libexec/loginbroker-pam \
    /libexec/loginbroker-gss /libexec/loginbroker-scram \
    /libexec/loginbroker-duo /libexec/loginbroker-groups'
pamlibdir=$(pkg-config --variable=libdir pam)
check "pam_loginbroker.so where PAM looks ($pamlibdir/security)" \
    '[ -f "$dest$pamlibdir/security/pam_loginbroker.so" ]'
check "the library, its header and pkg-config file" \
    'all_found /libloginbroker.so.0.1.0 /include/loginbroker.h \
    /pkgconfig/libloginbroker.pc'
check "the configuration, the PAM service, unit, sysusers and tmpfiles" \
    'all_found /etc/loginbroker/loginbroker.conf /etc/pam.d/loginbroker \
    /system/loginbroker.service /sysusers.d/loginbroker.conf \
    /tmpfiles.d/loginbroker.conf'
# An upgrade keeps what the administrator made of them.
echo "# the administrator's" >>"$dest/etc/pam.d/loginbroker"
echo "# the administrator's" >>"$(found /etc/loginbroker/loginbroker.conf)"
meson install -C "$build" --no-rebuild --quiet --destdir "$dest" >/dev/null
check "a second install keeps the configuration and PAM service made" \
    'tail -n 1 "$dest/etc/pam.d/loginbroker" | grep -q "administrator" &&
    tail -n 1 "$(found /etc/loginbroker/loginbroker.conf)" |
    grep -q "administrator" &&
    all_found /doc/loginbroker/loginbroker.conf /doc/loginbroker/pam.d-loginbroker'
check "the PAM service includes the system's stacks, not the module" \
    'grep -q "^@include common-auth" "$dest/etc/pam.d/loginbroker" &&
    ! grep -q "^[^#]*pam_loginbroker" "$dest/etc/pam.d/loginbroker"'
check "the manual pages and the examples" \
    'all_found /man8/loginbrokerd.8 /man5/loginbroker.conf.5 \
    /man1/loginbroker.1 /man8/loginbrokerctl.8 /man3/libloginbroker.3 \
    /man7/loginbroker-protocol.7 /man8/pam_loginbroker.8 \
    /examples/greeter.conf /doc/loginbroker/loginbroker-hardening.conf'
# Benchmarks are built when asked for (bench/run asks), else not at all.
bench_targets() {
	meson introspect "$build" --targets | python3 -c 'import json, sys
print(sum("bench" in t["name"] for t in json.load(sys.stdin)))'
}
bench_option() {
	meson introspect "$build" --buildoptions | python3 -c 'import json, sys
print([o["value"] for o in json.load(sys.stdin) if o["name"] == "bench"][0])'
}
check "benchmarks are built only with -Dbench=true" \
    '[ "$(bench_option)" = True ] || [ "$(bench_targets)" = 0 ]'
check "nothing for tests or benchmarks" \
    '[ -z "$(find "$dest" -name "test_*" -o -name "*_bench" -o \
    -name "evil_*" -o -name "fuzz_*" -o -name "pam_lbtest*")" ]'

# The unit as installed, its paths into the DESTDIR, so that systemd
# finds its programs; then with the drop-in's settings added.  Any word
# from systemd-analyze is a finding.
unit=$(found /system/loginbroker.service)
brokerd=$(sed -n 's|^ExecStart=\([^ ]*\) .*|\1|p' "$unit")
sysconf=$(sed -n 's|^ExecStart=.* --config \(.*\)/loginbroker/loginbroker.conf$|\1|p' "$unit")
mkdir -p "$dest/verify"
sed "s|$brokerd |$dest$brokerd |; s|$sysconf/|$dest$sysconf/|g" "$unit" \
    >"$dest/verify/loginbroker.service"
cat "$dest/verify/loginbroker.service" "$(found /loginbroker-hardening.conf)" \
    >"$dest/verify/loginbroker-hardened.service"
check "the unit passes systemd-analyze verify" \
    '[ -z "$(systemd-analyze verify --man=no \
    "$dest/verify/loginbroker.service" 2>&1)" ]'
check "the unit with the hardening drop-in passes too" \
    '[ -z "$(systemd-analyze verify --man=no \
    "$dest/verify/loginbroker-hardened.service" 2>&1)" ]'
check "the unit is Type=notify, reloads with SIGHUP, spares sessions" \
    'grep -qx "Type=notify" "$unit" &&
    grep -q "^ExecReload=.*/loginbrokerd --check " "$unit" &&
    grep -qx "ExecReload=/bin/kill -HUP \$MAINPID" "$unit" &&
    grep -qx "KillMode=process" "$unit"'

# systemd's tools make the user and the directories, in the DESTDIR.
check "systemd-sysusers makes the sandbox user" \
    'systemd-sysusers --root="$dest" >/dev/null 2>&1 &&
    grep -q "^loginbroker:" "$dest/etc/passwd"'
check "systemd-tmpfiles makes the directories, root-only state" \
    'systemd-tmpfiles --root="$dest" --create >/dev/null 2>&1 &&
    [ "$(stat -c %a "$dest/var/lib/loginbroker")" = 700 ] &&
    [ "$(stat -c %a "$dest/run/loginbroker")" = 755 ]'

# The default configuration passes the check, with the state directory
# the tmpfiles made and the programs installed.
conf=$(found /etc/loginbroker/loginbroker.conf)
{ echo "lockout_file $dest/var/lib/loginbroker/lockout"; cat "$conf"; } \
    >"$dest/verify/loginbroker.conf"
check "loginbrokerd -n passes the default configuration" \
    '"$(found /sbin/loginbrokerd)" -n -c "$dest/verify/loginbroker.conf" \
    -w "$(found /libexec/loginbroker-worker)" \
    -p "$(found /libexec/loginbroker-pam)" >/dev/null'

for page in $(find "$dest" -path "*/man/man*" -type f); do
	check "$(basename "$page") renders without a warning" \
	    '[ -z "$(LC_ALL=C.UTF-8 groff -man -Tutf8 -ww -z "$page" 2>&1)" ] &&
	    man -l "$page" 2>/dev/null | grep -q "^NAME"'
done
finish
