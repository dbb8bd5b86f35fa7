#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every command of edgepin's usage, run with -j on a firewall with a live
# call: what it prints is JSON (checked by jq) with the keys DESIGN.md
# and edgepin.8 name, all snake_case, monitor events with their time
# (and monitor -t's text lines too), and commands that only act print
# nothing. The list of commands comes from edgepin -h, so a new command
# without a check here fails this test.
. ./lib.sh
need nft jq edgepin python3 socat timeout
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"

ep() {
	ip netns exec "$FW" edgepin -j "$@"
}
declare -A checked

# snake FILE WHAT: every key of every JSON document in FILE is snake_case.
snake() {
	jq -e -s '[.[] | paths | .[] | strings | select(test("^[a-z0-9_]+$") |
		not)] | if . == [] then true else error(tostring) end' \
		"$1" >/dev/null || fail "edgepin -j $2: keys not snake_case"
}

# check "OBJ CMD" JQ ARGS...: run it; its output is one JSON document for
# which JQ holds ("" = prints nothing).
check() {
	local name=$1 filter=$2
	shift 2
	echo "# + edgepin -j $*" >&2
	ep "$@" <"$tmp/stdin" >"$tmp/out" 2>"$tmp/err" ||
		fail "edgepin -j $*: $(cat "$tmp/err")"
	if [ -z "$filter" ]; then
		[ -s "$tmp/out" ] && fail "edgepin -j $* printed $(cat "$tmp/out")"
	else
		sed 's/^/# /' "$tmp/out"
		[ "$(wc -l <"$tmp/out")" = 1 ] || fail "$*: not one line"
		jq -e "$filter" "$tmp/out" >/dev/null ||
			fail "edgepin -j $*: not $filter"
		snake "$tmp/out" "$*"
	fi
	checked[$name]=1
}
: >"$tmp/stdin"

check "policy reset" "" policy reset
check "ruleset install" "" ruleset install --edge "$EDGE4" "$EDGE6"
echo "mode enforce" >"$tmp/stdin"
check "policy load" "" policy load -
check "policy check" '. == {"file": "-", "valid": true,
	"module_checked": true}' policy check -
: >"$tmp/stdin"
check "policy set" "" policy set pinhole-timeout 60
check "policy show" 'all(.range, .edge, .exclude, .transports,
	.peer_match, .max_calls, .max_pinholes,
	.max_pinholes_per_call, .pinhole_timeout, .call_timeout,
	.mode; . != null)' policy show
check "stats reset" "" stats reset

t0=$(date -u +%s)
monitor_start "$tmp/events"
mon=$MON
# and the text monitor with -t, alongside
ip netns exec "$FW" edgepin monitor -t >"$tmp/tevents" 2>"$tmp/tevents.err" &
tmon=$!
at_exit kill $tmon
poll 10 catches_sigint $tmon || fail "monitor -t did not start"
udp_call "$tmp" json-1@peer 50010
to_edge "$tmp/invite" || fail "INVITE"
to_peer "$tmp/200" || fail "200"

check "pinhole list" 'length == 2 and all(.[]; has("call_id") and
	has("media") and (.proto | IN("udp", "tcp")) and has("edge_addr") and
	has("edge_port") and has("peer_addr") and has("peer_port") and
	(.state | IN("pinned", "active")) and has("timeout") and
	has("flows"))' pinhole list
check "call list" 'length == 1 and all(.[]; .call_id == "json-1@peer" and
	has("state") and has("pinholes"))' call list
check "stats" 'all(.messages, .parse_errors, .calls_started,
	.calls_ended, .pinholes_opened, .pinholes_closed, .pinholes_expired,
	.refused_range; type == "number") and .messages == 2 and
	.pinholes_opened == 2' stats
check "ruleset show" '.installed and (.helpers | length) == 2 and
	([.chains[].name] | sort) == ["antispoof", "guard", "sip"] and
	(.sip_ports | length) == 1 and
	has("edge") and (.range | length) == 1' ruleset show
ip netns exec "$FW" edgepin -j audit >"$tmp/out"
jq -e '(.findings | type) == "array" and .pinholes[0].pinholes == 2 and
	(.summary | has("exposed") and has("critical") and has("high") and
	 has("warning") and has("info"))' "$tmp/out" >/dev/null ||
	fail "audit -j: $(cat "$tmp/out")"
snake "$tmp/out" audit
checked[audit]=1
# the bash completion offers the live call's Call-ID (from -j call list)
ids=$(ip netns exec "$FW" bash -c '. ../../ctl/edgepin.bash-completion
	for w in "call drop" "pinhole list call" "pinhole flush call"; do
		read -ra COMP_WORDS <<<"edgepin $w"
		COMP_WORDS+=("j"); COMP_CWORD=${#COMP_WORDS[@]}
		COMP_CWORD=$((COMP_CWORD - 1)); COMPREPLY=(); _edgepin
		echo "${COMPREPLY[*]}"
	done')
echo "# completed Call-IDs: $(echo $ids)"
[ "$(echo $ids)" = "json-1@peer json-1@peer json-1@peer" ] ||
	fail "completion offered '$ids', not the live Call-ID"
check "call drop" "" call drop json-1@peer
check "pinhole flush" '.closed == 0' pinhole flush
check "ruleset remove" "" ruleset remove
sleep 0.5
kill -INT $mon $tmon
wait $mon || fail "monitor: $(cat "$tmp/events.err")"
wait $tmon || fail "monitor -t: $(cat "$tmp/tevents.err")"
t1=$(date -u +%s)
sed 's/^/# event: /' "$tmp/events"
[ "$(jq -s length "$tmp/events")" = "$(wc -l <"$tmp/events")" ] ||
	fail "monitor -j: not one JSON object per line"
snake "$tmp/events" monitor
jq -s -e '[.[].event] | [index("pinhole_open", "pinhole_close")] |
	all(. != null) and .[0] < .[1]' \
	"$tmp/events" >/dev/null || fail "monitor -j events"
# every event has the time it was read: UTC, microseconds, in the run
jq -s -e --argjson t0 "$t0" --argjson t1 "$t1" 'length > 0 and
	all(.[].time; test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}[.][0-9]{6}Z$") and
	    (sub("[.][0-9]+Z$"; "Z") | fromdateiso8601) as $t |
	    $t >= $t0 and $t <= $t1)' "$tmp/events" >/dev/null ||
	fail "monitor -j: an event without its time ($t0-$t1)"
sed 's/^/# text event: /' "$tmp/tevents"
[ "$(wc -l <"$tmp/tevents")" = "$(wc -l <"$tmp/events")" ] ||
	fail "monitor -t saw other events than monitor -j"
grep -Evq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}[.][0-9]{6}Z [a-z_]+( |$)' \
	"$tmp/tevents" && fail "monitor -t: a line without its time first"
checked[monitor]=1

# feed --print: one JSON object per fed message or refusal; feed send
# prints nothing.
# (not through ep: $! must be edgepin's pid, for the SIGTERM)
ip netns exec "$FW" edgepin -j feed --print --socket "$tmp/feed.sock" \
	>"$tmp/feed" 2>"$tmp/feed.err" &
feed=$!
poll 10 test -S "$tmp/feed.sock" || fail "feed: no local socket"
printf 'OPTIONS sip:a@b SIP/2.0\r\n\r\n' >"$tmp/stdin"
check "feed send" "" feed send --socket "$tmp/feed.sock" tls \
	"$PEER4:5061" "$EDGE4:5061"
: >"$tmp/stdin"
python3 -c 'import socket, sys
socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"sctp x\n", sys.argv[1])' \
	"$tmp/feed.sock" || fail "feed: a bad line not sent"
poll 10 sh -c "[ \$(wc -l <'$tmp/feed') -ge 2 ]" || fail "feed: nothing"
kill -TERM $feed
wait $feed || fail "feed: $(cat "$tmp/feed.err")"
sed 's/^/# feed: /' "$tmp/feed"
snake "$tmp/feed" feed
jq -s -e --arg src "$PEER4:5061" '.[0] == {"proto": "tls", "src": $src,
	"dst": "'"$EDGE4"':5061", "len": 27,
	"first_line": "OPTIONS sip:a@b SIP/2.0"} and .[1] == {"refused":
	"malformed", "sender": "local", "why": "bad-line"} and length == 2' \
	"$tmp/feed" >/dev/null || fail "feed -j --print: $(cat "$tmp/feed")"
checked[feed]=1

# Every command of the usage was checked.
while read -r obj cmd _; do
	case $cmd in [a-z]*) ;; *) cmd="" ;; esac
	name="$obj${cmd:+ $cmd}"
	[ -n "${checked[$name]:-}" ] || fail "'$name' has no JSON check"
done < <(edgepin -h | sed -n 's/^  edgepin \(.*\)$/\1/p' | sed 's/  .*//')
echo "# every command's -j output is JSON with its keys (${#checked[@]} commands)"
exit 0
