#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgepin ruleset install --edge drops, before conntrack, packets that
# claim an edge source on an interface that source does not route back
# out of: the attacker's forged datagram "from the Edge" reaches no peer,
# the Edge's own does, and the antispoof chain counts the drop. Without
# that chain (a hand-written guard) the same forgery gets through, and
# edgepin audit says so (edge-spoofable) until a reverse-path drop or a
# strict rp_filter covers the edge.
. ./lib.sh
need nft jq socat python3 edgepin
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
in_ns "$FW" sysctl -qw net.ipv4.conf.all.rp_filter=2 \
	net.ipv4.conf.a0.rp_filter=2 || fail "rp_filter"
gw_mac=$(ip netns exec "$FW" cat /sys/class/net/a0/address)
echo forged >"$tmp/forged"

udp_listen "$PEER" "$PEER4" 6000 "$tmp/rx4"
udp_listen "$PEER" "$PEER6" 6000 "$tmp/rx6"

# forge TAG EDGE-ADDR PEER-ADDR: the attacker's datagram "from the Edge".
forge() {
	echo "$1" >"$tmp/$1"
	in_ns "$ATK" ./spoof.py udp --iface eth0 --gw-mac "$gw_mac" \
		--src "$2" --sport 5060 --dst "$3" --dport 6000 "$tmp/$1" ||
		fail "could not forge $1"
}
audit_codes() {
	ip netns exec "$FW" edgepin -j audit | jq -c '[.findings[].code]'
}

run ip netns exec "$FW" edgepin ruleset install --edge "$EDGE4" "$EDGE6" ||
	fail "ruleset install"
ip netns exec "$FW" nft list chain inet edgepin_guard antispoof | sed 's/^/# /'
forge forged4 "$EDGE4" "$PEER4"
forge forged6 "$EDGE6" "$PEER6"
probe "$EDGE" 5060 "$PEER4" 6000 genuine4
probe "$EDGE" 5060 "$PEER6" 6000 genuine6
expect_rx "$tmp/rx4" genuine4
expect_rx "$tmp/rx6" genuine6
expect_no_rx "$tmp/rx4" forged4
expect_no_rx "$tmp/rx6" forged6
dropped=$(ip netns exec "$FW" nft -j list chain inet edgepin_guard antispoof |
	jq '[.nftables[].rule.expr[]?.counter.packets // empty] | add')
[ "$dropped" = 2 ] || fail "antispoof counted $dropped drops, not 2"
codes=$(audit_codes)
echo "# audit with ruleset install: $codes"
case $codes in *edge-spoofable*) fail "audit: edge-spoofable with antispoof" ;; esac
echo "# ruleset install: forged edge sources dropped (2), genuine ones pass"

# The hand-written guard has no reverse-path drop: the forgery passes,
# and audit reports both edges.
ip netns exec "$FW" nft flush ruleset
fw_ruleset || fail "fw_ruleset"
forge forged4b "$EDGE4" "$PEER4"
forge forged6b "$EDGE6" "$PEER6"
expect_rx "$tmp/rx4" forged4b
expect_rx "$tmp/rx6" forged6b
ip netns exec "$FW" edgepin -j audit >"$tmp/audit.json"
[ "$(jq '[.findings[] | select(.code == "edge-spoofable")] | length' \
	"$tmp/audit.json")" = 2 ] ||
	fail "audit: want edge-spoofable for both edges: $(cat "$tmp/audit.json")"
# A strict IPv4 rp_filter settles IPv4 (the kernel drops the forgery).
in_ns "$FW" sysctl -qw net.ipv4.conf.all.rp_filter=1 \
	net.ipv4.conf.a0.rp_filter=1 net.ipv4.conf.e0.rp_filter=1 \
	net.ipv4.conf.p0.rp_filter=1 net.ipv4.conf.default.rp_filter=1 ||
	fail "strict rp_filter"
ip netns exec "$FW" edgepin -j audit >"$tmp/audit.json"
jq -e --arg e "$EDGE6" '[.findings[] | select(.code == "edge-spoofable")] |
	length == 1 and (.[0].what | contains($e))' "$tmp/audit.json" \
	>/dev/null || fail "audit with strict rp_filter: $(cat "$tmp/audit.json")"
echo "# without antispoof: forgeries pass and audit reports edge-spoofable"
exit 0
