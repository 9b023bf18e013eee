#!/bin/sh
# SPDX-License-Identifier: ISC
# docs.sh: the documentation stands on its own: it points at nothing
# outside the repository (the sources it follows are cited by name), and
# every manual page in doc/ is one that meson installs.  TAP.
#   docs.sh SOURCE-DIR
set -u
top=$1
. "$(dirname "$0")/tap.sh"

outside() {
	grep -rnE "shared/(seeds|recipes|design)|\.\./shared" "$top/doc" \
	    "$top/README.md" "$top/policies/examples" "$top/dist"
}
uninstalled() {
	for page in "$top"/doc/*.[1-8]; do
		grep -q "'$(basename "$page")'" "$top/doc/meson.build" ||
			echo "$page"
	done
}
check "the docs cite no path outside the repository" \
    '[ -z "$(outside)" ] || { outside | sed "s/^/# /"; false; }'
check "every manual page in doc/ is installed" '[ -z "$(uninstalled)" ]'
finish
