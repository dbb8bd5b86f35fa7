#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The call table under a flood (issue 11, review F2/F3), edge set:
# 1. FLOOD_PAIRS (default 100000) INVITEs, FLOOD_RATE (700) a second for
#    at most FLOOD_SECONDS (300), from 200 attacker addresses to an edge
#    address nothing answers on, three in four followed by a 200 the
#    caller sends itself; max-calls is 2000. Meanwhile the peer calls the
#    Edge, which answers: that call gets its pinhole and its media gets
#    in. The flood's calls never confirm; they are evicted (calls_evicted)
#    and their 200s refused (refused_not_in_call); the table stays at
#    max-calls; unreclaimable slab grows by less than a documented bound
#    however long the flood.
# 2. One IPv4 address, and two addresses of one IPv6 /64, hold at most
#    max-calls-per-source calls (refused_calls_per_source); another
#    address still gets a call.
. ./lib.sh
need nft python3 jq edgepin socat
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
fw_ruleset || fail "ruleset"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"

# A call not yet answered survives while fewer than max-calls newer ones
# come: 2000 at 700 a second leave the legitimate call about 3 s to be
# answered; 100000 calls take 143 s at that rate, about 240 s under TCG
# (about 420 a second measured), hence the 300 s bound. 200 sources x 20
# calls is twice max-calls: the table fills and evicts.
MAX_CALLS=2000
SHARE=20
FLOOD_PAIRS=${FLOOD_PAIRS:-100000}
FLOOD_SECONDS=${FLOOD_SECONDS:-300}
export FLOOD_RATE=${FLOOD_RATE:-700}
# Flood targets: edge addresses with no SIP agent, whose packets the
# edge counts and drops (no ICMP back to the forged sources).
TARGET4=203.0.113.3 TARGET6=2001:db8:2::3
in_ns "$FW" edgepin policy set edge "$EDGE4" "$TARGET4" "$TARGET6" ||
	fail "policy edge"
in_ns "$FW" edgepin policy set max-calls $MAX_CALLS || fail "max-calls"
in_ns "$FW" edgepin policy set max-calls-per-source $SHARE || fail "share"
run ip -n "$EDGE" addr add $TARGET4/24 dev eth0
run ip -n "$EDGE" addr add $TARGET6/64 dev eth0 nodad
ip netns exec "$EDGE" nft -f - <<NFT || fail "edge drop rule"
table inet flood {
	counter sip { }
	chain in {
		type filter hook prerouting priority raw; policy accept;
		ip daddr $TARGET4 udp dport 5060 counter name sip drop
		ip6 daddr $TARGET6 udp dport 5060 counter name sip drop
	}
}
NFT

# flood DST PAIRS EVERY SECONDS PREFIX SRC...: INVITEs to DST:5060, call i
# from SRC[i % n] port 5060, each but every EVERY-th (0: none) followed by
# the caller's own 200; FLOOD_RATE calls a second at most, stops after
# PAIRS calls or SECONDS.
flood() {
	ip netns exec "$ATK" python3 - "$@" <<'PY'
import os, socket, sys, time
dst, n, every, secs, prefix = sys.argv[1], int(sys.argv[2]), \
    int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
rate = float(os.environ.get("FLOOD_RATE", 1000))
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
socks = []
for a in sys.argv[6:]:
    s = socket.socket(fam, socket.SOCK_DGRAM)
    # send from an address not its own: IP(V6)_TRANSPARENT
    if fam == socket.AF_INET:
        s.setsockopt(socket.SOL_IP, 19, 1)
    else:
        s.setsockopt(socket.IPPROTO_IPV6, 75, 1)
    s.bind((a, 5060))
    socks.append(s)
head = ("Via: SIP/2.0/UDP h.invalid;branch=z9hG4bK-{i}\r\n"
        "From: <sip:a@x.invalid>;tag=f{i}\r\nTo: <sip:b@y.invalid>{t}\r\n"
        "Call-ID: {p}{i}\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n")
invite = "INVITE sip:b@y.invalid SIP/2.0\r\n" + head
ok = "SIP/2.0 200 OK\r\n" + head
start = time.monotonic()
i = 0
while i < n:
    if not i % 256:
        now = time.monotonic() - start
        if now >= secs:
            break
        if i / rate > now:
            time.sleep(i / rate - now)
    s = socks[i % len(socks)]
    s.sendto(invite.format(i=i, p=prefix, t="").encode(), (dst, 5060))
    if not every or i % every:
        s.sendto(ok.format(i=i, p=prefix, t=f";tag=t{i}").encode(),
                 (dst, 5060))
    i += 1
print(f"flood: {i} calls in {time.monotonic() - start:.1f} s", flush=True)
PY
}
crossed() { # packets to the flood targets that crossed the firewall
	ip netns exec "$EDGE" nft -j list counter inet flood sip |
		jq '.nftables[] | select(.counter) | .counter.packets'
}
calls_like() { # PREFIX: tracked calls whose Call-ID starts with it
	ip netns exec "$FW" edgepin -j call list |
		jq "[.[] | select(.call_id | startswith(\"$1\"))] | length"
}
state_is() { # CALL-ID STATE
	[ "$(call_state "$1")" = "$2" ]
}
calls_are() { # PREFIX N
	[ "$(calls_like "$1")" = "$2" ]
}
above() { # COUNTER N: COUNTER is above N
	[ "$(stat "$1")" -gt "$2" ]
}
mem() { # KEY of /proc/meminfo, in kB
	awk -v k="$1:" '$1 == k { print $2 }' /proc/meminfo
}

# --- 1. the flood, and a legitimate call in the middle of it ---
if [ "$FLOOD_PAIRS" -gt 0 ]; then
	call_templates "$tmp"
	uas_start "$EDGE" "$EDGE4" udp "$tmp/answer" 50100
	udp_listen "$EDGE" "$EDGE4" 50100 "$tmp/rx"
	srcs=$(seq -f "192.0.2.%g" 10 209)
	m0=$(stat messages) e0=$(stat calls_evicted)
	n0=$(stat refused_not_in_call)
	sunreclaim0=$(mem SUnreclaim) avail0=$(mem MemAvailable)
	# shellcheck disable=SC2086
	flood $TARGET4 "$FLOOD_PAIRS" 4 "$FLOOD_SECONDS" flood- $srcs \
		>"$tmp/flood.log" 2>&1 &
	flood_pid=$!
	at_exit kill $flood_pid
	# twice the table's worth of calls (7 messages per 4 calls) parsed:
	# whatever was not evicted has stayed
	poll "$FLOOD_SECONDS" above messages $((m0 + 2 * MAX_CALLS * 7 / 4)) ||
		echo "# the flood did not reach $((2 * MAX_CALLS)) calls in time"
	sunreclaim1=$(mem SUnreclaim)
	echo "# $(calls_like flood-) flood calls in the table"
	uac "$PEER" --to "$EDGE4" --proto udp --sport 5070 \
		--call-prefix legit- "$tmp/invite" ||
		fail "the Edge's answer did not come back during the flood"
	# two pinholes: RTP and RTCP
	[ "$(pin_count '.call_id=="legit-0"')" = 2 ] ||
		fail "the legitimate call got no pinholes during the flood" \
			"(state '$(call_state legit-0)'," \
			"$(($(stat calls_evicted) - e0)) calls evicted)"
	poll 10 state_is legit-0 confirmed ||
		fail "the legitimate call is $(call_state legit-0)"
	probe "$PEER" 40000 "$EDGE4" 50100 legit-media
	expect_rx "$tmp/rx" legit-media
	echo "# the legitimate call got its pinhole and media during the flood"
	wait $flood_pid || fail "flood: $(cat "$tmp/flood.log")"
	cat "$tmp/flood.log"
	sunreclaim2=$(mem SUnreclaim) avail2=$(mem MemAvailable)
	calls=$(ip netns exec "$FW" edgepin -j call list)
	echo "# messages parsed $(($(stat messages) - m0)), packets crossed" \
		"$(crossed), calls evicted $(($(stat calls_evicted) - e0))," \
		"refused_not_in_call $(($(stat refused_not_in_call) - n0))," \
		"calls $(jq length <<<"$calls")"
	echo "# SUnreclaim kB: before $sunreclaim0, table full $sunreclaim1," \
		"after $sunreclaim2; MemAvailable kB: before $avail0, after $avail2"
	[ "$(jq length <<<"$calls")" -le $MAX_CALLS ] ||
		fail "more than max-calls calls"
	[ "$(jq '[.[] | select(.state == "confirmed")] | length' <<<"$calls")" = 1 ] ||
		fail "a flood call was confirmed by its caller's own 200"
	above refused_not_in_call "$n0" || fail "no self-answer was refused"
	above calls_evicted "$e0" || fail "the flood evicted nothing"
	[ "$(calls_like legit-)" = 1 ] || fail "the legitimate call was evicted"
	# Bound: at most max-calls calls (kmalloc-512 each) and one share
	# entry per source, about 1 MB here; 8 MB leaves room for the
	# kernel's own churn (conntracks of 200 sources, skbs, the tools).
	[ $((sunreclaim2 - sunreclaim0)) -lt 8192 ] ||
		fail "unreclaimable slab grew by $((sunreclaim2 - sunreclaim0)) kB"
	uas_stop
fi

# --- 2. one source's share; another source still gets a call ---
r0=$(stat refused_calls_per_source)
flood $TARGET4 30 0 60 share4- "$ATK4" || fail "flood"
poll 10 above refused_calls_per_source $((r0 + 9)) ||
	fail "one address was not held to its share: $(calls_like share4-) calls"
[ "$(calls_like share4-)" = $SHARE ] ||
	fail "$ATK4 holds $(calls_like share4-) calls, not $SHARE"
flood $TARGET4 1 0 60 other- 192.0.2.9 || fail "flood"
poll 10 calls_are other- 1 ||
	fail "another address got no call while $ATK4 held its share"
r0=$(stat refused_calls_per_source)
flood $TARGET6 24 0 60 share6- "$ATK6" 2001:db8:3::99 || fail "flood"
poll 10 above refused_calls_per_source $((r0 + 3)) ||
	fail "one /64 was not held to its share: $(calls_like share6-) calls"
[ "$(calls_like share6-)" = $SHARE ] ||
	fail "2001:db8:3::/64 holds $(calls_like share6-) calls, not $SHARE"
echo "# an address and a /64 hold $SHARE calls each; another address got one"
exit 0
