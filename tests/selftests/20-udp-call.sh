#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A UDP call offered by the peer and answered by the edge with RFC ICE
# candidates: the edge's negotiated ports are pinned for the peer's
# declared address only; the peer reaches exactly those ports, the
# attacker none, and BYE closes them.
. ./lib.sh
need nft conntrack socat jq edgepin
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
fw_ruleset || fail "ruleset"

tmp=$(mktemp -d)
at_exit rm -rf "$tmp"

cat >"$tmp/hdr-invite" <<H
Via: SIP/2.0/UDP $PEER4:5060;branch=z9hG4bK-1
From: <sip:peer@example.org>;tag=peer1
To: <sip:edge@example.com>
Call-ID: call-udp-1@peer
CSeq: 1 INVITE
Contact: <sip:peer@$PEER4:5060>
Content-Type: application/sdp
H
cat >"$tmp/sdp-offer" <<S
v=0
o=- 1 1 IN IP4 $PEER4
s=-
c=IN IP4 $PEER4
t=0 0
m=audio 40000 RTP/AVP 0
a=candidate:1 1 UDP 2130706431 $PEER4 40000 typ host
a=candidate:1 2 UDP 2130706430 $PEER4 40001 typ host
S
sed -e 's/^CSeq: 1 INVITE/CSeq: 1 INVITE/' \
    -e 's/^To: .*/&;tag=edge1/' "$tmp/hdr-invite" |
	grep -v '^Contact' >"$tmp/hdr-200"
cat >"$tmp/sdp-answer" <<S
v=0
o=- 2 2 IN IP4 $EDGE4
s=-
c=IN IP4 $EDGE4
t=0 0
m=audio 50010 RTP/AVP 0
a=candidate:1 1 UDP 2130706431 $EDGE4 50010 typ host
a=candidate:1 2 UDP 2130706430 $EDGE4 50011 typ host
S
sed 's/^CSeq: 1 INVITE/CSeq: 2 BYE/; s/^To: .*/&;tag=edge1/' \
	"$tmp/hdr-invite" | grep -v '^Content-Type' >"$tmp/hdr-bye"

sip_msg "INVITE sip:edge@$EDGE4 SIP/2.0" "$tmp/hdr-invite" \
	"$tmp/sdp-offer" >"$tmp/invite"
sip_msg "SIP/2.0 200 OK" "$tmp/hdr-200" "$tmp/sdp-answer" >"$tmp/200"
sip_msg "BYE sip:edge@$EDGE4 SIP/2.0" "$tmp/hdr-bye" >"$tmp/bye"

udp_listen "$EDGE" "$EDGE4" 50010 "$tmp/rx50010"
udp_listen "$EDGE" "$EDGE4" 50011 "$tmp/rx50011"
udp_listen "$EDGE" "$EDGE4" 50020 "$tmp/rx50020"

# Before any signalling nothing gets in.
probe "$PEER" 40000 "$EDGE4" 50010 before-call
expect_no_rx "$tmp/rx50010" before-call

run udp_send "$PEER" 5060 "$EDGE4" 5060 "$tmp/invite" || fail "INVITE"
run udp_send "$EDGE" 5060 "$PEER4" 5060 "$tmp/200" || fail "200"
in_ns "$FW" conntrack -L expect 2>/dev/null | sed 's/^/# /'
n=$(ip netns exec "$FW" conntrack -L expect 2>/dev/null |
	grep -c "src=$PEER4 dst=$EDGE4 sport=0 dport=5001[01] .*edgepin")
[ "$n" = 2 ] || fail "expected 2 pinholes to $EDGE4:50010-50011, got $n"

probe "$PEER" 40000 "$EDGE4" 50010 peer-rtp
expect_rx "$tmp/rx50010" peer-rtp
probe "$PEER" 40001 "$EDGE4" 50011 peer-rtcp
expect_rx "$tmp/rx50011" peer-rtcp
probe "$PEER" 40000 "$EDGE4" 50020 peer-unnegotiated
expect_no_rx "$tmp/rx50020" peer-unnegotiated
probe "$ATK" 40000 "$EDGE4" 50010 attacker
expect_no_rx "$tmp/rx50010" attacker
# The peer's own ports (40000) are outside the range: not pinned.
ip netns exec "$FW" conntrack -L expect 2>/dev/null | grep -q "dport=4000" &&
	fail "the peer's ports outside the media range were pinned"

run udp_send "$PEER" 5060 "$EDGE4" 5060 "$tmp/bye" || fail "BYE"
poll 3 sh -c "! ip netns exec $FW conntrack -L expect 2>/dev/null |
	grep -q dport=5001" || fail "pinholes still open after BYE"
probe "$PEER" 40002 "$EDGE4" 50010 after-bye-new-flow
expect_no_rx "$tmp/rx50010" after-bye-new-flow
probe "$PEER" 40000 "$EDGE4" 50010 after-bye-old-flow
expect_no_rx "$tmp/rx50010" after-bye-old-flow

# Nothing in a clean call is a parse error: not the ICMP port unreachable
# the peer (no SIP listener here) sends back about the 200 either.
ip netns exec "$FW" edgepin -j stats | sed 's/^/# /'
[ "$(stat parse_errors)" = 0 ] ||
	fail "a clean call counted $(stat parse_errors) parse errors"
exit 0
