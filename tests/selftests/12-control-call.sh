#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The control plane on live calls: "edgepin -j pinhole list" has every
# field of the JSON contract with the negotiated values (and the Call-ID's
# quote and backslash escaped), its filters select by call and peer, a
# used pinhole turns active; "call list" shows the call; the counters
# match what happened; "call drop" and "pinhole flush" close pinholes;
# "monitor -j" prints one JSON object per event, in order.
. ./lib.sh
need nft conntrack socat jq edgepin
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
fw_ruleset || fail "ruleset"

tmp=$(mktemp -d)
at_exit rm -rf "$tmp"

fwep() {
	in_ns "$FW" edgepin "$@"
}

# One UDP call, offered by the peer, answered by the edge on @2/@2+1.
# call_msgs CALL-ID PORT TAG
call_msgs() {
	cat >"$tmp/hdr-$3" <<H
Via: SIP/2.0/UDP $PEER4:5060;branch=z9hG4bK-$3
From: <sip:peer@example.org>;tag=peer-$3
To: <sip:edge@example.com>
Call-ID: $1
CSeq: 1 INVITE
Content-Type: application/sdp
H
	sed 's/^To: .*/&;tag=edge-'"$3"'/' "$tmp/hdr-$3" >"$tmp/hdr200-$3"
	cat >"$tmp/offer-$3" <<S
v=0
o=- 1 1 IN IP4 $PEER4
s=-
c=IN IP4 $PEER4
t=0 0
m=audio 40000 RTP/AVP 0
a=candidate:1 1 UDP 2130706431 $PEER4 40000 typ host
a=candidate:1 2 UDP 2130706430 $PEER4 40001 typ host
S
	cat >"$tmp/answer-$3" <<S
v=0
o=- 2 2 IN IP4 $EDGE4
s=-
c=IN IP4 $EDGE4
t=0 0
m=audio $2 RTP/AVP 0
a=candidate:1 1 UDP 2130706431 $EDGE4 $2 typ host
a=candidate:1 2 UDP 2130706430 $EDGE4 $(($2 + 1)) typ host
S
	sip_msg "INVITE sip:edge@$EDGE4 SIP/2.0" "$tmp/hdr-$3" \
		"$tmp/offer-$3" >"$tmp/invite-$3"
	sip_msg "SIP/2.0 200 OK" "$tmp/hdr200-$3" "$tmp/answer-$3" \
		>"$tmp/200-$3"
}

pins() {
	ip netns exec "$FW" edgepin -j pinhole list "$@" | jq length
}

# A Call-ID with a quote and a backslash (both legal in SIP).
cid='ctl-"1"\x@peer'
call_msgs "$cid" 50010 a
call_msgs "ctl-2@peer" 50020 b

fwep stats reset || fail "stats reset"
ip netns exec "$FW" edgepin -j monitor >"$tmp/events" 2>"$tmp/mon.err" &
mon=$!
at_exit kill $mon
# Its SIGINT handler is set before it subscribes, a moment later.
poll 10 catches_sigint $mon || fail "monitor did not start"
sleep 1

run udp_send "$PEER" 5060 "$EDGE4" 5060 "$tmp/invite-a" || fail "INVITE"
run udp_send "$EDGE" 5060 "$PEER4" 5060 "$tmp/200-a" || fail "200"
poll 3 sh -c "[ \$(ip netns exec $FW edgepin -j pinhole list |
	jq length) = 2 ]" || fail "no 2 pinholes after the answer"

fwep -j pinhole list >"$tmp/list" || fail "pinhole list"
sed 's/^/# /' "$tmp/list"
jq -e --arg cid "$cid" --arg e "$EDGE4" --arg p "$PEER4" '
	length == 2 and all(.[];
		.call_id == $cid and .media == "audio" and
		.media_index == 0 and .proto == "udp" and
		.family == "ipv4" and .edge_addr == $e and
		.peer_addr == $p and .peer_port == 0 and
		.state == "pinned" and (.timeout | type) == "number" and
		.timeout <= 60 and .flows == 0 and
		.edge_cand == "host" and .peer_cand == "host") and
	([.[].edge_port] | sort) == [50010, 50011]' "$tmp/list" >/dev/null ||
	fail "pinhole list -j does not show the negotiated pinholes"
fwep pinhole list | sed 's/^/# /'
[ "$(fwep pinhole list | grep -c '^ctl-"1"\\x5cx@peer audio/0 udp ')" = 2 ] ||
	fail "text pinhole list lacks the escaped Call-ID"
echo "# pinhole list -j: every contract field"

[ "$(pins call "$cid")" = 2 ] || fail "filter by call"
[ "$(pins call other@peer)" = 0 ] || fail "filter by another call"
[ "$(pins peer "$PEER4")" = 2 ] || fail "filter by peer"
[ "$(pins peer "$ATK4")" = 0 ] || fail "filter by another peer"
[ "$(pins peer "$PEER4" call "$cid")" = 2 ] || fail "both filters"
echo "# filters by call and peer"

fwep -j call list >"$tmp/calls" || fail "call list"
sed 's/^/# /' "$tmp/calls"
jq -e --arg cid "$cid" 'length == 1 and .[0].call_id == $cid and
	.[0].state == "confirmed" and .[0].pinholes == 2 and
	.[0].proto == "udp"' "$tmp/calls" >/dev/null ||
	fail "call list -j does not show the call"

# Media through a pinhole makes it active.
udp_listen "$EDGE" "$EDGE4" 50010 "$tmp/rx"
probe "$PEER" 40000 "$EDGE4" 50010 media-a
expect_rx "$tmp/rx" media-a
poll 3 sh -c "ip netns exec $FW edgepin -j pinhole list |
	jq -e '[.[] | select(.edge_port == 50010)][0] |
		.state == \"active\" and .flows == 1'" ||
	fail "a used pinhole is not active with one flow"
fwep -j pinhole list | sed 's/^/# /'

# Counters.
fwep -j stats >"$tmp/stats" || fail "stats"
jq -e '.messages == 2 and .parse_errors == 0 and .calls_started == 1 and
	.pinholes_opened == 2 and .flows_admitted == 1' "$tmp/stats" \
	>/dev/null || fail "counters: $(cat "$tmp/stats")"
echo "# active pinhole, call list and counters"

# call drop ends the call; pinhole flush closes another call's pinholes.
fwep call drop "$cid" || fail "call drop"
[ "$(pins)" = 0 ] || fail "pinholes left after call drop"
[ "$(fwep -j call list | jq length)" = 0 ] || fail "call left after drop"
run udp_send "$PEER" 5060 "$EDGE4" 5060 "$tmp/invite-b" || fail "INVITE b"
run udp_send "$EDGE" 5060 "$PEER4" 5060 "$tmp/200-b" || fail "200 b"
poll 3 sh -c "[ \$(ip netns exec $FW edgepin -j pinhole list |
	jq length) = 2 ]" || fail "no pinholes for the second call"
fwep -j pinhole flush call other@peer | jq -e '.closed == 0' >/dev/null ||
	fail "flush of an unknown call closed something"
fwep -j pinhole flush call ctl-2@peer | jq -e '.closed == 2' >/dev/null ||
	fail "flush of the second call did not close 2"
[ "$(pins)" = 0 ] || fail "pinholes left after flush"
echo "# call drop and pinhole flush"

sleep 0.5
kill -INT $mon
wait $mon || fail "monitor exited $?: $(cat "$tmp/mon.err")"
sed 's/^/# event: /' "$tmp/events"
jq -e . "$tmp/events" >/dev/null || fail "monitor -j printed invalid JSON"
[ "$(jq -s length "$tmp/events")" = "$(wc -l <"$tmp/events")" ] ||
	fail "monitor -j: not one object per line"
jq -s -e --arg cid "$cid" '
	[.[] | select((.pinhole.call_id // .call.call_id) == $cid)] as $all |
	[$all[] | .event] as $ev |
	[$ev | index("call_start", "pinhole_open", "pinhole_close",
		     "call_end")] as $at |
	($at | all(. != null)) and $at == ($at | sort) and
	([$all[] | select(.event == "pinhole_open") | .pinhole.edge_port] |
	 unique) == [50010, 50011] and
	([$all[] | select(.event == "pinhole_close") | .pinhole.edge_port] |
	 sort) == [50010, 50011]' \
	"$tmp/events" >/dev/null || fail "events not in call order"
jq -s -e '[.[] | select(.event == "pinhole_close" and
	.pinhole.call_id == "ctl-2@peer")] | length == 2' "$tmp/events" \
	>/dev/null || fail "no close events for the flushed pinholes"
# A pinhole is the same pinhole in all its events: the candidate kinds
# an operator saw at open are those at close. Both sides declared host
# candidates for every pinned address and port, so that is what they are.
jq -s -e '[.[] | select(.pinhole) | .pinhole |
	[.call_id, .edge_port, .edge_cand, .peer_cand]] | unique |
	group_by(.[0:2]) | all(length == 1) and
	all(.[][]; .[2] == "host" and .[3] == "host")' "$tmp/events" \
	>/dev/null || fail "candidate kinds differ between a pinhole's events"
echo "# monitor: call_start, pinhole_open, pinhole_close, call_end in order"
exit 0
