#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Inside the VM (scripts/compare.sh boots it): the same sipp scenarios
# through the firewall with edgepin attached, then with Linux's own
# nf_conntrack_sip attached instead (same nftables table, same
# `ct status expected` guard of the edge's media range), each cell
# measured with real packets at the edge. Prints a Markdown table.
cd "$(dirname "$0")/../tests/selftests" || exit 1
. ./lib.sh
. ./sipp/lib.sh
need sipp nft conntrack socat edgepin python3 kamailio openssl turnserver
topo_up >/dev/null 2>&1
# the TURN row's permitted peer; coturn's relays clear of the listeners
ip -n "$PEER" addr add 198.51.100.3/24 dev eth0
TURN_MIN_PORT=52000 TURN_MAX_PORT=52999
modprobe nf_conntrack_edgepin || fail "modprobe nf_conntrack_edgepin"
# On another port than edgepin (its helper tuple would clash); attached
# explicitly by nftables on 5060 either way.
# Its helper is then named "sip-0".
modprobe nf_conntrack_sip ports=5062 || fail "modprobe nf_conntrack_sip"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
exec 3>&1 >"$tmp/log" 2>&1
ports_csv "$tmp/edge.csv" 50010 1
ports_csv "$tmp/peer.csv" 40000 1
ports_csv "$tmp/many.csv" 50010 20
ports_csv "$tmp/peer20.csv" 40000 20
printf 'SEQUENTIAL\n50010;50011;50020\n' >"$tmp/relay.csv"
printf 'SEQUENTIAL\n50001;50002\n' >"$tmp/tcp.csv"
printf 'SEQUENTIAL\n50030;50031;50032;50033\n' >"$tmp/lync.csv"
for p in $(seq 50010 2 50048) 50020 50030 50032; do
	udp_listen "$EDGE" "$EDGE4" "$p" "$tmp/rx$p"
done
ip netns exec "$EDGE" socat TCP-LISTEN:50001,bind="$EDGE4",fork,reuseaddr \
	SYSTEM:'echo reached-50001' &
at_exit kill $!

# segments MODE: how the edge's TCP SIP crosses the firewall.
#   one:   MTU 16000 on every link, so a whole INVITE (even 9.5 KB) is one
#          segment;
#   mss:   MTU 1500 and no segmentation offload: 1448-byte segments;
#   small: as mss, and a route MTU of 300 on the edge: 260-byte segments.
segments() {
	local mtu=1500 l
	[ "$1" = one ] && mtu=16000
	for l in "$EDGE eth0" "$FW e0" "$FW p0" "$PEER eth0"; do
		# shellcheck disable=SC2086
		set -- "$1" $l
		ip -n "$2" link set "$3" mtu $mtu
	done
	if [ "$1" = one ]; then
		ip -n "$EDGE" link set eth0 gso_max_size 65536 gso_max_segs 65535
	else
		ip -n "$EDGE" link set eth0 gso_max_size 1400 gso_max_segs 1
	fi
	if [ "$1" = small ]; then
		ip -n "$EDGE" route change default via 203.0.113.1 mtu lock 300
	else
		ip -n "$EDGE" route change default via 203.0.113.1
	fi
}
segments mss

# attach HELPER: the firewall's only table, helper type HELPER on 5060.
# With edgepin, its TURN helper on 3478 too; Linux has none.
attach() {
	local turn="" turn_set=""
	if [ "$1" = edgepin ]; then
		turn='ct helper turn-udp { type "edgepin-turn" protocol udp; l3proto inet; }'
		turn_set='udp dport 3478 ct helper set "turn-udp"'
	fi
	ip netns exec "$FW" nft flush ruleset
	ip netns exec "$FW" nft -f - 2>&3 <<NFT || { echo "attach $1 failed" >&3; exit 1; }
table inet compare {
	ct helper sip-udp { type "$1" protocol udp; l3proto inet; }
	ct helper sip-tcp { type "$1" protocol tcp; l3proto inet; }
	$turn
	chain pre {
		type filter hook prerouting priority mangle; policy accept;
		udp dport 5060 ct helper set "sip-udp"
		tcp dport { 5060, 5061 } ct helper set "sip-tcp"
		$turn_set
	}
	chain forward {
		type filter hook forward priority filter; policy accept;
		ct state established,related accept
		ct status expected accept
		ip daddr $EDGE4 meta l4proto { udp, tcp } th dport 50000-59999 drop
	}
}
NFT
	seg_watch
	ip netns exec "$FW" conntrack -F
	ip netns exec "$FW" conntrack -F expect
	ip netns exec "$FW" edgepin policy set edge "$EDGE4" >/dev/null
}

# got FILE TAG MIN: at least MIN datagrams with TAG arrive within 20 s.
got() {
	poll 20 sh -c "[ \$(grep -c '^$2 ' $1) -ge $3 ]"
}

# call H NAME TRANSPORT CALLER_NS CALLER_ADDR UAC CSV CALLEE_NS CALLEE_ADDR
#      UAS CSV HOLD_MS CALLS: start a sipp run (UAS, then UAC).
call() {
	sipp_uas "$8" "$9" "$3" "${10}" "$tmp/${11}" "$tmp/$1-$2-uas.log"
	sipp_uac "$4" "$5" "$9" "$3" "$6" "$tmp/$7" "$tmp/$1-$2-uac.log" \
		"${12}" "${13}"
}
end_call() {
	wait "$UAC_PID"
	kill "$SIPP_UAS_PID"
	wait "$SIPP_UAS_PID"
	return 0
}
yn() { if "$@"; then echo yes; else echo no; fi; }

# split H NAME MODE UAC CSV N SPORT PORT...: the edge calls the peer over
# TCP with UAC, its SIP in MODE segments (checked: in "one" some packet is
# longer than N bytes, otherwise none is); R[NAME,H] says whether the
# peer's media (from SPORT, SPORT+2...: a flow of its own, not one left
# established by an earlier scenario) got in on the offered PORTs.
split() {
	local h=$1 name=$2 mode=$3 uac=$4 csv=$5 n=$6 sport=$7 t=$1-$2 p in b
	local streams=""
	shift 7
	segments "$mode"
	b=$(seg_count "$n")
	call "$h" "$name" tcp "$EDGE" "$EDGE4" "$uac" "$csv" \
		"$PEER" "$PEER4" uas.xml peer.csv 10000 1
	for p in "$@"; do
		media "$PEER" "$sport" "$EDGE4" "$p" "$t" 12
		streams="$streams $MEDIA_PID"
		sport=$((sport + 2))
	done
	poll 20 sh -c "cat $(for p in "$@"; do printf '%s ' "$tmp/rx$p"; done) | grep -q '^$t '"
	sleep 3
	in=""
	for p in "$@"; do
		grep -q "^$t " "$tmp/rx$p" && in="$in $p"
	done
	end_call
	# shellcheck disable=SC2086
	kill $streams 2>/dev/null
	b=$(($(seg_count "$n") - b))
	if { [ "$mode" = one ] && [ "$b" -lt 1 ]; } ||
		{ [ "$mode" != one ] && [ "$b" != 0 ]; }; then
		echo "$t: the INVITE did not cross in $mode segments ($b packets > $n bytes)" >&3
		R[$name,$h]="setup failed"
		failed=1
		return
	fi
	if [ "$in" = "$(printf ' %s' "$@")" ]; then
		R[$name,$h]=yes
	elif [ -z "$in" ]; then
		R[$name,$h]=no
	else
		R[$name,$h]="only on$in"
	fi
}

# tls H: the peer calls over TLS (tlsua.py) to Kamailio, the Edge's
# TLS-terminating proxy, which relays to the Edge's UAS and mirrors the
# call in HEPv3 to the firewall: with edgepin, to edgepin feed (the
# pinholes' master is the peer's TLS connection); nf_conntrack_sip has no
# such input, and reads the TLS connection on 5061 as it would SIP.
# R[tls,H]: did the peer's media get in on the answer's port?
tls() {
	local h=$1 d=$tmp/tls-$1 t=$1-tls ua
	mkdir -p "$d"
	[ "$h" = edgepin ] && feed_start "$d"
	kamailio_start "$d" "sip:$FW_EDGE4:9060;transport=tcp" \
		"$(cat "$d/feed.key" 2>/dev/null)"
	edge_uas "$d"
	ip netns exec "$PEER" "$TLSUA" --to "$EDGE4" --ca "$d/edge.crt" \
		--calls 1 --call-prefix "$t-" --media-port 40200 --hold 300 \
		>"$d/ua.log" 2>&1 &
	ua=$!
	if poll 60 grep -q "1 calls up" "$d/ua.log"; then
		media "$PEER" 40200 "$EDGE4" 50010 "$t" 12
		R[tls,$h]=$(yn got "$tmp/rx50010" "$t" 3)
		kill "$MEDIA_PID"
		kill -USR1 "$ua"
		poll 30 grep -q "1 calls ended" "$d/ua.log"
	else
		echo "# $h tls: the call did not come up: $(cat "$d/ua.log")" >&3
		R[tls,$h]="no call"
		failed=1
	fi
	kill "$ua" "$UAS_PID" "$KAM_PID" 2>/dev/null
	[ "$h" = edgepin ] && kill "$FEED_PID"
	wait "$KAM_PID" 2>/dev/null
	return 0
}

# turn H: a TURN client on the internet (the peer's host, 198.51.100.2)
# allocates a relay on coturn, the Edge's TURN server, and permits a peer
# (198.51.100.3); no SIP at all. R[turn,H]: does the peer's first
# datagram to the relay (nothing left the relay towards it yet) reach
# the client through coturn?
turn() {
	local h=$1 d=$tmp/turn-$1 c=turn_${1//-/_}
	mkdir -p "$d"
	coturn_start "$d"
	TURN_NS=$PEER turn_client "$c" --bind "$PEER4" --sport 40400
	turn_cmd "$c" allocate
	if turn_wait "$c" '^relayed ' 30; then
		turn_cmd "$c" perm 198.51.100.3
		turn_wait "$c" '^ok perm' 30
		echo "$h-turn" | ip netns exec "$PEER" socat -u - \
			"UDP4-SENDTO:$EDGE4:$(turn_relay "$c"),bind=198.51.100.3:40000"
		R[turn,$h]=$(yn poll 10 grep -q \
			"^data 198.51.100.3 40000 $h-turn" "$tmp/$c.log")
	else
		echo "# $h turn: no allocation: $(cat "$tmp/$c.log")" >&3
		R[turn,$h]="no allocation"
		failed=1
	fi
	turn_cmd "$c" quit
	kill "$COTURN_PID"
	wait "$COTURN_PID" 2>/dev/null
	return 0
}

# Each scenario sets R[scenario] for helper $1.
declare -A R
failed=0
scenarios() {
	local h=$1 t n p m
	attach "$h"
	# A plain UDP call (media to the m= port), the attacker, BYE.
	t=$h-basic
	call "$h" basic udp "$PEER" "$PEER4" uac.xml peer.csv \
		"$EDGE" "$EDGE4" uas.xml edge.csv 15000 1
	media "$PEER" 40000 "$EDGE4" 50010 "$t" 40
	m=$MEDIA_PID
	media "$ATK" 40000 "$EDGE4" 50010 "$t-atk" 40
	R[basic,$h]=$(yn got "$tmp/rx50010" "$t" 3)
	R[atk,$h]=$(yn [ "$(rx_count "$tmp/rx50010" "$t-atk")" = 0 ])
	end_call
	sleep 2
	n=$(rx_count "$tmp/rx50010" "$t")
	sleep 4
	R[bye,$h]=$(yn [ "$(rx_count "$tmp/rx50010" "$t")" = "$n" ])
	[ "${R[basic,$h]}" = yes ] || R[bye,$h]="n/a (no media)"
	R[atk,$h]="${R[atk,$h]}"
	kill "$m" "$MEDIA_PID"
	# ICE: media to a relay candidate's port, not the m= port.
	t=$h-ice
	call "$h" ice udp "$PEER" "$PEER4" uac.xml peer.csv \
		"$EDGE" "$EDGE4" uas-relay.xml relay.csv 10000 1
	media "$PEER" 40010 "$EDGE4" 50020 "$t" 12
	R[ice,$h]=$(yn got "$tmp/rx50020" "$t" 3)
	end_call
	# Exclusion: the answer offers TCP media on 50001 (passive).
	call "$h" excl tcp "$PEER" "$PEER4" uac.xml peer.csv \
		"$EDGE" "$EDGE4" uas-tcp.xml tcp.csv 10000 1
	sleep 4
	R[excl,$h]=yes
	for n in 1 2 3; do
		ip netns exec "$PEER" socat -T2 - \
			TCP:"$EDGE4":50001,connect-timeout=2 </dev/null |
			grep -q reached && R[excl,$h]=no
	done
	end_call
	# An INVITE from the edge over TCP, single-part SDP or the 9.5 KB
	# Lync-style multipart, in one segment or in several: media to the
	# offered port(s).
	split "$h" plain-one one uac.xml edge.csv 600 40100 50010
	split "$h" plain-split small uac.xml edge.csv 300 40110 50010
	split "$h" lync-one one uac-lync.xml lync.csv 9000 40120 50030 50032
	split "$h" lync-split mss uac-lync.xml lync.csv 1500 40130 50030 50032
	segments mss
	# 20 calls on one TCP connection: whose media gets in?
	t=$h-many
	call "$h" many tcp "$PEER" "$PEER4" uac.xml peer20.csv \
		"$EDGE" "$EDGE4" uas.xml many.csv 30000 20
	sleep 12
	echo "# $h many: $(ip netns exec "$FW" conntrack -L expect 2>/dev/null | wc -l) expectations; uac: $(tail -c 300 "$tmp/$h-many-uac.log.err" 2>/dev/null)" >&3
	for p in $(seq 50010 2 50048); do
		probe "$PEER" 40030 "$EDGE4" "$p" "$t"
	done
	sleep 5
	n=0
	for p in $(seq 50010 2 50048); do
		grep -qx "$t" "$tmp/rx$p" && n=$((n + 1))
	done
	R[many,$h]="$n/20"
	end_call
	tls "$h"
	turn "$h"
}

scenarios edgepin
scenarios sip-0
row() {
	printf '| %s | %s | %s |\n' "$1" "${R[$2,edgepin]}" "${R[$2,sip-0]}" >&3
}
{
	echo "| scenario (sipp, real packets at the edge) | edgepin | nf_conntrack_sip |"
	echo "|---|---|---|"
} >&3
row "UDP call: peer's media in on the m= port" basic
row "ICE: media to a relay candidate port (not the m= port)" ice
row "TCP INVITE, single-part SDP (0.6 KB), in one segment: media in" plain-one
row "the same INVITE in segments (packets of at most 300 bytes): media in" plain-split
row "TCP INVITE, 9.5 KB Lync multipart/alternative, in one segment (MTU 16000): media in on both parts' ports" lync-one
row "the same INVITE in MSS segments (packets of at most 1500 bytes): media in on both parts' ports" lync-split
row "answer offers TCP 50001: peer cannot connect to it" excl
row "attacker's media to the call's port refused" atk
row "media stream cut at BYE" bye
row "20 calls on one TCP connection: calls whose media got in" many
row "SIP over TLS to the Edge's TLS-terminating proxy (Kamailio 5.6, mirroring it in HEPv3 to edgepin feed): media in" tls
row "TURN-learned pinholes: a peer permitted on coturn's relay (no SIP), its first datagram reaches the client through the relay" turn
exit $failed
