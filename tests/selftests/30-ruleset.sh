#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgepin ruleset install on an empty firewall is all a call needs: the
# peer reaches the ports its call negotiated, the attacker and the
# un-negotiated ports stay closed (UDP and TCP). Installing twice gives
# the same ruleset; the table reads back through nft and loads again;
# --edge sets the policy too; ruleset remove restores the ruleset byte
# for byte, also next to an operator's own table; show --nft loads as
# what install writes; remove --keep-guard leaves the range closed to
# the attacker, a full remove does not; bad options exit 2.
. ./lib.sh
need nft socat jq edgepin python3 setpriv
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"

fwep() {
	in_ns "$FW" edgepin "$@"
}
listing() {
	ip netns exec "$FW" nft list ruleset
}

listing >"$tmp/empty" || fail "nft list ruleset"
run fwep ruleset install --edge "$EDGE4" "$EDGE6" || fail "ruleset install"
listing >"$tmp/once"
sed 's/^/# /' "$tmp/once"
run fwep ruleset install --edge "$EDGE4" "$EDGE6" || fail "second install"
listing >"$tmp/twice"
cmp -s "$tmp/once" "$tmp/twice" || fail "install is not idempotent: $(diff "$tmp/once" "$tmp/twice")"
for want in 'ct helper edgepin-udp' 'type "edgepin" protocol udp' \
	'type "edgepin" protocol tcp' 'l3proto inet' \
	'udp dport 5060 ct helper set "edgepin-udp"' \
	'tcp dport 5060 ct helper set "edgepin-tcp"' \
	'ct status expected accept' \
	'table inet edgepin_guard' \
	"ip daddr $EDGE4 udp dport 50000-59999 counter packets" \
	"ip daddr $EDGE4 tcp dport 50000-59999 counter packets" \
	"ip6 daddr $EDGE6 udp dport 50000-59999 counter packets"; do
	grep -qF "$want" "$tmp/once" || fail "nft list ruleset lacks '$want'"
done
[ "$(grep -c 'hook prerouting priority mangle' "$tmp/once")" = 2 ] ||
	fail "not two chains on prerouting at priority mangle (-150)"
fwep -j policy show | jq -e --arg e4 "$EDGE4/32" --arg e6 "$EDGE6/128" \
	'.edge == [$e4, $e6]' >/dev/null || fail "--edge did not set the policy"
fwep -j ruleset show >"$tmp/show" || fail "ruleset show"
sed 's/^/# /' "$tmp/show"
jq -e --arg e "$EDGE4" '.installed and .sip_ports == [{"lo": 5060,
	"hi": 5060}] and .range == [{"lo": 50000, "hi": 59999}] and
	(.edge | contains($e)) and ([.helpers[].type] | unique) ==
	["edgepin"] and ([.chains[].hook] | unique) == ["prerouting"]' \
	"$tmp/show" >/dev/null || fail "ruleset show -j"
fwep ruleset show | sed 's/^/# /'
echo "# install: idempotent, readable by nft, policy edge set"

# Before any call nothing reaches the media range.
udp_listen "$EDGE" "$EDGE4" 50010 "$tmp/rx50010"
udp_listen "$EDGE" "$EDGE4" 50020 "$tmp/rx50020"
probe "$PEER" 40000 "$EDGE4" 50010 before-call
expect_no_rx "$tmp/rx50010" before-call

mkmsg "$tmp/invite" <<T
INVITE sip:b@$EDGE4 SIP/2.0
Via: SIP/2.0/UDP $PEER4:5060;branch=z9hG4bK-r1
From: <sip:a@example.org>;tag=a1
To: <sip:b@example.com>
Call-ID: ruleset-1@peer
CSeq: 1 INVITE
Content-Type: application/sdp

v=0
o=- 1 1 IN IP4 $PEER4
s=-
c=IN IP4 $PEER4
t=0 0
m=audio 40000 RTP/AVP 0
a=candidate:1 1 UDP 2130706431 $PEER4 40000 typ host
m=video 40002 RTP/AVP 96
a=candidate:1 1 tcp 1518280447 $PEER4 9 typ host tcptype active
T
mkmsg "$tmp/200" <<T
SIP/2.0 200 OK
Via: SIP/2.0/UDP $PEER4:5060;branch=z9hG4bK-r1
From: <sip:a@example.org>;tag=a1
To: <sip:b@example.com>;tag=b1
Call-ID: ruleset-1@peer
CSeq: 1 INVITE
Content-Type: application/sdp

v=0
o=- 2 2 IN IP4 $EDGE4
s=-
c=IN IP4 $EDGE4
t=0 0
m=audio 50010 RTP/AVP 0
a=candidate:1 1 UDP 2130706431 $EDGE4 50010 typ host
m=video 50030 RTP/AVP 96
a=candidate:1 1 tcp 1518280447 $EDGE4 50030 typ host tcptype passive
T
to_edge "$tmp/invite" || fail "INVITE"
to_peer "$tmp/200" || fail "200"
fwep pinhole list | sed 's/^/# /'
[ "$(pin_count '.edge_port == 50010 and .proto == "udp"')" = 1 ] ||
	fail "no UDP pinhole 50010: the helper is not attached"

probe "$PEER" 40000 "$EDGE4" 50010 peer-rtp
expect_rx "$tmp/rx50010" peer-rtp
probe "$ATK" 40000 "$EDGE4" 50010 attacker
expect_no_rx "$tmp/rx50010" attacker
probe "$PEER" 40000 "$EDGE4" 50020 peer-unnegotiated
expect_no_rx "$tmp/rx50020" peer-unnegotiated

# TCP: the negotiated passive port for the peer only; the attacker
# reaches neither it nor the Edge's logging service on TCP 50001.
for port in 50030 50001; do
	ip netns exec "$EDGE" socat -u "TCP4-LISTEN:$port,reuseaddr,fork" \
		"OPEN:$tmp/tcp$port,creat,append" &
	at_exit kill $!
	poll 20 ip netns exec "$EDGE" sh -c "ss -Hltn | grep -q ':$port '" ||
		fail "no TCP listener on $port"
done
tcp_send() {
	echo "$2" | ip netns exec "$1" timeout 10 socat -u - \
		"TCP4:$EDGE4:$3,connect-timeout=5" 2>/dev/null
}
tcp_send "$PEER" peer-tcp 50030
poll 10 grep -q peer-tcp "$tmp/tcp50030" || fail "peer's TCP media did not arrive"
tcp_send "$ATK" atk-tcp 50030
tcp_send "$ATK" atk-cls 50001
tcp_send "$PEER" peer-cls 50001
sleep 1
grep -q atk-tcp "$tmp/tcp50030" && fail "attacker reached TCP 50030"
grep -q -- '-cls' "$tmp/tcp50001" && fail "TCP 50001 reachable"
echo "# a call through the installed ruleset: only the peer, only its ports"

run fwep ruleset remove || fail "ruleset remove"
listing >"$tmp/removed"
cmp -s "$tmp/empty" "$tmp/removed" || fail "remove left: $(cat "$tmp/removed")"
run fwep ruleset remove || fail "remove when not installed"
fwep -j ruleset show | jq -e '.installed == false' >/dev/null ||
	fail "ruleset show after remove"

# Next to an operator's table: remove restores it byte for byte; the
# table nft prints loads back unchanged.
ip netns exec "$FW" nft -f - <<NFT || fail "operator ruleset"
table inet operator {
	set media { type inet_service; flags interval; elements = { 50000-59999 } }
	chain forward {
		type filter hook forward priority filter; policy accept;
		ct state established,related accept
		tcp dport 22 accept
		udp dport @media counter
	}
}
NFT
listing >"$tmp/before"
run fwep ruleset install --sip-port 5060 5080 || fail "install --sip-port"
listing >"$tmp/with"
grep -qF 'udp dport 5080 ct helper set "edgepin-udp"' "$tmp/with" ||
	fail "--sip-port 5080 not attached"
ip netns exec "$FW" nft flush ruleset
ip netns exec "$FW" nft -f "$tmp/with" || fail "nft cannot load what it listed"
listing >"$tmp/reloaded"
cmp -s "$tmp/with" "$tmp/reloaded" || fail "reloaded ruleset differs"
run fwep ruleset remove || fail "remove"
listing >"$tmp/after"
cmp -s "$tmp/before" "$tmp/after" ||
	fail "remove changed the operator's ruleset: $(diff "$tmp/before" "$tmp/after")"
echo "# remove restores the ruleset byte for byte; the table reloads"

# show --nft is what install writes: loaded by nft -f (twice: it
# replaces its tables), nft lists the same (counters aside).
stateless() {
	ip netns exec "$FW" nft -s list ruleset
}
run fwep ruleset install --edge "$EDGE4" "$EDGE6" --sip-port 5060 5080 ||
	fail "install"
stateless >"$tmp/installed"
fwep ruleset show --nft --sip-port 5060 5080 >"$tmp/show.nft" ||
	fail "ruleset show --nft"
sed 's/^/# /' "$tmp/show.nft"
run fwep ruleset remove || fail "remove"
ip netns exec "$FW" nft -f "$tmp/show.nft" || fail "nft -f of show --nft"
ip netns exec "$FW" nft -f "$tmp/show.nft" || fail "nft -f of show --nft, again"
stateless >"$tmp/loaded"
cmp -s "$tmp/installed" "$tmp/loaded" ||
	fail "show --nft differs from install: $(diff "$tmp/installed" "$tmp/loaded")"
echo "# show --nft loads as what install writes"

# remove --keep-guard: the helpers go, the guard stays and drops the
# attacker's packets into the range (the operator's forward chain
# accepts them); a full remove lets them in, the guard was the drop.
udp_listen "$EDGE" "$EDGE4" 50040 "$tmp/rx50040"
run fwep ruleset remove --keep-guard || fail "remove --keep-guard"
ip netns exec "$FW" nft list tables | grep -qx 'table inet edgepin' &&
	fail "remove --keep-guard left table inet edgepin"
fwep -j ruleset show | jq -e '.installed == false and .guard_installed' \
	>/dev/null || fail "ruleset show after remove --keep-guard"
probe "$ATK" 40000 "$EDGE4" 50040 atk-kept-guard
expect_no_rx "$tmp/rx50040" atk-kept-guard
run fwep ruleset remove || fail "remove"
probe "$ATK" 40000 "$EDGE4" 50040 atk-no-guard
expect_rx "$tmp/rx50040" atk-no-guard
[ "$(ip netns exec "$FW" nft list tables)" = "table inet operator" ] ||
	fail "remove left: $(ip netns exec "$FW" nft list tables)"
echo "# remove --keep-guard keeps the range closed; without the guard it is open"
listing >"$tmp/before"	# the operator's counter has counted the attacker

for args in "--edge" "--sip-port 0" "--sip-port 70000" "--frob" \
	"--range" "--sip-port x"; do
	# shellcheck disable=SC2086
	fwep ruleset install $args >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc = 2 ] || fail "'ruleset install $args' exited $rc, not 2"
	grep -q '^edgepin: ' "$tmp/err" || fail "'ruleset install $args': no error"
done
fwep ruleset install --edge 1.2.3 2>"$tmp/err" && fail "bad --edge accepted"
grep -q '^edgepin: ' "$tmp/err" || fail "bad --edge: $(cat "$tmp/err")"
cmp -s "$tmp/before" <(listing) || fail "a refused install changed the ruleset"
# Without CAP_NET_ADMIN nothing is read or written.
for cmd in "ruleset install" "ruleset remove" "ruleset show" "audit"; do
	# shellcheck disable=SC2086
	in_ns "$FW" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all edgepin $cmd >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc = 1 ] || fail "unprivileged '$cmd' exited $rc"
	grep -q "^edgepin: .*Operation not permitted" "$tmp/err" ||
		fail "unprivileged '$cmd': $(cat "$tmp/err")"
done
cmp -s "$tmp/before" <(listing) || fail "an unprivileged command changed the ruleset"
fwep ruleset frob 2>/dev/null
[ $? = 2 ] || fail "ruleset frob"
fwep ruleset help | grep -q "edgepin ruleset install" || fail "ruleset help"
exit 0
