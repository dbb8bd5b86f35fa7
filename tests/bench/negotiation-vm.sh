#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Kernel cost of a worst-case negotiation against a normal one, in the VM
# (review F4). Not a pass/fail test: it prints numbers.
#
#   make bench-negotiation            (boots the VM, runs this)
#   scripts/vm-run -- tests/bench/negotiation-vm.sh [NORMAL-CALLS] [WORST-CALLS]
#
# Per call, the attacker's namespace sends an INVITE to the edge's 5060
# through the firewall (edgepin, default policy: no edge set, so each side
# may pin its own address), the edge's namespace answers it with a 200
# (the callee's answer: the only one that negotiates since calls are bound
# to their endpoints), and the attacker sends a BYE. A normal call has one
# m=audio and one candidate a side; a worst-case one has, in both INVITE
# and 200, 4 SDP parts x 128 candidates on the sender's own address (the
# review's F4 scenario). Two measures, both over the same messages:
#  - wall time of each sendto(): on veth, the forwarding path (conntrack,
#    the helper, the negotiation) runs in the sender's own softirq, inside
#    the system call, unless the softirq is deferred to ksoftirqd;
#  - CPU time the whole VM spent (user+system+irq+softirq in /proc/stat,
#    tick-sampled) per call, which catches deferred work too.
# The ratio worst/normal is what the fix bounds; absolute numbers under TCG
# are tens of times those of real hardware.
cd "$(dirname "$0")/../selftests" || exit 1
. ./lib.sh
need nft python3 jq edgepin
normal_calls=${1:-300}
worst_calls=${2:-30}
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
fw_ruleset || fail "ruleset"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
# a sink, so that nothing answers with ICMP
ip netns exec "$EDGE" socat -u UDP4-RECV:5060,bind="$EDGE4",reuseaddr \
	OPEN:/dev/null &
at_exit kill $!
poll 5 ip netns exec "$EDGE" sh -c "ss -Hlun | grep -q ':5060 '" ||
	fail "no sink on the edge's 5060"

worst_msg invite CALLID "$ATK4" 1 | "$SIPUA" fill >"$tmp/w-invite"
worst_msg 200 CALLID "$EDGE4" 1 | "$SIPUA" fill >"$tmp/w-200"
mkmsg "$tmp/n-invite" <<T
INVITE sip:b@$EDGE4 SIP/2.0
Via: SIP/2.0/UDP $ATK4:5060;branch=z9hG4bK-n
From: <sip:a@example.org>;tag=na-CALLID
To: <sip:b@example.com>
Call-ID: CALLID
CSeq: 1 INVITE
Content-Type: application/sdp

v=0
o=- 1 1 IN IP4 $ATK4
s=-
c=IN IP4 $ATK4
t=0 0
m=audio 50000 RTP/AVP 0
a=candidate:1 1 UDP 2130706431 $ATK4 50000 typ host
T
mkmsg "$tmp/n-200" <<T
SIP/2.0 200 OK
Via: SIP/2.0/UDP $ATK4:5060;branch=z9hG4bK-n
From: <sip:a@example.org>;tag=na-CALLID
To: <sip:b@example.com>;tag=nb
Call-ID: CALLID
CSeq: 1 INVITE
Content-Type: application/sdp

v=0
o=- 2 2 IN IP4 $EDGE4
s=-
c=IN IP4 $EDGE4
t=0 0
m=audio 50002 RTP/AVP 0
a=candidate:1 1 UDP 2130706431 $EDGE4 50002 typ host
T
for k in n w; do
	mkmsg "$tmp/$k-bye" <<T
BYE sip:b@$EDGE4 SIP/2.0
Via: SIP/2.0/UDP $ATK4:5060;branch=z9hG4bK-b
From: <sip:a@example.org>;tag=${k}a-CALLID
To: <sip:b@example.com>;tag=nb
Call-ID: CALLID
CSeq: 2 BYE
T
done

echo "# module: $(modinfo -F srcversion nf_conntrack_edgepin 2>/dev/null)" \
	"$(git -C "$OLDPWD" describe --always --dirty 2>/dev/null)"
ip netns exec "$ATK" python3 - "$tmp" "$EDGE4" "$normal_calls" \
	"$worst_calls" "$ATK4" "/run/netns/$EDGE" <<'PY'
import ctypes, os, socket, sys, time

tmp, edge, n_normal, n_worst = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
atk, edge_ns = sys.argv[5], sys.argv[6]
hz = os.sysconf("SC_CLK_TCK")


def cpu():
    f = open("/proc/stat").readline().split()
    user, nice, system, idle, iowait, irq, softirq = map(int, f[1:8])
    return (user + nice + system + irq + softirq) / hz, softirq / hz


def sip_socket(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, 5060))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
    return s


def in_netns(path, fn):
    """fn() in the network namespace at path (a socket keeps its netns)."""
    libc = ctypes.CDLL(None, use_errno=True)
    back = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(target, 0x40000000):      # CLONE_NEWNET
            raise OSError(ctypes.get_errno(), "setns " + path)
        return fn()
    finally:
        libc.setns(back, 0x40000000)
        os.close(back)
        os.close(target)


s = sip_socket("0.0.0.0")                       # the attacker, the caller
e = in_netns(edge_ns, lambda: sip_socket(edge))  # the edge, the callee
senders = (s, e, s)
dests = ((edge, 5060), (atk, 5060), (edge, 5060))


def run(kind, calls):
    msgs = [open(f"{tmp}/{kind}-{m}", "rb").read() for m in ("invite", "200", "bye")]
    wall = [0.0, 0.0, 0.0]
    c0, s0 = cpu()
    for i in range(calls):
        cid = f"{kind}{i:06d}-{os.getpid()}".encode()
        for j, m in enumerate(msgs):
            m = m.replace(b"CALLID", cid)
            t = time.perf_counter()
            senders[j].sendto(m, dests[j])
            wall[j] += time.perf_counter() - t
    time.sleep(1)   # deferred softirq work, if any, lands in the window
    c1, s1 = cpu()
    c2, _ = cpu()
    time.sleep(1)
    c3, _ = cpu()
    idle_cpu = c3 - c2      # background CPU per second, subtracted
    per_call = ((c1 - c0) - idle_cpu) / calls
    print(f"# {kind}: {calls} calls, {len(msgs[0])}+{len(msgs[1])} bytes;"
          f" sendto wall per call: invite {wall[0] / calls * 1e6:.0f} us,"
          f" 200 {wall[1] / calls * 1e6:.0f} us, bye {wall[2] / calls * 1e6:.0f} us;"
          f" VM CPU per call {per_call * 1e3:.2f} ms (softirq {(s1 - s0) / calls * 1e3:.2f} ms)")
    return sum(wall) / calls, per_call


# warm up (module caches, ARP, conntrack)
run("n", 20)
nw, nc = run("n", n_normal)
ww, wc = run("w", n_worst)
print(f"# ratio worst/normal per call: sendto wall {ww / nw:.1f}x,"
      f" VM CPU {wc / nc if nc > 0 else float('nan'):.1f}x")
PY
echo "# stats: $(ip netns exec "$FW" edgepin -j stats | jq -c '{messages, pinholes_opened, refused_max_per_call, refused_source, refused_not_edge, refused_not_in_call}')"
