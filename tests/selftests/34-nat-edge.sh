#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A NAT-ed A/V Edge, as Microsoft supports it: the Edge has a private
# address (10.0.0.2) and advertises its public one (203.0.113.2) in SDP;
# the firewall DNATs public -> private for SIP and the media range and
# SNATs the Edge's own traffic. "edge" names the public address only.
# A call from the peer gets pinholes on the public address; its media
# enters through them and the DNAT takes it to the Edge; the attacker
# reaches neither the pinned port nor any other port of the range; with
# the guard removed the DNAT lets him in, so the guard is what closes it.
. ./lib.sh
need nft jq edgepin python3 socat
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
PRIV=10.0.0.2

# The Edge moves to its private address; the firewall routes to it.
run ip -n "$EDGE" addr del "$EDGE4/24" dev eth0 || fail "edge address"
run ip -n "$EDGE" addr add "$PRIV/24" dev eth0 || fail "private address"
run ip -n "$EDGE" route add default via 10.0.0.1 || fail "edge route"
run ip -n "$FW" addr add 10.0.0.1/24 dev e0 || fail "firewall address"
in_ns "$FW" nft -f - <<NFT || fail "NAT ruleset"
table ip nat {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr $EDGE4 udp dport { 5060, 50000-59999 } dnat to $PRIV
		ip daddr $EDGE4 tcp dport { 5060, 50000-59999 } dnat to $PRIV
	}
	chain post {
		type nat hook postrouting priority srcnat; policy accept;
		ip saddr $PRIV snat to $EDGE4
	}
}
NFT
in_ns "$FW" edgepin ruleset install --edge "$EDGE4" || fail "ruleset install"

# The Edge's answer carries its public address (call_templates: $EDGE4).
call_templates "$tmp"
uas_start "$EDGE" "$PRIV" udp "$tmp/answer" 50010
udp_listen "$EDGE" "$PRIV" 50010 "$tmp/rx50010"
udp_listen "$EDGE" "$PRIV" 50020 "$tmp/rx50020"

probe "$ATK" 40000 "$EDGE4" 50020 atk-before
expect_no_rx "$tmp/rx50020" atk-before

uac "$PEER" --to "$EDGE4" --proto udp --sport 5070 --call-prefix nat- \
	"$tmp/invite" >"$tmp/uac.log" 2>&1 ||
	fail "the Edge's answer did not come back through the NAT: $(cat "$tmp/uac.log")"
ip netns exec "$FW" edgepin pinhole list | sed 's/^/# /'
pins_become 2 ".call_id == \"nat-0\" and .edge_addr == \"$EDGE4\" and
	.peer_addr == \"$PEER4\"" ||
	fail "no pinholes on the public address for the peer"
probe "$PEER" 40000 "$EDGE4" 50010 peer-media
expect_rx "$tmp/rx50010" peer-media
ip netns exec "$FW" conntrack -L -p udp --orig-port-dst 50010 2>/dev/null |
	sed 's/^/# /'
ip netns exec "$FW" conntrack -L -p udp --orig-port-dst 50010 2>/dev/null |
	grep -q "src=$PRIV dst=$PEER4 " ||
	fail "the peer's media flow was not DNATed to $PRIV"
probe "$ATK" 40000 "$EDGE4" 50010 atk-pinned
expect_no_rx "$tmp/rx50010" atk-pinned
probe "$ATK" 40002 "$EDGE4" 50020 atk-range
expect_no_rx "$tmp/rx50020" atk-range
echo "# NAT-ed Edge: the peer's media through the public pinhole, DNATed; the attacker refused"

# The guard is the drop: without it the DNAT lets the attacker in.
run ip netns exec "$FW" edgepin ruleset remove || fail "ruleset remove"
probe "$ATK" 40004 "$EDGE4" 50020 atk-unguarded
expect_rx "$tmp/rx50020" atk-unguarded
echo "# without the guard the attacker reaches the Edge through the DNAT"
exit 0
