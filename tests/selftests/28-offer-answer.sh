#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Offer/answer beyond INVITE/200: a late offer (SDP in the 200, answer in
# the ACK); forking (two early dialogs answer with their own ports; the
# 200 of one closes the other's pinholes); an offer in a reliable 183
# answered in PRACK, then moved by UPDATE.
. ./lib.sh
need nft conntrack python3 jq edgepin
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
fw_ruleset || fail "ruleset"
in_ns "$FW" edgepin policy set edge "$EDGE4" || fail "policy"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"

sdp() { # ADDR PORT
	printf 'v=0\no=- 1 1 IN IP4 %s\ns=-\nc=IN IP4 %s\nt=0 0\n' "$1" "$1"
	printf 'm=audio %s RTP/AVP 0\na=rtcp-mux\n' "$2"
	printf 'a=candidate:1 1 UDP 2130706431 %s %s typ host\n' "$1" "$2"
}
# msg FILE FIRST-LINE CALL-ID CSEQ TO-TAG [SDP-ADDR SDP-PORT]
msg() {
	local f=$1 first=$2 id=$3 cseq=$4 totag=${5:+;tag=$5}
	{
		echo "$first"
		echo "Via: SIP/2.0/UDP $PEER4:5060;branch=z9hG4bK-$id-${cseq// /}"
		echo "From: <sip:a@example.org>;tag=a-$id"
		echo "To: <sip:b@example.com>$totag"
		echo "Call-ID: $id"
		echo "CSeq: $cseq"
		[ -n "${6:-}" ] && echo "Content-Type: application/sdp"
		echo
		[ -n "${6:-}" ] && sdp "$6" "$7"
	} | mkmsg "$f"
}
ports_of() { # CALL-ID: its pinned edge ports, sorted
	ip netns exec "$FW" edgepin -j pinhole list |
		jq -r "[.[] | select(.call_id==\"$1\") | .edge_port] | sort | join(\" \")"
}
INV="INVITE sip:b@$EDGE4 SIP/2.0"

# --- late offer ---
msg "$tmp/l1" "$INV" late "1 INVITE" ""
msg "$tmp/l2" "SIP/2.0 200 OK" late "1 INVITE" b1 "$EDGE4" 50010
msg "$tmp/l3" "ACK sip:b@$EDGE4 SIP/2.0" late "1 ACK" b1 "$PEER4" 40000
to_edge "$tmp/l1"
to_peer "$tmp/l2"
[ -z "$(ports_of late)" ] || fail "late offer: pinned before the answer"
to_edge "$tmp/l3"
[ "$(ports_of late)" = 50010 ] || fail "late offer: pinned '$(ports_of late)', not 50010"

# --- forking: two early dialogs, then one answers ---
msg "$tmp/f1" "$INV" fork "1 INVITE" "" "$PEER4" 40000
msg "$tmp/f2" "SIP/2.0 183 Session Progress" fork "1 INVITE" b1 "$EDGE4" 50020
msg "$tmp/f3" "SIP/2.0 183 Session Progress" fork "1 INVITE" b2 "$EDGE4" 50022
msg "$tmp/f4" "SIP/2.0 200 OK" fork "1 INVITE" b2 "$EDGE4" 50022
to_edge "$tmp/f1"
to_peer "$tmp/f2"
to_peer "$tmp/f3"
[ "$(ports_of fork)" = "50020 50022" ] ||
	fail "forking: early dialogs pinned '$(ports_of fork)'"
to_peer "$tmp/f4"
[ "$(ports_of fork)" = 50022 ] ||
	fail "forking: after the 200 of b2, pinned '$(ports_of fork)'"
udp_listen "$EDGE" "$EDGE4" 50020 "$tmp/rx20"
probe "$PEER" 40000 "$EDGE4" 50020 losing-dialog
expect_no_rx "$tmp/rx20" losing-dialog

# --- offer in a reliable 183, answer in PRACK, moved by UPDATE ---
msg "$tmp/p1" "$INV" prack "1 INVITE" ""
msg "$tmp/p2" "SIP/2.0 183 Session Progress" prack "1 INVITE" b1 "$EDGE4" 50030
msg "$tmp/p3" "PRACK sip:b@$EDGE4 SIP/2.0" prack "2 PRACK" b1 "$PEER4" 40000
msg "$tmp/p4" "UPDATE sip:b@$EDGE4 SIP/2.0" prack "3 UPDATE" b1 "$PEER4" 40002
msg "$tmp/p5" "SIP/2.0 200 OK" prack "3 UPDATE" b1 "$EDGE4" 50032
to_edge "$tmp/p1"
to_peer "$tmp/p2"
to_edge "$tmp/p3"
[ "$(ports_of prack)" = 50030 ] || fail "PRACK answer: pinned '$(ports_of prack)'"
to_edge "$tmp/p4"
to_peer "$tmp/p5"
[ "$(ports_of prack)" = 50032 ] || fail "UPDATE: pinned '$(ports_of prack)', not 50032"
exit 0
