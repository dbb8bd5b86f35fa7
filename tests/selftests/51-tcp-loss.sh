#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# SIP over TCP that the firewall sees with loss, reordering and
# duplicates, as it comes from the internet: the peer's INVITE in four
# segments, (1) with its second segment dropped once ahead of the
# firewall's conntrack (an nft chain at priority raw) and retransmitted
# by the peer's TCP, (2) reordered and (3) duplicated by netem on the
# peer's link. Each time the INVITE is parsed once the gap fills: its
# pinholes open, the peer's media gets in, the attacker's does not.
. ./lib.sh
need nft conntrack python3 tc
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
run modprobe sch_netem || skip "no sch_netem"
fw_ruleset || fail "ruleset"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
# The first python of a boot reads its modules cold over 9p (~9 s
# under TCG): read them once before the agents' readiness is timed.
/usr/bin/python3 -c 'import argparse, re, selectors, socket, threading'
call_templates "$tmp"
uas_start "$EDGE" "$EDGE4" tcp "$tmp/answer" 50010

# call NAME SPORT: the peer's INVITE in four segments (cut inside the
# headers and the SDP), the connection then held open.
call() {
	uac "$PEER" --to "$EDGE4" --proto tcp --sport "$2" --split 40,300,500 \
		--call-prefix "$1-" --hold 30 "$tmp/invite" >"$tmp/$1.log" 2>&1 &
	at_exit kill $!
	poll 20 grep -q "sent 1 calls" "$tmp/$1.log" ||
		fail "$1: no answer: $(cat "$tmp/$1.log")"
}

# pinned NAME PORT: the edge's PORT and PORT+1 are pinned for the peer.
pinned() {
	local n
	pins_to "$EDGE4" "$2|$(($2 + 1))" | sed 's/^/# /'
	n=$(pins_to "$EDGE4" "$2|$(($2 + 1))" | grep -c "src=$PEER4 ")
	[ "$n" = 2 ] || fail "$1: expected 2 pinholes, got $n"
}

# media NAME PORT: the peer's media reaches the edge's PORT, the
# attacker's does not.
media() {
	udp_listen "$EDGE" "$EDGE4" "$2" "$tmp/rx$2"
	probe "$PEER" 40000 "$EDGE4" "$2" "peer-$1"
	expect_rx "$tmp/rx$2" "peer-$1"
	probe "$ATK" 40000 "$EDGE4" "$2" "attacker-$1"
	expect_no_rx "$tmp/rx$2" "attacker-$1"
}

# (1) Loss: the peer's second data segment to the SIP port is dropped
# before conntrack sees it, once (numgen counts the peer's data packets;
# SYN, FIN, RST and bare ACKs, 60 bytes or less, are not counted).
in_ns "$FW" nft -f - <<NFT || fail "nft: lossy"
table inet lossy {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		ip saddr $PEER4 tcp dport 5060 tcp flags & (syn | fin | rst) == 0 \
			ip length > 60 numgen inc mod 1000000 == 1 counter drop
	}
}
NFT
call loss 5070
dropped=$(ip netns exec "$FW" nft list table inet lossy |
	sed -n 's/.*counter packets \([0-9]*\) .*/\1/p')
[ "$dropped" = 1 ] || fail "loss: $dropped segments dropped, not 1"
echo "# loss: 1 segment dropped ahead of conntrack, retransmitted by the peer"
pinned loss 50010
media loss 50010
run ip netns exec "$FW" nft delete table inet lossy

# (2) Reordering: every third packet of the peer overtakes the two
# before it, which wait 300 ms; the segments are sent 50 ms apart. The
# reordering is netem's, timed on a guest that may stall: a call the
# firewall happened to see in order proves nothing about reordering
# (it must still be pinned) and the call is placed again, up to three
# times; netem's count of packets it moved ahead is shown each time.
port=50012 held=0
for try in 1 2 3; do
	ooo=$(stat tcp_out_of_order)
	run ip netns exec "$PEER" tc qdisc add dev eth0 root netem \
		delay 300ms reorder 100% gap 3 || fail "tc netem reorder"
	call "reorder$try" $((5070 + try))
	ip netns exec "$PEER" tc -s qdisc show dev eth0 |
		grep -o "requeues [0-9]*" | head -1 | sed "s/^/# netem: /"
	run ip netns exec "$PEER" tc qdisc del dev eth0 root
	held=$(($(stat tcp_out_of_order) - ooo))
	echo "# reorder, try $try: the firewall held $held segments out of order"
	pinned "reorder$try" $port
	[ "$held" -gt 0 ] && break
	port=$((port + 2))
done
[ "$held" -gt 0 ] ||
	fail "reorder: the firewall saw no segment out of order in 3 calls"
media reorder $port
port=$((port + 2))

# (3) Duplicates: every packet of the peer twice.
run ip netns exec "$PEER" tc qdisc add dev eth0 root netem duplicate 100% ||
	fail "tc netem duplicate"
call duplicate 5074
run ip netns exec "$PEER" tc qdisc del dev eth0 root
pinned duplicate $port
exit 0
