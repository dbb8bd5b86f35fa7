#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bounds: 2000 concurrent calls over one TCP signalling connection all get
# their pinholes (Linux's own SIP helper caps a connection at a handful);
# max-pinholes-per-call, max-pinholes (the peer's media in on the one
# pinned port, not on the refused one), max-calls (under a flood of never-answered
# INVITEs) and a full kernel expectation table refuse and count, and never
# stop signalling.
. ./lib.sh
need nft conntrack python3 jq edgepin
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
fw_ruleset || fail "ruleset"
in_ns "$FW" edgepin policy set edge "$EDGE4" || fail "policy"
# One peer address carries every call, as a SIP trunk does: its share of
# max-calls (default 1024) is raised to all of it.
in_ns "$FW" edgepin policy set max-calls-per-source 16384 || fail "policy"
# A loaded guest may take minutes over 2000 calls: their pinholes must not
# expire unused meanwhile.
in_ns "$FW" edgepin policy set pinhole-timeout 3600 || fail "policy"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
call_templates "$tmp"

# The kernel's expectation table is sized from the conntrack hash; an
# operator raises it for a busy edge, and so do we.
old_max=$(sysctl -n net.netfilter.nf_conntrack_expect_max)
echo "# nf_conntrack_expect_max was $old_max"
at_exit sysctl -qw net.netfilter.nf_conntrack_expect_max="$old_max"
run sysctl -qw net.netfilter.nf_conntrack_expect_max=20000

# --- 2000 calls on one TCP connection ---
uas_start "$EDGE" "$EDGE4" tcp "$tmp/answer" 50100
uac "$PEER" --to "$EDGE4" --proto tcp --sport 5070 --calls 2000 \
	--call-prefix trunk- --hold 600 "$tmp/invite" >"$tmp/uac.log" 2>&1 &
at_exit kill $!
poll 300 grep -q "sent 2000 calls, 2000 responses" "$tmp/uac.log" ||
	fail "not all 2000 INVITEs were answered: $(cat "$tmp/uac.log")"
n=$(ip netns exec "$FW" edgepin -j pinhole list | jq length)
echo "# edgepin lists $n pinholes"
[ "$n" = 4000 ] || fail "expected 4000 pinholes for 2000 calls, got $n"
n=$(ip netns exec "$FW" conntrack -L expect 2>/dev/null | grep -c edgepin)
[ "$n" = 4000 ] || fail "conntrack shows $n expectations, not 4000"
[ "$(ip netns exec "$FW" edgepin -j call list | jq length)" = 2000 ] ||
	fail "not 2000 calls tracked"
# the last call's media gets through
udp_listen "$EDGE" "$EDGE4" 54098 "$tmp/rx"
probe "$PEER" 40000 "$EDGE4" 54098 call-2000
expect_rx "$tmp/rx" call-2000
run uas_stop

# logged LINE: the kernel logged LINE since mark_log.
mark_log() { log0=$(dmesg | wc -l); }
logged() { dmesg | tail -n +$((log0 + 1)) | grep -q "$1"; }

# --- max-pinholes-per-call ---
in_ns "$FW" edgepin policy set max-pinholes-per-call 1 || fail "policy"
r0=$(stat refused_max_per_call)
mark_log
sed 's/tag=e-{call_id}/tag=pc-{call_id}/' "$tmp/answer" >"$tmp/answer-pc"
uas_start "$EDGE" "$EDGE4" udp "$tmp/answer-pc" 56000
# The peer declares 20 more addresses: 44 pinholes wanted, one allowed;
# the limit is counted once for the answer, not once per pair.
awk '{ print } /^a=candidate:1 2 / { for (i = 10; i < 30; i++)
	printf "a=candidate:%d 1 UDP 2130706431 198.51.100.%d 40000 typ host\n", i, i }' \
	"$tmp/invite" >"$tmp/invite-many"
[ "$(grep -c '^a=candidate' "$tmp/invite-many")" = 22 ] || fail "invite-many"
uac "$PEER" --to "$EDGE4" --proto udp --sport 5071 --call-prefix percall- \
	"$tmp/invite-many" >/dev/null || fail "per-call INVITE not answered"
[ "$(pin_count '.call_id=="percall-0"')" = 1 ] ||
	fail "max-pinholes-per-call 1 not enforced"
[ "$(($(stat refused_max_per_call) - r0))" = 1 ] ||
	fail "per-call refusals counted $(($(stat refused_max_per_call) - r0)) times, not once"
logged "max-pinholes-per-call (1) reached" || fail "no log line for max-pinholes-per-call"
in_ns "$FW" edgepin policy set max-pinholes-per-call 64

# --- max-pinholes: room for one more; a call wants two ---
n=$(pin_count)
in_ns "$FW" edgepin policy set max-pinholes $((n + 1)) || fail "policy"
r0=$(stat refused_max_pinholes)
mark_log
uac "$PEER" --to "$EDGE4" --proto udp --sport 5071 --call-prefix maxpin- \
	"$tmp/invite" >/dev/null || fail "INVITE not answered at max-pinholes"
got=$(ip netns exec "$FW" edgepin -j pinhole list |
	jq -r '[.[] | select(.call_id=="maxpin-0") | .edge_port] | join(" ")')
case $got in
56002) refused=56003 ;;
56003) refused=56002 ;;
*) fail "max-pinholes $((n + 1)): call pinned '$got', not one of 56002/56003" ;;
esac
[ "$(($(stat refused_max_pinholes) - r0))" = 1 ] ||
	fail "max-pinholes refusal counted $(($(stat refused_max_pinholes) - r0)) times, not once"
logged "max-pinholes ($((n + 1))) reached" || fail "no log line for max-pinholes"
udp_listen "$EDGE" "$EDGE4" "$got" "$tmp/rx$got"
udp_listen "$EDGE" "$EDGE4" "$refused" "$tmp/rx$refused"
probe "$PEER" 40000 "$EDGE4" "$got" maxpin-pinned
expect_rx "$tmp/rx$got" maxpin-pinned
probe "$PEER" 40000 "$EDGE4" "$refused" maxpin-refused
expect_no_rx "$tmp/rx$refused" maxpin-refused
in_ns "$FW" edgepin policy set max-pinholes 65536 || fail "policy"

# --- a full kernel expectation table ---
run sysctl -qw net.netfilter.nf_conntrack_expect_max=4000
r0=$(stat refused_expect_full)
mark_log
uac "$PEER" --to "$EDGE4" --proto udp --sport 5071 --call-prefix full- \
	"$tmp/invite" >/dev/null || fail "INVITE not answered with a full table"
[ "$(pin_count '.call_id=="full-0"')" = 0 ] || fail "pinned past expect_max"
[ "$(stat refused_expect_full)" -gt "$r0" ] || fail "expect_full not counted"
logged "expectation table full" || fail "no log line for a full table"
run sysctl -qw net.netfilter.nf_conntrack_expect_max=20000
run uas_stop

# --- max-calls under a flood of never-answered INVITEs ---
# What the firewall forwarded is counted where it arrives, on the edge's
# ingress, before any socket buffer can overflow.
calls=$(ip netns exec "$FW" edgepin -j call list | jq length)
in_ns "$FW" edgepin policy set max-calls $((calls + 100)) || fail "policy"
r0=$(stat calls_evicted)
ip netns exec "$EDGE" nft -f - <<'NFT' || fail "edge counter"
table inet count {
	counter invites { }
	chain in {
		type filter hook prerouting priority raw; policy accept;
		udp sport 5072 udp dport 5060 counter name invites
	}
}
NFT
ip netns exec "$EDGE" socat -u UDP4-RECV:5060,bind="$EDGE4",reuseaddr \
	OPEN:/dev/null &
at_exit kill $!
poll 5 ip netns exec "$EDGE" sh -c "ss -Hlun | grep -q ':5060 '" ||
	fail "no UDP listener on the edge's 5060"
uac "$PEER" --to "$EDGE4" --proto udp --sport 5072 --calls 300 --wait 0 \
	--call-prefix flood- "$tmp/invite" >/dev/null || fail "flood"
got() {
	ip netns exec "$EDGE" nft -j list counter inet count invites |
		jq '.nftables[] | select(.counter) | .counter.packets'
}
poll 20 sh -c "[ \$(ip netns exec $EDGE nft -j list counter inet count invites |
	jq '.nftables[] | select(.counter) | .counter.packets') = 300 ]" ||
	fail "signalling was dropped: $(got)/300 INVITEs crossed the firewall"
[ "$(ip netns exec "$FW" edgepin -j call list | jq length)" = $((calls + 100)) ] ||
	fail "max-calls not enforced"
[ "$(($(stat calls_evicted) - r0))" = 200 ] ||
	fail "calls_evicted counted $(($(stat calls_evicted) - r0)), not 200"
exit 0
