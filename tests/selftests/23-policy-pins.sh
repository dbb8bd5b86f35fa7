#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Policy decides what is pinned, seen from the attacker's side too: with
# the edge's addresses configured, nothing is pinned outside range, in
# exclude (TCP 50001-50003), off the edge addresses, for sources that are
# not unicast peers, or for an edge address:port the *peer* declared;
# refusals are counted. `edgepin pinhole list` shows exactly the pinhole
# conntrack has, and only in its own netns. In mode monitor nothing is
# pinned, but it is counted. A stricter policy closes live pinholes that
# it would not open, and cuts their flows. With peer-match address-port, transports udp
# and a UDP exclude, the peer's packets get in only on the allowed port
# from its declared source port.
. ./lib.sh
need nft conntrack python3 jq edgepin
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
fw_ruleset || fail "ruleset"
in_ns "$FW" edgepin policy set edge "$EDGE4" "$EDGE6" || fail "policy set edge"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"

mkmsg "$tmp/invite" <<T
INVITE sip:b@$EDGE4 SIP/2.0
Via: SIP/2.0/UDP $PEER4:5060;branch=z9hG4bK-p1
From: <sip:a@example.org>;tag=a1
To: <sip:b@example.com>
Call-ID: policy-1@peer
CSeq: 1 INVITE
Content-Type: application/sdp

v=0
o=- 1 1 IN IP4 $PEER4
s=-
c=IN IP4 $PEER4
t=0 0
m=audio 40000 RTP/AVP 0
a=candidate:1 1 UDP 2130706431 $PEER4 40000 typ host
a=candidate:2 1 UDP 2130706431 127.0.0.1 40000 typ host
a=candidate:3 1 UDP 2130706431 224.0.0.1 40000 typ host
a=candidate:4 1 UDP 2130706431 169.254.1.1 40000 typ host
a=candidate:5 1 UDP 2130706431 0.0.0.0 40000 typ host
a=candidate:6 1 UDP 2130706431 $EDGE4 50080 typ host
a=candidate:7 1 tcp 1518280447 $PEER4 9 typ host tcptype active
a=candidate:8 1 UDP 2130706431 peer.example.org 40000 typ host
a=candidate:9 1 UDP 2130706431 1f5d4c3b-2a19-4e0f-9d8c-7b6a5e4d3c2b.local 40000 typ host
T
# answer FILE CALL-ID N LINE...: the edge's 200 OK (tags aN, bN) with an
# SDP of its c= address and LINE...
answer() {
	local f=$1 id=$2 n=$3
	shift 3
	{
		cat <<T
SIP/2.0 200 OK
Via: SIP/2.0/UDP $PEER4:5060;branch=z9hG4bK-p1
From: <sip:a@example.org>;tag=a$n
To: <sip:b@example.com>;tag=b$n
Call-ID: $id
CSeq: 1 INVITE
Content-Type: application/sdp

v=0
o=- 2 2 IN IP4 $EDGE4
s=-
c=IN IP4 $EDGE4
t=0 0
T
		printf '%s\n' "$@"
	} | mkmsg "$f"
}
answer "$tmp/200" policy-1@peer 1 \
	"m=audio 50070 RTP/AVP 0" \
	"a=candidate:1 1 UDP 2130706431 $EDGE4 50070 typ host" \
	"a=candidate:2 1 UDP 2130706431 $EDGE4 49000 typ host" \
	"a=candidate:3 1 UDP 2130706431 $EDGE4 60000 typ host" \
	"a=candidate:4 1 tcp 1518280447 $EDGE4 50002 typ host tcptype passive" \
	"a=candidate:5 1 TCP-PASS 174456319 $EDGE4 50071 typ relay raddr $EDGE4 rport 50071" \
	"a=candidate:6 1 UDP 2130706431 203.0.113.9 50072 typ host"
# tcp_stays_closed PORT WHY [SOCAT-OPTS]: the peer's data on a TCP
# connection to the edge's PORT must not arrive, else fail "TCP PORT WHY".
tcp_stays_closed() {
	tcp_listen "$1"
	tcp_probe "$PEER" "$1" "peer-$1" "$3"
	sleep 1
	grep -q "peer-$1" "$tmp/tcp$1" 2>/dev/null && fail "TCP $1 $2"
	return 0
}
to_edge "$tmp/invite" || fail "INVITE"
to_peer "$tmp/200" || fail "200"

in_ns "$FW" edgepin pinhole list | sed 's/^/# /'
ip netns exec "$FW" edgepin -j pinhole list >"$tmp/pins.json" ||
	fail "edgepin -j pinhole list"
jq -e . "$tmp/pins.json" >/dev/null || fail "pinhole list is not JSON"
# Exactly: UDP 50070 and TCP 50071 (TCP-PASS) from the peer's address.
[ "$(pin_count)" = 2 ] || fail "expected 2 pinholes, got $(pin_count)"
[ "$(pin_count '.proto=="udp" and .edge_port==50070 and .peer_addr=="'$PEER4'" and .peer_port==0 and .call_id=="policy-1@peer" and .media=="audio" and .edge_addr=="'$EDGE4'" and .state=="pinned" and (.timeout|type)=="number" and .flows==0')" = 1 ] ||
	fail "pinhole udp 50070 missing or its JSON keys wrong"
[ "$(pin_count '.proto=="tcp" and .edge_port==50071')" = 1 ] ||
	fail "TCP-PASS 50071 not pinned"
# conntrack agrees
n=$(pins_to "$EDGE4" '[0-9]+' | grep -c "src=$PEER4 ")
[ "$n" = 2 ] || fail "conntrack shows $n pinholes, edgepin 2"
pins_to '[0-9.]+' '50080' && fail "the peer declared the edge's 50080: pinned"

# Another netns (the VM's own) has its own, empty, table and counters.
[ "$(edgepin -j pinhole list | jq length)" = 0 ] ||
	fail "the init netns sees the firewall netns's pinholes"
[ "$(edgepin -j stats | jq .pinholes_opened)" = 0 ] ||
	fail "the init netns shares the firewall netns's counters"

[ "$(stat refused_range)" -ge 2 ] || fail "refused_range not counted"
[ "$(stat refused_excluded)" -ge 1 ] || fail "refused_excluded not counted"
[ "$(stat refused_not_edge)" -ge 1 ] || fail "refused_not_edge not counted"

# From the attacker's side: the excluded TCP 50002 and the off-edge and
# out-of-range ports stay closed, even to the peer.
tcp_stays_closed 50002 "(excluded) got through"
udp_listen "$EDGE" "$EDGE4" 50070 "$tmp/rx"
probe "$PEER" 40000 "$EDGE4" 50070 peer-ok
expect_rx "$tmp/rx" peer-ok
probe "$ATK" 40000 "$EDGE4" 50070 atk
expect_no_rx "$tmp/rx" atk

# The flow made the pinhole active, held by the call (timeout null).
pins_become 1 '.edge_port==50070 and .state=="active" and .timeout==null and .flows>=1' ||
	fail "used pinhole not active/held: $(ip netns exec "$FW" edgepin -j pinhole list)"

# A stricter policy reaches the live pinholes: excluding UDP 50070 closes
# its pinhole at once and cuts the flow that entered through it, so the
# peer's next datagram on that very flow is dropped; TCP 50071 stays.
c0=$(stat pinholes_closed)
in_ns "$FW" edgepin policy set exclude udp tcp 50001-50003 50070 ||
	fail "policy set exclude udp 50070"
flow_gone() {
	! ip netns exec "$FW" conntrack -L -p udp --dport 50070 2>/dev/null |
		grep -q "src=$PEER4 "
}
poll 20 flow_gone || fail "the flow through UDP 50070 was not cut"
probe "$PEER" 40000 "$EDGE4" 50070 peer-after-exclude
expect_no_rx "$tmp/rx" peer-after-exclude
[ "$(pin_count '.edge_port==50070')" = 0 ] ||
	fail "the now excluded UDP 50070 is still pinned"
[ "$(pin_count '.edge_port==50071')" = 1 ] ||
	fail "TCP 50071 was closed by an exclude that does not name it"
[ "$(stat pinholes_closed)" -gt "$c0" ] || fail "the closing not counted"
in_ns "$FW" edgepin policy set exclude tcp 50001-50003 ||
	fail "policy set exclude back"

# Monitor mode: a new call is counted, nothing pinned; the pinholes still
# open close.
in_ns "$FW" edgepin policy set mode monitor || fail "mode monitor"
before=$(stat monitor_would_pin)
sed 's/policy-1@peer/policy-2@peer/; s/tag=a1/tag=a2/' "$tmp/invite" >"$tmp/invite2"
sed 's/policy-1@peer/policy-2@peer/; s/tag=a1/tag=a2/; s/tag=b1/tag=b2/' \
	"$tmp/200" >"$tmp/2002"
to_edge "$tmp/invite2"
to_peer "$tmp/2002"
[ "$(pin_count '.call_id=="policy-2@peer"')" = 0 ] || fail "monitor mode pinned"
[ "$(stat monitor_would_pin)" -gt "$before" ] || fail "monitor mode counted nothing"
[ "$(pin_count)" = 0 ] || fail "mode monitor left pinholes open"
tcp_stays_closed 50071 "still open to the peer in mode monitor"

# peer-match address-port, transports udp, a UDP exclude: seen with
# packets. The edge answers UDP 50090 (excluded), UDP 50092 and TCP
# 50094; only 50092 opens, and only to the peer's declared port 40000.
printf '%s\n' "edge $EDGE4 $EDGE6" "exclude tcp 50001-50003" \
	"exclude udp 50090" "transports udp" "peer-match address-port" \
	>"$tmp/policy3"
in_ns "$FW" edgepin policy load "$tmp/policy3" || fail "policy load"
x0=$(stat refused_excluded)
t0=$(stat refused_transport)
sed 's/policy-1@peer/policy-3@peer/; s/tag=a1/tag=a3/' "$tmp/invite" >"$tmp/invite3"
answer "$tmp/2003" policy-3@peer 3 \
	"m=audio 50092 RTP/AVP 0" \
	"a=candidate:1 1 UDP 2130706431 $EDGE4 50090 typ host" \
	"a=candidate:2 1 UDP 2130706431 $EDGE4 50092 typ host" \
	"a=candidate:3 1 tcp 1518280447 $EDGE4 50094 typ host tcptype passive"
to_edge "$tmp/invite3"
to_peer "$tmp/2003"
in_ns "$FW" edgepin pinhole list call policy-3@peer | sed 's/^/# /'
[ "$(pin_count '.call_id=="policy-3@peer"')" = 1 ] &&
	[ "$(pin_count '.call_id=="policy-3@peer" and .edge_port==50092 and .peer_port==40000')" = 1 ] ||
	fail "policy-3: not exactly UDP 50092 from port 40000"
[ "$(stat refused_excluded)" -gt "$x0" ] || fail "UDP exclude not counted"
[ "$(stat refused_transport)" -gt "$t0" ] || fail "transports udp: TCP not counted"
udp_listen "$EDGE" "$EDGE4" 50090 "$tmp/rx90"
udp_listen "$EDGE" "$EDGE4" 50092 "$tmp/rx92"
probe "$PEER" 40002 "$EDGE4" 50092 other-port
expect_no_rx "$tmp/rx92" other-port
probe "$PEER" 40000 "$EDGE4" 50092 declared-port
expect_rx "$tmp/rx92" declared-port
probe "$PEER" 40000 "$EDGE4" 50090 excluded
expect_no_rx "$tmp/rx90" excluded
tcp_stays_closed 50094 "got through with transports udp" sourceport=40000
echo "# address-port: declared port in, other port out; UDP exclude and transports udp hold"
exit 0
