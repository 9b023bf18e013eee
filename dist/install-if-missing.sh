#!/bin/sh
# SPDX-License-Identifier: ISC
# install-if-missing.sh SOURCE TARGET MODE: installs SOURCE as TARGET
# (under meson's DESTDIR) unless TARGET exists: an upgrade never
# replaces an administrator's policy or PAM service with the defaults.
set -eu
src=$1 target=${DESTDIR:-}$2 mode=$3
if [ -e "$target" ]; then
	echo "Keeping $target (the default is in the documentation)"
	exit 0
fi
install -D -m "$mode" "$src" "$target"
