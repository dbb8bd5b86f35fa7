#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TCP media: the edge's passive (RFC 6544) and TCP-PASS candidates are
# pinned, its active ones are not. IPv6: a call signalled over IPv6, and
# an IPv4-signalled call whose SDP carries x-candidate-ipv6 lines, pin in
# IPv6 for the peer's IPv6 address only.
. ./lib.sh
need nft conntrack python3 edgepin
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
fw_ruleset || fail "ruleset"
# The edge's IPv6 candidates differ from its IPv4 signalling address: only
# configured edge addresses make them trusted destinations.
in_ns "$FW" edgepin policy set edge "$EDGE4" "$EDGE6" || fail "policy"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"

offer() { # SIG-ADDR CONTENT...
	local sig=$1
	shift
	cat <<T
INVITE sip:b@$EDGE4 SIP/2.0
Via: SIP/2.0/UDP $sig:5064;branch=z9hG4bK-{n}
From: <sip:a@example.org>;tag=a{n}
To: <sip:b@example.com>
Call-ID: {call_id}
CSeq: 1 INVITE
Content-Type: application/sdp

T
	printf '%s\n' "$@"
}
answer() {
	cat <<'T'
SIP/2.0 200 OK
Via: {via}
From: {from}
To: {to};tag=b{n}
Call-ID: {call_id}
CSeq: {cseq}
Content-Type: application/sdp

T
	printf '%s\n' "$@"
}

# --- TCP media ---
offer "$PEER4" v=0 "o=- 1 1 IN IP4 $PEER4" s=- "c=IN IP4 $PEER4" "t=0 0" \
	"m=audio 9 TCP/RTP/AVP 0" \
	"a=candidate:1 1 TCP-ACT 1684797951 $PEER4 9 typ host" \
	"a=candidate:2 1 tcp 1518280447 $PEER4 9 typ host tcptype active" \
	>"$tmp/offer-tcp"
answer v=0 "o=- 2 2 IN IP4 $EDGE4" s=- "c=IN IP4 $EDGE4" "t=0 0" \
	"m=audio 50040 TCP/RTP/AVP 0" \
	"a=candidate:1 1 tcp 1518280447 $EDGE4 50040 typ host tcptype passive" \
	"a=candidate:2 1 TCP-PASS 174456319 $EDGE4 50041 typ relay raddr $EDGE4 rport 50041" \
	"a=candidate:3 1 tcp 1518280447 $EDGE4 9 typ host tcptype active" \
	"a=candidate:4 1 TCP-ACT 1684797951 $EDGE4 50042 typ host" \
	"a=candidate:5 1 tcp 1518280447 $EDGE4 50043 typ host tcptype so" \
	>"$tmp/answer-tcp"
uas_start "$EDGE" "$EDGE4" udp "$tmp/answer-tcp" 50040
tcp_uas=$UAS_PID
uac "$PEER" --to "$EDGE4" --proto udp --sport 5064 --call-prefix tcp-media- \
	"$tmp/offer-tcp" >/dev/null || fail "TCP media offer not answered"
pins_to "$EDGE4" '5004[0-3]' | sed 's/^/# /'
for p in 50040 50041 50043; do
	pins_to "$EDGE4" "$p" | grep -q "proto=6 src=$PEER4 " ||
		fail "TCP candidate $p (passive/TCP-PASS/so) not pinned"
done
pins_to "$EDGE4" 50042 && fail "TCP-ACT candidate 50042 was pinned"
pins_to "$EDGE4" 9 && fail "active candidate on port 9 was pinned"
tcp_listen 50040
tcp_listen 50042
tcp_probe "$PEER" 50040 peer-tcp
poll 3 grep -q peer-tcp "$tmp/tcp50040" || fail "peer's TCP media did not get in"
tcp_probe "$ATK" 50040 atk-tcp
tcp_probe "$PEER" 50042 peer-tcp-active
sleep 1
grep -q atk-tcp "$tmp/tcp50040" && fail "attacker got into TCP 50040"
grep -q peer-tcp-active "$tmp/tcp50042" 2>/dev/null &&
	fail "peer got into the active candidate's port 50042"

# --- a call signalled over IPv6 ---
sed "s/^INVITE sip:b@$EDGE4/INVITE sip:b@[$EDGE6]/" >"$tmp/offer6" < <(
	offer "$PEER6" v=0 "o=- 1 1 IN IP6 $PEER6" s=- "c=IN IP6 $PEER6" \
		"t=0 0" "m=audio 40000 RTP/AVP 0" \
		"a=candidate:1 1 UDP 2130706431 $PEER6 40000 typ host")
answer v=0 "o=- 2 2 IN IP6 $EDGE6" s=- "c=IN IP6 $EDGE6" "t=0 0" \
	"m=audio {port} RTP/AVP 0" \
	"a=candidate:1 1 UDP 2130706431 $EDGE6 {port} typ host" >"$tmp/answer6"
uas_start "$EDGE" "$EDGE6" udp "$tmp/answer6" 50050
uac "$PEER" --to "$EDGE6" --proto udp --sport 5064 --call-prefix v6- \
	"$tmp/offer6" >/dev/null || fail "IPv6 offer not answered"
in_ns "$FW" conntrack -L expect -f ipv6 2>/dev/null | sed 's/^/# /'
ip netns exec "$FW" conntrack -L expect -f ipv6 2>/dev/null |
	grep -q "src=$PEER6 dst=$EDGE6 sport=0 dport=50050 " ||
	fail "IPv6 call: no pinhole $PEER6 -> [$EDGE6]:50050"
udp_listen "$EDGE" "$EDGE6" 50050 "$tmp/rx6"
probe "$PEER" 40000 "$EDGE6" 50050 peer-v6
expect_rx "$tmp/rx6" peer-v6
probe "$ATK" 40000 "$EDGE6" 50050 atk-v6
expect_no_rx "$tmp/rx6" atk-v6

# --- IPv4 signalling, x-candidate-ipv6 media ---
offer "$PEER4" v=0 "o=- 1 1 IN IP4 $PEER4" s=- "c=IN IP4 $PEER4" "t=0 0" \
	"m=audio 40000 RTP/AVP 0" \
	"a=candidate:1 1 UDP 2130706431 $PEER4 40000 typ host" \
	"a=x-candidate-ipv6:3 1 UDP 33553407 $PEER6 40002 typ host " \
	>"$tmp/offer-x6"
answer v=0 "o=- 2 2 IN IP4 $EDGE4" s=- "c=IN IP4 $EDGE4" "t=0 0" \
	"m=audio {port} RTP/AVP 0" \
	"a=candidate:1 1 UDP 2130706431 $EDGE4 {port} typ host" \
	"a=x-candidate-ipv6:3 1 UDP 33553407 $EDGE6 50062 typ host " \
	>"$tmp/answer-x6"
UAS_PID=$tcp_uas uas_stop
uas_start "$EDGE" "$EDGE4" udp "$tmp/answer-x6" 50060
uac "$PEER" --to "$EDGE4" --proto udp --sport 5065 --call-prefix x6- \
	"$tmp/offer-x6" >/dev/null || fail "x-candidate-ipv6 offer not answered"
ip netns exec "$FW" conntrack -L expect -f ipv6 2>/dev/null | sed 's/^/# /'
ip netns exec "$FW" conntrack -L expect -f ipv6 2>/dev/null |
	grep -q "src=$PEER6 dst=$EDGE6 sport=0 dport=50062 " ||
	fail "IPv4-signalled call: no IPv6 pinhole to [$EDGE6]:50062"
udp_listen "$EDGE" "$EDGE6" 50062 "$tmp/rx62"
probe "$PEER" 40002 "$EDGE6" 50062 peer-x6
expect_rx "$tmp/rx62" peer-x6
probe "$ATK" 40002 "$EDGE6" 50062 atk-x6
expect_no_rx "$tmp/rx62" atk-x6
exit 0
