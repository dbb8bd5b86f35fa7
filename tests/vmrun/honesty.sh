#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# scripts/vm-run must not report success it did not see: a failing
# command, a kernel crash, a kernel complaint and a hung guest each make it
# fail; a passing command passes and its output and status come through.
# Runs on the host, as TAP.
cd "$(dirname "$0")/../.." || exit 1
vmrun=scripts/vm-run
n=0 failed=0
out=$(mktemp)
trap 'rm -f "$out"' EXIT

# expect NAME WANT_RC GREP VM-RUN-ARGS...: WANT_RC is a number or
# "nonzero"; a non-empty GREP must match the combined output.
expect() {
	local name=$1 want=$2 pattern=$3 rc ok=1
	shift 3
	n=$((n + 1))
	timeout 300 "$vmrun" "$@" >"$out" 2>&1
	rc=$?
	case $want in
	nonzero) [ "$rc" != 0 ] || ok=0 ;;
	*) [ "$rc" = "$want" ] || ok=0 ;;
	esac
	if [ -n "$pattern" ] && ! grep -Eq "$pattern" "$out"; then
		ok=0
	fi
	if [ "$ok" = 1 ]; then
		echo "ok $n vm-run $name (exit $rc)"
	else
		sed 's/^/# /' "$out"
		echo "not ok $n vm-run $name (exit $rc, wanted $want${pattern:+ and /$pattern/})"
		failed=1
	fi
}

echo "TAP version 13"
echo "1..7"
expect "true passes" 0 "" -- true
expect "false fails" nonzero "" -- false
expect "exit status passes through" 3 "" -- sh -c 'exit 3'
expect "output streams" 0 '^hello$' -- sh -c 'echo hello'
expect "kernel crash fails" nonzero "without reporting" -- \
	sh -c 'echo 1 >/proc/sys/kernel/sysrq; echo c >/proc/sysrq-trigger'
expect "kernel complaint fails" nonzero "kernel logged a problem" -- \
	sh -c 'echo "<4>WARNING: CPU: 0 PID: 1 at vm-run honesty test" >/dev/kmsg'
expect "hung guest is killed" 124 "did not finish within 30s" \
	--timeout 30 -- sleep 1000
exit $failed
