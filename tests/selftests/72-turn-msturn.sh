#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# MS-TURN (the TURN of Lync / Skype for Business Edge servers): no such
# server is packaged, so turn.py msserver answers on the Edge's 3478 per
# [MS-TURN]'s layouts (16-byte transaction ID, MAGIC-COOKIE attribute
# first; the relay in MAPPED-ADDRESS whatever the MS-Version, 3.2.5.1)
# and the client inside speaks it (turn.py client --dialect ms). A Send
# request alone (MS-TURN Send gets no response) opens nothing; a Set
# Active Destination success opens "destination, any port -> relay": the
# peer's datagrams reach the relay port (a listener on the Edge: the mini
# server relays nothing), the attacker's are dropped. UDP, and TCP with
# MS-TURN's framing (MS-Version 4), whose relay is TCP: the destination
# connects, the attacker cannot. The checks go on after a failure.
. ./lib.sh
need nft conntrack socat jq edgepin python3
turn_setup
if ! turn_ruleset; then
	check_fail "helper $TURN_HELPER cannot be attached; going on with the guard alone"
	turn_ruleset nohelper || fail "guard ruleset"
fi

from() { # NS ADDR SPORT PORT TAG
	echo "$5" | ip netns exec "$1" socat -u - \
		"UDP4-SENDTO:$EDGE4:$4,bind=$2:$3,reuseaddr"
}

ip netns exec "$EDGE" "$TURNPY" msserver --bind "$EDGE4" --tcp \
	--relay-port 55100 >"$tmp/ms.log" 2>&1 &
at_exit kill $!
poll 20 grep -q listening "$tmp/ms.log" ||
	fail "the MS-TURN server did not start: $(cat "$tmp/ms.log")"
udp_listen "$EDGE" "$EDGE4" 55100 "$tmp/rx0"
allocs0=$(stat $TS_ALLOCS)
perms0=$(stat $TS_PERMS)

# --- UDP, MS-Version 3: the relay in MAPPED-ADDRESS ---
turn_client m1 --dialect ms --ms-version 3 --sport 40400
turn_cmd m1 allocate
turn_wait m1 "^relayed $EDGE4 55100\$" || fail "no MS-TURN allocation"
# A Send request alone: the server answers nothing, nothing opens
turn_cmd m1 send "$PEER4:40000" hello-peer
poll 10 grep -q "^send $INS4:40400 $PEER4:40000" "$tmp/ms.log" ||
	check_fail "the server did not get the Send request"
[ "$(turn_pins ".edge_port == 55100")" = 0 ] ||
	check_fail "a Send request alone opened a pinhole"
blocked "$PEER" "$PEER4" 40000 55100 peer-early drop_peer ||
	check_fail "the peer got in before Set Active Destination"
# Set Active Destination, confirmed: the destination's pinhole
turn_cmd m1 active "$PEER4:40000"
turn_wait m1 '^ok active' || fail "no Set Active Destination response"
ip netns exec "$FW" edgepin -j pinhole list | sed 's/^/# /'
poll 10 pins_match 1 ".origin == \"$TURN_ORIGIN\" and .peer_addr == \"$PEER4\" and .edge_port == 55100 and .peer_port == 0 and .proto == \"udp\" and .turn.client_addr == \"$INS4\"" ||
	check_fail "Set Active Destination opened no pinhole $PEER4 -> $EDGE4:55100"
exp0=$(nft_count exp_peer)
from "$PEER" "$PEER4" 40000 55100 peer-ms-1
poll 10 grep -q peer-ms-1 "$tmp/rx0" ||
	check_fail "the active destination's datagram did not reach the relay"
counter_above exp_peer "$exp0" ||
	check_fail "the peer did not enter through a pinhole"
from "$PEER" "$PEER4" 40005 55100 peer-ms-2
poll 10 grep -q peer-ms-2 "$tmp/rx0" ||
	check_fail "the destination's other port did not reach the relay"
blocked "$ATK" "$ATK4" 40000 55100 atk-ms drop_atk ||
	check_fail "the attacker's datagram to the relay was not dropped"
grep -q atk-ms "$tmp/rx0" && check_fail "the attacker reached the relay"

# --- TCP with MS-TURN's framing, MS-Version 4: the relay in
# MAPPED-ADDRESS still, and a TCP relay (the allocation's transport is
# the control connection's): the destination connects to it ---
tcp_listen 55101
turn_client m2 --dialect ms --ms-version 4 --proto tcp
turn_cmd m2 allocate
turn_wait m2 "^relayed $EDGE4 55101\$" || fail "no MS-TURN allocation over TCP"
turn_cmd m2 active "$PEER4B:40000"
turn_wait m2 '^ok active' || fail "no Set Active Destination response over TCP"
poll 10 pins_match 1 ".origin == \"$TURN_ORIGIN\" and .peer_addr == \"$PEER4B\" and .edge_port == 55101 and .proto == \"tcp\" and .turn.proto == \"tcp\"" ||
	check_fail "TCP: no pinhole $PEER4B -> $EDGE4:55101/tcp"
exp0=$(nft_count exp_peer)
tcp_probe "$PEER" 55101 peer-ms-tcp "bind=$PEER4B"
poll 10 grep -q peer-ms-tcp "$tmp/tcp55101" ||
	check_fail "TCP: the active destination's connection did not reach the relay"
counter_above exp_peer "$exp0" ||
	check_fail "TCP: the destination did not enter through a pinhole"
tcp_probe "$ATK" 55101 atk-ms-tcp
tcp_probe "$PEER" 55101 peer-wrong-relay "bind=$PEER4"
grep -q atk-ms-tcp "$tmp/tcp55101" &&
	check_fail "TCP: the attacker connected to the relay"
# the other client's destination does not open this relay
grep -q peer-wrong-relay "$tmp/tcp55101" &&
	check_fail "the first client's destination got into the second relay"

ip netns exec "$FW" edgepin -j stats | sed 's/^/# /'
for c in "$TS_ALLOCS $allocs0 2" "$TS_PERMS $perms0 2"; do
	set -- $c
	v=$(stat "$1")
	[ "$v" != null ] && [ "$v" -ge $(($2 + $3)) ] ||
		check_fail "$1 is $v, expected at least $(($2 + $3))"
done
exit $failed
