#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run every test tier, show each result, and end with the one line CI
# reads: "N passed, N failed[, N skipped]". Exit non-zero on any failure.
#
# Tiers: build, style (checkpatch), unit (kselftest_harness), fuzz smoke,
# parser benchmark smoke, the VM runner's own honesty (host side), the VM
# selftests on Debian 12's default kernel (6.1, one boot), and again on its
# linux-6.12 (selftests-6.12, one boot; SELFTESTS_612 names the tests,
# default the subset below, "all" every one), and the packages of make deb
# (deb: lintian, then dpkg -i with DKMS builds for 6.1 and 6.12 in a
# throw-away overlay root; about 3 minutes). TIERS="unit style" runs only
# those. One more tier is not in the default set (a kernel build once, then
# a slow boot under KASAN): debug, the selftests under a
# KASAN/UBSAN/lockdep/kmemleak kernel (make check-debug).
cd "$(dirname "$0")/.." || exit 1
all_tiers="build style unit fuzz bench vmrun selftests selftests-6.12 deb"
tiers=${TIERS:-$all_tiers}
log=build/check.log
mkdir -p build
: >"$log"
pass=0 fail=0 skip=0

tier_build() { make -s all >/dev/null && echo "ok 1 build module and edgepin"; }
tier_style() { scripts/style.sh; }
tier_unit() { make -s -C tests/unit run; }
tier_fuzz() { make -s -C tests/fuzz smoke; }
tier_bench() { make -s -C tests/bench smoke; }
tier_vmrun() { tests/vmrun/honesty.sh; }
tier_debug() { tests/debug/check.sh; }
tier_deb() { tests/deb/check.sh; }
tier_selftests() {
	scripts/vm-run --timeout "${SELFTESTS_TIMEOUT:-3600}" -- \
		env SELFTESTS_FULL="${SELFTESTS_FULL:-}" tests/selftests/run.sh
}

# The module built from a copy of kmod/ in build/6.12/ (kmod/ keeps the
# default kernel's build), booted under Debian's newest installed 6.12.
# The subset is what fits in CI's time beside the whole suite on 6.1 (see
# README "Kernels"): load and unload, helper attachment, the genetlink
# family, UDP and TCP calls, pins, lifetime, teardown, the ruleset, forged
# Edge answers, TCP loss, a TLS call fed by Kamailio, TURN pinholes learned
# from coturn. (The deb tier runs 33-fail-closed on 6.12, with the module
# DKMS built.)
selftests_612="01-module-load 02-helper-attach 10-policy 11-cli
12-control-call 13-netlink-strict 14-print-escape 20-udp-call 21-tcp-call
23-policy-pins 25-lifetime 27-teardown 30-ruleset 50-spoofed-edge
51-tcp-loss 61-tls-feed 70-turn-coturn"
tier_selftests_6_12() {
	local kdir mod=build/6.12/mod list=${SELFTESTS_612:-$selftests_612}
	if ! kdir=$(scripts/kdir.sh 6.12); then
		echo "not ok 1 6.12 headers installed (run scripts/deps.sh)"
		return 1
	fi
	if ! scripts/build-module.sh "$kdir" "$mod"; then
		echo "not ok 1 module built against $kdir"
		return 1
	fi
	echo "ok 1 module built against $kdir"
	[ "$list" = all ] && list=
	# shellcheck disable=SC2086
	scripts/vm-run --module "$mod/kmod/nf_conntrack_edgepin.ko" \
		--timeout "${SELFTESTS_TIMEOUT:-3000}" -- \
		tests/selftests/run.sh $list
}

# A tier's TAP lines are counted; a tier that exits non-zero without a
# failing TAP line (it broke before testing) counts as one failure.
for t in $tiers; do
	echo "# tier $t"
	start=$(date +%s)
	out=$(mktemp)
	"tier_${t//[.-]/_}" 2>&1 | tee -a "$log" "$out"
	rc=${PIPESTATUS[0]}
	p=$(grep -Ec '^ok [0-9]+' "$out")
	s=$(grep -Ec '^ok [0-9]+.*# SKIP' "$out")
	f=$(grep -Ec '^not ok [0-9]+' "$out")
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "not ok tier $t exited $rc"
		f=1
	fi
	rm -f "$out"
	pass=$((pass + p - s)) skip=$((skip + s)) fail=$((fail + f))
	echo "# tier $t: $((p - s)) passed, $f failed, $s skipped" \
		"($(($(date +%s) - start))s)"
done

# scripts/deps.sh installs every tool a test needs: a skip means a broken
# setup or a test that did not run, and fails the run like a failure.
if [ "$skip" != 0 ] && [ -z "${ALLOW_SKIP:-}" ]; then
	echo "# $skip skipped: a skipped test is not a passed one (ALLOW_SKIP=1 to accept)"
fi
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ] && { [ "$skip" = 0 ] || [ -n "${ALLOW_SKIP:-}" ]; }
