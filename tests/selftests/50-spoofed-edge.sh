#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A forged Edge answer opens nothing (review F1). The attacker calls the
# Edge, then writes a "200 OK" whose IP source is the Edge's address and
# port 5060 onto its own link to the firewall, as a host on a network
# without BCP 38 filtering can. rp_filter is loose (2, systemd's default);
# IPv6 has none. The forged answer crosses the firewall as an established
# reply, and its SDP names an in-range Edge port: edgepin must refuse it
# (refused_spoofed, a log line, a monitor event) and open no pinhole, so
# the attacker's media does not reach the Edge. IPv4 and IPv6, UDP and TCP.
# Control, same topology: the Edge's genuine answer of the same shape,
# from the Edge's side, opens the port to the same attacker (its caller).
. ./lib.sh
need nft conntrack python3 jq socat edgepin
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
fw_ruleset || fail "ruleset"
in_ns "$FW" sysctl -qw net.ipv4.conf.all.rp_filter=2 \
	net.ipv4.conf.a0.rp_filter=2 net.ipv4.conf.e0.rp_filter=2 ||
	fail "rp_filter"
in_ns "$FW" edgepin policy set edge "$EDGE4" "$EDGE6" || fail "policy"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
gw_mac=$(ip netns exec "$FW" cat /sys/class/net/a0/address)
SPOOF="$PWD/spoof.py"

# invite ID ATK-ADDR EDGE-ADDR PROTO / answer ID EDGE-ADDR PORT PROTO:
# the attacker's call to the Edge, and a 200 OK naming Edge port PORT.
# Templates: sipua.py fills {via} ... when it answers for the Edge.
invite() {
	local ip=IP4
	case $2 in *:*) ip=IP6 ;; esac
	mkmsg "$tmp/$1-invite" <<T
INVITE sip:b@example.com SIP/2.0
Via: SIP/2.0/${4^^} $(sock_addr "$2"):5062;branch=z9hG4bK-$1
From: <sip:mallory@example.net>;tag=m-$1
To: <sip:b@example.com>
Call-ID: $1
CSeq: 1 INVITE
Content-Type: application/sdp

v=0
o=- 1 1 IN $ip $2
s=-
c=IN $ip $2
t=0 0
m=audio 40000 RTP/AVP 0
T
}
answer_template() {
	local ip=IP4
	case $1 in *:*) ip=IP6 ;; esac
	cat <<T
SIP/2.0 200 OK
Via: {via}
From: {from}
To: {to};tag=e-{call_id}
Call-ID: {call_id}
CSeq: {cseq}
Content-Type: application/sdp

v=0
o=- 2 2 IN $ip $1
s=-
c=IN $ip $1
t=0 0
m=audio {port} RTP/AVP 0
a=rtcp-mux
a=candidate:1 1 UDP 2130706431 $1 {port} typ host
T
}
answer() {
	answer_template "$2" | sed \
		-e "s|{via}|SIP/2.0/${4^^} $(sock_addr "$2"):5062;branch=z9hG4bK-$1|" \
		-e "s|{from}|<sip:mallory@example.net>;tag=m-$1|" \
		-e "s|{to}|<sip:b@example.com>|" -e "s|{call_id}|$1|g" \
		-e "s|{cseq}|1 INVITE|" -e "s|{port}|$3|g" | mkmsg "$tmp/$1-200"
}

# A listener on the Edge's media port; what the attacker sends to it.
media_check() { # NAME EDGE-ADDR PORT ATK-ADDR must|must-not
	udp_listen "$EDGE" "$2" "$3" "$tmp/$1-rx"
	probe "$ATK" 40000 "$2" "$3" "$1-media"
	if [ "$5" = must ]; then
		expect_rx "$tmp/$1-rx" "$1-media"
	else
		expect_no_rx "$tmp/$1-rx" "$1-media"
	fi
}

spoofed_before=0
# Either outcome shows the helper read the forged answer: a refusal, or
# (without the defence) a pinhole.
forged_seen() {
	[ "$(stat refused_spoofed)" -gt "$spoofed_before" ] ||
		[ "$(pin_count)" != 0 ]
}

attack() { # PROTO EDGE-ADDR ATK-ADDR PORT
	local id="forged-$1-$4" listener fam
	spoofed_before=$(stat refused_spoofed)
	invite "$id" "$3" "$2" "$1"
	answer "$id" "$2" "$4" "$1"
	if [ "$1" = udp ]; then
		run udp_send "$ATK" 5062 "$2" 5060 "$tmp/$id-invite"
		poll 10 ip netns exec "$FW" conntrack -L -p udp --dport 5060 \
			--dst "$2" --src "$3" || fail "$id: no SIP flow"
		in_ns "$ATK" "$SPOOF" udp --iface eth0 --gw-mac "$gw_mac" \
			--src "$2" --sport 5060 --dst "$3" --dport 5062 \
			"$tmp/$id-200" || fail "$id: could not forge"
	else
		# the Edge accepts the connection and says nothing
		fam=4
		case $2 in *:*) fam=6 ;; esac
		ip netns exec "$EDGE" socat -u \
			"TCP$fam-LISTEN:5060,bind=$(sock_addr "$2"),reuseaddr" \
			OPEN:/dev/null &
		listener=$!
		poll 5 ip netns exec "$EDGE" sh -c "ss -Hltn | grep -q ':5060 '" ||
			fail "$id: no TCP listener on the edge"
		in_ns "$ATK" "$SPOOF" tcp --iface eth0 --gw-mac "$gw_mac" \
			--server "$2" --port 5060 --sport 5062 \
			"$tmp/$id-invite" "$tmp/$id-200" ||
			fail "$id: the forged answer did not cross the firewall"
		kill "$listener"
	fi
	poll 10 forged_seen || fail "$id: the helper never saw the forged answer"
	[ "$(pin_count)" = 0 ] ||
		fail "$id: the forged Edge answer opened pinholes: $(ip netns exec "$FW" edgepin pinhole list)"
	[ "$(stat refused_spoofed)" -gt "$spoofed_before" ] ||
		fail "$id: refused_spoofed did not count it"
	media_check "$id" "$2" "$4" "$3" must-not
	in_ns "$FW" edgepin call drop "$id" >/dev/null 2>&1
	return 0
}

pinned() { # CALL-ID PORT: the call has a pinhole to PORT
	[ "$(pin_count ".call_id == \"$1\" and .edge_port == $2")" != 0 ]
}

control() { # PROTO EDGE-ADDR ATK-ADDR PORT
	local id="genuine-$1-$4"
	invite "$id" "$3" "$2" "$1"
	answer_template "$2" >"$tmp/$id-template"
	uas_start "$EDGE" "$2" "$1" "$tmp/$id-template" "$4"
	uac "$ATK" --to "$2" --proto "$1" --sport 5064 --wait 1 \
		"$tmp/$id-invite" || fail "$id: the Edge did not answer"
	poll 10 pinned "$id" "$4" ||
		fail "$id: the Edge's own answer opened nothing"
	media_check "$id" "$2" "$4" "$3" must
	uas_stop
	in_ns "$FW" edgepin pinhole flush >/dev/null
	return 0
}

# SPOOF_CASES="udp4 tcp6 ..." runs only those (to show each fails on a
# module without the defence); the default is all four.
cases=${SPOOF_CASES:-udp4 udp6 tcp4 tcp6}
monitor_start "$tmp/events"
dmesg_mark=$(dmesg | wc -l)
for c in $cases; do
	case $c in
	udp4) attack udp "$EDGE4" "$ATK4" 50010
	      control udp "$EDGE4" "$ATK4" 50110 ;;
	udp6) attack udp "$EDGE6" "$ATK6" 50030
	      control udp "$EDGE6" "$ATK6" 50130 ;;
	tcp4) attack tcp "$EDGE4" "$ATK4" 50020
	      control tcp "$EDGE4" "$ATK4" 50120 ;;
	tcp6) attack tcp "$EDGE6" "$ATK6" 50040
	      control tcp "$EDGE6" "$ATK6" 50140 ;;
	*) fail "unknown case $c" ;;
	esac
done
[ "$cases" = "udp4 udp6 tcp4 tcp6" ] || exit 0

# Seen by the operator: the log names the claimed source and interface,
# the monitor shows the refusal.
dmesg | tail -n +"$((dmesg_mark + 1))" >"$tmp/dmesg"
grep -q "$EDGE4 does not route back out of a0" "$tmp/dmesg" ||
	fail "no log line for the forged IPv4 answer: $(cat "$tmp/dmesg")"
grep -q "$EDGE6 does not route back out of a0" "$tmp/dmesg" ||
	fail "no log line for the forged IPv6 answer"
poll 5 jq -s -e --arg s "$EDGE4" \
	'any(.[]; .event == "refused" and .reason == "refused_spoofed" and
		.source == $s and .iif == "a0")' "$tmp/events" ||
	fail "monitor: no refused_spoofed event: $(cat "$tmp/events")"
exit 0
