#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# SIP over TCP: an INVITE split over several segments, and two INVITEs
# in one segment, give the same pinholes as over UDP; ACK + BYE in one
# segment close that call's pinholes only.
. ./lib.sh
need nft conntrack python3
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
fw_ruleset || fail "ruleset"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
call_templates "$tmp"
uas_start "$EDGE" "$EDGE4" tcp "$tmp/answer" 50010

# One INVITE in three segments (cut inside the headers and the SDP).
uac "$PEER" --to "$EDGE4" --proto tcp --sport 5070 --split 40,300,500 \
	--call-prefix split- --hold 30 "$tmp/invite" >"$tmp/uac.log" 2>&1 &
at_exit kill $!
poll 10 grep -q "sent 1 calls" "$tmp/uac.log" || fail "no answer: $(cat "$tmp/uac.log")"
in_ns "$FW" conntrack -L -p tcp --dport 5060 2>/dev/null | sed 's/^/# /'
pins_to "$EDGE4" '50010|50011' | sed 's/^/# /'
n=$(pins_to "$EDGE4" '50010|50011' | grep -c "src=$PEER4 ")
[ "$n" = 2 ] || fail "split INVITE: expected 2 pinholes, got $n"

# The edge's media ports are reachable from the peer only.
udp_listen "$EDGE" "$EDGE4" 50010 "$tmp/rx"
probe "$PEER" 40000 "$EDGE4" 50010 peer-media
expect_rx "$tmp/rx" peer-media
probe "$ATK" 40000 "$EDGE4" 50010 attacker
expect_no_rx "$tmp/rx" attacker

# Two calls' INVITEs in one segment: both get their pinholes.
uac "$PEER" --to "$EDGE4" --proto tcp --sport 5071 --split 0 --calls 2 \
	--call-prefix one-segment- "$tmp/invite" >"$tmp/uac2.log" 2>&1 ||
	fail "uac: $(cat "$tmp/uac2.log")"
pins_to "$EDGE4" '5001[2-5]' | sed 's/^/# /'
n=$(pins_to "$EDGE4" '5001[2-5]' | grep -c "src=$PEER4 ")
[ "$n" = 4 ] || fail "two INVITEs in one segment: expected 4 pinholes, got $n"

# ACK and BYE of the first call in one segment: its pinholes close, the
# other call's stay.
uac "$PEER" --to "$EDGE4" --proto tcp --sport 5072 --split 0 --wait 1 \
	--call-prefix one-segment- "$tmp/ack" "$tmp/bye" \
	>"$tmp/uac3.log" 2>&1 || fail "uac: $(cat "$tmp/uac3.log")"
poll 3 sh -c "! ip netns exec $FW conntrack -L expect 2>/dev/null |
	grep -Eq 'dport=5001[23] '" || fail "BYE in a shared segment ignored"
n=$(pins_to "$EDGE4" '5001[45]' | grep -c "src=$PEER4 ")
[ "$n" = 2 ] || fail "the second call lost its pinholes ($n)"
exit 0
