#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The demo, inside the VM (scripts/demo.sh boots it): one real sipp call
# through a firewall running edgepin, narrated. Every step it says worked
# is checked; the first that did not ends the demo with "FAIL" and a
# non-zero exit.
set -u
cd "$(dirname "$0")/../tests/selftests" || exit 1
. ./lib.sh
. ./sipp/lib.sh

say() { printf '\n== %s\n' "$*"; }
show() {
	printf '$ %s\n' "$*"
	"$@"
}
fw() { show ip netns exec "$FW" "$@"; }
fail() {
	echo "FAIL: $*"
	exit 1
}

say "1. A firewall (fw) routes between the internet and an Edge server"
echo "peer $PEER4 and attacker $ATK4 on the internet side, edge $EDGE4 behind fw"
echo "Deploying edgepin on fw (the commands, as run):"
sipp_setup >/tmp/demo-setup.log 2>&1
sed -n 's/^# + ip netns exec [^ ]* /$ /p; s/^# + /$ /p' /tmp/demo-setup.log
# As README's deployment says: room for max-pinholes expectations, in a
# hash sized for them (scripts/demo.sh boots with
# nf_conntrack.expect_hashsize=16384).
show sysctl -w net.netfilter.nf_conntrack_expect_max=65536 || fail "sysctl"
show cat /sys/module/nf_conntrack/parameters/expect_hashsize
printf 'SEQUENTIAL\n50010;50011;50020\n' >"$tmp/relay.csv"
echo "Its guard: into the Edge's 50000-59999, only what entered a pinhole:"
ip netns exec "$FW" nft list chain inet edgepin_guard guard | sed -n '/ct status\|drop/p'

say "2. sipp in the peer calls sipp in the Edge over SIP/UDP"
sipp_uas "$EDGE" "$EDGE4" udp uas-relay.xml "$tmp/relay.csv" "$tmp/uas.log" 2>/dev/null
# The caller's sipp logs every message it sends and receives.
SIPP_ARGS=(-trace_msg -message_file "$tmp/msgs")
sipp_uac "$PEER" "$PEER4" "$EDGE4" udp uac.xml "$tmp/peer.csv" "$tmp/uac.log" 30000 1 2>/dev/null
echo "peer: sipp $EDGE4:5060 -sf uac.xml      (holds the call 30 s, then BYE)"
echo "edge: sipp -sf uas-relay.xml            (answers with ICE candidates)"
poll 30 grep -q '^SIP/2.0 200 OK' "$tmp/msgs" || fail "the call was not answered"
# The SDP of the INVITE the peer sent and of the 200 OK it received.
sdp() {
	tr -d '\r' <"$tmp/msgs" |
		awk -v m="$1" '/^----------/ { n = 0 } $0 ~ m { n = 1 } n' |
		grep -E '^(c=|m=|a=candidate)' | awk '!seen[$0]++'
}
offer=$(sdp '^INVITE ')
answer=$(sdp '^SIP/2.0 200 OK')
echo "The offer's SDP (peer -> edge):"
echo "$offer" | sed 's/^/    /'
echo "The answer's SDP (edge -> peer):"
echo "$answer" | sed 's/^/    /'
ports=$(echo "$answer" | awk '/^a=candidate/ { print $6 }' | sort -u | xargs)
peer_addr=$(echo "$offer" | awk '/^c=/ { print $3 }' | head -n 1)
[ -n "$ports" ] && [ -n "$peer_addr" ] || fail "no ports in the SDP exchanged"
rtp=$(echo "$answer" | awk '/^m=/ { print $2 }')
relay=$(echo "$answer" | awk '/typ relay/ { print $6 }')
echo "Negotiated: the Edge receives on $ports (RTP $rtp, relay candidate $relay)"
echo "from the peer's declared address $peer_addr."

say "3. edgepin pinhole list, during the call"
fw edgepin pinhole list
pinned=$(ip netns exec "$FW" edgepin -j pinhole list |
	jq -r '.[] | "\(.peer_addr) \(.edge_addr) \(.edge_port)"' | sort)
want=$(for p in $ports; do echo "$peer_addr $EDGE4 $p"; done | sort)
[ "$pinned" = "$want" ] ||
	fail "the pinholes are not exactly $peer_addr -> $EDGE4 port $ports"
echo "-> exactly the negotiated ports, from the peer's address only."

say "4. Media: the peer's stream to the relay port, the attacker's, and an un-negotiated port"
for p in "$relay" 50012; do
	udp_listen "$EDGE" "$EDGE4" "$p" "$tmp/rx$p"
done
media "$PEER" 40000 "$EDGE4" "$relay" peer 90 2>/dev/null
sender=$MEDIA_PID
media "$ATK" 40000 "$EDGE4" "$relay" attacker 4 2>/dev/null
media "$PEER" 40100 "$EDGE4" 50012 unnegotiated 4 2>/dev/null
echo "peer -> $EDGE4:$relay, attacker -> $EDGE4:$relay, peer -> $EDGE4:50012 (not negotiated)"
poll 10 sh -c "[ \$(grep -c '^peer ' $tmp/rx$relay) -ge 10 ]" ||
	fail "the peer's media did not reach the Edge's $relay"
sleep 3
atk=$(rx_count "$tmp/rx$relay" attacker)
un=$(rx_count "$tmp/rx50012" unnegotiated)
echo "the Edge received on $relay: $(rx_count "$tmp/rx$relay" peer) packets from the peer, $atk from the attacker"
echo "the Edge received on 50012: $un packets"
[ "$atk" = 0 ] || fail "the attacker's media reached the Edge"
[ "$un" = 0 ] || fail "media to an un-negotiated port reached the Edge"
echo "-> the peer gets through; the attacker and port 50012 are dropped by the guard."

say "5. edgepin audit: what is reachable in the media range right now, and why"
fw edgepin audit
rc=$?
[ $rc = 0 ] || fail "edgepin audit exited $rc (0 = nothing exposed)"
ip netns exec "$FW" edgepin -j audit |
	jq -e 'all(.findings[]; .code != "expect-hash-small")' >/dev/null ||
	fail "edgepin audit: the expectation hash is too small for expect_max"

say "6. BYE: the peer's sipp hangs up"
n=$(rx_count "$tmp/rx$relay" peer)
sipp_uac_wait "$tmp/uac.log"
[ "$(rx_count "$tmp/rx$relay" peer)" -gt "$n" ] ||
	fail "the peer's media stopped before the call ended"
echo "the call ended (sipp: 1 call, successful); up to then the peer's media kept arriving"
echo "($(rx_count "$tmp/rx$relay" peer) packets)."
grep -q '^BYE ' "$tmp/msgs" || fail "no BYE in sipp's trace"
poll 10 sh -c "[ \"\$(ip netns exec $FW edgepin -j pinhole list | jq length)\" = 0 ]" ||
	fail "pinholes left after BYE"
fw edgepin pinhole list
echo "(nothing: no pinhole left)"
n=$(rx_count "$tmp/rx$relay" peer)
sleep 4
m=$(rx_count "$tmp/rx$relay" peer)
kill -0 "$sender" 2>/dev/null || fail "the peer's sender stopped"
echo "the peer's sender is still running; the Edge received $((m - n)) more packets in 4 s"
[ "$m" = "$n" ] || fail "the peer's media still reaches the Edge after BYE"
echo "-> the media flow was cut at BYE."
echo
echo "$(ip netns exec "$FW" edgepin stats | grep -E '^ *(calls|pinholes)' | xargs)" |
	sed 's/^/edgepin stats: /'
echo
echo "Demo passed: every step above was checked."
