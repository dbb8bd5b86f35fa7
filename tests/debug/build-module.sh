#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build-module.sh KDIR: nf_conntrack_edgepin built against the debug
# kernel in KDIR (tests/debug/build-kernel.sh), from a copy of its sources
# so that kmod/ keeps the build for Debian's kernel that the other tiers
# use; and the edgepin tool. Prints the module's path; the build log goes
# to stderr on failure.
cd "$(dirname "$0")/../.." || exit 1
kdir=$1
mod=$PWD/build/debug/mod
rm -rf "$mod"
mkdir -p "$mod"
cp -a Kbuild kmod "$mod/"
if nice -n 10 make -s -C "$kdir/build" M="$mod" -j2 modules >"$mod.log" 2>&1 &&
   make -s ctl >>"$mod.log" 2>&1; then
	echo "$mod/kmod/nf_conntrack_edgepin.ko"
else
	tail -n 40 "$mod.log" >&2
	exit 1
fi
