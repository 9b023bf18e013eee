#!/bin/sh
# SPDX-License-Identifier: ISC
# license.sh: the LICENSE file is the license meson.build declares, and
# every source file says which it is under (an SPDX line).  TAP.
#   license.sh SOURCE-DIR
set -u
top=$1

. "$(dirname "$0")/tap.sh"

# Source files: C, headers, build files, scripts and programs, the files
# installed, the manual pages (not data, such as test fixtures' tables).
sources() {
	find "$top" -path "$top/build*" -prune -o -path "$top/.git" -prune -o \
	    -type f \( -name "*.c" -o -name "*.h" -o -name meson.build -o \
	    -name "*.sh" -o -name "*.py" -o -name "*.map" -o -name "*.in" \) \
	    -print
	find "$top/scripts" "$top/bench" -type f -perm -u+x
	find "$top/dist" -type f
	find "$top/doc" -type f -name "*.[1-8]"
}
unlabelled() {
	sources | while read -r f; do
		grep -q "SPDX-License-Identifier: ISC" "$f" || echo "$f"
	done
}

declared=$(sed -n "s/^  license : '\(.*\)',$/\1/p" "$top/meson.build")
check "meson.build declares ISC" '[ "$declared" = ISC ]'
check "LICENSE is the ISC license" \
    '[ "$(head -n 1 "$top/LICENSE")" = "ISC License" ]'
check "every source file has its SPDX line" '[ -z "$(unlabelled)" ] ||
    { unlabelled | sed "s/^/# unlabelled: /"; false; }'
finish
