#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The SIP feed under hostile input (hep.py as the sender). A TLS
# connection from the peer to the edge's 5061 crosses the firewall with
# the helper; each case feeds a call (INVITE from the peer, 200 from the
# edge, both naming that connection) that must open nothing: HEP with a
# wrong key or none, from an unlisted sender (UDP and TCP), truncated,
# garbled, of another magic or family, a garbled TCP stream, and a SIP
# message that is not one inside valid HEP. Each moves its counter; the
# daemon keeps running, and a good call afterwards opens its pinholes.
. ./lib.sh
need nft conntrack jq edgepin python3 socat
feed_setup
feed_start "$tmp"
key=$(cat "$tmp/feed.key")
tls_master "$tmp" 45061
SRC=$PEER4:45061 DST=$EDGE4:5061

# hep_send NS ARGS... FILE...: hep.py send from NS to the feed.
hep_send() {
	local ns=$1
	shift
	in_ns "$ns" python3 "$HEP" send --to "$FW_EDGE4:9060" --proto tls \
		--src "$SRC" --dst "$DST" "$@"
}
# the INVITE and 200 (media 50010) of call $1, in $tmp/$1/
call_files() {
	mkdir -p "$tmp/$1"
	udp_call "$tmp/$1" "$1" 50010
}
# counted NAME N: counter NAME reaches N at least (the daemon reports its
# own refusals to the module once a second).
counted() {
	poll 10 sh -c "[ \$(ip netns exec $FW edgepin -j stats | jq .$1) -ge $2 ]" ||
		fail "$1: $(stat "$1"), expected at least $2"
	echo "# $1: $(stat "$1")"
}
# nothing_open CASE: no pinhole, no call, the daemon alive.
nothing_open() {
	[ "$(stat pinholes_opened)" = 0 ] ||
		fail "$1: a pinhole opened: $(ip netns exec "$FW" edgepin pinhole list)"
	ip netns exec "$FW" conntrack -L expect 2>/dev/null |
		grep -q helper=edgepin && fail "$1: an expectation exists"
	kill -0 "$FEED_PID" || fail "$1: edgepin feed died: $(cat "$tmp/feed.log")"
	echo "# $1: nothing opened"
}

# A wrong key, and none.
call_files c-key
hep_send "$EDGE" --key wrong-key "$tmp/c-key/invite" "$tmp/c-key/200"
hep_send "$EDGE" --tcp "$tmp/c-key/invite" "$tmp/c-key/200"
counted feed_refused_key 3
nothing_open "wrong key, no key"

# An unlisted sender, over UDP and TCP, with the right key.
call_files c-sender
hep_send "$ATK" --key "$key" "$tmp/c-sender/invite" "$tmp/c-sender/200"
hep_send "$ATK" --tcp --key "$key" "$tmp/c-sender/invite" \
	"$tmp/c-sender/200" 2>/dev/null
counted feed_refused_sender 3
nothing_open "unlisted sender"

# Malformed HEP: truncated, a chunk length past the end, another magic,
# the family chunk of the other family.
call_files c-bad
m0=$(stat feed_refused_malformed)
hep_send "$EDGE" --key "$key" --truncate 40 "$tmp/c-bad/invite"
hep_send "$EDGE" --key "$key" --garble "$tmp/c-bad/invite"
hep_send "$EDGE" --key "$key" --bad-magic "$tmp/c-bad/invite"
hep_send "$EDGE" --key "$key" --wrong-family "$tmp/c-bad/200"
counted feed_refused_malformed $((m0 + 4))
nothing_open "malformed HEP"

# A garbled TCP stream: the daemon drops the connection.
m0=$(stat feed_refused_malformed)
hep_send "$EDGE" --tcp --key "$key" --garble "$tmp/c-bad/invite" \
	"$tmp/c-bad/200" 2>/dev/null
counted feed_refused_malformed $((m0 + 1))
nothing_open "garbled TCP stream"

# Valid HEP around bytes that are no SIP message, and a SIP message
# whose SDP is garbage: the module reads them and opens nothing.
head -c 600 /dev/urandom >"$tmp/junk"
printf 'INVITE sip:b@%s SIP/2.0\r\nCall-ID: junk\r\nContent-Length: 99999\r\n\r\nv=0\r\nm=audio x\r\n' \
	"$EDGE4" >"$tmp/junk-sip"
n0=$(ip netns exec "$FW" edgepin -j stats |
	jq '.feed_messages + .feed_refused_malformed')
hep_send "$EDGE" --key "$key" "$tmp/junk" "$tmp/junk-sip"
poll 10 sh -c "[ \$(ip netns exec $FW edgepin -j stats |
	jq '.feed_messages + .feed_refused_malformed') -ge $((n0 + 2)) ]" ||
	fail "garbled SIP not counted: feed_messages $(stat feed_messages), malformed $(stat feed_refused_malformed)"
in_ns "$FW" edgepin -j stats | jq -c '{feed_messages, feed_refused_malformed,
	parse_errors}' | sed 's/^/# /'
nothing_open "garbled SIP in valid HEP"

in_ns "$FW" edgepin -j stats | jq -c '{feed_messages, feed_no_master,
	feed_refused_sender, feed_refused_key, feed_refused_malformed,
	pinholes_opened}' | sed 's/^/# /'

# After all that, a good call (over TCP, with the key) opens its
# pinholes, mastered by the TLS connection.
call_files c-good
hep_send "$EDGE" --tcp --key "$key" "$tmp/c-good/invite" "$tmp/c-good/200" ||
	fail "hep.py send"
poll 10 sh -c "[ \$(ip netns exec $FW conntrack -L expect 2>/dev/null |
	grep -c 'src=$PEER4 dst=$EDGE4 sport=0 dport=5001[01] .*helper=edgepin') = 2 ]" ||
	fail "the good call opened nothing: $(ip netns exec "$FW" edgepin stats)"
[ "$(pin_count '.origin == "feed"')" = 2 ] ||
	fail "pinholes: $(ip netns exec "$FW" edgepin -j pinhole list)"
kill -0 "$FEED_PID" || fail "edgepin feed died: $(cat "$tmp/feed.log")"
exit 0
