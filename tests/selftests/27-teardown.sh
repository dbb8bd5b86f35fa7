#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Teardown with live state: the module is removed while calls, pinholes
# and media flows are live, and the firewall's netns is deleted under
# signalling and media traffic. The module counts its calls, pinholes,
# SDP summaries and TCP streams and WARNs at unload if any leaked; the
# VM runner fails the run on that or any other kernel complaint.
. ./lib.sh
need nft conntrack python3 jq edgepin
topo_up
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
call_templates "$tmp"
mod=nf_conntrack_edgepin

live_calls() { # PREFIX SPORT: 50 calls over TCP, held open
	uac "$PEER" --to "$EDGE4" --proto tcp --sport "$2" --calls 50 \
		--call-prefix "$1" --hold 600 "$tmp/invite" >"$tmp/$1.log" 2>&1 &
	at_exit kill $!
	poll 120 grep -q "sent 50 calls, 50 responses" "$tmp/$1.log" ||
		fail "calls $1 not answered: $(cat "$tmp/$1.log")"
}
media() { # SPORT: keep media flowing from the peer into the first pinhole
	ip netns exec "$PEER" sh -c "while :; do echo rtp; sleep 0.1; done |
		socat -u - UDP4-SENDTO:$EDGE4:50100,sourceport=$1" &
	at_exit kill $!
}

# --- rmmod with live calls, pinholes and flows ---
run modprobe "$mod" || fail "modprobe"
fw_ruleset || fail "ruleset"
in_ns "$FW" edgepin policy set edge "$EDGE4" || fail "policy"
uas_start "$EDGE" "$EDGE4" tcp "$tmp/answer" 50100
live_calls first- 5070
udp_listen "$EDGE" "$EDGE4" 50100 "$tmp/rx"
media 40000
expect_rx "$tmp/rx" rtp
echo "# $(ip netns exec "$FW" edgepin -j pinhole list | jq length) pinholes live"
# nftables' ct helper objects hold the module: the operator drops them.
run ip netns exec "$FW" nft delete table inet edgepin_test || fail "nft"
run rmmod "$mod" || fail "rmmod with live calls failed"
n=$(ip netns exec "$FW" conntrack -L expect 2>/dev/null | grep -c helper=)
[ "$n" = 0 ] || fail "$n expectations left after rmmod"

# It comes back and works.
run modprobe "$mod" || fail "modprobe again"
fw_ruleset || fail "ruleset again"
in_ns "$FW" edgepin policy set edge "$EDGE4" || fail "policy again"
run uas_stop
uas_start "$EDGE" "$EDGE4" tcp "$tmp/answer" 50200
live_calls second- 5071
[ "$(pin_count)" = 100 ] || fail "after reload: $(pin_count) pinholes, not 100"

# --- delete the firewall's netns under traffic ---
uac "$PEER" --to "$EDGE4" --proto udp --sport 5072 --calls 100000 --wait 0 \
	--call-prefix flood- "$tmp/invite" >/dev/null 2>&1 &
at_exit kill $!
media 40001
sleep 2
run ip netns del "$FW" || fail "ip netns del"
sleep 2

# Every netns exit ran; unloading now checks that nothing leaked.
run rmmod "$mod" || fail "rmmod after netns deletion"
exit 0
