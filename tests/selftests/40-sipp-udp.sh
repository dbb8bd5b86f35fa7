#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Real SIP software over UDP through a firewall deployed with `edgepin
# ruleset install --edge`: a sipp caller in the peer and a sipp callee in
# the edge (and the reverse: the edge calls, the peer answers, the edge
# hangs up), SDP with RFC ICE candidates. During the call the peer's media
# stream reaches the negotiated edge port, the attacker's and an
# un-negotiated port's do not; after BYE the stream is cut.
. ./lib.sh
. ./sipp/lib.sh
need sipp nft conntrack socat jq edgepin python3
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
run ip netns exec "$FW" edgepin ruleset install --edge "$EDGE4" ||
	fail "ruleset install"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
ports_csv "$tmp/edge.csv" 50010 1
ports_csv "$tmp/peer.csv" 40000 1

# one_call DIR CALLER CALLER_ADDR CALLEE CALLEE_ADDR CALLER_CSV CALLEE_CSV
one_call() {
	local d=$tmp/$1 peer_media
	mkdir "$d"
	sipp_uas "$4" "$5" udp uas.xml "$tmp/$7" "$d/uas.log"
	sipp_uac "$2" "$3" "$5" udp uac.xml "$tmp/$6" "$d/uac.log" 20000 1
	poll 30 sh -c "[ \$(ip netns exec $FW conntrack -L expect 2>/dev/null |
		grep -c 'src=$PEER4 dst=$EDGE4 sport=0 dport=5001[01] .*helper=edgepin') = 2 ]" ||
		fail "$1: no pinholes to $EDGE4:50010-50011 from $PEER4"
	in_ns "$FW" edgepin pinhole list | sed 's/^/# /'
	[ "$(pin_count)" = 2 ] || fail "$1: $(pin_count) pinholes, want 2"
	# The peer's media (until after the call), an attacker's
	# and an un-negotiated port's.
	media "$PEER" 40000 "$EDGE4" 50010 "$1-media" 60
	peer_media=$MEDIA_PID
	media "$ATK" 40000 "$EDGE4" 50010 "$1-attacker" 5
	media "$PEER" 40002 "$EDGE4" 50012 "$1-unnegotiated" 5
	poll 10 sh -c "[ \$(grep -c '^$1-media ' $tmp/rx50010) -ge 5 ]" ||
		fail "$1: the peer's media did not reach the edge"
	sleep 3
	[ "$(rx_count "$tmp/rx50010" "$1-attacker")" = 0 ] ||
		fail "$1: the attacker's media reached the edge"
	[ "$(rx_count "$tmp/rx50012" "$1-unnegotiated")" = 0 ] ||
		fail "$1: media to an un-negotiated port reached the edge"
	echo "# $1: $(rx_count "$tmp/rx50010" "$1-media") media packets in during the call, none from the attacker or to 50012"
	sipp_uac_wait "$d/uac.log"
	poll 10 no_pins_to "$EDGE4" || fail "$1: pinholes left after BYE"
	sleep 1
	local n=$(rx_count "$tmp/rx50010" "$1-media")
	sleep 3
	[ "$(rx_count "$tmp/rx50010" "$1-media")" = "$n" ] ||
		fail "$1: media still reaching the edge after BYE"
	probe "$PEER" 40004 "$EDGE4" 50010 "$1-newflow-after-bye"
	expect_no_rx "$tmp/rx50010" "$1-newflow-after-bye"
	echo "# $1: after BYE no pinhole, the stream is cut (stays at $n)"
	kill "$peer_media" "$SIPP_UAS_PID"
	wait "$peer_media" "$SIPP_UAS_PID" 2>/dev/null
	return 0
}

udp_listen "$EDGE" "$EDGE4" 50010 "$tmp/rx50010"
udp_listen "$EDGE" "$EDGE4" 50012 "$tmp/rx50012"

one_call peer-calls "$PEER" "$PEER4" "$EDGE" "$EDGE4" peer.csv edge.csv
# The edge calls, the peer answers; the edge hangs up.
one_call edge-calls "$EDGE" "$EDGE4" "$PEER" "$PEER4" edge.csv peer.csv
exit 0
