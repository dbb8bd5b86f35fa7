#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The demo, inside the VM (scripts/demo.sh boots it): what a person needs
# to see, narrated. Today edgepin attaches to SIP traffic; pinholes come
# with the call tracker.
set -u
cd "$(dirname "$0")/../tests/selftests" || exit 1
. ./lib.sh

say() { printf '\n== %s\n' "$*"; }
show() {
	printf '$ %s\n' "$*"
	"$@"
}

say "A firewall (fw) routes between a SIP peer and an Edge server."
topo_up
echo "peer $PEER4 / $PEER6   edge $EDGE4 / $EDGE6   attacker $ATK4"

say "Attach the edgepin helper to SIP (UDP and TCP 5060) on the firewall"
nft_rules='table inet sipfw {
	ct helper sip-udp { type "edgepin" protocol udp; l3proto inet; }
	ct helper sip-tcp { type "edgepin" protocol tcp; l3proto inet; }
	chain forward {
		type filter hook forward priority filter; policy accept;
		udp dport 5060 ct helper set "sip-udp"
		tcp dport 5060 ct helper set "sip-tcp"
	}
}'
echo "$nft_rules" | ip netns exec "$FW" nft -f - || fail "nft"
show ip netns exec "$FW" nft list table inet sipfw
show grep nf_conntrack_edgepin /proc/modules

say "The peer sends a SIP OPTIONS to the edge over UDP and over TCP"
ip netns exec "$EDGE" socat -u UDP4-LISTEN:5060 OPEN:/dev/null &
at_exit kill $!
ip netns exec "$EDGE" socat -u TCP4-LISTEN:5060,reuseaddr OPEN:/dev/null &
at_exit kill $!
poll 5 ip netns exec "$EDGE" sh -c "ss -Hln | grep -q ':5060 '"
for p in UDP4 TCP4; do
	printf 'OPTIONS sip:edge@%s SIP/2.0\r\nCall-ID: demo@peer\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n' \
		"$EDGE4" | ip netns exec "$PEER" socat -u - "$p:$EDGE4:5060"
done

say "Conntrack on the firewall: the SIP flows carry helper=edgepin"
show ip netns exec "$FW" conntrack -L -p udp --dport 5060
show ip netns exec "$FW" conntrack -L -p tcp --dport 5060

say "Next: SDP parsing and pinholes (edgepin pinhole list) are not built yet."
