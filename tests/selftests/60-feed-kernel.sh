#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The SIP feed, kernel side (EDGEPIN_CMD_FEED through feedmsg.py, as
# edgepin feed will send it). The peer's TLS connection to the edge's
# 5061 crosses the firewall with the helper attached: its TLS bytes are
# counted as a TLS stream and never framed. The INVITE and 200 fed with
# that connection's addresses open pinholes mastered by it; the peer's
# media reaches the Edge, the attacker's does not; the same BYE on the
# wire is refused (the call hears the feed only), the fed BYE closes the
# pinholes and cuts the media. Refused: malformed requests, addresses
# naming no connection, a connection without the edgepin helper, any
# message with sip-feed off. Behind DNAT, the Edge's own (private)
# addresses find the master. With sip-feed shared, a wire call's
# messages fed again count once. The checks go on after a failure, so that
# a sabotaged module shows every defence it lacks in one run. Review
# fixes: a forged Edge datagram's conntrack does not let the feed speak
# for the Edge (F1); sip-feed off ends fed calls (F2); only a ClientHello
# from the originator marks a TLS stream (F4).
. ./lib.sh
need nft conntrack socat jq edgepin python3
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
FEEDMSG="$PWD/feedmsg.py"
PRIV=10.0.0.2
failed=0

check_fail() {
	echo "# FAIL: $*"
	failed=1
}

# The helper on SIP (5060) and on the TLS port, not on 5062; behind the
# edge's public address, port 5063 is DNATed to its private 5061. The
# Edge is named (its answers' SDP has the public address).
fw_ruleset || fail "ruleset"
in_ns "$FW" nft 'insert rule inet edgepin_test forward tcp dport 5061 ct helper set "sip-tcp"' ||
	fail "helper on 5061"
run ip -n "$EDGE" addr add "$PRIV/24" dev eth0 || fail "private address"
run ip -n "$FW" addr add 10.0.0.1/24 dev e0 || fail "firewall address"
in_ns "$FW" nft -f - <<NFT || fail "NAT ruleset"
table ip nat {
	chain pre {
		type nat hook prerouting priority dstnat; policy accept;
		ip daddr $EDGE4 tcp dport 5063 dnat to $PRIV:5061
	}
}
NFT
in_ns "$FW" edgepin policy set edge "$EDGE4" || fail "policy set edge"
in_ns "$FW" nft list ruleset | sed 's/^/# /'

# feed ARGS...: feedmsg.py in the firewall; prints "errno N message".
feed() {
	in_ns "$FW" python3 "$FEEDMSG" "$@"
}
# feed_is ERRNO CMD...: the request CMD (feed or feed_send) makes ends
# with ERRNO.
feed_is() {
	local want=$1 out
	shift
	out=$("$@") || { check_fail "$*: no answer"; return 1; }
	echo "# -> $out"
	case $out in
	"errno $want"*) return 0 ;;
	esac
	check_fail "$*: $out, expected errno $want"
	return 1
}
# feed_send PROTO SRC SPORT DST DPORT FILE: one fed message.
feed_send() {
	feed send --proto "$1" --src "$2" --sport "$3" --dst "$4" --dport "$5" \
		--tls "$6"
}
stat_eq() {
	[ "$(stat "$1")" = "$2" ]
}
stat_is() {
	local v
	v=$(stat "$1")
	[ "$v" = "$2" ] || check_fail "$1 is $v, expected $2"
}
expects() {
	ip netns exec "$FW" conntrack -L expect 2>/dev/null
}

# A TLS server on the edge (any address) on 5061 and 5062: answers a
# ClientHello-looking record with a ServerHello-looking one and holds the
# connection.
for port in 5061 5062; do
	ip netns exec "$EDGE" python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
s.listen(8)
held = []
while True:
    c, _ = s.accept()
    c.recv(4096)
    c.sendall(b"\x16\x03\x03\x00\x31\x02" + b"SIP/2.0 200 OK\r\n" * 3)
    held.append(c)
' $port &
	at_exit kill $!
done
poll 10 ip netns exec "$EDGE" sh -c "ss -Hltn | grep -q ':5061 '" ||
	fail "no TLS server on the edge"
poll 10 ip netns exec "$EDGE" sh -c "ss -Hltn | grep -q ':5062 '" ||
	fail "no listener on the edge's 5062"

# tls_client SPORT DPORT: the peer connects from SPORT and sends a record
# that looks like a TLS ClientHello (its bytes would read as a broken SIP
# start line to the framer), waits for the answer, holds the connection.
tls_client() {
	ip netns exec "$PEER" python3 -c '
import socket, sys, time
s = socket.socket()
s.bind(("'"$PEER4"'", int(sys.argv[1])))
s.connect(("'"$EDGE4"'", int(sys.argv[2])))
s.sendall(b"\x16\x03\x01\x00\x40\x01INVITE sip:x SIP/2.0\r\n\r\n" + bytes(40))
s.recv(4096)
print("up", flush=True)
time.sleep(3600)
' "$1" "$2" >"$tmp/tls$1" 2>&1 &
	at_exit kill $!
	poll 20 grep -q up "$tmp/tls$1" ||
		fail "no connection from port $1 to $2: $(cat "$tmp/tls$1")"
}

# --- the TLS stream: counted, never framed ---
tls_client 45061 5061
in_ns "$FW" conntrack -L -p tcp --dport 5061 2>/dev/null | sed 's/^/# /'
poll 10 stat_eq tls_streams 1 ||
	check_fail "the TLS connection was not counted as a TLS stream ($(stat tls_streams))"
stat_is tcp_resyncs 0
stat_is parse_errors 0
stat_is messages 0

# --- malformed requests: refused with an extended ACK, nothing counted ---
feed bad >"$tmp/bad" || check_fail "feedmsg bad: no answer"
sed 's/^/# /' "$tmp/bad"
[ "$(wc -l <"$tmp/bad")" -ge 20 ] || check_fail "feedmsg bad: too few answers"
# NLA_POLICY_MIN/RANGE say ERANGE, the handler EINVAL: both malformed.
grep -Ev '^[^ ]+ errno (22|34) [^ ]' "$tmp/bad" | sed 's/^/# accepted or no message: /' |
	grep . && check_fail "a malformed request was not refused as such"
stat_is feed_messages 0

# The call: the peer's INVITE (audio 40000) and the Edge's 200 (50010).
udp_call "$tmp" feed-1@peer 50010
mkmsg "$tmp/bye" <<T
BYE sip:b@$EDGE4 SIP/2.0
Via: SIP/2.0/TLS $PEER4:45061;branch=z9hG4bK-bye1
From: <sip:a@example.org>;tag=a1
To: <sip:b@example.com>;tag=b1
Call-ID: feed-1@peer
CSeq: 2 BYE

T

# --- addresses that name no tracked connection ---
feed_is 2 feed_send tcp "$PEER4" 45999 "$EDGE4" 5061 "$tmp/invite"
stat_is feed_no_master 1
# --- a tracked connection without the edgepin helper ---
tls_client 45062 5062
feed_is 2 feed_send tcp "$PEER4" 45062 "$EDGE4" 5062 "$tmp/invite"
stat_is feed_no_master 2
# --- sip-feed off ---
feed_is 0 feed policy --sip-feed off
feed_is 95 feed_send tcp "$PEER4" 45061 "$EDGE4" 5061 "$tmp/invite"
stat_is refused_other_source 1
feed_is 0 feed policy --sip-feed on
n=$(pin_count)
[ "$n" = 0 ] || check_fail "refused messages opened $n pinholes"
stat_is calls_started 0

# --- the TLS connection's addresses: pinholes mastered by it ---
feed_is 0 feed_send tcp "$PEER4" 45061 "$EDGE4" 5061 "$tmp/invite"
feed_is 0 feed_send tcp "$EDGE4" 5061 "$PEER4" 45061 "$tmp/200"
ip netns exec "$FW" edgepin pinhole list | sed 's/^/# /'
expects | sed 's/^/# /'
pins_become 2 '.call_id == "feed-1@peer"' ||
	check_fail "the fed call has $(pin_count '.call_id == "feed-1@peer"') pinholes, expected 2"
n=$(expects | grep -E "dport=5001[01] " | grep -c "sport=45061 dport=5061 ")
[ "$n" = 2 ] || check_fail "$n pinholes mastered by the TLS connection, expected 2"
stat_is calls_started 1
# The call and its pinholes say they were learned from the feed.
feed origins >"$tmp/origins" || check_fail "feedmsg origins"
sed 's/^/# /' "$tmp/origins"
[ "$(grep -c '^\(call\|pin\) feed-1@peer origin 1$' "$tmp/origins")" = 3 ] ||
	check_fail "the fed call or its pinholes do not say origin feed"

udp_listen "$EDGE" "$EDGE4" 50010 "$tmp/rx"
probe "$PEER" 40000 "$EDGE4" 50010 peer-media
expect_rx "$tmp/rx" peer-media
probe "$ATK" 40000 "$EDGE4" 50010 attacker
expect_no_rx "$tmp/rx" attacker

# The TLS bytes moved nothing; every fed message that passed validation
# was counted (2 without a master, 1 with sip-feed off, 2 now).
stat_is tls_streams 1
stat_is tcp_resyncs 0
stat_is parse_errors 0
stat_is feed_messages 5

# --- the wire does not speak for a call learned from the feed ---
to_edge "$tmp/bye"
poll 10 stat_eq refused_other_source 2 ||
	check_fail "the wire BYE was not refused as another source ($(stat refused_other_source))"
pins_match 2 '.call_id == "feed-1@peer"' ||
	check_fail "the wire BYE closed the fed call's pinholes"

# --- the fed BYE ends the call, its pinholes and its media ---
feed_is 0 feed_send tcp "$PEER4" 45061 "$EDGE4" 5061 "$tmp/bye"
pins_become 0 '.call_id == "feed-1@peer"' ||
	check_fail "the fed BYE left $(pin_count '.call_id == "feed-1@peer"') pinholes"
poll 10 sh -c "! ip netns exec $FW conntrack -L -p udp --orig-port-dst 50010 2>/dev/null | grep -q ."
probe "$PEER" 40000 "$EDGE4" 50010 after-bye
expect_no_rx "$tmp/rx" after-bye
stat_is calls_ended 1

# --- DNAT: the Edge reports its private address; the master is found ---
tls_client 45063 5063
in_ns "$FW" conntrack -L -p tcp --orig-port-dst 5063 2>/dev/null | sed 's/^/# /'
mkdir "$tmp/nat"
udp_call "$tmp/nat" feed-nat@peer 50020
feed_is 0 feed_send tcp "$PEER4" 45063 "$PRIV" 5061 "$tmp/nat/invite"
feed_is 0 feed_send tcp "$PRIV" 5061 "$PEER4" 45063 "$tmp/nat/200"
expects | sed 's/^/# /'
pins_become 2 '.call_id == "feed-nat@peer"' ||
	check_fail "behind DNAT: $(pin_count '.call_id == "feed-nat@peer"') pinholes, expected 2"
n=$(expects | grep -E "dport=5002[01] " | grep -c "sport=45063 dport=5063 ")
[ "$n" = 2 ] || check_fail "$n pinholes mastered by the DNATed connection, expected 2"
stat_is tls_streams 2
stat_is feed_messages 8

# --- what edgepin feed refused itself ---
feed_is 0 feed drop --reason sender --count 3 --sender 192.0.2.9
feed_is 0 feed drop --reason key --count 1
stat_is feed_refused_sender 3
stat_is feed_refused_key 1
stat_is feed_refused_malformed 0

# --- sip-feed shared: wire and feed speak for one call, a message seen
# by both counts once (the retransmission logic) ---
feed_is 0 feed policy --sip-feed shared
mkdir "$tmp/shared"
udp_call "$tmp/shared" shared-1@peer 50030
opened=$(stat pinholes_opened)
started=$(stat calls_started)
to_edge "$tmp/shared/invite"
to_peer "$tmp/shared/200"
pins_become 2 '.call_id == "shared-1@peer"' ||
	check_fail "the wire call has $(pin_count '.call_id == "shared-1@peer"') pinholes, expected 2"
feed_is 0 feed_send udp "$PEER4" 5060 "$EDGE4" 5060 "$tmp/shared/invite"
feed_is 0 feed_send udp "$EDGE4" 5060 "$PEER4" 5060 "$tmp/shared/200"
pins_match 2 '.call_id == "shared-1@peer"' ||
	check_fail "the fed copies changed the pinholes: $(pin_count '.call_id == "shared-1@peer"')"
feed origins >"$tmp/origins" || check_fail "feedmsg origins"
sed 's/^/# /' "$tmp/origins"
[ "$(grep -c '^\(call\|pin\) shared-1@peer origin 0$' "$tmp/origins")" = 3 ] ||
	check_fail "the wire call or its pinholes do not say origin wire"
[ "$(stat pinholes_opened)" = $((opened + 2)) ] ||
	check_fail "pinholes opened twice: $(stat pinholes_opened), expected $((opened + 2))"
[ "$(stat calls_started)" = $((started + 1)) ] ||
	check_fail "calls started twice: $(stat calls_started), expected $((started + 1))"
sed 's/feed-1@peer/shared-1@peer/' "$tmp/bye" >"$tmp/shared/bye"
feed_is 0 feed_send udp "$PEER4" 5060 "$EDGE4" 5060 "$tmp/shared/bye"
pins_become 0 '.call_id == "shared-1@peer"' ||
	check_fail "shared: the fed BYE did not end the wire call"
to_edge "$tmp/shared/bye"
stat_is feed_messages 11

# --- review F1: a forged datagram claiming the Edge's address makes a
# conntrack with the helper (its SIP refused on the wire, the packet
# delivered); the proxy's mirror of it must not speak for the Edge
# through the feed either. The attacker writes it onto its own link,
# as in 50-spoofed-edge; rp_filter is loose. ---
in_ns "$FW" sysctl -qw net.ipv4.conf.all.rp_filter=2 \
	net.ipv4.conf.a0.rp_filter=2 net.ipv4.conf.e0.rp_filter=2 ||
	fail "rp_filter"
gw_mac=$(ip netns exec "$FW" cat /sys/class/net/a0/address)
mkdir "$tmp/spoof"
udp_call "$tmp/spoof" spoof-1@peer 50040
spoofed0=$(stat refused_spoofed)
in_ns "$ATK" "$PWD/spoof.py" udp --iface eth0 --gw-mac "$gw_mac" \
	--src "$EDGE4" --sport 5066 --dst "$PEER4" --dport 5060 \
	"$tmp/spoof/200" || fail "could not forge"
poll 10 stat_eq refused_spoofed $((spoofed0 + 1)) ||
	check_fail "the forged datagram was not refused on the wire ($(stat refused_spoofed))"
in_ns "$FW" conntrack -L -p udp --orig-src "$EDGE4" --sport 5066 2>/dev/null |
	sed 's/^/# /'
ip netns exec "$FW" conntrack -L -p udp --orig-src "$EDGE4" --sport 5066 \
	2>/dev/null | grep -q 'helper=edgepin' ||
	check_fail "the forged datagram made no conntrack with the helper"
# The proxy's side (not the Edge) may speak; the forged Edge may not:
# neither its answer nor a call of its own.
feed_is 0 feed_send udp "$PEER4" 5060 "$EDGE4" 5066 "$tmp/spoof/invite"
feed_is 13 feed_send udp "$EDGE4" 5066 "$PEER4" 5060 "$tmp/spoof/200"
sed 's/spoof-1@peer/spoof-2@peer/' "$tmp/spoof/invite" >"$tmp/spoof/invite2"
feed_is 13 feed_send udp "$EDGE4" 5066 "$PEER4" 5060 "$tmp/spoof/invite2"
stat_is refused_spoofed $((spoofed0 + 3))
n=$(pin_count '.call_id == "spoof-1@peer" or .call_id == "spoof-2@peer"')
[ "$n" = 0 ] || check_fail "the forged Edge's fed messages opened $n pinholes"
n=$(expects | grep -c "dport=50040 ")
[ "$n" = 0 ] || check_fail "$n expectations for the forged Edge's port 50040"
in_ns "$FW" edgepin call drop spoof-1@peer >/dev/null 2>&1

# --- review F2: sip-feed off ends the calls learned from the feed (their
# pinholes and media with them: this one and the DNAT section's), and
# only those ---
feed_is 0 feed policy --sip-feed on
mkdir "$tmp/off" "$tmp/wire"
udp_call "$tmp/off" off-1@peer 50050
udp_call "$tmp/wire" wire-1@peer 50060
feed_is 0 feed_send tcp "$PEER4" 45061 "$EDGE4" 5061 "$tmp/off/invite"
feed_is 0 feed_send tcp "$EDGE4" 5061 "$PEER4" 45061 "$tmp/off/200"
to_edge "$tmp/wire/invite"
to_peer "$tmp/wire/200"
pins_become 2 '.call_id == "off-1@peer"' ||
	check_fail "the fed call has $(pin_count '.call_id == "off-1@peer"') pinholes, expected 2"
pins_become 2 '.call_id == "wire-1@peer"' ||
	check_fail "the wire call has $(pin_count '.call_id == "wire-1@peer"') pinholes, expected 2"
udp_listen "$EDGE" "$EDGE4" 50050 "$tmp/rx-off"
probe "$PEER" 40000 "$EDGE4" 50050 off-media
expect_rx "$tmp/rx-off" off-media
poll 10 sh -c "ip netns exec $FW conntrack -L -p udp --orig-port-dst 50050 2>/dev/null | grep -q ." ||
	check_fail "no media flow of the fed call"
# every fed call still up (the DNAT section's too) ends
nfed=$(feed origins | grep -c '^call [^ ]* origin 1$')
echo "# $nfed fed calls up"
[ "$nfed" -ge 1 ] || check_fail "the fed call is not listed"
ended=$(stat calls_ended)
feed_is 0 feed policy --sip-feed off
pins_become 0 '.call_id == "off-1@peer"' ||
	check_fail "sip-feed off left the fed call's $(pin_count '.call_id == "off-1@peer"') pinholes"
poll 10 sh -c "! ip netns exec $FW conntrack -L -p udp --orig-port-dst 50050 2>/dev/null | grep -q ." ||
	check_fail "sip-feed off left the fed call's media flow"
probe "$PEER" 40000 "$EDGE4" 50050 after-off
expect_no_rx "$tmp/rx-off" after-off
stat_is calls_ended $((ended + nfed))
pins_match 2 '.call_id == "wire-1@peer"' ||
	check_fail "sip-feed off closed the wire call's pinholes"
feed origins | grep ' origin 1$' | sed 's/^/# left: /' | grep . &&
	check_fail "sip-feed off left fed calls or pinholes"
feed_is 0 feed policy --sip-feed on
in_ns "$FW" edgepin call drop wire-1@peer >/dev/null

# --- review F4: only a ClientHello from the originator marks TLS. A SIP
# connection picked up mid-stream whose first bytes look like a TLS
# record, a ClientHello from the answering side or another handshake
# record from the originator, is not marked ---
ip netns exec "$EDGE" python3 -c '
import socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], 5060))
s.listen(8)
held = []
while True:
    c, _ = s.accept()
    if c.getpeername()[1] == 45071:
        c.sendall(b"\x16\x03\x01\x00\x40\x01" + bytes(64))
    held.append(c)
' "$EDGE4" &
at_exit kill $!
poll 10 ip netns exec "$EDGE" sh -c "ss -Hltn | grep -q '$EDGE4:5060 '" ||
	fail "no TCP listener on the edge's 5060"
tls0=$(stat tls_streams)
# not_tls SPORT: the peer connects from SPORT to the edge's 5060; from
# 45071 it waits for the edge's bytes, from 45072 it sends a ServerHello-
# shaped record first; then a SIP OPTIONS.
not_tls() {
	ip netns exec "$PEER" python3 -c '
import socket, sys, time
sport = int(sys.argv[2])
s = socket.socket()
s.bind((sys.argv[1], sport))
s.connect((sys.argv[3], 5060))
if sport == 45071:
    s.recv(4096)
else:
    s.sendall(b"\x16\x03\x03\x00\x31\x02" + b"SIP/2.0 200 OK\r\n" * 3)
time.sleep(1)
s.sendall(b"\r\nOPTIONS sip:b@x SIP/2.0\r\nVia: SIP/2.0/TCP p;branch=z9hG4bK-o\r\n"
          b"From: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: o-%d\r\n"
          b"CSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n" % sport)
print("up", flush=True)
time.sleep(3600)
' "$PEER4" "$1" "$EDGE4" >"$tmp/nottls$1" 2>&1 &
	at_exit kill $!
	poll 20 grep -q up "$tmp/nottls$1" ||
		check_fail "no connection from port $1: $(cat "$tmp/nottls$1")"
}
msgs0=$(stat messages)
not_tls 45071
not_tls 45072
poll 10 sh -c "[ \$(ip netns exec $FW edgepin -j stats | jq .messages) -gt $msgs0 ]" ||
	echo "# the SIP after the TLS-looking bytes was not read (messages $(stat messages))"
in_ns "$FW" conntrack -L -p tcp --orig-port-dst 5060 2>/dev/null | sed 's/^/# /'
stat_is tls_streams "$tls0"
echo "# messages $msgs0 -> $(stat messages)"

ip netns exec "$FW" edgepin stats | sed 's/^/# /'
exit $failed
