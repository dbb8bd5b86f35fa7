#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# TCP reassembly memory cannot be starved: the attacker opens 300 TCP
# connections through the firewall to a SIP port and sends each 15000
# bytes that never end a message (half of them 'A's, half a start line
# and header lines with no empty line), then 200 more with 100 'A's
# each, and leaves them open and idle. With reasm_max_kb at 4096, that
# is more than the whole budget (of all netns, before F5). Then a
# four-segment INVITE on a new connection through the same firewall
# still gets its pinholes and the peer's media gets in, and so does an
# INVITE through a second firewall namespace (its own budget).
. ./lib.sh
need nft conntrack python3
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
fw_ruleset || fail "ruleset"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
param=/sys/module/nf_conntrack_edgepin/parameters/reasm_max_kb
old=$(cat $param) || fail "no $param"
at_exit "echo $old >$param"
echo 4096 >$param

# A second firewall: client 10.9.1.2 - fw2 - server 10.9.2.2.
FW2="$ns_prefix-fw2" C2="$ns_prefix-c2" S2="$ns_prefix-s2"
for ns in "$FW2" "$C2" "$S2"; do
	ip netns add "$ns" || fail "ip netns add $ns"
	at_exit ip netns del "$ns"
	ip -n "$ns" link set lo up
done
link "$FW2" c0 "$C2" eth0
link "$FW2" s0 "$S2" eth0
ip netns exec "$FW2" sysctl -qw net.ipv4.ip_forward=1
ip -n "$FW2" addr add 10.9.1.1/24 dev c0
ip -n "$FW2" addr add 10.9.2.1/24 dev s0
ip -n "$C2" addr add 10.9.1.2/24 dev eth0
ip -n "$C2" route add default via 10.9.1.1
ip -n "$S2" addr add 10.9.2.2/24 dev eth0
ip -n "$S2" route add default via 10.9.2.1
in_ns "$FW2" nft -f - <<NFT || fail "nft: fw2"
table inet edgepin_test {
	ct helper sip-tcp { type "edgepin" protocol tcp; l3proto inet; }
	chain forward {
		type filter hook forward priority filter; policy accept;
		tcp dport 5060 ct helper set "sip-tcp"
	}
}
NFT

# The first python of a boot reads its modules cold over 9p (~9 s
# under TCG): read them once before the agents' readiness is timed.
/usr/bin/python3 -c 'import argparse, re, selectors, socket, threading'
# The peer's SIP port swallows whatever comes, and counts it.
cat >"$tmp/sink.py" <<'PY'
import selectors, socket, sys
sel, total = selectors.DefaultSelector(), 0
srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind((sys.argv[1], 5060))
srv.listen(512)
sel.register(srv, selectors.EVENT_READ)
while True:
    for key, _ in sel.select():
        if key.fileobj is srv:
            sel.register(srv.accept()[0], selectors.EVENT_READ)
            continue
        data = key.fileobj.recv(65536)
        if not data:
            sel.unregister(key.fileobj)
            key.fileobj.close()
        total += len(data)
        open(sys.argv[2], "w").write(f"{total}\n")
PY
# The attacker: N connections, each sent SIZE bytes that never end a
# message, then TOPUPS more, each sent 100 'A's (what is left of a
# budget is taken too), all held open.
cat >"$tmp/flood.py" <<'PY'
import socket, sys, time
dst, n, size, topups = sys.argv[1], *map(int, sys.argv[2:5])
head = b"OPTIONS sip:x SIP/2.0\r\n"
line = b"X-Junk: " + b"A" * 90 + b"\r\n"
lines = (head + line * (size // len(line) + 1))[:size]
socks = []
for i in range(n + topups):
    s = socket.create_connection((dst, 5060))
    s.sendall(b"A" * 100 if i >= n else b"A" * size if i % 2 else lines)
    socks.append(s)
print(f"flood: {n + topups} connections sent", flush=True)
time.sleep(3600)
PY
ip netns exec "$PEER" /usr/bin/python3 "$tmp/sink.py" "$PEER4" "$tmp/sunk" &
at_exit kill $!
poll 5 ip netns exec "$PEER" sh -c "ss -Hlnt | grep -q ':5060 '" ||
	fail "no sink"
call_templates "$tmp"
uas_start "$EDGE" "$EDGE4" tcp "$tmp/answer" 50010
mkdir "$tmp/ns2"
PEER4=10.9.1.2 EDGE4=10.9.2.2 call_templates "$tmp/ns2"
uas_start "$S2" 10.9.2.2 tcp "$tmp/ns2/answer" 50010

in_ns "$ATK" /usr/bin/python3 "$tmp/flood.py" "$PEER4" 300 15000 200 >"$tmp/flood.log" 2>&1 &
at_exit kill $!
poll 90 grep -q "connections sent" "$tmp/flood.log" ||
	fail "flood: $(cat "$tmp/flood.log")"
sunk() { [ "$(cat "$tmp/sunk" 2>/dev/null)" -ge $((300 * 15000 + 200 * 100)) ]; }
poll 60 sunk || fail "the peer got only $(cat "$tmp/sunk") junk bytes"
echo "# 500 connections sent $(cat "$tmp/sunk") junk bytes through the firewall and idle"
echo "# tcp_resyncs $(stat tcp_resyncs), refused_tcp_memory $(stat refused_tcp_memory)"

bad=""
# The second firewall namespace is not starved by the first.
uac "$C2" --to 10.9.2.2 --proto tcp --sport 5070 --split 40,300,500 \
	--call-prefix ns2- --hold 30 "$tmp/ns2/invite" >"$tmp/ns2.log" 2>&1 &
at_exit kill $!
poll 20 grep -q "sent 1 calls" "$tmp/ns2.log" || fail "ns2: no answer"
n=$(ip netns exec "$FW2" conntrack -L expect 2>/dev/null |
	grep -E "dst=10.9.2.2 sport=0 dport=(50010|50011) .*helper=edgepin" |
	grep -c "src=10.9.1.2 ")
echo "# second namespace: $n pinholes"
[ "$n" = 2 ] || bad="$bad; second namespace: $n pinholes, not 2"

# Nor is a new connection through the flooded firewall.
uac "$PEER" --to "$EDGE4" --proto tcp --sport 5070 --split 40,300,500 \
	--call-prefix flooded- --hold 30 "$tmp/invite" >"$tmp/uac.log" 2>&1 &
at_exit kill $!
poll 20 grep -q "sent 1 calls" "$tmp/uac.log" || fail "no answer"
pins_to "$EDGE4" '50010|50011' | sed 's/^/# /'
n=$(pins_to "$EDGE4" '50010|50011' | grep -c "src=$PEER4 ")
echo "# flooded firewall: $n pinholes"
echo "# tcp_resyncs $(stat tcp_resyncs), refused_tcp_memory $(stat refused_tcp_memory)"
[ "$n" = 2 ] || fail "flooded firewall: $n pinholes, not 2$bad"
[ -z "$bad" ] || fail "${bad#; }"
udp_listen "$EDGE" "$EDGE4" 50010 "$tmp/rx"
probe "$PEER" 40000 "$EDGE4" 50010 peer-media
expect_rx "$tmp/rx" peer-media
probe "$ATK" 40000 "$EDGE4" 50010 attacker
expect_no_rx "$tmp/rx" attacker
exit 0
