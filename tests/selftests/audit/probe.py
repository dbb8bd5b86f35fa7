#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The attacker (and the oracle's plumbing) of 36-audit-oracle.sh.

    probe.py ports RULESET SEED [CAP]
        print the ports to probe for RULESET (a file): 50000, 59999, every
        number of the ruleset in or next to the media range (n-1, n, n+1,
        clipped to 50000-59999) and random ones (seeded by SEED), at most
        CAP (default 24), one line, space-separated
    probe.py send ADDR... -- PORT...
        per port and address, one UDP datagram and one TCP connection
        attempt (a non-blocking connect: the SYN), each from a socket of
        its own on a fresh ephemeral source port; prints the count sent
    probe.py serve IN OUT FW EDGE ATK NAME=ADDR...
        one process for a whole test run, since each process started
        costs a second or more under TCG: FW, EDGE and ATK are the
        namespaces' files (/run/netns/...); it keeps an nftables context
        in FW and EDGE (python3-nftables) and sends from ATK. For each
        line of the FIFO IN it answers one line on the FIFO OUT ("err
        TEXT" on error):
        load FILE       the firewall's ruleset becomes FILE's (nft
                        syntax, @NAME@ replaced by ADDR): "ok"
        probe FILE SEED re-add the firewall's counting table, flush
                        conntrack in the three namespaces and the edge's
                        set, send to each edge address (the NAME=ADDRs
                        starting with EDGE) on FILE's ports, wait until
                        the firewall counted them all and the edge's set
                        is the same twice 0.3 s apart: "SENT PORT,...
                        SEEN,..." (SEEN "-" if nothing got through)
        gen SEED FILE   write gen.py's ruleset SEED to FILE: "ok"
"""
import ctypes
import json
import os
import random
import re
import socket
import struct
import sys
import time

LO, HI = 50000, 59999


def ports(text, seed, cap):
    fixed = [LO, HI]
    near = set()
    for m in re.finditer(r"(?<!\d)\d{5}(?!\d)", text):
        n = int(m.group())
        if LO - 1 <= n <= HI + 1:
            for p in (n - 1, n, n + 1):
                if LO <= p <= HI:
                    near.add(p)
    r = random.Random(seed)
    near = sorted(near - set(fixed))
    # The ruleset's own numbers first, then random ones; at most cap.
    room = cap - len(fixed) - 4
    if len(near) > room:
        near = sorted(r.sample(near, room))
    chosen = set(fixed) | set(near)
    while len(chosen) < min(cap, len(fixed) + len(near) + 4):
        chosen.add(r.randint(LO, HI))
    return sorted(chosen)


def send(addrs, plist):
    socks = []
    sent = 0
    for addr in addrs:
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        for p in plist:
            u = socket.socket(fam, socket.SOCK_DGRAM)
            u.bind(("", 0))
            try:
                u.sendto(b"oracle %d" % p, (addr, p))
                sent += 1
            except OSError as e:
                print("udp %s %d: %s" % (addr, p, e), file=sys.stderr)
            socks.append(u)
            t = socket.socket(fam, socket.SOCK_STREAM)
            t.setblocking(False)
            t.bind(("", 0))
            rc = t.connect_ex((addr, p))
            if rc in (0, 115):      # 115: EINPROGRESS, the SYN is out
                sent += 1
            else:
                print("tcp %s %d: errno %d" % (addr, p, rc), file=sys.stderr)
            socks.append(t)
    # Closing a socket in SYN_SENT sends nothing: no retransmission, no RST.
    for s in socks:
        s.close()
    return sent


libc = ctypes.CDLL(None, use_errno=True)


def setns(path):
    fd = os.open(path, os.O_RDONLY)
    try:
        if libc.setns(fd, 0x40000000) != 0:     # CLONE_NEWNET
            raise OSError(ctypes.get_errno(), "setns " + path)
    finally:
        os.close(fd)


def ct_socket():
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)  # NETFILTER
    s.bind((0, 0))
    return s


def ct_flush(s):
    """conntrack -F for every family (IPCTNL_MSG_CT_DELETE, no tuple)."""
    msg = struct.pack("=IHHII", 20, (1 << 8) | 2, 1 | 4, 1, 0) + \
        struct.pack("=BBH", socket.AF_UNSPEC, 0, 0)
    s.send(msg)
    ack = s.recv(4096)
    err = struct.unpack_from("=i", ack, 16)[0]
    if err:
        raise OSError(-err, "conntrack flush")


COUNT = """table inet oracle_count
delete table inet oracle_count
table inet oracle_count {
	chain pre {
		type filter hook prerouting priority -1000; policy accept;
		iifname "a0" meta l4proto { udp, tcp } th dport 50000-59999 counter
	}
}
"""


class Oracle:
    def __init__(self, fw, edge, atk, addrs):
        import nftables
        self.addrs = addrs
        self.nft = {}
        self.ct = []
        for name, path in (("fw", fw), ("edge", edge), ("atk", atk)):
            setns(path)
            self.ct.append(ct_socket())
            if name != "atk":
                n = nftables.Nftables()
                n.set_json_output(True)
                self.nft[name] = n
        # stays in the attacker's namespace: probes are sent from there

    def cmd(self, where, text):
        rc, out, err = self.nft[where].cmd(text)
        if rc:
            raise RuntimeError("nft (%s): %s" % (where, err.strip()))
        return json.loads(out) if out.strip() else None

    def subst(self, text):
        for k, v in self.addrs.items():
            text = text.replace("@%s@" % k, v)
        return text

    def load(self, path):
        with open(path) as f:
            self.cmd("fw", "flush ruleset\n" + self.subst(f.read()))

    def count(self):
        j = self.cmd("fw", "list chain inet oracle_count pre")
        return sum(e["counter"]["packets"] for o in j["nftables"]
                   if "rule" in o for e in o["rule"]["expr"]
                   if "counter" in e)

    def seen(self):
        j = self.cmd("edge", "list set inet oracle_truth seen")
        return sorted("/".join(str(x) for x in e["concat"])
                      for o in j["nftables"] if "set" in o
                      for e in o["set"].get("elem", []))

    def probe(self, path, seed, extra=()):
        # the sample, and the ports the audit names (at most 8 more)
        with open(path) as f:
            plist = ports(f.read(), seed, 24)
        plist = sorted(set(plist) |
                       set(p for p in extra[:8] if LO <= p <= HI))
        self.cmd("fw", COUNT)
        for s in self.ct:
            ct_flush(s)
        self.cmd("edge", "flush set inet oracle_truth seen")
        edges = [v for k, v in sorted(self.addrs.items())
                 if k.startswith("EDGE")]
        n = send(edges, plist)
        deadline = time.monotonic() + 60
        while self.count() < n:
            if time.monotonic() > deadline:
                raise RuntimeError("%d of %d probes reached the firewall"
                                   % (self.count(), n))
            time.sleep(0.05)
        a = self.seen()
        while True:
            time.sleep(0.3)
            b = self.seen()
            if a == b:
                break
            if time.monotonic() > deadline:
                raise RuntimeError("the edge's set does not settle")
            a = b
        return "%d %s %s" % (n, ",".join(map(str, plist)),
                             ",".join(a) or "-")


def serve(fin, fout, fw, edge, atk, pairs):
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import gen
    o = Oracle(fw, edge, atk, dict(p.split("=", 1) for p in pairs))
    with open(fin) as inp, open(fout, "w", buffering=1) as out:
        for line in inp:
            w = line.split()
            try:
                if len(w) == 2 and w[0] == "load":
                    o.load(w[1])
                    ans = "ok"
                elif len(w) in (3, 4) and w[0] == "probe":
                    extra = [int(x) for x in w[3].split(",")] \
                        if len(w) == 4 else []
                    ans = o.probe(w[1], int(w[2]), extra)
                elif len(w) == 3 and w[0] == "gen":
                    with open(w[2], "w") as f:
                        f.write(gen.Gen(int(w[1])).ruleset())
                    ans = "ok"
                else:
                    ans = "err unknown request: " + line.strip()
            except Exception as e:          # answer, never die mid-run
                ans = "err " + " | ".join(str(e).splitlines())
            out.write(ans + "\n")


def main():
    a = sys.argv[1:]
    if len(a) >= 3 and a[0] == "ports":
        cap = int(a[3]) if len(a) > 3 else 24
        with open(a[1]) as f:
            text = f.read()
        print(" ".join(str(p) for p in ports(text, int(a[2]), cap)))
    elif len(a) >= 4 and a[0] == "send" and "--" in a:
        i = a.index("--")
        print(send(a[1:i], [int(p) for p in a[i + 1:]]))
    elif len(a) >= 6 and a[0] == "serve":
        serve(a[1], a[2], a[3], a[4], a[5], a[6:])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
