#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Build the module against another kernel without touching kmod/'s build
# (Kbuild writes next to the sources): from a fresh copy of the sources
# in DIR, against the build tree KDIR. The module is DIR/kmod/*.ko; the
# build's output goes to DIR.log, shown on failure.
#
#   scripts/build-module.sh KDIR DIR
set -u
if [ $# -ne 2 ]; then
	echo "usage: scripts/build-module.sh KDIR DIR" >&2
	exit 2
fi
kdir=$1 dir=$2
top=$(cd "$(dirname "$0")/.." && pwd)
rm -rf "$dir"
mkdir -p "$dir/kmod/uapi" || exit 1
cp "$top/Kbuild" "$dir/" &&
	cp "$top"/kmod/Kbuild "$top"/kmod/*.[ch] "$dir/kmod/" &&
	cp "$top"/kmod/uapi/*.h "$dir/kmod/uapi/" || exit 1
case $dir in /*) ;; *) dir=$PWD/$dir ;; esac
if ! nice -n 10 make -C "$kdir" M="$dir" -j2 modules >"$dir.log" 2>&1; then
	tail -n 40 "$dir.log" >&2
	exit 1
fi
