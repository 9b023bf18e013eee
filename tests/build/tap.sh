# SPDX-License-Identifier: ISC
# tap.sh: TAP for the build checks, sourced by each.  check NAME COMMAND
# runs COMMAND (eval'd) as the next test; finish prints the plan and
# exits 1 if any failed.
n=0 failed=0

check() {
	n=$((n + 1))
	if eval "$2"; then
		echo "ok $n - $1"
	else
		echo "not ok $n - $1"
		failed=1
	fi
}

finish() {
	echo "1..$n"
	exit $failed
}
