#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Offer/answer beyond INVITE/200: a late offer (SDP in the 200, answer in
# the ACK), whose 200 and ACK retransmitted change nothing; an INVITE and
# its 200 retransmitted leave no offer pending; forking (two early dialogs
# answer with their own ports; the 200 of one closes the other's
# pinholes); two forks answering with the same SDP share one expectation,
# the winner's, which outlives the loser's dialog (whose late 200 pins
# nothing); early media through the first fork's pinhole is cut at the
# BYE of the second, which took its expectation over; an offer in a
# reliable 183 answered in PRACK, then moved by UPDATE.
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
# (with BY=callee: a request of the callee's, or its response, whose
# From is the callee, tagged TO-TAG)
msg() {
	local f=$1 first=$2 id=$3 cseq=$4 totag=${5:+;tag=$5}
	local from="<sip:a@example.org>;tag=a-$id" to="<sip:b@example.com>$totag"
	[ "${BY:-}" = callee ] &&
		from="<sip:b@example.com>$totag" to="<sip:a@example.org>;tag=a-$id"
	{
		echo "$first"
		echo "Via: SIP/2.0/UDP $PEER4:5060;branch=z9hG4bK-$id-${cseq// /}"
		echo "From: $from"
		echo "To: $to"
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
# media_in CALL-ID PORT TAG [SPORT]: the call's one pinhole is on PORT
# and the peer's media (from SPORT, 40000) gets in through it.
media_in() {
	[ "$(ports_of "$1")" = "$2" ] ||
		fail "$1 ($3): pinned '$(ports_of "$1")', not $2"
	if [ ! -e "$tmp/listening$2" ]; then
		udp_listen "$EDGE" "$EDGE4" "$2" "$tmp/rx$2"
		touch "$tmp/listening$2"
	fi
	probe "$PEER" "${4:-40000}" "$EDGE4" "$2" "$1-$3"
	expect_rx "$tmp/rx$2" "$1-$3"
}
# unchanged CALL-ID PORT: after retransmissions, that pinhole is still
# the same one (active, one flow) and media still gets in.
unchanged() {
	pins_become 1 ".call_id==\"$1\" and .state==\"active\" and .flows==1" &&
		pins_become 1 ".call_id==\"$1\"" ||
		fail "$1: pinhole after retransmissions: $(ip netns exec "$FW" edgepin -j pinhole list)"
	media_in "$1" "$2" after-retransmissions
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
media_in late 50010 answered
# The 200 retransmitted after the ACK (same CSeq, same SDP), with the ACK
# the caller sends again for it, then once more alone (that ACK lost),
# changes nothing: the pinhole stays as it is (active, its flow in) and
# no offer is left pending...
to_peer "$tmp/l2"
to_edge "$tmp/l3"
to_peer "$tmp/l2"
unchanged late 50010
# ... so the caller's re-INVITE is an offer, its 200 the answer.
msg "$tmp/l4" "$INV" late "2 INVITE" b1 "$PEER4" 40002
msg "$tmp/l5" "SIP/2.0 200 OK" late "2 INVITE" b1 "$EDGE4" 50012
msg "$tmp/l6" "ACK sip:b@$EDGE4 SIP/2.0" late "2 ACK" b1
to_edge "$tmp/l4"
to_peer "$tmp/l5"
to_edge "$tmp/l6"
[ "$(ports_of late)" = 50012 ] ||
	fail "late offer: re-INVITE after the retransmission pinned '$(ports_of late)', not 50012"

# --- the INVITE's offer retransmitted after its 200: no offer pending ---
msg "$tmp/r1" "$INV" rtx "1 INVITE" "" "$PEER4" 40000
msg "$tmp/r2" "SIP/2.0 200 OK" rtx "1 INVITE" b1 "$EDGE4" 50040
msg "$tmp/r3" "ACK sip:b@$EDGE4 SIP/2.0" rtx "1 ACK" b1
to_edge "$tmp/r1"
to_peer "$tmp/r2"
to_edge "$tmp/r3"
media_in rtx 50040 answered
to_edge "$tmp/r1"
to_peer "$tmp/r2"
unchanged rtx 50040
# A last INVITE retransmission, then the edge's UPDATE: an offer (not an
# answer to the retransmitted INVITE), answered by the peer's 200 from
# another address, which is what the pinhole must then admit.
to_edge "$tmp/r1"
PEER4B=198.51.100.3
BY=callee msg "$tmp/r4" "UPDATE sip:a@$PEER4 SIP/2.0" rtx "1 UPDATE" b1 \
	"$EDGE4" 50042
BY=callee msg "$tmp/r5" "SIP/2.0 200 OK" rtx "1 UPDATE" b1 "$PEER4B" 40000
to_peer "$tmp/r4"
to_edge "$tmp/r5"
pins_of() { # CALL-ID: "edge_port peer_addr" of its pinholes
	ip netns exec "$FW" edgepin -j pinhole list | jq -r \
		"[.[] | select(.call_id==\"$1\") | \"\(.edge_port) \(.peer_addr)\"] | sort | join(\",\")"
}
[ "$(pins_of rtx)" = "50042 $PEER4B" ] ||
	fail "UPDATE after the INVITE retransmission: pinned '$(pins_of rtx)', not '50042 $PEER4B'"

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

# --- forks answering with the same SDP: one expectation, two dialogs ---
# Their pinholes have the same key on the same master: both dialogs use
# one expectation, which lives as long as one of them does.
msg "$tmp/g1" "$INV" twins "1 INVITE" "" "$PEER4" 40000
msg "$tmp/g2" "SIP/2.0 183 Session Progress" twins "1 INVITE" b1 "$EDGE4" 50050
msg "$tmp/g3" "SIP/2.0 183 Session Progress" twins "1 INVITE" b2 "$EDGE4" 50050
msg "$tmp/g4" "SIP/2.0 200 OK" twins "1 INVITE" b1 "$EDGE4" 50050
msg "$tmp/g5" "ACK sip:b@$EDGE4 SIP/2.0" twins "1 ACK" b1
msg "$tmp/g6" "SIP/2.0 200 OK" twins "1 INVITE" b2 "$EDGE4" 50050
msg "$tmp/g7" "BYE sip:b@$EDGE4 SIP/2.0" twins "2 BYE" b2
to_edge "$tmp/g1"
to_peer "$tmp/g2"
to_peer "$tmp/g3"
[ "$(ports_of twins)" = "50050 50050" ] ||
	fail "twin forks: early dialogs pinned '$(ports_of twins)'"
n=$(pins_to "$EDGE4" 50050 | wc -l)
[ "$n" = 1 ] || fail "twin forks: $n expectations to 50050, not 1"
# The first fork wins: the second's dialog closes, the pinhole stays.
to_peer "$tmp/g4"
to_edge "$tmp/g5"
media_in twins 50050 winner
# The other fork's 200 comes late: after confirmation it opens nothing
# (F9). The caller ends that dialog with BYE: the winner's pinhole stays,
# its flow is not cut, new flows get in.
to_peer "$tmp/g6"
[ "$(ports_of twins)" = 50050 ] ||
	fail "twin forks: late 200 of the loser pinned '$(ports_of twins)'"
to_edge "$tmp/g7"
media_in twins 50050 old-flow-after-loser-bye
media_in twins 50050 new-flow-after-loser-bye 40002
n=$(pins_to "$EDGE4" 50050 | wc -l)
[ "$n" = 1 ] || fail "twin forks: $n expectations to 50050 after the BYE, not 1"

# --- early media through one fork's pinhole, the other fork wins ---
# The flow enters while only the first fork has the pinhole; the second
# fork's 200, with the same SDP, shares its expectation and closes the
# first's dialog. The flow belongs to the call: its BYE must cut it, though
# the pinhole that let it in closed long before.
msg "$tmp/h1" "$INV" handover "1 INVITE" "" "$PEER4" 40000
msg "$tmp/h2" "SIP/2.0 183 Session Progress" handover "1 INVITE" b1 "$EDGE4" 50060
msg "$tmp/h3" "SIP/2.0 200 OK" handover "1 INVITE" b2 "$EDGE4" 50060
msg "$tmp/h4" "ACK sip:b@$EDGE4 SIP/2.0" handover "1 ACK" b2
msg "$tmp/h5" "BYE sip:b@$EDGE4 SIP/2.0" handover "2 BYE" b2
to_edge "$tmp/h1"
to_peer "$tmp/h2"
media_in handover 50060 early-media-first-fork
pins_become 1 '.call_id=="handover" and .state=="active"' ||
	fail "handover: the first fork's pinhole did not become active"
to_peer "$tmp/h3"
to_edge "$tmp/h4"
media_in handover 50060 second-fork-won
to_edge "$tmp/h5"
poll 5 sh -c "! ip netns exec $FW conntrack -L -p udp --dport 50060 \
	2>/dev/null | grep -q 'dport=50060 '" ||
	fail "handover: the early media flow outlived the call"
probe "$PEER" 40000 "$EDGE4" 50060 after-bye
expect_no_rx "$tmp/rx50060" after-bye
echo "# early media through the losing fork's pinhole, cut at the winner's BYE"

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
