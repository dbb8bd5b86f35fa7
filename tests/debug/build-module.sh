#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# build-module.sh KDIR: nf_conntrack_edgepin built against the debug
# kernel in KDIR (tests/debug/build-kernel.sh), from a copy of its sources
# (scripts/build-module.sh) so that kmod/ keeps the build for Debian's
# kernel that the other tiers use; and the edgepin tool. Prints the
# module's path; the build log goes to stderr on failure.
cd "$(dirname "$0")/../.." || exit 1
mod=$PWD/build/debug/mod
scripts/build-module.sh "$1/build" "$mod" || exit 1
if ! make -s ctl >"$mod.ctl.log" 2>&1; then
	tail -n 40 "$mod.ctl.log" >&2
	exit 1
fi
echo "$mod/kmod/nf_conntrack_edgepin.ko"
