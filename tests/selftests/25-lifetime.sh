#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Lifetime of pinholes: an unused one expires after pinhole-timeout while
# a used one is held by its call, and a flow the ruleset drops (a forgery
# from the peer's address) does not count as use; CANCEL and a 486 after early media
# close them and cut the early media flow, also when more flows entered
# one pinhole than it keeps for the reaper; a re-INVITE moves the pinhole
# to the new port (media in there, no longer on the old one); the media
# flow of a call whose signalling flow went away lives as long as the
# call, and is cut at its BYE; a lower pinhole-timeout closes unused
# pinholes already open; a call with no in-dialog traffic for
# call-timeout ends.
. ./lib.sh
need nft conntrack python3 jq edgepin
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
fw_ruleset || fail "ruleset"
in_ns "$FW" edgepin policy set edge "$EDGE4" || fail "policy"
in_ns "$FW" edgepin policy set pinhole-timeout 8 || fail "policy"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"

# msgs ID PORT: INVITE, 183, 200, CANCEL, 486, BYE and a re-INVITE with
# its 200 (edge port PORT + 2) for call ID, edge media on PORT/PORT+1.
msgs() {
	local id=$1 port=$2 p2=$(($2 + 2))
	local h="Via: SIP/2.0/UDP $PEER4:5060;branch=z9hG4bK-$id
From: <sip:a@example.org>;tag=a-$id"
	local offer="v=0
o=- 1 1 IN IP4 $PEER4
s=-
c=IN IP4 $PEER4
t=0 0
m=audio 40000 RTP/AVP 0
a=candidate:1 1 UDP 2130706431 $PEER4 40000 typ host"
	answer() {
		printf 'v=0\no=- 2 2 IN IP4 %s\ns=-\nc=IN IP4 %s\nt=0 0\n' \
			"$EDGE4" "$EDGE4"
		printf 'm=audio %s RTP/AVP 0\n' "$1"
		printf 'a=candidate:1 1 UDP 2130706431 %s %s typ host\n' "$EDGE4" "$1"
		printf 'a=candidate:1 2 UDP 2130706430 %s %s typ host\n' "$EDGE4" $(($1 + 1))
	}
	mkmsg "$tmp/$id-invite" <<T
INVITE sip:b@$EDGE4 SIP/2.0
$h
To: <sip:b@example.com>
Call-ID: $id
CSeq: 1 INVITE
Content-Type: application/sdp

$offer
T
	for r in "183 Session Progress" "200 OK"; do
		mkmsg "$tmp/$id-${r%% *}" <<T
SIP/2.0 $r
$h
To: <sip:b@example.com>;tag=b-$id
Call-ID: $id
CSeq: 1 INVITE
Content-Type: application/sdp

$(answer "$port")
T
	done
	mkmsg "$tmp/$id-486" <<T
SIP/2.0 486 Busy Here
$h
To: <sip:b@example.com>;tag=b-$id
Call-ID: $id
CSeq: 1 INVITE

T
	mkmsg "$tmp/$id-cancel" <<T
CANCEL sip:b@$EDGE4 SIP/2.0
$h
To: <sip:b@example.com>
Call-ID: $id
CSeq: 1 CANCEL

T
	mkmsg "$tmp/$id-reinvite" <<T
INVITE sip:b@$EDGE4 SIP/2.0
$h
To: <sip:b@example.com>;tag=b-$id
Call-ID: $id
CSeq: 2 INVITE
Content-Type: application/sdp

$offer
T
	mkmsg "$tmp/$id-re200" <<T
SIP/2.0 200 OK
$h
To: <sip:b@example.com>;tag=b-$id
Call-ID: $id
CSeq: 2 INVITE
Content-Type: application/sdp

$(answer "$p2")
T
}

pins_of() { pin_count ".call_id==\"$1\""; }
# flows_cut PORT: within 5 s no media flow to the edge's PORT is tracked
# (the reaper cuts them after the pinholes close).
flows_cut() {
	poll 5 sh -c "! ip netns exec $FW conntrack -L -p udp --dport $1 \
		2>/dev/null | grep -q 'dport=$1 '" ||
		fail "the media flow to $1 was not cut"
}
gone() { [ "$(pins_of "$1")" = 0 ]; }

# --- unused pinholes expire; a used one is held by its call ---
msgs expire 50010
udp_listen "$EDGE" "$EDGE4" 50010 "$tmp/rx"
exp0=$(stat pinholes_expired)
to_edge "$tmp/expire-invite"
to_peer "$tmp/expire-200"
probe "$PEER" 40000 "$EDGE4" 50010 used
expect_rx "$tmp/rx" used
[ "$(pins_of expire)" = 2 ] || fail "expected 2 pinholes"
poll 20 sh -c "[ \$(ip netns exec $FW edgepin -j pinhole list |
	jq '[.[] | select(.edge_port==50011)] | length') = 0 ]" ||
	fail "unused pinhole 50011 did not expire after pinhole-timeout 8"
[ "$(stat pinholes_expired)" -gt "$exp0" ] || fail "expiry not counted"
conntrack_has() { ip netns exec "$FW" conntrack -L expect 2>/dev/null |
	grep -q "dport=$1 "; }
conntrack_has 50011 && fail "expired pinhole still in conntrack"
pins_become 1 '.edge_port==50010 and .state=="active" and .timeout==null' ||
	fail "used pinhole 50010 not held open by its live call"
probe "$PEER" 40005 "$EDGE4" 50010 reconnect
expect_rx "$tmp/rx" reconnect

# --- a flow the ruleset drops does not hold a pinhole open ---
# The attacker forges one datagram from the peer's declared address on
# its own link; the firewall's forward chain, after conntrack, drops what
# claims the peer's network from there. That flow is never confirmed: the
# pinhole stays "pinned", expires after pinhole-timeout, and the peer's
# own datagram afterwards is refused like any on a closed port.
ip netns exec "$FW" nft -f - <<NFT || fail "forward drop rule"
table inet l11 {
	chain spoofed {
		type filter hook forward priority filter - 10;
		iifname "a0" ip saddr 198.51.100.0/24 counter drop
	}
}
NFT
msgs forged 50070
udp_listen "$EDGE" "$EDGE4" 50070 "$tmp/rx70"
to_edge "$tmp/forged-invite"
to_peer "$tmp/forged-200"
pins_become 2 '.call_id=="forged" and .state=="pinned"' ||
	fail "forged: expected 2 pinned pinholes"
gw_mac=$(ip netns exec "$FW" cat /sys/class/net/a0/address)
echo forged-from-peer >"$tmp/forged-dgram"
in_ns "$ATK" ./spoof.py udp --iface eth0 --gw-mac "$gw_mac" --src "$PEER4" \
	--sport 40000 --dst "$EDGE4" --dport 50070 "$tmp/forged-dgram" ||
	fail "could not forge the peer's datagram"
dropped() {
	ip netns exec "$FW" nft list chain inet l11 spoofed | grep -q 'packets [1-9]'
}
poll 10 dropped || fail "the forged datagram did not reach the forward drop"
grep -q forged-from-peer "$tmp/rx70" && fail "the forged datagram got in"
poll 20 sh -c "[ \$(ip netns exec $FW edgepin -j pinhole list |
	jq '[.[] | select(.edge_port==50070)] | length') = 0 ]" ||
	fail "a dropped forgery held pinhole 50070 open: $(ip netns exec "$FW" edgepin -j pinhole list | jq -c '.[] | select(.edge_port==50070)')"
probe "$PEER" 40000 "$EDGE4" 50070 after-expiry
expect_no_rx "$tmp/rx70" after-expiry
ip netns exec "$FW" nft delete table inet l11

# --- CANCEL after early media ---
msgs cancel 50020
# listening first: on a loaded guest a listener may take longer to start
# than the pinhole's 8 s
udp_listen "$EDGE" "$EDGE4" 50020 "$tmp/rx20"
to_edge "$tmp/cancel-invite"
to_peer "$tmp/cancel-183"
[ "$(pins_of cancel)" = 2 ] || fail "183 with SDP opened no pinholes"
probe "$PEER" 40000 "$EDGE4" 50020 early-media
expect_rx "$tmp/rx20" early-media
to_edge "$tmp/cancel-cancel"
poll 3 gone cancel || fail "CANCEL left pinholes open"
flows_cut 50020
probe "$PEER" 40000 "$EDGE4" 50020 after-cancel
expect_no_rx "$tmp/rx20" after-cancel
probe "$PEER" 40002 "$EDGE4" 50020 after-cancel-new-flow
expect_no_rx "$tmp/rx20" after-cancel-new-flow

# --- 486 after early media ---
msgs busy 50030
# listening first: on a loaded guest a listener may take longer to start
# than the pinhole's 8 s
udp_listen "$EDGE" "$EDGE4" 50030 "$tmp/rx30"
to_edge "$tmp/busy-invite"
to_peer "$tmp/busy-183"
[ "$(pins_of busy)" = 2 ] || fail "183 with SDP opened no pinholes"
probe "$PEER" 40000 "$EDGE4" 50030 early-media
expect_rx "$tmp/rx30" early-media
to_peer "$tmp/busy-486"
poll 3 gone busy || fail "486 left pinholes open"
flows_cut 50030
probe "$PEER" 40000 "$EDGE4" 50030 after-486
expect_no_rx "$tmp/rx30" after-486
conntrack_has 50030 && fail "486: pinhole still in conntrack"

# --- more flows through one pinhole than it keeps ---
# The pinhole admits any source port of the peer's address, and six flows
# enter it. A pinhole keeps its first four flows to be cut by lookup when
# the call ends; the two beyond make the reaper walk the conntrack table.
# Without that walk they would outlive the call.
msgs many 50080
udp_listen "$EDGE" "$EDGE4" 50080 "$tmp/rx80"
to_edge "$tmp/many-invite"
to_peer "$tmp/many-183"
many_ports="40020 40021 40022 40023 40024 40025"
for sp in $many_ports; do
	probe "$PEER" "$sp" "$EDGE4" 50080 "many-$sp"
done
for sp in $many_ports; do
	expect_rx "$tmp/rx80" "many-$sp"
done
n=$(ip netns exec "$FW" conntrack -L -p udp --dport 50080 2>/dev/null |
	grep -c 'dport=50080 ')
[ "$n" = 6 ] || fail "expected 6 media flows to 50080, found $n"
to_edge "$tmp/many-cancel"
poll 3 gone many || fail "CANCEL left pinholes open"
flows_cut 50080
for sp in 40020 40025; do
	probe "$PEER" "$sp" "$EDGE4" 50080 "many-after-$sp"
	expect_no_rx "$tmp/rx80" "many-after-$sp"
done
echo "# six flows through one pinhole, all cut when the call ended"

# --- re-INVITE moves the pinhole ---
in_ns "$FW" edgepin policy set pinhole-timeout 60
msgs move 50040
to_edge "$tmp/move-invite"
to_peer "$tmp/move-200"
[ "$(pin_count '.call_id=="move" and .edge_port==50040')" = 1 ] ||
	fail "no pinhole on 50040"
udp_listen "$EDGE" "$EDGE4" 50040 "$tmp/rx40"
udp_listen "$EDGE" "$EDGE4" 50042 "$tmp/rx42"
probe "$PEER" 40000 "$EDGE4" 50040 before-move
expect_rx "$tmp/rx40" before-move
to_edge "$tmp/move-reinvite"
to_peer "$tmp/move-re200"
probe "$PEER" 40000 "$EDGE4" 50042 after-move
expect_rx "$tmp/rx42" after-move
flows_cut 50040
probe "$PEER" 40000 "$EDGE4" 50040 old-port-after-move
expect_no_rx "$tmp/rx40" old-port-after-move
in_ns "$FW" edgepin pinhole list call move | sed 's/^/# /'
[ "$(pin_count '.call_id=="move" and .edge_port==50040')" = 0 ] ||
	fail "re-INVITE left the old port 50040 pinned"
[ "$(pin_count '.call_id=="move" and .edge_port==50042')" = 1 ] ||
	fail "re-INVITE did not pin the new port 50042"
conntrack_has 50040 && fail "old port still in conntrack"

# --- the signalling flow goes away mid-call ---
# Its expectations go with it, so the pinholes close; the call lives on,
# and so does the media flow that entered, until the call ends: here by
# a BYE from another source port (a new signalling flow). Then it is cut.
msgs gone 50060
mkmsg "$tmp/gone-bye" <<T
BYE sip:b@$EDGE4 SIP/2.0
Via: SIP/2.0/UDP $PEER4:5062;branch=z9hG4bK-gone-bye
From: <sip:a@example.org>;tag=a-gone
To: <sip:b@example.com>;tag=b-gone
Call-ID: gone
CSeq: 2 BYE

T
to_edge "$tmp/gone-invite"
to_peer "$tmp/gone-200"
udp_listen "$EDGE" "$EDGE4" 50060 "$tmp/rx60"
ip netns exec "$PEER" sh -c "while :; do echo gone-rtp; sleep 0.2; done |
	socat -u - UDP4-SENDTO:$EDGE4:50060,sourceport=40010" &
at_exit kill $!
expect_rx "$tmp/rx60" gone-rtp
rtp() { grep -c gone-rtp "$tmp/rx60"; }
run ip netns exec "$FW" conntrack -D -p udp -s "$PEER4" -d "$EDGE4" \
	--sport 5060 --dport 5060 || fail "conntrack -D of the signalling flow"
poll 5 gone gone || fail "pinholes of a deleted signalling flow still listed"
[ "$(ip netns exec "$FW" edgepin -j call list |
	jq '[.[] | select(.call_id=="gone")] | length')" = 1 ] ||
	fail "the call ended with its signalling flow"
n=$(rtp)
sleep 3
[ "$(rtp)" -gt "$n" ] || fail "the live call's media was cut with its signalling flow"
run udp_send "$PEER" 5062 "$EDGE4" 5060 "$tmp/gone-bye"
poll 5 sh -c "[ \$(ip netns exec $FW edgepin -j call list |
	jq '[.[] | select(.call_id==\"gone\")] | length') = 0 ]" ||
	fail "BYE on a new signalling flow did not end the call"
sleep 2
n=$(rtp)
sleep 3
[ "$(rtp)" = "$n" ] ||
	fail "media still gets in after BYE ($(($(rtp) - n)) packets in 3 s): its flow outlived the signalling flow and the call"
echo "# media flow kept while the call lived without its signalling flow, cut at BYE"

# --- a lower pinhole-timeout applies to pinholes already open ---
# Two unused pinholes of 60 s; the timeout drops to 2 s: they close within
# seconds, not at their old deadline, and the peer gets nothing in.
in_ns "$FW" edgepin policy set pinhole-timeout 60
msgs lower 50090
to_edge "$tmp/lower-invite"
to_peer "$tmp/lower-200"
[ "$(pin_count '.call_id=="lower" and .state=="pinned"')" = 2 ] ||
	fail "lower: expected 2 pinned pinholes"
in_ns "$FW" edgepin policy set pinhole-timeout 2
poll 10 gone lower ||
	fail "pinholes opened under pinhole-timeout 60 outlived a change to 2: $(ip netns exec "$FW" edgepin -j pinhole list | jq -c '.[] | select(.call_id=="lower")')"
udp_listen "$EDGE" "$EDGE4" 50090 "$tmp/rx90"
probe "$PEER" 40000 "$EDGE4" 50090 after-lower
expect_no_rx "$tmp/rx90" after-lower

# --- call-timeout ---
to0=$(stat calls_timed_out)
in_ns "$FW" edgepin policy set call-timeout 3
poll 10 sh -c "[ \$(ip netns exec $FW edgepin -j call list | jq length) = 0 ]" ||
	fail "calls outlived call-timeout 3"
[ "$(stat calls_timed_out)" -gt "$to0" ] || fail "timeout not counted"
[ "$(pin_count)" = 0 ] || fail "pinholes outlived their calls"
exit 0
