#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run the VM selftests (all, or those named) in one boot, as TAP.
# Each test's output is shown as "# " comments under its result line.
cd "$(dirname "$0")" || exit 1
if [ -z "${EDGEPIN_VM:-}" ]; then
	echo "run.sh: run me inside the VM: scripts/vm-run -- $0 $*" >&2
	exit 1
fi
tests=("$@")
# Without names: every test, but those marked "# selftest: check-full"
# (too long for make check's hour) only with SELFTESTS_FULL=1.
if [ ${#tests[@]} -eq 0 ]; then
	for t in [0-9]*.sh; do
		if [ -z "${SELFTESTS_FULL:-}" ] &&
		   grep -q '^# selftest: check-full' "$t"; then
			continue
		fi
		tests+=("${t%.sh}")
	done
fi

per_test_timeout=${SELFTEST_TIMEOUT:-900}
n=0 failed=0
echo "TAP version 13"
echo "1..${#tests[@]}"
for t in "${tests[@]}"; do
	n=$((n + 1))
	t=${t%.sh}
	start=$(date +%s)
	# The test runs in a process group of its own, its output streamed
	# as TAP comments; when it ends, whatever it left running is killed
	# (a forgotten listener must not hold the run up).
	log=/tmp/selftest-$t.log
	setsid bash "./$t.sh" >"$log" 2>&1 </dev/null &
	pid=$!
	( sleep "$per_test_timeout" && kill -- -"$pid" ) 2>/dev/null &
	watchdog=$!
	tail -n +1 --pid="$pid" -f "$log" | sed -u -e 's/^/# /' -e 's/^# # /# /'
	wait "$pid"
	rc=$?
	if ! kill "$watchdog" 2>/dev/null; then
		rc=124
	fi
	kill -- -"$pid" 2>/dev/null
	out=$(cat "$log")
	secs=$(($(date +%s) - start))
	case $rc in
	0) echo "ok $n selftest $t (${secs}s)" ;;
	4) echo "ok $n selftest $t # SKIP $(printf '%s\n' "$out" |
		sed -n 's/^# SKIP: //p' | tail -n 1)" ;;
	124) echo "not ok $n selftest $t # timed out after ${per_test_timeout}s"
	     failed=1 ;;
	*) echo "not ok $n selftest $t (exit $rc)"; failed=1 ;;
	esac
done
exit $failed
