#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Nobody outside can play both sides of a call: an INVITE from the peer
# "answered" by the peer itself, or by a second outside host, with SDP
# pointing at a host and port behind the firewall opens nothing, whether
# or not edge addresses are configured.
. ./lib.sh
need nft conntrack python3 jq edgepin
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
fw_ruleset || fail "ruleset"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"

forge() { # ID: an INVITE from the peer and a 200 whose SDP points inside
	mkmsg "$tmp/$1-invite" <<T
INVITE sip:b@$EDGE4 SIP/2.0
Via: SIP/2.0/UDP $PEER4:5060;branch=z9hG4bK-$1
From: <sip:a@example.org>;tag=a-$1
To: <sip:b@example.com>
Call-ID: $1
CSeq: 1 INVITE
Content-Type: application/sdp

v=0
o=- 1 1 IN IP4 $PEER4
s=-
c=IN IP4 $PEER4
t=0 0
m=audio 40000 RTP/AVP 0
T
	mkmsg "$tmp/$1-200" <<T
SIP/2.0 200 OK
Via: SIP/2.0/UDP $PEER4:5060;branch=z9hG4bK-$1
From: <sip:a@example.org>;tag=a-$1
To: <sip:b@example.com>;tag=b-$1
Call-ID: $1
CSeq: 1 INVITE
Content-Type: application/sdp

v=0
o=- 2 2 IN IP4 $EDGE4
s=-
c=IN IP4 $EDGE4
t=0 0
m=audio 50090 RTP/AVP 0
a=candidate:1 1 UDP 2130706431 $EDGE4 50090 typ host
T
}
udp_listen "$EDGE" "$EDGE4" 50090 "$tmp/rx"

attempt() { # ID ANSWER-NS ANSWER-SPORT
	forge "$1"
	run udp_send "$PEER" 5060 "$EDGE4" 5060 "$tmp/$1-invite"
	run udp_send "$2" "$3" "$EDGE4" 5060 "$tmp/$1-200"
	[ "$(pin_count)" = 0 ] || fail "$1: a forged answer opened a pinhole"
	probe "$PEER" 40000 "$EDGE4" 50090 "$1-media"
	expect_no_rx "$tmp/rx" "$1-media"
}

# No edge addresses configured (the default).
attempt self-answer "$PEER" 5060
attempt other-host "$ATK" 5060
# Edge addresses configured.
in_ns "$FW" edgepin policy set edge "$EDGE4" || fail "policy"
attempt self-answer-edge "$PEER" 5060
attempt other-host-edge "$ATK" 5060
[ "$(stat pinholes_opened)" = 0 ] || fail "pinholes were opened"
exit 0
