#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Kernel benchmarks of issue 14 (P2-P6), in the VM, in one boot.

Run by tests/bench/kernel-vm.sh (make bench-kernel). Not a pass/fail test:
it prints markdown tables. Arguments: "quick" (small sizes), then any
KEY=VALUE overriding a size (see SIZES). Absolute numbers under TCG mean
little: read the ratios against the same run's baselines.

Topology (IPv4 only; the addresses of tests/selftests/lib.sh):
  peer 198.51.100.2 -- fw -- edge 203.0.113.2, attacker 192.0.2.2 -- fw
The peer calls the edge over SIP (UDP or TCP port 5060) through fw, where
an nft "ct helper" object (type "edgepin", "sip" or none) is attached as
fw_ruleset does. Senders are Python sockets moved into the namespaces with
setns(): on veth the forwarding path runs in the sender's own softirq, so
the VM's CPU time (/proc/stat user+nice+system+irq+softirq, both vCPUs) per
packet or message is the measure; the background rate measured just before
is subtracted.
"""
import ctypes
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import time

SIZES = {
    "reps": 5,          # repetitions of every measurement
    "p2_calls": 300,    # calls per P2 repetition (5 messages each)
    "probes": 5000,     # new connections per P3 repetition
    "calls_lo": 2500,   # calls (4 pinholes each) of the P3 "10k" level
    "calls_hi": 15000,  # calls of the "60k" level
    "calls_all": 16000,  # calls of P3b/P4/P5 (the last ones pin nothing)
    "idle_s": 20,       # P3b window (split in reps windows)
    "pps_pkts": 20000,  # P6 packets per repetition
    "sized_hash": 65536,  # expect_hashsize of the sized pass (0: skip)
}
QUICK = {"reps": 3, "p2_calls": 60, "probes": 1500, "calls_lo": 250,
         "calls_hi": 1500, "calls_all": 1600, "idle_s": 6, "pps_pkts": 3000}

args = sys.argv[1:]
if args and args[0] == "quick":
    SIZES.update(QUICK)
    args = args[1:]
for a in args:
    k, _, v = a.partition("=")
    if k not in SIZES:
        sys.exit(f"unknown size {k!r}; known: {', '.join(SIZES)}")
    SIZES[k] = int(v)
S = SIZES

PEER4, EDGE4, ATK4 = "198.51.100.2", "203.0.113.2", "192.0.2.2"
PFX = f"bk{os.getpid()}"
FW, PEER, EDGE, ATK = (f"{PFX}-{n}" for n in ("fw", "peer", "edge", "atk"))
HZ = os.sysconf("SC_CLK_TCK")
libc = ctypes.CDLL(None, use_errno=True)
T0 = time.time()


def log(msg):
    print(f"# [{time.time() - T0:6.0f}s] {msg}", flush=True)


def sh(cmd, check=True, quiet=False, inp=None):
    r = subprocess.run(cmd, shell=True, input=inp, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if check and r.returncode:
        raise SystemExit(f"failed ({r.returncode}): {cmd}\n{r.stderr}")
    return r.stdout


def enter(ns):
    fd = os.open(f"/run/netns/{ns}", os.O_RDONLY)
    if libc.setns(fd, 0x40000000):
        raise OSError(ctypes.get_errno(), "setns " + ns)
    os.close(fd)


def fwx(cmd, check=True, inp=None):
    """cmd in the firewall's netns: setns() in the child, not `ip netns
    exec` (its mount namespace and /sys remount cost a second under TCG)."""
    r = subprocess.run(cmd, shell=True, input=inp, text=True,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       preexec_fn=lambda: enter(FW))
    if check and r.returncode:
        raise SystemExit(f"failed ({r.returncode}) in fw: {cmd}\n{r.stderr}")
    return r.stdout


def in_netns(ns, fn):
    """fn() in namespace ns (a socket keeps the netns it was made in)."""
    back = os.open("/proc/self/ns/net", os.O_RDONLY)
    target = os.open(f"/run/netns/{ns}", os.O_RDONLY)
    try:
        if libc.setns(target, 0x40000000):
            raise OSError(ctypes.get_errno(), "setns " + ns)
        return fn()
    finally:
        libc.setns(back, 0x40000000)
        os.close(back)
        os.close(target)


def cpu():
    f = open("/proc/stat").readline().split()
    user, nice, system, idle, iowait, irq, softirq = map(int, f[1:8])
    return (user + nice + system + irq + softirq) / HZ


def background(sec=2.0):
    """VM CPU seconds per wall second when nothing is sent."""
    c0, t0 = cpu(), time.perf_counter()
    time.sleep(sec)
    return (cpu() - c0) / (time.perf_counter() - t0)


def measure(fn, n, bg):
    """VM CPU per unit (us) of fn() doing n units, background removed."""
    c0, t0 = cpu(), time.perf_counter()
    fn()
    time.sleep(0.3)         # deferred softirq work lands in the window
    c1, t1 = cpu(), time.perf_counter()
    return ((c1 - c0) - bg * (t1 - t0)) / n * 1e6, t1 - t0 - 0.3


def measure2(fn, n, bg):
    """(VM CPU us, sender wall us) per unit."""
    us, wall = measure(fn, n, bg)
    return us, wall / n * 1e6


def med(xs):
    return statistics.median(xs)


def fmt(xs, unit=""):
    """median [min-max] of a list."""
    return f"{med(xs):.1f}{unit} [{min(xs):.1f}-{max(xs):.1f}]"


def ratio(a, b):
    return f"{med(a) / med(b):.2f}x" if med(b) > 0 else "n/a"


# ---- topology -------------------------------------------------------------

def topo_up():
    for ns in (FW, PEER, EDGE, ATK):
        sh(f"ip netns add {ns}")
        sh(f"ip -n {ns} link set lo up")
    for ifw, ns, addr, gw in (("p0", PEER, PEER4, "198.51.100.1"),
                              ("e0", EDGE, EDGE4, "203.0.113.1"),
                              ("a0", ATK, ATK4, "192.0.2.1")):
        sh(f"ip link add {ifw} netns {FW} type veth peer name eth0 netns {ns}")
        sh(f"ip -n {FW} link set {ifw} up; ip -n {ns} link set eth0 up")
        sh(f"ip -n {FW} addr add {gw}/24 dev {ifw}")
        sh(f"ip -n {ns} addr add {addr}/24 dev eth0")
        sh(f"ip -n {ns} route add default via {gw}")
    fwx("sysctl -qw net.ipv4.ip_forward=1")
    # The edge drops the P3 probes statelessly (no ICMP back, no conntrack
    # in its netns: nothing there asks for it).
    sh(f"ip netns exec {EDGE} nft -f -", inp="""
table ip sink {
	chain pre {
		type filter hook prerouting priority -300;
		udp dport 20000-29999 drop
	}
}
""")
    for _ in range(100):
        if subprocess.run(f"ip netns exec {PEER} ping -c1 -W1 {EDGE4}",
                          shell=True, stdout=subprocess.DEVNULL).returncode == 0:
            return
        time.sleep(0.1)
    raise SystemExit("no route peer -> edge")


def topo_down():
    for ns in (FW, PEER, EDGE, ATK):
        subprocess.run(f"ip netns del {ns}", shell=True,
                       stderr=subprocess.DEVNULL)


def ruleset(helper):
    """fw_ruleset's shape, with helper 'edgepin', 'sip' or None."""
    objs = sets = ""
    if helper:
        objs = (f'ct helper sip-udp {{ type "{helper}" protocol udp; l3proto inet; }}\n'
                f'ct helper sip-tcp {{ type "{helper}" protocol tcp; l3proto inet; }}\n')
        sets = ('udp dport 5060 ct helper set "sip-udp"\n'
                'tcp dport 5060 ct helper set "sip-tcp"\n')
    fwx("nft -f -", inp=f"""
table inet bench {{}}
delete table inet bench
table inet bench {{
{objs}
	chain forward {{
		type filter hook forward priority filter; policy accept;
		{sets}
		ct state established,related accept
		ct status expected accept
		udp dport 20000-29999 accept
		udp dport 45000 accept
		ip daddr {EDGE4} meta l4proto {{ udp, tcp }} th dport 50000-59999 drop
	}}
}}
""")


def edgepin_policy():
    fwx("edgepin policy load -", inp=f"""
edge {EDGE4}
max-calls-per-source 1048576
pinhole-timeout 86400
""")


def stats():
    return json.loads(fwx("edgepin -j stats"))


def live(st):
    return (st["calls_started"] - st["calls_ended"] - st["calls_timed_out"],
            st["pinholes_opened"] - st["pinholes_closed"] - st["pinholes_expired"])


# ---- SIP messages (Lync-ish ICE SDP) --------------------------------------

def peer_addrs(i):
    """The caller's host and server-reflexive addresses in call i."""
    return (f"10.{(i >> 8) & 255}.{i & 255}.{1 + (i >> 16)}",
            f"100.{64 + ((i >> 16) & 63)}.{(i >> 8) & 255}.{i & 255}")


def sipmsg(start, hdrs, body=""):
    body = body.replace("\n", "\r\n")
    h = "\r\n".join([start] + hdrs + [f"Content-Length: {len(body)}"])
    return (h + "\r\n\r\n" + body).encode()


def offer(i, video):
    host, srflx = peer_addrs(i)
    sdp = (f"v=0\no=- {i} 0 IN IP4 {host}\ns=session\nc=IN IP4 {srflx}\n"
           "b=CT:99980\nt=0 0\n")
    media = [("audio", 30000, "0 8 101 13", "a=rtpmap:101 telephone-event/8000\n"
              "a=fmtp:101 0-16\na=rtpmap:13 CN/8000\n")]
    if video:
        media.append(("video", 30010, "122 121",
                      "a=rtpmap:122 X-H264UC/90000\na=rtpmap:121 x-rtvc1/90000\n"
                      "a=label:main-video\na=x-source:main-video\n"))
    for kind, port, pts, extra in media:
        sdp += (f"m={kind} {port + 1000} RTP/SAVP {pts}\n"
                f"a=ice-ufrag:Ab{i:x}\na=ice-pwd:pw{i:022x}\n"
                f"a=candidate:1 1 UDP 2130706431 {host} {port} typ host\n"
                f"a=candidate:1 2 UDP 2130705918 {host} {port + 1} typ host\n"
                f"a=candidate:2 1 TCP-ACT 1684796927 {host} {port + 2} typ host\n"
                f"a=candidate:2 2 TCP-ACT 1684796414 {host} {port + 2} typ host\n"
                f"a=candidate:3 1 UDP 1694234111 {srflx} {port + 1000} typ srflx "
                f"raddr {host} rport {port}\n"
                f"a=candidate:3 2 UDP 1694233598 {srflx} {port + 1001} typ srflx "
                f"raddr {host} rport {port + 1}\n"
                "a=crypto:2 AES_CM_128_HMAC_SHA1_80 "
                "inline:ZnJvbSBlZGdlcGluIGJlbmNoIGtlcm5lbCB2bQ|2^31|1:1\n"
                f"a=maxptime:200\na=rtcp:{port + 1001}\n{extra}"
                "a=rtpmap:0 PCMU/8000\na=rtpmap:8 PCMA/8000\na=encryption:optional\n")
    return sdp


def answer(i, video, pins=True):
    """The edge's answer: 2 ports a stream (RTP, RTCP) in the range, so
    2 caller addresses x 2 = 4 pinholes per stream; pins=False answers
    outside the range (a tracked call without pinholes)."""
    base = 50000 + (4 * i) % 10000 if pins else 40000
    sdp = f"v=0\no=- {i} 1 IN IP4 {EDGE4}\ns=session\nc=IN IP4 {EDGE4}\nt=0 0\n"
    for k, kind in enumerate(["audio", "video"] if video else ["audio"]):
        p = base + 2 * k
        sdp += (f"m={kind} {p} RTP/SAVP 0\na=ice-ufrag:Ed{i:x}\n"
                f"a=ice-pwd:ed{i:022x}\n"
                f"a=candidate:1 1 UDP 2130706431 {EDGE4} {p} typ host\n"
                f"a=candidate:1 2 UDP 2130705918 {EDGE4} {p + 1} typ host\n"
                "a=crypto:2 AES_CM_128_HMAC_SHA1_80 "
                "inline:ZWRnZSBhbnN3ZXIgZm9yIHRoZSBiZW5jaG1hcmsh|2^31|1:1\n"
                f"a=rtcp:{p + 1}\na=rtpmap:0 PCMU/8000\n")
    return sdp


def dialog(i, proto="UDP", video=True, bye=True, pins=True):
    """The messages of call i: (from_peer, bytes) pairs."""
    cid = f"{i:08x}-bench-{PFX}@lync.example.org"
    via = f"SIP/2.0/{proto} {PEER4}:5060;branch=z9hG4bK{i:x}"
    frm = f'"Caller {i}" <sip:caller{i}@example.org>;tag=c{i:x};epid=ep{i:x}'
    to = f"<sip:edge@example.com>"
    tot = f"{to};tag=e{i:x};epid=ed{i:x}"
    ua = ["Max-Forwards: 70", "User-Agent: UCCAPI/16.0.0.0 OC/16.0.0.0",
          "Supported: ms-dialog-route-set-update, timer, histinfo, ms-safe-transfer",
          "ms-conversation-id: AdQ" + f"{i:012x}"]
    contact = f"Contact: <sip:caller{i}@{PEER4}:5060;transport={proto.lower()}>"
    msgs = [
        (True, sipmsg(f"INVITE sip:edge@{EDGE4} SIP/2.0",
                      [f"Via: {via}", f"From: {frm}", f"To: {to}",
                       f"Call-ID: {cid}", "CSeq: 1 INVITE", contact] + ua +
                      ["Content-Type: application/sdp"], offer(i, video))),
        (False, sipmsg("SIP/2.0 200 OK",
                       [f"Via: {via}", f"From: {frm}", f"To: {tot}",
                        f"Call-ID: {cid}", "CSeq: 1 INVITE",
                        f"Contact: <sip:edge@{EDGE4}:5060;transport={proto.lower()}>",
                        "Server: RTCC/7.0.0.0 MediationServer",
                        "Content-Type: application/sdp"],
                       answer(i, video, pins))),
        (True, sipmsg(f"ACK sip:edge@{EDGE4} SIP/2.0",
                      [f"Via: {via}a", f"From: {frm}", f"To: {tot}",
                       f"Call-ID: {cid}", "CSeq: 1 ACK", "Max-Forwards: 70"])),
    ]
    if bye:
        msgs += [
            (True, sipmsg(f"BYE sip:edge@{EDGE4} SIP/2.0",
                          [f"Via: {via}b", f"From: {frm}", f"To: {tot}",
                           f"Call-ID: {cid}", "CSeq: 2 BYE", "Max-Forwards: 70"])),
            (False, sipmsg("SIP/2.0 200 OK",
                           [f"Via: {via}b", f"From: {frm}", f"To: {tot}",
                            f"Call-ID: {cid}", "CSeq: 2 BYE"])),
        ]
    return msgs


def udp_sock(ns, addr, port, rcvbuf=1 << 16):
    def mk():
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
        s.bind((addr, port))
        return s
    return in_netns(ns, mk)


class UdpSip:
    def __init__(self):
        self.p = udp_sock(PEER, PEER4, 5060)
        self.e = udp_sock(EDGE, EDGE4, 5060)

    def send(self, msgs):
        p, e = self.p, self.e
        for from_peer, m in msgs:
            if from_peer:
                p.sendto(m, (EDGE4, 5060))
            else:
                e.sendto(m, (PEER4, 5060))

    def close(self):
        self.p.close()
        self.e.close()


class TcpSip:
    """One TCP connection peer -> edge:5060 carrying every message."""

    def __init__(self):
        lst = in_netns(EDGE, lambda: socket.create_server((EDGE4, 5060),
                                                          reuse_port=True))
        self.p = in_netns(PEER, lambda: socket.create_connection((EDGE4, 5060)))
        self.e, _ = lst.accept()
        lst.close()
        for s in (self.p, self.e):
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    @staticmethod
    def receive(s, n):
        """Read the n bytes just sent: like a real UA, the other side
        answers only what it got (an answer overtaking its offer through
        the firewall's softirq backlog would find no call)."""
        while n > 0:
            got = s.recv(min(n, 1 << 20))
            if not got:
                raise OSError("SIP/TCP connection closed")
            n -= len(got)

    def send(self, msgs):
        for from_peer, m in msgs:
            s, r = (self.p, self.e) if from_peer else (self.e, self.p)
            s.sendall(m)
            self.receive(r, len(m))

    def close(self):
        self.p.close()
        self.e.close()


def make_calls(first, n, pins=True):
    """Calls first..first+n-1 over UDP (INVITE, 200, ACK), left up."""
    sip = UdpSip()
    for i in range(first, first + n):
        sip.send(dialog(i, video=False, bye=False, pins=pins))
        if i % 500 == 499:
            time.sleep(0.05)    # let ksoftirqd catch up, if it must
    sip.close()
    time.sleep(2)               # calls_gc: confirmations, counts


# ---- P2 -------------------------------------------------------------------

def p2():
    log("P2: CPU per SIP message, edgepin vs nf_conntrack_sip vs no helper")
    # On another port than edgepin's (their helper tuples would clash), as
    # make compare does; attached on 5060 by nftables either way, under
    # the name it then has, "sip-0".
    sh("modprobe nf_conntrack_sip ports=5062")
    res = {}
    base = 10_000_000
    n = S["p2_calls"]
    for proto in ("UDP", "TCP"):
        for rep in range(S["reps"]):
            for helper in ("none", "sip", "edgepin"):
                ruleset({"none": None, "sip": "sip-0"}.get(helper, helper))
                fwx("conntrack -F", check=False)
                sip = UdpSip() if proto == "UDP" else TcpSip()
                sip.send(dialog(base, proto) * 1)   # warm up
                base += 1
                calls = [dialog(base + k, proto) for k in range(n)]
                base += n
                msgs = [m for c in calls for m in c]
                bg = background(1.0)
                st0 = stats() if helper == "edgepin" else None
                us, w = measure2(lambda: sip.send(msgs), len(msgs), bg)
                sip.close()
                if st0:
                    st1 = stats()
                    for k in ("calls_started", "calls_ended", "pinholes_opened",
                              "messages", "tcp_out_of_order"):
                        res.setdefault((proto, k), []).append(st1[k] - st0[k])
                res.setdefault((proto, helper), []).append(us)
                res.setdefault((proto, helper, "wall"), []).append(w)
    ruleset("edgepin")
    fwx("conntrack -F", check=False)
    m = dialog(0)
    sizes = "/".join(str(len(x[1])) for x in m)
    print(f"\n### P2: VM CPU per SIP message (us), {n} calls x 5 messages"
          f" (INVITE/200/ACK/BYE/200, {sizes} bytes, audio+video ICE SDP:"
          " 8 pinholes a call with edgepin) per repetition, "
          f"{S['reps']} repetitions interleaved; median [min-max]\n")
    print("| transport, measure | no helper | nf_conntrack_sip | edgepin | edgepin/sip |"
          " edgepin/none | helper cost: (edgepin-none)/(sip-none) |")
    print("|---|---|---|---|---|---|---|")
    for what in ("VM CPU", "sender wall"):
        for proto in ("UDP", "TCP"):
            k = () if what == "VM CPU" else ("wall",)
            no, sp, ep = (res[(proto, h) + k] for h in ("none", "sip", "edgepin"))
            inc = (med(ep) - med(no)) / (med(sp) - med(no)) \
                if med(sp) - med(no) > 0 else float("nan")
            print(f"| {proto}, {what} | {fmt(no)} | {fmt(sp)} | {fmt(ep)} |"
                  f" {ratio(ep, sp)} | {ratio(ep, no)} | {inc:.2f}x |")
    print("\n# sender wall: the time in the senders' send calls per message"
          " (on veth the forwarding path runs inside them); precise, but"
          " stretched by the host's load like everything under TCG")
    for proto in ("UDP", "TCP"):
        c = {k: sum(res[(proto, k)]) for k in ("calls_started", "calls_ended",
                                               "pinholes_opened", "messages",
                                               "tcp_out_of_order")}
        print(f"\n# edgepin over {proto}, measured calls: {json.dumps(c)};"
              f" {c['pinholes_opened'] / max(c['calls_started'], 1):.2f}"
              " pinholes a call")
    print(f"\n# edgepin stats after P2: {json.dumps(stats())}")


# ---- P3 / P3b / P4 / P5 / P6 ----------------------------------------------

probe_seq = [0]


def probes(n):
    """n new UDP connections attacker -> edge: each a fresh (sport, dport),
    dport 20000-29999 (a plain accept rule; spread over the hash)."""
    def mk():
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((ATK4, 0))
        return s
    out = []
    k = probe_seq[0]
    probe_seq[0] += n
    first = k
    while k < first + n:
        s = in_netns(ATK, mk)
        end = min(first + n, (k // 10000 + 1) * 10000)
        out.append((s, [("x" * 64).encode(), [(EDGE4, 20000 + j % 10000)
                                              for j in range(k, end)]]))
        k = end
    return out


def send_probes(batches):
    for s, (payload, dests) in batches:
        for d in dests:
            s.sendto(payload, d)


class Flow:
    """An established UDP flow peer -> edge:dport (172-byte RTP-sized
    datagrams), the edge's socket bound (so no ICMP), never read."""

    def __init__(self, sport, dport):
        self.s = udp_sock(PEER, PEER4, sport)
        self.r = udp_sock(EDGE, EDGE4, dport, rcvbuf=4096)
        self.d = (EDGE4, dport)
        self.payload = b"\x80" + b"r" * 171
        self.s.sendto(self.payload, self.d)

    def close(self):
        self.s.close()
        self.r.close()

    def send(self, n):
        s, d, p = self.s, self.d, self.payload
        for _ in range(n):
            s.sendto(p, d)


def edge_rx():
    dev = in_netns(EDGE, lambda: open("/proc/net/dev").read())
    for line in dev.splitlines():
        if line.strip().startswith("eth0:"):
            return int(line.split(":", 1)[1].split()[1])
    raise SystemExit("no eth0 in the edge")


def p3_level(label, res, ref_flow):
    """P3 at the current pinhole count: CPU per new connection, and per
    packet of an established flow (a reference for drift)."""
    calls, pins = live(stats())
    new, est, wall = [], [], []
    for _ in range(S["reps"]):
        b = probes(S["probes"])
        bg = background(1.0)
        us, w = measure2(lambda: send_probes(b), S["probes"], bg)
        new.append(us)
        wall.append(w)
        for s, _ in b:
            s.close()
        us, _ = measure(lambda: ref_flow.send(S["probes"]), S["probes"], bg)
        est.append(us)
        fwx(f"conntrack -D -s {ATK4}", check=False)
    res.append((label, calls, pins, new, est, wall))
    log(f"P3 {label}: {calls} calls, {pins} pinholes: new {fmt(new)} us,"
        f" established {fmt(est)} us")


def slab():
    out = {}
    for line in open("/proc/slabinfo").read().splitlines()[2:]:
        f = line.split()
        out[f[0]] = (int(f[1]), int(f[3]))      # active objs, objsize
    return out


def meminfo(key):
    for line in open("/proc/meminfo"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) * 1024
    return 0


def mem_snap():
    time.sleep(2)
    return slab(), meminfo("MemAvailable")


def mem_delta(a, b):
    """bytes in kmalloc caches and edgepin's own, bytes and objects of nf_conntrack_expect,
    MemAvailable drop, from snapshot a to b."""
    sa, sb = a[0], b[0]
    km = sum(sb[k][0] * sb[k][1] - sa.get(k, (0, 0))[0] * sa.get(k, (0, 0))[1]
             for k in sb if k.startswith(("kmalloc", "edgepin_")))
    e0, e1 = sa.get("nf_conntrack_expect", (0, 0)), sb.get("nf_conntrack_expect", (0, 0))
    return km, e1[0] - e0[0], e1[1], a[1] - b[1]


def timed(cmd, reps):
    out = []
    for _ in range(reps):
        t = time.perf_counter()
        subprocess.run(cmd.split(), stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, preexec_fn=lambda: enter(FW))
        out.append((time.perf_counter() - t) * 1e3)
    return out


def pass_(label, hsize, full):
    """One pass at one expectation hash size: P3 levels; with full, also
    P3b, P4, P5 (call list) and P6."""
    out = {"label": label, "hsize": hsize}
    sh("sysctl -qw net.netfilter.nf_conntrack_expect_max=262144")
    sh("sysctl -qw net.netfilter.nf_conntrack_max=1048576")
    out["expect_max"] = sh("sysctl -n net.netfilter.nf_conntrack_expect_max").strip()
    topo_up()
    ruleset("edgepin")
    edgepin_policy()
    ref = Flow(40010, 45000)
    probe_sink = None
    if full:
        bg = []
        for _ in range(S["reps"]):
            bg.append(background(S["idle_s"] / S["reps"]) * 100)
        out["idle0"] = bg
        log(f"P3b: idle, no calls: {fmt(bg, '%')}")
    res = []
    p3_level("0 pinholes", res, ref)
    make_calls(0, S["calls_lo"])
    p3_level("~10k pinholes", res, ref)
    m0 = mem_snap()
    t = time.perf_counter()
    make_calls(S["calls_lo"], S["calls_hi"] - S["calls_lo"])
    out["create"] = (S["calls_hi"] - S["calls_lo"], time.perf_counter() - t)
    m1 = mem_snap()
    p3_level("~60k pinholes", res, ref)
    out["p3"] = res
    calls, pins = live(stats())
    out["p5_pins"] = pins
    out["p5_exp_count"] = len(fwx("conntrack -L expect", check=False).splitlines())
    out["p5_json_count"] = len(json.loads(fwx("edgepin -j pinhole list")))
    r5 = min(S["reps"], 3)     # tens of seconds each under TCG
    out["p5_true"] = timed("true", r5)
    out["p5_edgepin"] = timed("edgepin -j pinhole list", r5)
    out["p5_conntrack"] = timed("conntrack -L expect", r5)
    log(f"P5 at {pins} pinholes: edgepin {fmt(out['p5_edgepin'])} ms,"
        f" conntrack {fmt(out['p5_conntrack'])} ms")
    if full:
        m2 = mem_snap()
        make_calls(S["calls_hi"], S["calls_all"] - S["calls_hi"], pins=False)
        m3 = mem_snap()
        c_hi = S["calls_hi"] - S["calls_lo"]
        st_pins = live(stats())
        out["p4"] = (mem_delta(m0, m1), c_hi, pins - res[1][2],
                     mem_delta(m2, m3), S["calls_all"] - S["calls_hi"],
                     st_pins)
        calls, pins = st_pins
        out["p5_calls"] = calls
        out["p5_calllist_count"] = len(json.loads(fwx("edgepin -j call list")))
        out["p5_calllist"] = timed("edgepin -j call list", min(S["reps"], 3))
        log(f"P5 call list at {calls} calls: {fmt(out['p5_calllist'])} ms")
        bg = []
        for _ in range(S["reps"]):
            bg.append(background(S["idle_s"] / S["reps"]) * 100)
        out["idle1"] = (bg, calls, pins)
        log(f"P3b: idle, {calls} calls: {fmt(bg, '%')}")
        out["p6"] = p6()
    out["stats"] = stats()
    ref.close()     # a socket holds its netns: none may outlive the pass
    return out


def p6():
    """pps of an established flow through a pinhole vs a plain accept."""
    # a call whose caller declares the peer's own address: the flow from
    # it to the edge's port enters through the pinhole
    i = 999_000
    msgs = dialog(i, video=False, bye=False)
    host, srflx = peer_addrs(i)
    msgs = [(f, m.replace(host.encode(), PEER4.encode())) for f, m in msgs]
    fixed = []
    for f, m in msgs:
        h, _, b = m.partition(b"\r\n\r\n")
        h = re.sub(rb"Content-Length: \d+", b"Content-Length: %d" % len(b), h)
        fixed.append((f, h + b"\r\n\r\n" + b))
    sip = UdpSip()
    sip.send(fixed)
    sip.close()
    port = 50000 + (4 * i) % 10000
    time.sleep(1)
    pin = Flow(40000, port)
    plain = Flow(40002, 45000)
    time.sleep(2.5)             # calls_gc marks the pinhole active
    pins = json.loads(fwx("edgepin -j pinhole list peer " + PEER4))
    ctl = fwx(f"conntrack -L -p udp --dport {port}", check=False).strip()
    res = {"pinhole": [], "plain": [], "cpu_pinhole": [], "cpu_plain": []}
    n = S["pps_pkts"]
    for _ in range(S["reps"]):
        for name, f in (("pinhole", pin), ("plain", plain)):
            bg = background(1.0)
            r0 = edge_rx()
            us, wall = measure(lambda: f.send(n), n, bg)
            got = edge_rx() - r0
            res[name].append(got / wall)
            res["cpu_" + name].append(us)
    res["pins"] = pins
    res["ct"] = ctl
    pin.close()
    plain.close()
    return res


# ---- module reload --------------------------------------------------------

def reload_conntrack(hsize):
    """Everything that holds nf_conntrack out, then back with hsize."""
    topo_down()
    mods = ["nf_conntrack_edgepin", "nf_conntrack_sip", "nf_conntrack_netlink",
            "nft_ct", "nf_conntrack"]
    t = time.time()
    while time.time() - t < 120:
        for m in mods:
            subprocess.run(f"modprobe -r {m}", shell=True,
                           stderr=subprocess.DEVNULL)
        if not os.path.exists("/sys/module/nf_conntrack"):
            break
        time.sleep(1)
    else:
        holders = sh("lsmod | grep -E 'conntrack|nf_'", check=False)
        raise SystemExit(f"nf_conntrack stays loaded:\n{holders}")
    log(f"conntrack stack unloaded in {time.time() - t:.0f}s")
    sh(f"modprobe nf_conntrack expect_hashsize={hsize}")
    sh("modprobe nf_conntrack_edgepin")


def hashsize():
    return int(open("/sys/module/nf_conntrack/parameters/expect_hashsize").read())


# ---- main -----------------------------------------------------------------

def main():
    print(f"# sizes: {json.dumps(S)}")
    print(f"# kernel {os.uname().release}, {os.cpu_count()} CPUs,"
          f" MemTotal {meminfo('MemTotal') >> 20} MiB,"
          f" cmdline: {open('/proc/cmdline').read().strip()}")
    rz = open("/sys/kernel/slab/kmalloc-64/red_zone").read().strip() \
        if os.path.exists("/sys/kernel/slab/kmalloc-64/red_zone") else "?"
    print(f"# slub red_zone on kmalloc-64: {rz} (0: slub_debug off)")
    sh("modprobe nf_conntrack_edgepin")
    print(f"# module srcversion {sh('modinfo -F srcversion nf_conntrack_edgepin').strip()}")
    print(f"# nf_conntrack default expect_hashsize {hashsize()}, expect_max"
          f" {sh('sysctl -n net.netfilter.nf_conntrack_expect_max').strip()},"
          f" nf_conntrack_max {sh('sysctl -n net.netfilter.nf_conntrack_max').strip()}")
    try:
        topo_up()
        p2()
    finally:
        topo_down()
    passes = []
    try:
        log(f"pass 1: default expect_hashsize {hashsize()}")
        passes.append(pass_("default", hashsize(), full=not S["sized_hash"]))
        if S["sized_hash"]:
            reload_conntrack(S["sized_hash"])
            log(f"pass 2: expect_hashsize {hashsize()}")
            passes.append(pass_("sized", hashsize(), full=True))
    finally:
        t = time.time()
        topo_down()
        time.sleep(1)
    report(passes)
    log("done")


def report(passes):
    print("\n### P3: VM CPU per new unrelated UDP connection (us), "
          f"{S['probes']} per repetition, {S['reps']} repetitions;"
          " median [min-max]; 'established' is the same sender's packet on an"
          " established flow, measured alongside (a drift reference)\n")
    print("| expect_hashsize | expect_max | level | calls | pinholes |"
          " new connection | vs 0 pinholes | established pkt | new/established |"
          " (new/est) vs 0 | sender wall per new connection | vs 0 |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for p in passes:
        base = p["p3"][0]
        for label, calls, pins, new, est, wall in p["p3"]:
            ne = med(new) / med(est)
            ne0 = med(base[3]) / med(base[4])
            print(f"| {p['hsize']} | {p['expect_max']} | {label} | {calls} |"
                  f" {pins} | {fmt(new)} | {ratio(new, base[3])} | {fmt(est)} |"
                  f" {ne:.2f} | {ne / ne0:.2f}x | {fmt(wall)} | {ratio(wall, base[5])} |")
    full = [p for p in passes if "idle1" in p]
    for p in passes:
        n, sec = p["create"]
        print(f"\n# pass {p['label']}: creating {n} calls (INVITE/200/ACK,"
              f" 4 pinholes each) took {sec:.1f} s ({sec / n * 1e3:.2f} ms a call)")
    print("\n### P5: wall time of listing (ms, the process started in the netns with setns()),"
          f" {min(S['reps'], 3)} repetitions; median [min-max]\n")
    print("| expect_hashsize | what | entries | time | vs `conntrack -L expect` |")
    print("|---|---|---|---|---|")
    for p in passes:
        t0 = med(p["p5_true"])
        print(f"| {p['hsize']} | `true` | - | {fmt(p['p5_true'])} | |")
        print(f"| {p['hsize']} | `conntrack -L expect` | {p['p5_exp_count']} |"
              f" {fmt(p['p5_conntrack'])} | 1.00x |")
        print(f"| {p['hsize']} | `edgepin -j pinhole list` | {p['p5_json_count']} |"
              f" {fmt(p['p5_edgepin'])} | {ratio(p['p5_edgepin'], p['p5_conntrack'])}"
              f" ({(med(p['p5_edgepin']) - t0) / max(med(p['p5_conntrack']) - t0, 1e-9):.2f}x"
              " less `true`\'s process start) |")
        if "p5_calllist" in p:
            print(f"| {p['hsize']} | `edgepin -j call list` | {p['p5_calllist_count']} |"
                  f" {fmt(p['p5_calllist'])} | |")
    for p in full:
        i0 = p["idle0"]
        i1, calls, pins = p["idle1"]
        print(f"\n### P3b: idle VM CPU (% of one CPU, {S['idle_s']} s in"
              f" {S['reps']} windows), expect_hashsize {p['hsize']}\n")
        print("| state | idle CPU | ratio |")
        print("|---|---|---|")
        print(f"| no calls | {fmt(i0, '%')} | 1.00x |")
        print(f"| {calls} calls, {pins} pinholes | {fmt(i1, '%')} | {ratio(i1, i0)} |")
        (km, eobj, esz, avail), nc, npins, (km2, eobj2, _, avail2), nc2, st = p["p4"]
        per_call = km2 / nc2
        per_pin_km = (km - nc * per_call) / npins if npins else float("nan")
        print(f"\n### P4: memory, expect_hashsize {p['hsize']} (slab_nomerge;"
              " kmalloc = every kmalloc-* cache and edgepin's own (edgepin_call,"
              " edgepin_pin), active objects x object size)\n")
        print("| step | calls | pinholes | kmalloc delta | nf_conntrack_expect objs"
              " (size) | MemAvailable drop |")
        print("|---|---|---|---|---|---|")
        print(f"| calls with 4 pinholes | +{nc} | +{npins} | {km} B | +{eobj}"
              f" ({esz} B) | {avail} B |")
        print(f"| calls without pinholes | +{nc2} | +0 | {km2} B | +{eobj2} | {avail2} B |")
        print("\n| per | bytes |\n|---|---|")
        print(f"| call (kmalloc, calls without pinholes) | {per_call:.0f} |")
        print(f"| call (MemAvailable) | {avail2 / nc2:.0f} |")
        print(f"| pinhole: edgepin's kmalloc beyond the kernel's expectation"
              f" (after the calls' share) | {per_pin_km:.0f} |")
        print(f"| pinhole: the kernel's nf_conntrack_expect object | {esz} |")
        print(f"| pinhole + its share of a call, MemAvailable | {avail / npins:.0f} |")
        r = p["p6"]
        print(f"\n### P6: established UDP media flow, 172-byte datagrams, one"
              f" sender, {S['pps_pkts']} packets a repetition, {S['reps']}"
              " repetitions alternating; pps delivered to the edge (its eth0 rx"
              " counter over the send time); median [min-max]\n")
        print("| path | pps | VM CPU per packet (us) |")
        print("|---|---|---|")
        print(f"| plain accept rule (udp dport 45000) | {fmt(r['plain'])} |"
              f" {fmt(r['cpu_plain'])} |")
        print(f"| through an edgepin pinhole | {fmt(r['pinhole'])} |"
              f" {fmt(r['cpu_pinhole'])} |")
        print(f"| ratio pinhole/plain | {ratio(r['pinhole'], r['plain'])} |"
              f" {ratio(r['cpu_pinhole'], r['cpu_plain'])} |")
        print(f"\n# P6 pinholes of the flow's peer: {json.dumps(r['pins'])}")
        print(f"# P6 its conntrack: {r['ct']}")
    for p in passes:
        print(f"# edgepin stats at the end of pass {p['label']}:"
              f" {json.dumps(p['stats'])}")


if __name__ == "__main__":
    main()
