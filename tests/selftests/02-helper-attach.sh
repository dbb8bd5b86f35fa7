#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# An nftables ct helper object of type "edgepin" for UDP and for TCP,
# IPv4 and IPv6, attaches to SIP traffic crossing the firewall: the SIP
# message reaches the edge and conntrack in the firewall shows
# helper=edgepin on the SIP flow, and no helper on non-SIP traffic.
. ./lib.sh
need nft conntrack socat
topo_up

in_ns "$FW" nft -f - <<'NFT' || fail "cannot load the firewall ruleset"
table inet sipfw {
	ct helper sip-udp { type "edgepin" protocol udp; l3proto inet; }
	ct helper sip-tcp { type "edgepin" protocol tcp; l3proto inet; }
	chain forward {
		type filter hook forward priority filter; policy accept;
		udp dport 5060 ct helper set "sip-udp"
		tcp dport 5060 ct helper set "sip-tcp"
	}
}
NFT

msg() {
	printf 'OPTIONS sip:edge@%s SIP/2.0\r\n' "$1"
	printf 'Via: SIP/2.0/%s peer;branch=z9hG4bK-%s\r\n' "$2" "$RANDOM"
	printf 'Call-ID: attach-%s@peer\r\nCSeq: 1 OPTIONS\r\n' "$RANDOM"
	printf 'From: <sip:peer@peer>;tag=1\r\nTo: <sip:edge@edge>\r\n'
	printf 'Content-Length: 0\r\n\r\n'
}

tmp=$(mktemp -d)
at_exit rm -rf "$tmp"

# check FAMILY PROTO EDGEADDR SOCATADDR-FAMILY
check() {
	local fam=$1 proto=$2 dst=$3 sfam=$4 got=$tmp/$fam-$proto
	local bracket=$dst
	[ "$fam" = ipv6 ] && bracket="[$dst]"
	local P=${proto^^}

	ip netns exec "$EDGE" socat -u \
		"$P$sfam-LISTEN:5060,reuseaddr" "OPEN:$got,creat" &
	at_exit kill $!
	poll 5 ip netns exec "$EDGE" sh -c "ss -Hln -A $proto | grep -q ':5060 '" ||
		fail "edge $proto listener did not start"

	msg "$dst" "$P" | in_ns "$PEER" socat -u - "$P$sfam:$bracket:5060" ||
		fail "peer could not send SIP over $proto/$fam"
	poll 5 grep -q '^OPTIONS sip:' "$got" ||
		fail "SIP over $proto/$fam did not reach the edge"

	in_ns "$FW" conntrack -L -f "$fam" -p "$proto" --dport 5060 \
		>"$tmp/ct" 2>/dev/null
	sed 's/^/# /' "$tmp/ct"
	grep -q "helper=edgepin" "$tmp/ct" ||
		fail "no helper=edgepin on the $proto/$fam SIP flow"
	echo "# $proto/$fam: helper=edgepin attached"
}

check ipv4 udp "$EDGE4" 4
check ipv4 tcp "$EDGE4" 4
check ipv6 udp "$EDGE6" 6
check ipv6 tcp "$EDGE6" 6

# Not SIP: the helper must not be attached to other flows.
ip netns exec "$EDGE" socat -u UDP4-LISTEN:5070,reuseaddr OPEN:/dev/null &
at_exit kill $!
echo x | in_ns "$PEER" socat -u - "UDP4:$EDGE4:5070"
poll 5 sh -c "ip netns exec $FW conntrack -L -p udp --dport 5070 2>/dev/null |
	grep -q dport=5070" || fail "no conntrack entry for udp/5070"
in_ns "$FW" conntrack -L -p udp --dport 5070 2>/dev/null |
	grep -q helper= && fail "helper attached to non-SIP udp/5070"
exit 0
