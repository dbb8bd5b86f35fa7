#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""Calls placed with real SIP through the firewall, and edgepin's netlink
dumps read one receive at a time while the call table changes between
two receives (review L7), for selftest 57-dump-consistency. Runs in the
initial network namespace and opens each socket in the namespace it
belongs to: the peer's SIP socket (ADDR:5070), the edge's (ADDR:5060) and
the generic netlink socket in the firewall's.

  dumpcheck.py NAMESPACES calls PREFIX N
      Place calls PREFIX0 .. PREFIX<N-1> (INVITE from the peer, 200 with
      SDP from the edge: two pinholes each, RTP and RTCP).
  dumpcheck.py NAMESPACES dump pinholes|calls --long N [--end A-B]
                                 [--reinvite A-B]
      Dump pinholes (or calls), 4 KB a receive. After the receive that
      brings the first entry of a long- call, BYE churn-A .. churn-B; for
      pinholes, once 100 long- pinholes came, re-INVITE the --reinvite
      churn- calls adding video (two more pinholes each). Those calls
      come before long- ones in the table, so both changes are behind
      where the dump is. Then check that each of long-0 .. long-<N-1>
      (each of their pinholes) came exactly once, and that the dump was
      marked NLM_F_DUMP_INTR if and only if something changed.
  dumpcheck.py NAMESPACES churn --churn-calls N
      Until SIGTERM, each round: a new call cy-I, BYE of cy-(I-8), a
      re-INVITE of one of the last 10 churn- calls adding or dropping
      video, and every 20 rounds BYE of the next churn- call from
      churn-30. Prints "churn: running" after the first round.

NAMESPACES: --fw NS --peer NS --edge NS --peer-addr ADDR --edge-addr ADDR
"""
import argparse
import ctypes
import os
import signal
import socket
import struct
import sys
import time

CLONE_NEWNET = 0x40000000
NETLINK_GENERIC = 16
NLM_F_REQUEST, NLM_F_DUMP, NLM_F_DUMP_INTR = 0x1, 0x300, 0x10
NLMSG_ERROR, NLMSG_DONE = 2, 3
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2
# kmod/uapi/edgepin.h
CMD_PINHOLE_GET, CMD_CALL_GET = 3, 5
A_PINHOLE, A_CALL = 3, 4
A_PIN_CALL_ID, A_PIN_EDGE_PORT = 1, 7
A_CALL_ID_STR = 1

# Edge media ports of call I of each prefix: BASE + 2 I (RTCP + 1).
BASES = {"churn-": 50000, "long-": 52000, "cy-": 56000}
VIDEO_BASE = 58000
SIP_TIMEOUT = 10


def setns(name):
    libc = ctypes.CDLL(None, use_errno=True)
    with open(name if name.startswith("/") else f"/run/netns/{name}") as f:
        if libc.setns(f.fileno(), CLONE_NEWNET):
            sys.exit(f"setns {name}: {os.strerror(ctypes.get_errno())}")


class Sip:
    """The peer's and the edge's SIP sockets, each in its namespace."""

    def __init__(self, a):
        self.p, self.e = a.peer_addr, a.edge_addr
        here = "/proc/self/ns/net"
        home = os.open(here, os.O_RDONLY)
        setns(a.peer)
        self.peer = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.peer.bind((self.p, 5070))
        setns(a.edge)
        self.edge = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.edge.bind((self.e, 5060))
        setns(f"/proc/self/fd/{home}")
        os.close(home)
        for s in (self.peer, self.edge):
            s.settimeout(SIP_TIMEOUT)

    def msg(self, first, cid, cseq, method, to_tag, sdp=""):
        head = [first,
                f"Via: SIP/2.0/UDP {self.p}:5070;branch=z9hG4bK-{cid}-{cseq}",
                f"From: <sip:peer@example.org>;tag=p-{cid}",
                "To: <sip:edge@example.com>" +
                (f";tag=e-{cid}" if to_tag else ""),
                f"Call-ID: {cid}", f"CSeq: {cseq} {method}"]
        if sdp:
            head.append("Content-Type: application/sdp")
        head.append(f"Content-Length: {len(sdp)}")
        return ("\r\n".join(head) + "\r\n\r\n" + sdp).encode()

    def sdp(self, addr, audio, video=None, rtcp=False):
        lines = ["v=0", f"o=- 1 {audio} IN IP4 {addr}", "s=-",
                 f"c=IN IP4 {addr}", "t=0 0", f"m=audio {audio} RTP/AVP 0"]
        if rtcp:
            lines.append(f"a=rtcp:{audio + 1}")
        if video:
            lines.append(f"m=video {video} RTP/AVP 96")
            if rtcp:
                lines.append(f"a=rtcp:{video + 1}")
        return "\r\n".join(lines) + "\r\n"

    def exchange(self, req, resp, cid):
        """The request through the firewall to the edge, its answer back."""
        mine = f"\r\nCall-ID: {cid}\r\n".encode()
        for _ in range(3):
            self.peer.sendto(req, (self.e, 5060))
            try:
                while mine not in self.edge.recvfrom(65535)[0]:
                    pass
                self.edge.sendto(resp, (self.p, 5070))
                while mine not in self.peer.recvfrom(65535)[0]:
                    pass
                return
            except socket.timeout:
                continue
        sys.exit(f"dumpcheck: {cid}: no answer through the firewall")

    def call(self, prefix, i):
        cid, port = f"{prefix}{i}", BASES[prefix] + 2 * (i % 900)
        self.exchange(
            self.msg(f"INVITE sip:edge@{self.e} SIP/2.0", cid, 1, "INVITE",
                     False, self.sdp(self.p, 40000)),
            self.msg("SIP/2.0 200 OK", cid, 1, "INVITE", True,
                     self.sdp(self.e, port, rtcp=True)), cid)

    def reinvite(self, prefix, i, cseq, video=True):
        """Renegotiate the call with video (two more pinholes) or without
        (its video pinholes close); its audio pinholes stay."""
        cid, port = f"{prefix}{i}", BASES[prefix] + 2 * (i % 900)
        vport = VIDEO_BASE + 2 * i if video else None
        self.exchange(
            self.msg(f"INVITE sip:edge@{self.e} SIP/2.0", cid, cseq,
                     "INVITE", True,
                     self.sdp(self.p, 40000, 40002 if video else None)),
            self.msg("SIP/2.0 200 OK", cid, cseq, "INVITE", True,
                     self.sdp(self.e, port, vport, True)), cid)

    def bye(self, prefix, i):
        cid = f"{prefix}{i}"
        self.exchange(
            self.msg(f"BYE sip:edge@{self.e} SIP/2.0", cid, 2, "BYE", True),
            self.msg("SIP/2.0 200 OK", cid, 2, "BYE", True), cid)


def attrs(buf, off, end):
    """{type: payload} of the netlink attributes in buf[off:end]."""
    out = {}
    while off + 4 <= end:
        alen, atype = struct.unpack_from("=HH", buf, off)
        if alen < 4:
            break
        out[atype & 0x3FFF] = buf[off + 4:off + alen]
        off += (alen + 3) & ~3
    return out


class Genl:
    def __init__(self, ns):
        here = os.open("/proc/self/ns/net", os.O_RDONLY)
        setns(ns)
        self.s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW,
                               NETLINK_GENERIC)
        setns(f"/proc/self/fd/{here}")
        os.close(here)
        self.s.bind((0, 0))
        self.seq = 0
        name = b"edgepin\0"
        attr = struct.pack("=HH", 4 + len(name), CTRL_ATTR_FAMILY_NAME) + \
            name + b"\0" * (-len(name) % 4)
        self.send(GENL_ID_CTRL, NLM_F_REQUEST, CTRL_CMD_GETFAMILY, attr)
        msgs = self.recv()[0]
        a = attrs(msgs[0][2], 4, len(msgs[0][2]))
        self.family = struct.unpack("=H", a[CTRL_ATTR_FAMILY_ID])[0]

    def send(self, mtype, flags, cmd, payload=b""):
        self.seq += 1
        body = struct.pack("=BBH", cmd, 1, 0) + payload
        self.s.send(struct.pack("=IHHII", 16 + len(body), mtype, flags,
                                self.seq, 0) + body)

    def recv(self, size=4096):
        """One receive: [(type, flags, payload)], and whether it ended."""
        data, _, mflags, _ = self.s.recvmsg(size)
        if mflags & socket.MSG_TRUNC:
            sys.exit("dumpcheck: netlink message truncated")
        out, off, done = [], 0, False
        while off + 16 <= len(data):
            mlen, mtype, flags, seq, _ = struct.unpack_from("=IHHII", data,
                                                            off)
            if seq != self.seq:
                sys.exit(f"dumpcheck: reply of seq {seq}, want {self.seq}")
            payload = data[off + 16:off + mlen]
            if mtype == NLMSG_ERROR:
                err = struct.unpack_from("=i", payload)[0]
                if err:
                    sys.exit(f"dumpcheck: netlink error {os.strerror(-err)}")
                done = True
            elif mtype == NLMSG_DONE:
                done = True
            out.append((mtype, flags, payload))
            off += (mlen + 3) & ~3
        return out, done

    def dump(self, cmd, on_receive):
        """Entries of a dump (call IDs, or (call ID, edge port) of
        pinholes) and the index of the first message marked interrupted
        (None); on_receive(entries) runs after each receive."""
        self.send(self.family, NLM_F_REQUEST | NLM_F_DUMP, cmd)
        entries, intr, n, receives = [], None, 0, 0
        done = False
        while not done:
            msgs, done = self.recv()
            receives += 1
            for mtype, flags, payload in msgs:
                if flags & NLM_F_DUMP_INTR and intr is None:
                    intr = n
                n += 1
                if mtype != self.family:
                    continue
                top = attrs(payload, 4, len(payload))
                if cmd == CMD_PINHOLE_GET:
                    p = top[A_PINHOLE]
                    pin = attrs(p, 0, len(p))
                    entries.append((pin[A_PIN_CALL_ID].decode(),
                                    struct.unpack("=H",
                                                  pin[A_PIN_EDGE_PORT])[0]))
                else:
                    c = top[A_CALL]
                    entries.append(attrs(c, 0, len(c))[A_CALL_ID_STR].decode())
            if not done:
                on_receive(entries)
        return entries, intr, receives


def span(text):
    if not text:
        return range(0)
    lo, _, hi = text.partition("-")
    return range(int(lo), int(hi or lo) + 1)


def is_long(entry):
    return (entry if isinstance(entry, str) else entry[0]).startswith("long-")


def dump(a):
    sip, nl = Sip(a), Genl(a.fw)
    pins = a.what == "pinholes"
    changed = {"end": False, "reinvite": False}

    def on_receive(entries):
        longs = sum(map(is_long, entries))
        if longs and not changed["end"]:
            changed["end"] = True
            for i in span(a.end):
                sip.bye("churn-", i)
        if pins and longs >= 100 and not changed["reinvite"]:
            changed["reinvite"] = True
            for i in span(a.reinvite):
                sip.reinvite("churn-", i, 3)

    entries, intr, receives = nl.dump(
        CMD_PINHOLE_GET if pins else CMD_CALL_GET, on_receive)
    if pins:
        want = [(f"long-{i}", BASES["long-"] + 2 * i + k)
                for i in range(a.long) for k in (0, 1)]
    else:
        want = [f"long-{i}" for i in range(a.long)]
    seen = {}
    for e in entries:
        seen[e] = seen.get(e, 0) + 1
    missing = [w for w in want if w not in seen]
    twice = [w for w in want if seen.get(w, 0) > 1]
    did = [k for k, v in changed.items() if v and
           (a.end if k == "end" else a.reinvite)]
    print(f"dump {a.what}: {len(entries)} entries in {receives} receives,"
          f" changes between receives: {' '.join(did) or 'none'};"
          f" long- {a.what}: {len(want)} expected, {len(missing)} missing,"
          f" {len(twice)} listed more than once;"
          f" NLM_F_DUMP_INTR {'none' if intr is None else f'from message {intr}'}",
          flush=True)
    ok = True
    if missing:
        print(f"missing: {missing[:8]}{' ...' if len(missing) > 8 else ''}")
        ok = False
    if twice:
        print(f"more than once: {twice[:8]}"
              f"{' ...' if len(twice) > 8 else ''}")
        ok = False
    if did and intr is None:
        print("the table changed during the dump, which was not marked "
              "interrupted")
        ok = False
    if not did and intr is not None:
        print("nothing changed, yet the dump was marked interrupted")
        ok = False
    return 0 if ok else 1


def churn(a):
    """Changes both before long- calls in the table (churn- calls ending,
    churn- calls gaining and losing video pinholes) and after them (cy-
    calls coming and going), about a hundred a second."""
    sip = Sip(a)
    stop = []
    signal.signal(signal.SIGTERM, lambda *_: stop.append(1))
    ends = list(range(30, a.churn_calls - 10))
    toggles = range(a.churn_calls - 10, a.churn_calls)
    i = 0
    while not stop:
        if ends and not i % 20:
            sip.bye("churn-", ends.pop(0))
        sip.reinvite("churn-", toggles[i % len(toggles)], 10 + i,
                     not (i // len(toggles)) % 2)
        sip.call("cy-", i)
        if i >= 8:
            sip.bye("cy-", i - 8)
        if not i:
            print("churn: running", flush=True)
        i += 1
        time.sleep(0.05)
    print(f"churn: {i} rounds: {i} calls placed, {max(i - 8, 0)} ended,"
          f" {i} re-INVITEs", flush=True)
    return 0


def main():
    p = argparse.ArgumentParser()
    for o in ("--fw", "--peer", "--edge", "--peer-addr", "--edge-addr"):
        p.add_argument(o, required=True)
    sub = p.add_subparsers(dest="mode", required=True)
    c = sub.add_parser("calls")
    c.add_argument("prefix", choices=sorted(BASES))
    c.add_argument("n", type=int)
    d = sub.add_parser("dump")
    d.add_argument("what", choices=("pinholes", "calls"))
    d.add_argument("--long", type=int, required=True)
    d.add_argument("--end", default="")
    d.add_argument("--reinvite", default="")
    h = sub.add_parser("churn")
    h.add_argument("--churn-calls", type=int, required=True)
    a = p.parse_args()
    if a.mode == "calls":
        sip = Sip(a)
        for i in range(a.n):
            sip.call(a.prefix, i)
        print(f"{a.n} calls {a.prefix}0..{a.n - 1} placed", flush=True)
        return 0
    return dump(a) if a.mode == "dump" else churn(a)


if __name__ == "__main__":
    sys.exit(main())
