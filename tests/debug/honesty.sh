#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The debug-kernel tier must fail on every kind of report it claims to
# catch. Each case boots the debug kernel through the tier's own path
# (scripts/vm-run + tests/debug/guest.sh) with one deliberately buggy module
# loaded: the kernel's own test modules for KASAN and UBSAN, and
# tests/debug/fixture for kmemleak, lockdep and sleeping in atomic
# context. A clean
# control run must pass. Runs on the host, as TAP; about 2 minutes a case.
cd "$(dirname "$0")/../.." || exit 1
top=$PWD
n=0 failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

echo "TAP version 13"
echo "1..8"
kdir=$(tests/debug/build-kernel.sh) || { echo "not ok 1 debug kernel"; exit 1; }
fix=$top/build/debug/fixture
rm -rf "$fix"
mkdir -p "$fix"
cp tests/debug/fixture/* "$fix/"
if nice -n 10 make -s -C "$kdir/build" M="$fix" modules >"$fix.log" 2>&1; then
	echo "ok 1 fixture module built"
else
	sed 's/^/# /' "$fix.log"
	echo "not ok 1 fixture module built"
	exit 1
fi
ko=$fix/edgepin_debug_fixture.ko
if edgepin_ko=$(tests/debug/build-module.sh "$kdir" 2> >(sed 's/^/# /')); then
	echo "ok 2 nf_conntrack_edgepin built against the debug kernel"
else
	echo "not ok 2 nf_conntrack_edgepin built against the debug kernel"
	exit 1
fi
n=2

# expect NAME WANT GREP GUEST-ARGS...: WANT is 0 or "fail"; for "fail",
# GREP must match the output and a TAP line of the guest must fail.
expect() {
	local name=$1 want=$2 pattern=$3 rc ok=1
	shift 3
	n=$((n + 1))
	scripts/vm-run --kernel-dir "$kdir" --module "$edgepin_ko" \
		--append "panic_on_warn=0 kasan_multi_shot acpi=noirq" --timeout 900 \
		-- tests/debug/guest.sh "$@" >"$out" 2>&1
	rc=$?
	case $want in
	0) [ "$rc" = 0 ] || ok=0 ;;
	*) [ "$rc" != 0 ] && grep -q '^not ok' "$out" &&
	   grep -Eq "$pattern" "$out" || ok=0 ;;
	esac
	if [ "$ok" = 1 ]; then
		grep -E '^(not )?ok|'"${pattern:-^$}" "$out" | head -n 12 |
			sed 's/^/# /'
		echo "ok $n debug tier: $name (exit $rc)"
	else
		sed 's/^/# /' "$out"
		echo "not ok $n debug tier: $name (exit $rc, wanted $want${pattern:+ and /$pattern/})"
		failed=1
	fi
}

expect "a clean run passes" 0 "" 01-module-load
expect "kmemleak report fails" fail "unreferenced object" \
	--insmod "$ko bug=leak"
expect "KASAN report fails" fail "BUG: KASAN: " --insmod kasan_test_module
expect "UBSAN report fails" fail "UBSAN: " --insmod test_ubsan
expect "lockdep report fails" fail "possible circular locking dependency" \
	--insmod "$ko bug=lockdep"
expect "sleeping in atomic context fails" fail \
	"BUG: sleeping function called from invalid context" \
	--insmod "$ko bug=sleep"
exit $failed
