#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TURN pinholes learned from a real TURN server: coturn on the Edge
# (3478, UDP and TCP), the client inside (10.10.0.2, behind the
# firewall), helper edgepin-turn on 3478. A permission that coturn
# confirmed (CreatePermission, ChannelBind success) opens "permitted peer,
# any port -> relay address:port, UDP": the peer's first packet, before
# anything left the relay towards it, reaches the client through coturn;
# the attacker's packets to the same relay port are dropped at the
# firewall; a relay without a permission stays closed to the peer; the
# pinhole shows in `edgepin -j pinhole list` (origin turn, the client,
# the relay, lifetimes). Refresh with lifetime 0 ends the allocation: its
# pinholes go and the peer's established flow is cut. The same over a
# TCP control connection, and for coturn's own client (turnutils_uclient,
# echoed by turnutils_peer). Each check goes on after a failure, so a
# kernel without the helper (or a sabotaged one) shows every missing
# piece in one run.
. ./lib.sh
need nft conntrack socat jq edgepin python3 turnserver turnutils_uclient \
	turnutils_peer
turn_setup

if ! turn_ruleset; then
	check_fail "helper $TURN_HELPER cannot be attached; going on with the guard alone"
	turn_ruleset nohelper || fail "guard ruleset"
fi
coturn_start "$tmp"

# from_peer ADDR SPORT PORT TAG: the peer sends TAG from ADDR:SPORT to the
# edge's PORT.
from_peer() {
	echo "$4" | ip netns exec "$PEER" socat -u - \
		"UDP4-SENDTO:$EDGE4:$3,bind=$1:$2,reuseaddr"
}
# pin_is FILTER: exactly one TURN pinhole matches FILTER.
pin_is() {
	pins_match 1 ".origin == \"$TURN_ORIGIN\" and ($1)"
}
# flows_to PEER-ADDR PORT: conntrack entries from the peer to the edge's
# PORT.
flows_to() {
	ip netns exec "$FW" conntrack -L -p udp --orig-src "$1" \
		--orig-dst "$EDGE4" --orig-port-dst "$2" 2>/dev/null | grep -c .
}
no_flows_to() {
	[ "$(flows_to "$@")" = 0 ]
}

msgs0=$(stat $TS_MESSAGES)
allocs0=$(stat $TS_ALLOCS)
perms0=$(stat $TS_PERMS)

# --- UDP control channel, step by step (turn.py) ---
turn_client c1 --sport 40100
turn_cmd c1 allocate
turn_wait c1 '^relayed ' || fail "coturn gave no allocation"
R1=$(turn_relay c1)
echo "# relay $EDGE4:$R1"
turn_cmd c1 perm "$PEER4"
turn_wait c1 '^ok perm' || fail "coturn refused the permission"
ip netns exec "$FW" edgepin -j pinhole list | sed 's/^/# /'
P=".peer_addr == \"$PEER4\" and .edge_port == $R1"
poll 10 pin_is "$P" ||
	check_fail "no pinhole $PEER4 -> $EDGE4:$R1 ($(turn_pins) TURN pinholes)"
# what the pinhole says of itself
ip netns exec "$FW" edgepin -j pinhole list | jq -e --arg p "$PEER4" \
	--arg e "$EDGE4" --arg c "$INS4" --argjson r "$R1" '
	[.[] | select(.peer_addr == $p and .edge_port == $r)] | length == 1 and
	(.[0] | .call_id == null and .proto == "udp" and .edge_addr == $e and
	 .peer_port == 0 and .turn.client_addr == $c and
	 .turn.client_port == 40100 and .turn.server_addr == $e and
	 .turn.server_port == 3478 and .turn.proto == "udp" and
	 .timeout > 0 and .timeout <= 300 and .turn.lifetime > 0 and
	 .origin == "turn" and .media == "relay")' \
	>/dev/null || check_fail "the pinhole's fields are not the TURN ones"
# The peer speaks first: nothing left the relay towards it yet, so only
# a pinhole lets it in. Any port of the permitted address.
exp0=$(nft_count exp_peer)
from_peer "$PEER4" 40000 "$R1" peer-1
turn_wait c1 "^data $PEER4 40000 peer-1" ||
	check_fail "the permitted peer's datagram did not reach the client"
counter_above exp_peer "$exp0" ||
	check_fail "the peer's flow did not enter through a pinhole"
from_peer "$PEER4" 40001 "$R1" peer-2
turn_wait c1 "^data $PEER4 40001 peer-2" ||
	check_fail "the permitted peer's second port was not let in"
# the attacker, to the same relay port: stopped at the firewall
blocked "$ATK" "$ATK4" 40000 "$R1" atk-1 drop_atk ||
	check_fail "the attacker's datagram to the relay was not dropped"
grep -q atk-1 "$tmp/c1.log" && check_fail "the attacker reached the client"
[ "$(nft_count exp_atk)" = 0 ] ||
	check_fail "the attacker entered through a pinhole"

# --- a relay without a permission stays closed to the peer ---
turn_client c2 --sport 40101
turn_cmd c2 allocate
turn_wait c2 '^relayed ' || fail "coturn gave no second allocation"
R2=$(turn_relay c2)
blocked "$PEER" "$PEER4" 40000 "$R2" peer-3 drop_peer ||
	check_fail "the peer got into a relay without a permission ($R2)"
[ "$(turn_pins ".edge_port == $R2")" = 0 ] ||
	check_fail "a relay without a permission has pinholes"

# --- ChannelBind: a permission for the peer's other address ---
turn_cmd c1 bind 0x4000 "$PEER4B:40000"
turn_wait c1 '^ok bind' || fail "coturn refused the channel"
poll 10 pin_is ".peer_addr == \"$PEER4B\" and .edge_port == $R1" ||
	check_fail "ChannelBind opened no pinhole for $PEER4B"
from_peer "$PEER4B" 40000 "$R1" peer-b
turn_wait c1 '^chandata 0x4000 peer-b' ||
	check_fail "the channel's peer did not reach the client"

# --- Refresh lifetime 0: the allocation ends, and with it its pinholes
# and the peer's flows. The peer's flow is two-way media first (and
# fresh: an unreplied UDP entry would expire by itself in 30 s) ---
from_peer "$PEER4" 40000 "$R1" peer-last
turn_wait c1 "^data $PEER4 40000 peer-last" ||
	check_fail "the peer's flow did not carry its last datagram"
turn_cmd c1 send "$PEER4:40000" to-peer
n=$(flows_to "$PEER4" "$R1")
[ "$n" -ge 1 ] || check_fail "no flow of the peer's through the pinhole ($n)"
turn_cmd c1 refresh 0
turn_wait c1 '^ok refresh' || fail "coturn did not delete the allocation"
poll 10 pins_match 0 ".origin == \"$TURN_ORIGIN\" and .edge_port == $R1" ||
	check_fail "the deleted allocation left $(turn_pins ".edge_port == $R1") pinholes"
poll 10 no_flows_to "$PEER4" "$R1" ||
	check_fail "the peer's flow to the deleted relay was not cut ($(flows_to "$PEER4" "$R1") left)"
poll 10 no_flows_to "$PEER4B" "$R1" ||
	check_fail "the channel peer's flow to the deleted relay was not cut"
blocked "$PEER" "$PEER4" 40000 "$R1" peer-after drop_peer ||
	check_fail "the peer still gets into the deleted relay"

# --- TCP control connection: the same learning ---
turn_client t1 --proto tcp
turn_cmd t1 allocate
turn_wait t1 '^relayed ' || fail "coturn gave no allocation over TCP"
RT=$(turn_relay t1)
turn_cmd t1 perm "$PEER4"
turn_wait t1 '^ok perm' || fail "coturn refused the permission over TCP"
poll 10 pin_is ".peer_addr == \"$PEER4\" and .edge_port == $RT" ||
	check_fail "TCP: no pinhole $PEER4 -> $EDGE4:$RT"
from_peer "$PEER4" 40002 "$RT" peer-tcp
turn_wait t1 "^data $PEER4 40002 peer-tcp" ||
	check_fail "TCP: the permitted peer did not reach the client"
blocked "$ATK" "$ATK4" 40000 "$RT" atk-tcp drop_atk ||
	check_fail "TCP: the attacker's datagram was not dropped"
turn_cmd t1 refresh 0
turn_wait t1 '^ok refresh' || check_fail "TCP: refresh 0 refused"
poll 10 pins_match 0 ".origin == \"$TURN_ORIGIN\" and .edge_port == $RT" ||
	check_fail "TCP: the deleted allocation left pinholes"

# --- coturn's own client: turnutils_uclient, echoed by turnutils_peer.
# Its echoes come back on flows the relay opened; the pinhole is shown by
# the peer's own new flow (port 40003) entering through it. ---
ip netns exec "$PEER" turnutils_peer -L "$PEER4" -p 3480 \
	>"$tmp/peer.log" 2>&1 &
at_exit kill $!
poll 20 ip netns exec "$PEER" sh -c "ss -Hlun | grep -qF '$PEER4:3480 '" ||
	fail "turnutils_peer does not listen"
ip netns exec "$INS" turnutils_uclient -v -u "$TURN_USER" -w "$TURN_PASS" \
	-e "$PEER4" -r 3480 -n 3 -c -h -z 100 "$EDGE4" >"$tmp/uclient.log" 2>&1 &
at_exit kill $!
poll 30 grep -q 'Received relay addr' "$tmp/uclient.log" ||
	fail "turnutils_uclient got no relay: $(tail -n 20 "$tmp/uclient.log")"
poll 30 grep -q 'tot_recv_msgs=3' "$tmp/uclient.log" ||
	check_fail "turnutils_uclient's echoes did not come back: $(tail -n 5 "$tmp/uclient.log")"
# uclient allocates twice (two sessions); the permission for the peer
# is on one of those relays
RUS=$(sed -n 's/.*Received relay addr: [^:]*:\([0-9]*\).*/\1/p' \
	"$tmp/uclient.log")
echo "# uclient's relays: $(echo $RUS)"
uclient_pin() {
	local p
	for p in $RUS; do
		pin_is ".peer_addr == \"$PEER4\" and .edge_port == $p" &&
			RU=$p && return 0
	done
	return 1
}
RU=
poll 10 uclient_pin ||
	check_fail "uclient: no pinhole $PEER4 -> $EDGE4 on its relays ($(echo $RUS)): $(ip netns exec "$FW" edgepin -j pinhole list)"
: "${RU:=$(echo $RUS | cut -d' ' -f1)}"
exp0=$(nft_count exp_peer)
from_peer "$PEER4" 40003 "$RU" peer-uclient
poll 10 counter_above exp_peer "$exp0" ||
	check_fail "uclient: the peer's new flow did not enter through a pinhole"
blocked "$ATK" "$ATK4" 40000 "$RU" atk-uclient drop_atk ||
	check_fail "uclient: the attacker's datagram was not dropped"

# --- counted ---
ip netns exec "$FW" edgepin -j stats | sed 's/^/# /'
for c in "$TS_MESSAGES $msgs0 8" "$TS_ALLOCS $allocs0 4" "$TS_PERMS $perms0 4"; do
	set -- $c
	v=$(stat "$1")
	[ "$v" != null ] && [ "$v" -ge $(($2 + $3)) ] ||
		check_fail "$1 is $v, expected at least $(($2 + $3))"
done
exit $failed
