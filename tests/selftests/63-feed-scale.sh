#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# selftest: check-full (moved out of make check's hour when the TURN tests came in)
# The SIP feed at scale: FEED_CALLS (10,000) calls fed by hep.py over one
# TCP connection, as fast as it sends (INVITE, 200, ACK, BYE, 200 each),
# all on one helper-attached master connection (the peer's TLS
# connection to the edge's 5061). No message is lost (feed_messages is
# what was sent), each call opened its pinholes and its BYE closed them,
# no call is left, edgepin feed's memory does not grow with the calls,
# and edgepin's slab objects are back where they were.
. ./lib.sh
need nft conntrack jq edgepin python3 socat
feed_setup
calls=${FEED_CALLS:-10000}
# every call is the peer's: no per-source share below the whole run
in_ns "$FW" edgepin policy set max-calls-per-source 16384 ||
	fail "policy set"
feed_start "$tmp"
key=$(cat "$tmp/feed.key")
tls_master "$tmp" 45061

rss() { sed -n 's/^VmRSS:[[:space:]]*//p' "/proc/$FEED_PID/status"; }
# slab_objs: active objects of edgepin's own slab caches, summed
slab_objs() {
	awk '/^edgepin_/ { n += $2 } END { print n + 0 }' /proc/slabinfo
}
# 100 calls first: the daemon's buffers and the module's caches warm
in_ns "$EDGE" python3 "$HEP" calls 100 --to "$FW_EDGE4:9060" --tcp \
	--proto tls --key "$key" --src "$PEER4:45061" --dst "$EDGE4:5061" ||
	fail "hep.py calls 100"
poll 30 sh -c "[ \$(ip netns exec $FW edgepin -j stats | jq .feed_messages) = 500 ]" ||
	fail "warm-up: feed_messages $(stat feed_messages) of 500"
poll 60 sh -c "[ \$(ip netns exec $FW edgepin -j call list | jq length) = 0 ]" ||
	fail "warm-up calls left"
rss0=$(rss) slab0=$(slab_objs) opened0=$(stat pinholes_opened)
echo "# before: edgepin feed VmRSS $rss0, edgepin slab objects $slab0"

start=$(date +%s)
in_ns "$EDGE" python3 "$HEP" calls "$calls" --to "$FW_EDGE4:9060" --tcp \
	--proto tls --key "$key" --src "$PEER4:45061" --dst "$EDGE4:5061" \
	--media-port 50010 || fail "hep.py calls $calls"
sent=$(($(date +%s) - start))
want=$((500 + 5 * calls))
poll 300 sh -c "[ \$(ip netns exec $FW edgepin -j stats | jq .feed_messages) -ge $want ]"
took=$(($(date +%s) - start))
in_ns "$FW" edgepin -j stats | jq -c '{feed_messages, feed_no_master,
	feed_refused_malformed, messages, calls_started, calls_ended, pinholes_opened,
	pinholes_closed, pinholes_expired, refused_max_calls,
	refused_calls_per_source}' | sed 's/^/# /'
echo "# $calls calls ($((5 * calls)) messages) sent in ${sent}s, all read by the module after ${took}s"
[ "$(stat feed_messages)" = "$want" ] ||
	fail "feed_messages $(stat feed_messages), sent $want"
[ "$(stat feed_no_master)" = 0 ] || fail "feed_no_master $(stat feed_no_master)"
opened=$(($(stat pinholes_opened) - opened0))
[ "$opened" -ge $((2 * calls)) ] ||
	fail "$opened pinholes opened for $calls calls"

# every BYE closed its call and its pinholes
poll 60 sh -c "[ \$(ip netns exec $FW edgepin -j call list | jq length) = 0 ]" ||
	fail "calls left: $(ip netns exec "$FW" edgepin -j call list | jq length)"
poll 30 sh -c "! ip netns exec $FW conntrack -L expect 2>/dev/null | grep -q helper=edgepin" ||
	fail "expectations left: $(ip netns exec "$FW" conntrack -L expect 2>/dev/null | wc -l)"
[ "$(pin_count)" = 0 ] || fail "pinholes left: $(pin_count)"
[ "$(stat pinholes_expired)" = 0 ] ||
	fail "pinholes expired rather than closed by the BYE: $(stat pinholes_expired)"

# memory: the daemon's does not grow with the calls; the module's slab
# objects return (freed by RCU: waited for)
rss1=$(rss)
echo "# after: edgepin feed VmRSS $rss1 (before $rss0)"
[ "${rss1% kB}" -le $((${rss0% kB} + 1024)) ] ||
	fail "edgepin feed grew from $rss0 to $rss1"
slab_back() { [ "$(slab_objs)" -le $((slab0 + 256)) ]; }
poll 30 slab_back
echo "# edgepin slab objects: $slab0 before, $(slab_objs) after"
grep '^edgepin_' /proc/slabinfo | sed 's/^/# /'
slab_back || fail "slab objects $(slab_objs), $slab0 before"
kill -0 "$FEED_PID" || fail "edgepin feed died: $(cat "$tmp/feed.log")"
exit 0
