#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The demo, inside the VM (scripts/demo.sh boots it): one call through a
# firewall running edgepin, narrated.
set -u
cd "$(dirname "$0")/../tests/selftests" || exit 1
. ./lib.sh

say() { printf '\n== %s\n' "$*"; }
show() {
	printf '$ %s\n' "$*"
	"$@"
}
fw() { show ip netns exec "$FW" "$@"; }

say "A firewall (fw) routes between a SIP peer on the internet and an Edge server"
topo_up
echo "peer $PEER4   edge $EDGE4   attacker $ATK4 (also on the internet)"

say "edgepin ruleset install: attach the helper to SIP and guard the Edge's media range"
say "(only connections that entered through a pinhole, ct status expected, get in)"
modprobe nf_conntrack_edgepin
fw edgepin ruleset install --edge "$EDGE4" || fail "ruleset install"
fw nft list table inet edgepin
fw edgepin policy show

tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
call_templates "$tmp"
say "The peer calls the Edge over SIP/TCP; the Edge answers with ICE candidates on 50010/50011"
sed -n '/^m=/,$p' "$tmp/answer" | sed 's/{port}/50010/; s/{rtcp}/50011/'
uas_start "$EDGE" "$EDGE4" tcp "$tmp/answer" 50010
ip netns exec "$PEER" "$SIPUA" uac --to "$EDGE4" --proto tcp --sport 5070 \
	--call-prefix demo-call- --hold 600 "$tmp/invite" >"$tmp/uac.log" 2>&1 &
at_exit kill $!
poll 30 grep -q "sent 1 calls" "$tmp/uac.log" || fail "the call was not answered"

say "edgepin opened exactly the negotiated ports, for the peer's address only"
fw edgepin pinhole list
fw conntrack -L expect

say "The peer's media reaches the Edge; the attacker and an un-negotiated port do not"
udp_listen "$EDGE" "$EDGE4" 50010 "$tmp/rx"
udp_listen "$EDGE" "$EDGE4" 50020 "$tmp/rx20"
probe "$PEER" 40000 "$EDGE4" 50010 "RTP from the peer"
probe "$ATK" 40000 "$EDGE4" 50010 "probe from the attacker"
probe "$PEER" 40000 "$EDGE4" 50020 "peer to an un-negotiated port"
sleep 1
echo "the Edge received on 50010:"
sed 's/^/    /' "$tmp/rx"
echo "the Edge received on 50020: $(wc -l <"$tmp/rx20") datagrams"
fw edgepin pinhole list

say "edgepin audit: what is reachable in the media range right now, and why"
fw edgepin audit

say "BYE: the pinholes close and the media flow is cut"
ip netns exec "$PEER" "$SIPUA" uac --to "$EDGE4" --proto tcp --sport 5071 \
	--call-prefix demo-call- "$tmp/bye" >/dev/null
poll 5 sh -c "[ -z \"\$(ip netns exec $FW edgepin pinhole list)\" ]"
fw edgepin pinhole list
probe "$PEER" 40000 "$EDGE4" 50010 "RTP after BYE"
sleep 1
grep -q "after BYE" "$tmp/rx" && echo "RTP after BYE got in (unexpected!)" ||
	echo "RTP after BYE was dropped"
fw edgepin stats
