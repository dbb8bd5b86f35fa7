#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# SIP over TLS, fed by the proxy that terminates it. The peer calls the
# Edge over TLS (tlsua.py) through the firewall to Kamailio, the Edge
# side's TLS-terminating proxy, which relays the call to the Edge's UAS
# and mirrors its messages in HEPv3 (over TCP, with the key) to edgepin
# feed on the firewall. The firewall runs `edgepin ruleset install
# --sip-port 5060 5061`: the helper is on the TLS connection but reads no
# SIP there (tls_streams); the fed messages whose addresses name that
# connection open the pinholes (helper edgepin, origin feed, mastered by
# it), those of Kamailio's leg to the UAS name no connection
# (feed_no_master). The peer's media reaches the negotiated ports, the
# attacker's does not, nor the peer's to another port; the BYE closes the
# pinholes and cuts the media.
. ./lib.sh
need nft conntrack jq edgepin python3 kamailio openssl socat
feed_setup
in_ns "$FW" edgepin policy set sip-feed on || fail "policy set sip-feed on"

# edgepin feed on the firewall's edge-side address, for Kamailio only,
# with a key.
feed_start "$tmp"
kamailio_start "$tmp" "sip:203.0.113.1:9060;transport=tcp" \
	"$(cat "$tmp/feed.key")"
edge_uas "$tmp"

# One call over TLS, held until SIGUSR1.
ip netns exec "$PEER" "$TLSUA" --to "$EDGE4" --ca "$tmp/edge.crt" \
	--calls 1 --call-prefix tls-call- --media-port 40000 --hold 300 \
	>"$tmp/ua.log" 2>&1 &
UA_PID=$!
at_exit kill $UA_PID
poll 30 grep -q "1 calls up" "$tmp/ua.log" ||
	fail "the TLS call did not come up: $(cat "$tmp/ua.log")
$(tail -n 20 "$tmp/kamailio.log")"
sed 's/^/# /' "$tmp/ua.log"

# The wire: a TLS connection with the helper, whose bytes are not read.
in_ns "$FW" conntrack -L -p tcp --dport 5061 2>/dev/null | sed 's/^/# /'
in_ns "$FW" conntrack -L -p tcp --dport 5061 2>/dev/null |
	grep "src=$PEER4 dst=$EDGE4 " | grep -q "helper=edgepin" ||
	fail "the TLS connection does not carry the edgepin helper"
[ "$(stat tls_streams)" -ge 1 ] || fail "tls_streams $(stat tls_streams)"
# "messages" counts what the parser read, fed or not: no more than the
# fed messages that found their master
st=$(ip netns exec "$FW" edgepin -j stats)
[ "$(jq '.messages - (.feed_messages - .feed_no_master)' <<<"$st")" -le 0 ] ||
	fail "the helper read SIP on the wire: $(jq -c '{messages,
		feed_messages, feed_no_master}' <<<"$st")"

# The pinholes: from the feed, in conntrack, mastered by the TLS flow.
poll 20 sh -c "[ \$(ip netns exec $FW conntrack -L expect 2>/dev/null |
	grep -Ec 'dst=$EDGE4 sport=0 dport=5001[01] .*helper=edgepin') = 2 ]" ||
	fail "no pinholes: $(ip netns exec "$FW" conntrack -L expect 2>&1)
$(ip netns exec "$FW" edgepin stats)"
pins_to "$EDGE4" '50010|50011' | sed 's/^/# /'
n=$(pins_to "$EDGE4" '50010|50011' | grep -c "src=$PEER4 ")
[ "$n" = 2 ] || fail "expected 2 pinholes from the peer, got $n"
in_ns "$FW" edgepin pinhole list | sed 's/^/# /'
[ "$(pin_count '.origin == "feed"')" = 2 ] ||
	fail "pinholes not of origin feed: $(ip netns exec "$FW" edgepin -j pinhole list)"
[ "$(ip netns exec "$FW" edgepin -j call list |
	jq -r '.[] | select(.call_id == "tls-call-0") | .origin')" = feed ] ||
	fail "call not of origin feed: $(ip netns exec "$FW" edgepin -j call list)"
in_ns "$FW" edgepin -j stats | jq -c '{messages, tls_streams, feed_messages,
	feed_no_master, feed_refused_sender, feed_refused_key,
	feed_refused_malformed, pinholes_opened}' | sed 's/^/# /'
[ "$(stat feed_messages)" -ge 3 ] || fail "feed_messages $(stat feed_messages)"
# Kamailio's leg to the UAS (EDGE4:5080 <-> EDGE4:5090) crosses nothing
[ "$(stat feed_no_master)" -ge 1 ] ||
	fail "feed_no_master $(stat feed_no_master)"
for c in feed_refused_sender feed_refused_key feed_refused_malformed; do
	[ "$(stat $c)" = 0 ] || fail "$c $(stat $c)"
done

# Media: the peer's reaches the negotiated port; the attacker's does not,
# nor the peer's to a port that was not negotiated.
udp_listen "$EDGE" "$EDGE4" 50010 "$tmp/rx"
udp_listen "$EDGE" "$EDGE4" 50020 "$tmp/rx-other"
probe "$PEER" 40000 "$EDGE4" 50010 peer-media
expect_rx "$tmp/rx" peer-media
probe "$ATK" 40000 "$EDGE4" 50010 attacker-media
probe "$PEER" 40000 "$EDGE4" 50020 not-negotiated
expect_no_rx "$tmp/rx" attacker-media
expect_no_rx "$tmp/rx-other" not-negotiated
pins_become 1 '.state == "active"' || fail "the media did not make its pinhole active"

# BYE over TLS: the pinholes close, the media flow is cut.
kill -USR1 $UA_PID
poll 30 grep -q "1 calls ended" "$tmp/ua.log" ||
	fail "the BYE got no answer: $(cat "$tmp/ua.log")"
poll 20 sh -c "! ip netns exec $FW conntrack -L expect 2>/dev/null |
	grep -q 'dst=$EDGE4 sport=0 dport=5001[01] '" ||
	fail "pinholes left after BYE: $(ip netns exec "$FW" conntrack -L expect 2>&1)"
poll 10 sh -c "! ip netns exec $FW conntrack -L -p udp --dport 50010 2>/dev/null |
	grep -q 'src=$PEER4'" || fail "the media flow survived the BYE"
[ "$(ip netns exec "$FW" edgepin -j call list | jq length)" = 0 ] ||
	fail "calls left: $(ip netns exec "$FW" edgepin -j call list)"
probe "$PEER" 40000 "$EDGE4" 50010 after-bye
expect_no_rx "$tmp/rx" after-bye
kill -0 $FEED_PID || fail "edgepin feed died: $(cat "$tmp/feed.log")"
exit 0
