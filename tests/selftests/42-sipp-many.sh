#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 50 calls at a time through one sipp run (UDP, then TCP: all 50 calls on
# one TCP connection), peer calling edge through `edgepin ruleset install
# --edge`: each call's answer gives the edge's RTP/RTCP ports, so 100
# pinholes are open while the calls last; the peer's media reaches the
# first, a middle and the last call's port, the attacker's does not; when
# the run has hung up every call, no pinhole is left and nothing gets in.
. ./lib.sh
. ./sipp/lib.sh
sipp_setup
ports_csv "$tmp/edge.csv" 50010 50
ports_csv "$tmp/peer.csv" 40000 50
# RTP ports of call 1, 25 and 50.
check_ports="50010 50058 50108"
for p in $check_ports; do
	udp_listen "$EDGE" "$EDGE4" "$p" "$tmp/rx$p"
done

# many TRANSPORT
many() {
	local d=$tmp/$1 p
	mkdir "$d"
	sipp_uas "$EDGE" "$EDGE4" "$1" uas.xml "$tmp/edge.csv" "$d/uas.log"
	sipp_uac "$PEER" "$PEER4" "$EDGE4" "$1" uac.xml "$tmp/peer.csv" \
		"$d/uac.log" 40000 50
	poll 60 sh -c "[ \$(ip netns exec $FW conntrack -L expect 2>/dev/null |
		grep -c 'src=$PEER4 dst=$EDGE4 sport=0 .*helper=edgepin') = 100 ]" ||
		fail "$1: not 100 pinholes (have $(pin_count))"
	[ "$(pin_count)" = 100 ] || fail "$1: $(pin_count) pinholes listed, want 100"
	[ "$(ip netns exec "$FW" edgepin -j call list | jq length)" = 50 ] ||
		fail "$1: not 50 calls tracked"
	echo "# $1: 50 calls, 100 pinholes from $PEER4 to $EDGE4"
	for p in $check_ports; do
		probe "$PEER" 40000 "$EDGE4" "$p" "$1-peer-$p"
		probe "$ATK" 40000 "$EDGE4" "$p" "$1-atk-$p"
	done
	for p in $check_ports; do
		expect_rx "$tmp/rx$p" "$1-peer-$p"
	done
	for p in $check_ports; do
		expect_no_rx "$tmp/rx$p" "$1-atk-$p"
	done
	echo "# $1: the peer's media in on $check_ports, the attacker's not"
	sipp_uac_wait "$d/uac.log"
	poll 20 no_pins_to "$EDGE4" || fail "$1: $(pin_count) pinholes left after BYE"
	for p in $check_ports; do
		probe "$PEER" 40000 "$EDGE4" "$p" "$1-after-bye-$p"
	done
	for p in $check_ports; do
		expect_no_rx "$tmp/rx$p" "$1-after-bye-$p"
	done
	echo "# $1: all calls hung up, no pinhole left, nothing gets in"
	kill "$SIPP_UAS_PID"
	wait "$SIPP_UAS_PID" 2>/dev/null
	return 0
}

many udp
many tcp
exit 0
