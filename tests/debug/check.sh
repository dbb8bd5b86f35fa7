#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The debug-kernel tier (`make check-debug`, scripts/check.sh TIERS=debug):
# the module built against a KASAN/UBSAN/lockdep/kmemleak kernel
# (tests/debug/build-kernel.sh, built once and cached), then one VM boot
# running the selftests most likely to touch its memory and locking, the
# module's removal and kmemleak scans (tests/debug/guest.sh). Any kernel
# report fails. As TAP, on the host.
#
# DEBUG_SELFTESTS="NN-name ..." replaces the default list;
# DEBUG_TIMEOUT (seconds, default 5400) bounds the VM.
cd "$(dirname "$0")/../.." || exit 1

# Hostile traffic, lifetime, bounds, teardown, forking and many calls;
# the hostile-traffic tests (5x) are taken as they exist.
tests="20-udp-call 21-tcp-call 25-lifetime 26-bounds 27-teardown
28-offer-answer 29-forged-answer 42-sipp-many"
for t in tests/selftests/5[0-9]-*.sh; do
	[ -e "$t" ] && tests="$tests $(basename "$t" .sh)"
done
tests=${DEBUG_SELFTESTS:-$tests}

echo "# debug tier: building (or reusing) the debug kernel"
start=$(date +%s)
if ! kdir=$(tests/debug/build-kernel.sh); then
	echo "not ok 1 debug kernel built"
	exit 1
fi
echo "ok 1 debug kernel $(cat "$kdir/kernel.release") in $kdir" \
	"($(($(date +%s) - start))s)"

if ko=$(tests/debug/build-module.sh "$kdir" 2> >(sed 's/^/# /')); then
	echo "ok 2 module built against the debug kernel, and edgepin"
else
	echo "not ok 2 module built against the debug kernel, and edgepin"
	exit 1
fi

# Report the first problem and go on: panic_on_warn would stop at the
# first WARN-class report (KASAN, UBSAN count as such) and hide the rest.
# shellcheck disable=SC2086
scripts/vm-run --kernel-dir "$kdir" --module "$ko" \
	--append "panic_on_warn=0 kasan_multi_shot acpi=noirq" \
	--timeout "${DEBUG_TIMEOUT:-5400}" -- tests/debug/guest.sh $tests
