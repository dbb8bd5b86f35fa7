#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Pinhole and call dumps while calls come and go (review L7). 60 short
# calls, then 150 long-lived ones (300 pinholes), all real SIP through
# the firewall; a dump takes many netlink receives.
# 1. dumpcheck.py reads each dump 4 KB a receive and, between two
#    receives, ends 10 short calls and re-INVITEs 10 more adding video:
#    all of it behind where the dump is. Every long-lived pinhole (call)
#    must come exactly once and the dump must be marked NLM_F_DUMP_INTR;
#    a dump during which nothing changed must not be. Resuming by index
#    skips 20 pinholes (10 calls) and lists 20 twice.
# 2. edgepin -j pinhole list and call list while a churner, some fifty
#    times a second, places and ends calls after the long-lived ones and
#    ends short calls or adds and drops their video before them: exit 0,
#    one JSON array, every long-lived entry exactly once. Slowed down by
#    strace (each receive waits 1 s), every try is interrupted: the tool
#    still prints the list, and warns on stderr; and it ends, though
#    calls come faster than it reads (a dump leaves out what came after
#    it began).
. ./lib.sh
need nft python3 jq edgepin strace
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
fw_ruleset || fail "ruleset"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
in_ns "$FW" edgepin policy set edge "$EDGE4" || fail "policy edge"
# no media flows: unused pinholes must outlive the test
in_ns "$FW" edgepin policy set pinhole-timeout 3600 || fail "pinhole-timeout"

SHORT=60 LONG=150
ns_args=(--fw "$FW" --peer "$PEER" --edge "$EDGE" --peer-addr "$PEER4"
	 --edge-addr "$EDGE4")
dc() {
	run python3 ./dumpcheck.py "${ns_args[@]}" "$@"
}
dc calls churn- $SHORT || fail "placing the short calls"
dc calls long- $LONG || fail "placing the long-lived calls"
n=$(pin_count)
[ "$n" = $((2 * (SHORT + LONG))) ] ||
	fail "$n pinholes, want $((2 * (SHORT + LONG)))"

# Every check is run and reported; the test fails at the end if one did.
failed=()

# --- 1. changes between two receives of one dump ---
dc dump pinholes --long $LONG || failed+=("pinhole dump, nothing changing")
dc dump calls --long $LONG || failed+=("call dump, nothing changing")
dc dump pinholes --long $LONG --end 0-9 --reinvite 10-19 ||
	failed+=("pinhole dump while calls behind it ended and gained pinholes")
dc dump calls --long $LONG --end 20-29 ||
	failed+=("call dump while calls behind it ended")

# --- 2. the tool while calls come and go ---
# long_once FILE OBJECT: how FILE lists the long-lived OBJECTs, "ok" if
# each exactly once
long_once() {
	local want=$LONG
	[ "$2" = pinhole ] && want=$((2 * LONG))
	jq -r --arg obj "$2" --argjson want "$want" '[.[] |
		select(.call_id | startswith("long-")) |
		if $obj == "pinhole" then "\(.call_id):\(.edge_port)"
		else .call_id end] |
		if length == $want and (unique | length) == $want then "ok"
		else "\(length) listed, \(unique | length) distinct," +
			" want \($want)" end' "$1" 2>&1
}
# listing OBJECT [COMMAND...]: edgepin -j OBJECT list (run by COMMAND);
# prints its stderr
listing() {
	local obj=$1 out=$tmp/out err=$tmp/err verdict t=$SECONDS
	shift
	ip netns exec "$FW" "$@" edgepin -j "$obj" list >"$out" 2>"$err" ||
		{ failed+=("$obj list: exit $?: $(cat "$err")"); return; }
	[ "$(wc -l <"$out")" = 1 ] || failed+=("$obj list: not one line")
	verdict=$(long_once "$out" "$obj")
	echo "# $obj list: $(jq length "$out") entries in $((SECONDS - t)) s," \
		"long-lived: $verdict"
	[ "$verdict" = ok ] || failed+=("$obj list under churn: $verdict")
	cat "$err"
}

python3 ./dumpcheck.py "${ns_args[@]}" churn --churn-calls $SHORT \
	>"$tmp/churn.log" 2>&1 &
churn=$!
at_exit kill $churn
poll 60 grep -q "churn: running" "$tmp/churn.log" ||
	fail "the churner did not start: $(cat "$tmp/churn.log")"
for _ in 1 2 3; do
	listing pinhole
	listing call
done
# Each receive waits 1 s before it reads, while the table changes: the
# kernel builds the next part of the dump during the receive, so each
# part differs from the last one (NLM_F_DUMP_INTR), at every try.
slow=(timeout 120 strace -f -qq -o /dev/null -e trace=recvmsg
      -e inject=recvmsg:delay_enter=1000000)
for obj in pinhole call; do
	listing "$obj" "${slow[@]}" >"$tmp/slow" 2>&1
	cat "$tmp/slow"
	grep -q "edgepin: $obj list: warning: .*kept changing" "$tmp/slow" ||
		failed+=("$obj list, interrupted at every try: no warning")
done
kill $churn
wait $churn
cat "$tmp/churn.log"
# nothing changes now: no warning
listing pinhole >"$tmp/quiet" 2>&1
cat "$tmp/quiet"
grep -q warning "$tmp/quiet" && failed+=("warning with nothing changing")

for f in "${failed[@]}"; do
	echo "# FAIL: $f"
done
[ ${#failed[@]} = 0 ] || exit $KSFT_FAIL
echo "# every long-lived pinhole and call listed exactly once"
exit 0
