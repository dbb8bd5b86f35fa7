#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# What must not open a TURN pinhole, each tried from the attacker's side
# (or the server's, where the point is that even the server's word is not
# enough): without the helper the permitted peer is blocked (the positive
# check of 70 fails without the feature); success responses forged by the
# attacker with the TURN server's source address (written onto its own
# link, rp_filter loose, as in 50-spoofed-edge), with the right
# transaction ID of a client's pending request, or for its own exchange,
# over UDP and TCP: refused_spoofed counts them, nothing opens, the
# attacker's packets to the relay are dropped; success responses from the
# server's side to requests never seen: turn_unmatched counts them,
# nothing opens; a server that says yes to everything (turn.py yesserver
# in coturn's place) confirming permissions for an edge-owned, loopback,
# multicast, unspecified or v4-mapped peer, or relays outside the range,
# excluded, or not the Edge's: nothing opens (its confirmation of a
# proper peer on a proper relay does, the control); an internet host
# answering an edge address's datagrams to its 3478 as a TURN server,
# naming a relay on the Edge: nothing opens. The checks go on
# after a failure, so that a kernel without a defence shows each missing
# one in a run.
. ./lib.sh
need nft conntrack socat jq edgepin python3 turnserver
turn_setup
in_ns "$FW" sysctl -qw net.ipv4.conf.all.rp_filter=2 \
	net.ipv4.conf.a0.rp_filter=2 net.ipv4.conf.e0.rp_filter=2 \
	net.ipv4.conf.i0.rp_filter=2 || fail "rp_filter"
SPOOF="$PWD/spoof.py"
atk_mac=$(ip netns exec "$FW" cat /sys/class/net/a0/address)
edge_mac=$(ip netns exec "$FW" cat /sys/class/net/e0/address)

stat_above() {
	local v
	v=$(stat "$1")
	[ "$v" != null ] && [ "$v" -gt "$2" ]
}
forge() { # OUT ARGS...: turn.py forge
	local o=$1
	shift
	"$TURNPY" forge "$@" "$tmp/$o" >/dev/null
}
# The attacker's and the server side's messages, forged at once (one
# interpreter: a process costs under TCG).
T=0a0a0a0a0a0a0a0a0a0a0a0 U=0b0b0b0b0b0b0b0b0b0b0b0 V=0c0c0c0c0c0c0c0c0c0c0c0
"$TURNPY" forge - >/dev/null <<F || fail "turn.py forge"
--cls request --method allocate --txid ${T}1 $tmp/a-req
--method allocate --txid ${T}1 --relayed $EDGE4:55000 --lifetime 600 --fingerprint $tmp/a-ok
--cls request --method createpermission --txid ${T}2 --peer $ATK4:0 $tmp/p-req
--method createpermission --txid ${T}2 --peer $ATK4:0 --fingerprint $tmp/p-ok
--cls request --method allocate --txid ${U}1 $tmp/ta-req
--method allocate --txid ${U}1 --relayed $EDGE4:55001 --lifetime 600 --fingerprint $tmp/ta-ok
--method createpermission --txid ${V}1 --peer $PEER4B:0 --fingerprint $tmp/u-perm
--method allocate --txid ${V}2 --relayed $EDGE4:55002 --lifetime 600 --fingerprint $tmp/u-alloc
--method createpermission --txid ${V}3 --peer $PEER4B:0 --fingerprint $tmp/u-perm2
F
# spoof_udp NS MAC SRC SPORT DST DPORT FILE: FILE in one datagram written
# onto NS's link to the firewall (MAC), from any source.
spoof_udp() {
	in_ns "$1" "$SPOOF" udp --iface eth0 --gw-mac "$2" --src "$3" \
		--sport "$4" --dst "$5" --dport "$6" "$tmp/$7"
}
pins_none() { # FILTER: no TURN pinhole matches
	local n
	n=$(turn_pins "$1")
	[ "$n" = 0 ] && return 0
	ip netns exec "$FW" edgepin -j pinhole list | sed 's/^/# /'
	return 1
}

coturn_start "$tmp"

# --- without the helper: coturn confirms the permission, the peer is
# still blocked (what 70's positive check sees on a kernel without the
# feature) ---
turn_ruleset nohelper || fail "guard ruleset"
turn_client n1 --sport 40190
turn_cmd n1 allocate
turn_wait n1 '^relayed ' || fail "coturn gave no allocation"
RN=$(turn_relay n1)
turn_cmd n1 perm "$PEER4"
turn_wait n1 '^ok perm' || fail "coturn refused the permission"
blocked "$PEER" "$PEER4" 40000 "$RN" peer-nohelper drop_peer ||
	check_fail "without the helper, the peer got into the relay"
grep -q peer-nohelper "$tmp/n1.log" &&
	check_fail "without the helper, the peer reached the client"
turn_cmd n1 refresh 0

if ! turn_ruleset; then
	check_fail "helper $TURN_HELPER cannot be attached; going on with the guard alone"
	turn_ruleset nohelper || fail "guard ruleset"
fi

# --- control: coturn's confirmation opens the peer's pinhole ---
turn_client c1 --sport 40200
turn_cmd c1 allocate
turn_wait c1 '^relayed ' || fail "coturn gave no allocation"
R1=$(turn_relay c1)
turn_cmd c1 perm "$PEER4"
turn_wait c1 '^ok perm' || fail "coturn refused the permission"
poll 10 pins_match 1 ".origin == \"$TURN_ORIGIN\" and .peer_addr == \"$PEER4\" and .edge_port == $R1" ||
	check_fail "control: coturn's confirmation opened no pinhole"

# --- the attacker forges the server's answer to the client's pending
# request, right transaction ID: the server's real answer is held at the
# firewall (before the helper sees it), so the request stays pending ---
in_ns "$FW" nft -f - <<NFT || fail "mute table"
table inet turn_mute {
	chain forward {
		type filter hook forward priority filter - 1; policy accept;
		iifname "e0" ip saddr $EDGE4 udp sport 3478 ip daddr $INS4 udp dport 40200 drop
	}
}
NFT
turn_cmd c1 perm "$ATK4" nowait
turn_wait c1 '^sent perm' || fail "the client sent no request"
txid=$(turn_txid c1 createpermission)
sp0=$(stat $TS_SPOOFED)
forge perm-ok --method createpermission --txid "$txid" --peer "$ATK4:0" \
	--fingerprint
spoof_udp "$ATK" "$atk_mac" "$EDGE4" 3478 "$INS4" 40200 perm-ok ||
	fail "could not forge"
poll 10 stat_above $TS_SPOOFED "$sp0" ||
	check_fail "the forged answer (right txid) was not refused as spoofed ($(stat $TS_SPOOFED))"
pins_none ".peer_addr == \"$ATK4\"" ||
	check_fail "the forged answer (right txid) opened a pinhole for the attacker"
blocked "$ATK" "$ATK4" 40000 "$R1" atk-txid drop_atk ||
	check_fail "after the forged answer, the attacker got into the relay"
in_ns "$FW" nft delete table inet turn_mute

# --- the attacker's own exchange, UDP: its Allocate and CreatePermission
# requests to the server's 3478, and success responses it forges from the
# server's address: a relay of its choosing, itself as the peer ---
sp0=$(stat $TS_SPOOFED)
allocs0=$(stat $TS_ALLOCS)
run udp_send "$ATK" 3479 "$EDGE4" 3478 "$tmp/a-req"
spoof_udp "$ATK" "$atk_mac" "$EDGE4" 3478 "$ATK4" 3479 a-ok ||
	fail "could not forge"
run udp_send "$ATK" 3479 "$EDGE4" 3478 "$tmp/p-req"
spoof_udp "$ATK" "$atk_mac" "$EDGE4" 3478 "$ATK4" 3479 p-ok ||
	fail "could not forge"
poll 10 stat_above $TS_SPOOFED $((sp0 + 1)) ||
	check_fail "the attacker's forged answers were not both refused as spoofed ($sp0 -> $(stat $TS_SPOOFED))"
[ "$(stat $TS_ALLOCS)" = "$allocs0" ] ||
	check_fail "a forged Allocate success made an allocation"
pins_none ".edge_port == 55000 or .peer_addr == \"$ATK4\"" ||
	check_fail "the attacker's forged answers opened a pinhole"
blocked "$ATK" "$ATK4" 40000 55000 atk-own drop_atk ||
	check_fail "the attacker got into its forged relay"

# --- the same over TCP: the attacker connects to the server's 3478,
# sends an Allocate request, and forges the success in the server's
# sequence (spoof.py tcp: it crosses the firewall as an established
# reply) ---
sp0=$(stat $TS_SPOOFED)
in_ns "$ATK" "$SPOOF" tcp --iface eth0 --gw-mac "$atk_mac" \
	--server "$EDGE4" --port 3478 --sport 3481 --after-answer \
	"$tmp/ta-req" "$tmp/ta-ok" ||
	check_fail "TCP: the forged answer did not cross the firewall"
poll 10 stat_above $TS_SPOOFED "$sp0" ||
	check_fail "TCP: the forged Allocate success was not refused as spoofed"
[ "$(stat $TS_ALLOCS)" = "$allocs0" ] ||
	check_fail "TCP: a forged Allocate success made an allocation"

# --- from the server's side, answers to requests never made (the
# client's connection exists): counted unmatched, nothing opens ---
un0=$(stat $TS_UNMATCHED)
sp0=$(stat $TS_SPOOFED)
spoof_udp "$EDGE" "$edge_mac" "$EDGE4" 3478 "$INS4" 40200 u-perm ||
	fail "could not send from the edge"
spoof_udp "$EDGE" "$edge_mac" "$EDGE4" 3478 "$INS4" 40200 u-alloc ||
	fail "could not send from the edge"
spoof_udp "$EDGE" "$edge_mac" "$EDGE4" 3478 "$INS4" 40200 u-perm2 ||
	fail "could not send from the edge"
poll 10 stat_above $TS_UNMATCHED $((un0 + 2)) ||
	check_fail "unrequested answers were not counted unmatched ($un0 -> $(stat $TS_UNMATCHED))"
[ "$(stat $TS_SPOOFED)" = "$sp0" ] ||
	check_fail "answers from the server's side were counted spoofed"
pins_none ".peer_addr == \"$PEER4B\" or .edge_port == 55002" ||
	check_fail "unrequested answers opened a pinhole"
blocked "$PEER" "$PEER4B" 40000 "$R1" peer-b-unmatched drop_peer ||
	check_fail "an unrequested answer let $PEER4B into the client's relay"
turn_cmd c1 refresh 0

# --- a server that says yes to everything, in coturn's place: the
# policy still decides. Relays: in range (the control), outside the
# range, excluded, not the Edge's ---
kill "$COTURN_PID"
poll 20 sh -c "! ip netns exec $EDGE ss -Hlun | grep -qF '$EDGE4:3478 '" ||
	fail "coturn did not stop"
in_ns "$FW" edgepin policy set range 50000-55029 || fail "policy set range"
in_ns "$FW" edgepin policy set exclude udp 55020-55029 ||
	fail "policy set exclude"
ip netns exec "$EDGE" "$TURNPY" yesserver --bind "$EDGE4" \
	--relayed "$EDGE4:55010" --relayed "$EDGE4:55040" \
	--relayed "$EDGE4:55020" --relayed "$PEER4B:55011" \
	>"$tmp/yes.log" 2>&1 &
at_exit kill $!
poll 20 grep -q listening "$tmp/yes.log" || fail "yesserver did not start"

turn_client y1 --sport 40300
turn_cmd y1 allocate
turn_wait y1 '^relayed ' || fail "yesserver gave no allocation"
turn_cmd y1 perm "$PEER4"
turn_wait y1 '^ok perm' || fail "yesserver: no answer"
poll 10 pins_match 1 ".origin == \"$TURN_ORIGIN\" and .edge_port == 55010 and .peer_addr == \"$PEER4\"" ||
	check_fail "control: the permission on an in-range relay opened nothing"
for bad in "$EDGE4" 127.0.0.1 224.0.0.1 0.0.0.0 ::ffff:$PEER4 ::1; do
	n=$(grep -c '^ok perm' "$tmp/y1.log")
	turn_cmd y1 perm "$bad"
	poll 10 sh -c "[ \$(grep -c '^ok perm' $tmp/y1.log) -gt $n ]" ||
		check_fail "yesserver: no answer for $bad"
	pins_none ".edge_port == 55010 and .peer_addr == \"$bad\"" ||
		check_fail "a pinhole for the peer $bad"
done
[ "$(turn_pins ".edge_port == 55010")" = 1 ] ||
	check_fail "the relay has $(turn_pins ".edge_port == 55010") pinholes, expected the control's 1"

# relay_case RELAY-PORT WHAT: the same client from a new port (a new
# allocation) gets the next relay and a permission for the peer
relay_case() {
	local n
	turn_cmd y1 reopen
	turn_cmd y1 allocate
	turn_wait y1 "^relayed [^ ]* $1\$" || check_fail "yesserver: not $1"
	n=$(grep -c '^ok perm' "$tmp/y1.log")
	turn_cmd y1 perm "$PEER4"
	poll 10 sh -c "[ \$(grep -c '^ok perm' $tmp/y1.log) -gt $n ]" ||
		check_fail "yesserver: no answer"
	pins_none ".edge_port == $1" || check_fail "a pinhole on a relay $2"
}
relay_case 55040 "outside the range"
relay_case 55020 "excluded"
relay_case 55011 "not the Edge's"
blocked "$PEER" "$PEER4" 40000 55020 peer-excluded drop_peer ||
	check_fail "the peer got into the excluded relay"

# --- a "TURN server" on the internet: a host with an edge address (as
# the Edge's relay is, forwarding a client's bytes) sends to the
# attacker's 3478; the attacker answers with an Allocate success naming a
# relay on the Edge and confirms a permission for itself. Its answers
# come in where its address routes back, but it is no edge address:
# nothing is learned (refused_not_edge). The relay it names is in the
# range the policy has by now (50000-55029) ---
ne0=$(stat refused_not_edge)
ip netns exec "$ATK" "$TURNPY" yesserver --bind "$ATK4" \
	--relayed "$EDGE4:55005" >"$tmp/yes-atk.log" 2>&1 &
at_exit kill $!
poll 20 grep -q listening "$tmp/yes-atk.log" ||
	fail "the attacker's yesserver did not start"
TURN_NS=$EDGE TURN_SERVER=$ATK4 turn_client e1 --sport 40500
turn_cmd e1 allocate
turn_wait e1 '^relayed ' || fail "the attacker's server gave no allocation"
turn_cmd e1 perm "$ATK4"
turn_wait e1 '^ok perm' || fail "the attacker's server: no answer"
poll 10 stat_above refused_not_edge "$ne0" ||
	check_fail "the internet host's answers were not refused as not the Edge's"
pins_none ".edge_port == 55005" ||
	check_fail "an internet host answering an edge address's datagrams opened a pinhole"
blocked "$ATK" "$ATK4" 40000 55005 atk-server drop_atk ||
	check_fail "the attacker got into the relay it named"

ip netns exec "$FW" edgepin -j stats | sed 's/^/# /'
exit $failed
