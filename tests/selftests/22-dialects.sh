#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Other offer/answer shapes: the edge as offerer; Microsoft ICE draft-6
# candidates on both sides; a Lync-style multipart/alternative offer over
# TCP (ms-proxy-2007fallback draft-6 part first, RFC part second) whose
# parts' edge ports are all pinned. Each time the peer gets through and
# the attacker does not.
. ./lib.sh
need nft conntrack python3
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
fw_ruleset || fail "ruleset"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"

# reach PORT: the peer gets to the edge's PORT, the attacker does not.
reach() {
	udp_listen "$EDGE" "$EDGE4" "$1" "$tmp/rx$1"
	probe "$PEER" 40000 "$EDGE4" "$1" "peer-$1"
	expect_rx "$tmp/rx$1" "peer-$1"
	probe "$ATK" 40000 "$EDGE4" "$1" "atk-$1"
	expect_no_rx "$tmp/rx$1" "atk-$1"
}

hdr() { # METHOD-LINE FROM-ADDR TRANSPORT
	cat <<T
$1
Via: SIP/2.0/$3 $2:5062;branch=z9hG4bK-{n}
From: <sip:a@example.org>;tag=a{n}
To: <sip:b@example.com>
Call-ID: {call_id}
CSeq: 1 INVITE
Contact: <sip:a@$2:5062>
T
}
resp_hdr() {
	cat <<'T'
SIP/2.0 200 OK
Via: {via}
From: {from}
To: {to};tag=b{n}
Call-ID: {call_id}
CSeq: {cseq}
T
}

# (a) The edge offers (RFC candidates), the peer answers.
{
	hdr "INVITE sip:b@$PEER4 SIP/2.0" "$EDGE4" UDP
	cat <<T
Content-Type: application/sdp

v=0
o=- 1 1 IN IP4 $EDGE4
s=-
c=IN IP4 $EDGE4
t=0 0
m=audio 50020 RTP/SAVP 0
a=candidate:1 1 UDP 2130706431 $EDGE4 50020 typ host
a=candidate:1 2 UDP 2130706430 $EDGE4 50021 typ host
T
} >"$tmp/edge-offer"
{
	resp_hdr
	cat <<T
Content-Type: application/sdp

v=0
o=- 2 2 IN IP4 $PEER4
s=-
c=IN IP4 $PEER4
t=0 0
m=audio {port} RTP/SAVP 0
a=candidate:1 1 UDP 2130706431 $PEER4 {port} typ host
a=candidate:1 2 UDP 2130706430 $PEER4 {rtcp} typ host
T
} >"$tmp/peer-answer"
uas_start "$PEER" "$PEER4" udp "$tmp/peer-answer" 40000
uac "$EDGE" --to "$PEER4" --proto udp --sport 5062 --call-prefix edge-offer- \
	"$tmp/edge-offer" >/dev/null || fail "edge offer not answered"
n=$(pins_to "$EDGE4" '5002[01]' | grep -c "src=$PEER4 ")
[ "$n" = 2 ] || fail "edge as offerer: expected 2 pinholes, got $n"
reach 50020

# (b) Microsoft ICE draft-6 on both sides (peer offers, edge answers).
{
	hdr "INVITE sip:b@$EDGE4 SIP/2.0" "$PEER4" UDP
	cat <<T
Content-Type: application/sdp

v=0
o=- 0 0 IN IP4 $PEER4
s=session
c=IN IP4 $PEER4
b=CT:99980
t=0 0
m=audio 40010 RTP/SAVP 0 8
a=ice-ufrag:d5lF
a=candidate:d5lFvGToRDKh/UhyFNN9rharqthzUrF2FIRP+boPcnE 1 1Riht1AWk/x7TSyhrZQfDA UDP 0.830 $PEER4 40010 
a=candidate:d5lFvGToRDKh/UhyFNN9rharqthzUrF2FIRP+boPcnE 2 1Riht1AWk/x7TSyhrZQfDA UDP 0.830 $PEER4 40011 
T
} >"$tmp/d6-offer"
{
	resp_hdr
	cat <<T
Content-Type: application/sdp

v=0
o=- 0 0 IN IP4 $EDGE4
s=session
c=IN IP4 $EDGE4
t=0 0
m=audio {port} RTP/SAVP 0
a=candidate:1KnO5SLcp8Sm96p3mM/TcHP94AhjFZki4nCkkat7hWw 1 0w7pS47gkm5ShOad9xcsug UDP 0.840 $EDGE4 {port} 
a=candidate:1KnO5SLcp8Sm96p3mM/TcHP94AhjFZki4nCkkat7hWw 2 0w7pS47gkm5ShOad9xcsug UDP 0.840 $EDGE4 {rtcp} 
T
} >"$tmp/d6-answer"
uas_start "$EDGE" "$EDGE4" udp "$tmp/d6-answer" 50010
uac "$PEER" --to "$EDGE4" --proto udp --sport 5062 --call-prefix draft6- \
	"$tmp/d6-offer" >/dev/null || fail "draft-6 offer not answered"
n=$(pins_to "$EDGE4" '5001[01]' | grep -c "src=$PEER4 ")
[ "$n" = 2 ] || fail "draft-6: expected 2 pinholes, got $n"
reach 50010

# (c) A Lync-style multipart/alternative offer from the edge over TCP,
# about 5 KB, so that it spans several segments.
pad=$(for i in $(seq 1 60); do
	echo "a=x-padding:$i 0123456789abcdef0123456789abcdef0123456789abcdef"
done)
{
	hdr "INVITE sip:b@$PEER4;transport=tcp SIP/2.0" "$EDGE4" TCP
	cat <<T
Supported: ms-early-media
ms-endpoint-location-data: NetworkScope;ms-media-location-type=Intranet
Content-Type: multipart/alternative;boundary="----=_NextPart_000_001C_01D282D0.D2055920"

------=_NextPart_000_001C_01D282D0.D2055920
Content-Type: application/sdp
Content-Transfer-Encoding: 7bit
Content-Disposition: session; handling=optional; ms-proxy-2007fallback

v=0
o=- 0 0 IN IP4 $EDGE4
s=session
c=IN IP4 $EDGE4
t=0 0
m=audio 50030 RTP/SAVP 0
a=candidate:qZbRm7lPRnMi1wbt5uWHq+YJ3dDBGFQi7aTa3gD1t2U 1 Ky3bCl3dAQt3XGY6mCU9gQ UDP 0.830 $EDGE4 50030 
a=candidate:qZbRm7lPRnMi1wbt5uWHq+YJ3dDBGFQi7aTa3gD1t2U 2 Ky3bCl3dAQt3XGY6mCU9gQ UDP 0.830 $EDGE4 50031 
$pad

------=_NextPart_000_001C_01D282D0.D2055920
Content-Type: application/sdp
Content-Transfer-Encoding: 7bit
Content-Disposition: session; handling=optional

v=0
o=- 0 1 IN IP4 $EDGE4
s=session
c=IN IP4 $EDGE4
t=0 0
m=audio 50032 RTP/SAVP 0
a=ice-ufrag:tlMR
a=ice-pwd:FuwpNRsfT4UaOKa0ivlnB0n4
a=candidate:1 1 UDP 2130706431 $EDGE4 50032 typ host
a=candidate:1 2 UDP 2130705918 $EDGE4 50033 typ host
a=candidate:2 1 TCP-PASS 174456319 $EDGE4 50034 typ relay raddr $EDGE4 rport 50024
a=x-candidate:3 1 UDP 184548351 $EDGE4 50035 typ relay
$pad

------=_NextPart_000_001C_01D282D0.D2055920--
T
} >"$tmp/lync-offer"
sed 's/tag=b{n}/tag=lb{n}/; s/^Contact:.*//' "$tmp/peer-answer" >"$tmp/lync-answer"
uas_start "$PEER" "$PEER4" tcp "$tmp/lync-answer" 40100
uac "$EDGE" --to "$PEER4" --proto tcp --sport 5063 --split 1400,2800,4200 \
	--call-prefix lync- --hold 20 "$tmp/lync-offer" >"$tmp/uac.log" 2>&1 &
at_exit kill $!
poll 15 grep -q "sent 1 calls" "$tmp/uac.log" ||
	fail "Lync offer not answered: $(cat "$tmp/uac.log")"
pins_to "$EDGE4" '5003[0-5]' | sed 's/^/# /'
n=$(pins_to "$EDGE4" '5003[0-3]' | grep -c "src=$PEER4 ")
[ "$n" = 4 ] || fail "multipart: expected 4 UDP pinholes (both parts), got $n"
# a=x-candidate (Microsoft's) 50035 is a candidate like the others; the
# TCP-PASS relay 50034 is not pinned, the peer's answer having no TCP
# candidate to pair with it.
[ "$(pin_count '.edge_port==50035 and .proto=="udp" and .edge_cand=="relay"')" = 1 ] ||
	fail "multipart: a=x-candidate relay 50035 not pinned"
[ "$(pin_count '.edge_port==50034')" = 0 ] ||
	fail "multipart: TCP 50034 pinned though the peer declared no TCP candidate"
reach 50030
reach 50032
reach 50035
exit 0
