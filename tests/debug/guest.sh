#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The debug-kernel tier, inside the VM (tests/debug/check.sh boots it):
# the named selftests under KASAN, UBSAN, lockdep and kmemleak, then the
# module's removal and kmemleak scans; any report fails. As TAP.
#
#   guest.sh [--insmod "MODULE [PARAM=VALUE...]"]... [SELFTEST...]
#
# --insmod loads MODULE (a name or a .ko path) before the selftests, its
# own status ignored: tests/debug/honesty.sh loads deliberately buggy
# modules with it to prove that their reports fail the tier.
cd "$(dirname "$0")/../.." || exit 1
if [ -z "${EDGEPIN_VM:-}" ] || [ -z "${EDGEPIN_VM_BAD:-}" ]; then
	echo "guest.sh: run me inside the VM: see tests/debug/check.sh" >&2
	exit 1
fi
insmod=()
while [ "${1:-}" = --insmod ]; do
	insmod+=("$2")
	shift 2
done
tests=("$@")

leaks=/sys/kernel/debug/kmemleak
mod=nf_conntrack_edgepin
n=0 failed=0
# result OK DESCRIPTION: one TAP line (OK is 0 for ok).
result() {
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n $2"
	else
		echo "not ok $n $2"
		failed=1
	fi
}
# clean DESCRIPTION: a TAP line that fails when the kernel reported
# anything since the last call (its log since a mark, kmemleak's list
# since a clear), the reports shown as TAP comments: each report fails the
# first line after it, and only that one.
mark=0
clean() {
	local r
	r=$({
		if [ "$mark" = 0 ]; then
			dmesg
		else
			dmesg | sed -n "/edgepin-debug: mark $mark\$/,\$p"
		fi
		cat "$leaks" 2>/dev/null
	} | grep -E -A 30 "$EDGEPIN_VM_BAD" | head -n 300 | sed 's/^/# /')
	mark=$((mark + 1))
	echo "edgepin-debug: mark $mark" >/dev/kmsg
	echo clear >"$leaks" 2>/dev/null
	[ -n "$r" ] && printf '%s\n' "$r"
	result "$([ -z "$r" ] && [ "$ok" = 0 ]; echo $?)" "$1"
}
# scan: a kmemleak scan; objects younger than 5 s are not reported yet,
# and a scan can see a stale pointer once: two of them, apart.
scan() {
	echo scan >"$leaks" && sleep 6 && echo scan >"$leaks"
}

echo "TAP version 13"
echo "1..$((${#tests[@]} + 4))"

# 1: the kernel is the debug one, booted clean, kmemleak on. Kmemleak's
# own periodic scan is stopped (scans happen where this script says) and
# what it suspects in the kernel's boot is set aside: the module is tested.
ok=0
case $(uname -r) in *-edgepin-dbg) ;; *) ok=1 ;; esac
[ -w "$leaks" ] || ok=1
if [ "$ok" = 0 ]; then
	echo scan=off >"$leaks" && scan || ok=1
	echo "# kmemleak: $(grep -c '^unreferenced object' "$leaks")" \
		"suspects from the kernel's boot set aside"
	echo clear >"$leaks" || ok=1
fi
clean "debug kernel $(uname -r) booted clean, kmemleak on"

for m in "${insmod[@]}"; do
	load=modprobe
	case $m in *.ko*) load=insmod ;; esac
	echo "# + $load $m"
	# shellcheck disable=SC2086
	$load $m 2>&1 | sed 's/^/# /'
done

# The selftests' own TAP lines count as this tier's (renumbered). Their
# output goes through a file: what a test leaves running (run.sh's
# watchdog's sleep) must not hold a pipe, and this script, open.
export SELFTEST_TIMEOUT=${SELFTEST_TIMEOUT:-1200}
st=0
if [ ${#tests[@]} -gt 0 ]; then
	log=/tmp/debug-selftests.log
	tests/selftests/run.sh "${tests[@]}" >"$log" 2>&1 </dev/null &
	pid=$!
	re='^(not )?ok ([0-9]+)(.*)$'
	tail -n +1 --pid="$pid" -f "$log" | while IFS= read -r line; do
		if [[ $line =~ $re ]]; then
			echo "${BASH_REMATCH[1]}ok $((BASH_REMATCH[2] + n))${BASH_REMATCH[3]}"
		else
			case $line in "TAP version"* | 1..*) ;; *) echo "$line" ;; esac
		fi
	done
	wait "$pid"
	st=$?
fi
n=$((n + ${#tests[@]}))
[ "$st" = 0 ] || failed=1

# Leaks while the module is loaded: its stack frames still have names.
ok=0
scan || ok=1
clean "no kernel report after the selftests, $mod loaded"

ok=0
if grep -q "^$mod " /proc/modules; then
	# Whatever a test left (tables, namespaces still being torn down)
	# must not hold the module; give the netns cleanup a moment.
	nft flush ruleset 2>/dev/null
	for _ in $(seq 30); do
		rmmod "$mod" 2>/dev/null && break
		sleep 1
	done
	grep -q "^$mod " /proc/modules && ok=1
	result "$ok" "rmmod $mod"
else
	result 0 "rmmod $mod (not loaded after the tests)"
fi

ok=0
scan || ok=1
clean "no kernel report after rmmod and two kmemleak scans"
exit $failed
