#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""STUN/TURN for the selftests of helper edgepin-turn (python3 stdlib only).

  turn.py client --server ADDR [--port 3478] [--proto udp|tcp]
                 [--bind ADDR] [--sport N] [--user U --password P]
                 [--dialect rfc|ms] [--ms-version N]
      A TURN client driven line by line: commands on stdin (a fifo, in the
      tests), one result line each on stdout (flushed), so that a shell
      test does one step at a time and polls for its outcome:
        allocate [LIFETIME]     -> "relayed ADDR PORT" (RFC: long-term
                                   credentials, the 401/nonce/realm dance,
                                   MESSAGE-INTEGRITY, FINGERPRINT; MS-TURN:
                                   the relay from MAPPED-ADDRESS, whatever
                                   the MS-Version, [MS-TURN] 3.2.5.1)
        perm ADDR...            -> "ok perm"       (CreatePermission)
        bind CHANNEL ADDR:PORT  -> "ok bind"       (ChannelBind, e.g. 0x4000)
        refresh LIFETIME        -> "ok refresh"    (0 deletes the allocation)
        send ADDR:PORT TEXT     Send indication (MS-TURN: Send request)
        chan CHANNEL TEXT       ChannelData
        active ADDR:PORT        -> "ok active"     (MS-TURN Set Active
                                                    Destination)
        reopen [PORT]           -> "reopened PORT" (a new socket: a new
                                   5-tuple for a new allocation)
        sleep SECONDS
        quit
      A request command followed by "nowait" is sent once and not waited
      for. Each request prints "txid METHOD HEX" before it is sent (the
      forger of the hostile tests reuses it); an error response prints
      "error METHOD CODE REASON", no answer "timeout METHOD". What the
      relay delivers prints "data ADDR PORT TEXT" (Data indication,
      MS-TURN Data Indication) or "chandata CHANNEL TEXT".

  turn.py forge [--dialect rfc|ms] --cls request|success|error|indication
                --method NAME|--type 0xNNNN [--txid HEX] [--relayed A:P]
                [--peer A:P ...] [--mapped A:P] [--xor-mapped A:P]
                [--lifetime N] [--channel N] [--ms-version N]
                [--error CODE] [--integrity] [--fingerprint] OUT
      Write one message, as forged as asked, to OUT (for spoof.py, which
      sends it with any source address, or socat). RFC: relayed is
      XOR-RELAYED-ADDRESS, peer XOR-PEER-ADDRESS. MS-TURN: 16-byte txid,
      the MAGIC-COOKIE attribute first, relayed is MAPPED-ADDRESS, peer
      DESTINATION-ADDRESS. --integrity adds a MESSAGE-INTEGRITY made with
      a key the server does not have. "turn.py forge -" reads one
      message's arguments (OUT last) per line of stdin.

  turn.py msserver --bind ADDR [--port 3478] [--relay-port N]
      A minimal MS-TURN server ([MS-TURN], no relaying, no authentication):
      answers Allocate (relay ADDR:N, N+1, ... in MAPPED-ADDRESS, the
      client's reflexive address in XOR-MAPPED-ADDRESS, whatever the
      MS-Version it echoes) and Set Active Destination; a Send
      request gets no answer (as in [MS-TURN]). Prints one line per
      message ("allocate CLIENT RELAY", "active CLIENT DEST",
      "send CLIENT DEST"). UDP; with --tcp, TCP too ([MS-TURN] 2.1
      framing: type 2 control, a reserved byte, a 16-bit length).

  turn.py yesserver --bind ADDR [--port 3478] --relayed A:P [--relayed ...]
      An RFC TURN "server" that says yes to everything, unauthenticated:
      each request gets a success response of its method and txid; the
      first Allocate of each client gets the first --relayed address as
      its XOR-RELAYED-ADDRESS, the next client's the second, and so on.
      What a compromised or misconfigured server on the Edge's side may
      confirm: the policy must still refuse what it may not open. UDP.
"""
import argparse
import hashlib
import hmac
import os
import queue
import select
import socket
import struct
import sys
import threading
import time
import zlib

MAGIC = 0x2112A442
MS_MAGIC = 0x72C64BC6

# RFC 8489/8656 methods
METHODS = {
    "binding": 0x001, "allocate": 0x003, "refresh": 0x004, "send": 0x006,
    "data": 0x007, "createpermission": 0x008, "channelbind": 0x009,
}
# [MS-TURN] message types (request; success = 0x100 | request)
MS_METHODS = {"allocate": 0x0003, "send": 0x0004, "setactivedest": 0x0006,
              "data": 0x0015}
CLASSES = {"request": 0x000, "indication": 0x010, "success": 0x100,
           "error": 0x110}

# attributes
A_MAPPED = 0x0001
A_USERNAME = 0x0006
A_INTEGRITY = 0x0008
A_ERROR = 0x0009
A_CHANNEL = 0x000C
A_LIFETIME = 0x000D
A_MS_MAGIC = 0x000F
A_XOR_PEER = 0x0012
A_DATA = 0x0013
A_REALM = 0x0014
A_NONCE = 0x0015
A_XOR_RELAYED = 0x0016
A_REQ_TRANSPORT = 0x0019
A_XOR_MAPPED = 0x0020
A_FINGERPRINT = 0x8028
# [MS-TURN]
A_MS_DEST = 0x0011
A_MS_REMOTE = 0x0012
A_MS_DATA = 0x0013
A_MS_XOR_MAPPED = 0x8020
A_MS_VERSION = 0x8008


def stun_type(method, cls):
    """RFC 8489: the method's 12 bits interleaved with the class's 2."""
    return ((method & 0xF80) << 2) | ((method & 0x070) << 1) | \
        (method & 0x00F) | cls


def split_type(t):
    cls = t & 0x110
    m = ((t >> 2) & 0xF80) | ((t >> 1) & 0x070) | (t & 0x00F)
    return m, cls


def hostport(text):
    host, _, port = text.rpartition(":")
    return host.strip("[]"), int(port)


def pad4(b):
    return b + b"\0" * (-len(b) % 4)


def attr(t, v):
    return struct.pack("!HH", t, len(v)) + pad4(v)


def addr_value(host, port, xor=False, txid=b""):
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    a = socket.inet_pton(fam, host)
    if xor:
        port ^= MAGIC >> 16
        key = struct.pack("!I", MAGIC) + txid[:12]
        a = bytes(x ^ y for x, y in zip(a, key))
    return struct.pack("!BBH", 0, 1 if fam == socket.AF_INET else 2,
                       port) + a


def parse_addr(v, xor=False, txid=b""):
    fam, port = v[1], struct.unpack("!H", v[2:4])[0]
    a = v[4:8] if fam == 1 else v[4:20]
    if xor:
        port ^= MAGIC >> 16
        key = struct.pack("!I", MAGIC) + txid[:12]
        a = bytes(x ^ y for x, y in zip(a, key))
    af = socket.AF_INET if fam == 1 else socket.AF_INET6
    return socket.inet_ntop(af, a), port


class Msg:
    """One STUN (RFC) or MS-TURN message being built."""

    def __init__(self, mtype, txid, ms=False):
        self.type, self.txid, self.ms = mtype, txid, ms
        self.attrs = []
        if ms:
            self.add(A_MS_MAGIC, struct.pack("!I", MS_MAGIC))

    def add(self, t, v):
        self.attrs.append(attr(t, v))
        return self

    def header(self, length):
        if self.ms:
            return struct.pack("!HH", self.type, length) + self.txid
        return struct.pack("!HHI", self.type, length, MAGIC) + self.txid

    def encode(self, key=None, fingerprint=False):
        body = b"".join(self.attrs)
        if key is not None:
            hlen = len(body) + 24
            mac = hmac.new(key, self.header(hlen) + body,
                           hashlib.sha1).digest()
            body += attr(A_INTEGRITY, mac)
        if fingerprint:
            crc = zlib.crc32(self.header(len(body) + 8) + body) ^ 0x5354554E
            body += attr(A_FINGERPRINT, struct.pack("!I", crc & 0xFFFFFFFF))
        return self.header(len(body)) + body


def parse(buf, ms=False):
    """(type, txid, [(attr, value)]) of one message, or None."""
    if len(buf) < 20:
        return None
    t, length = struct.unpack("!HH", buf[:4])
    if ms:
        txid, off = buf[4:20], 20
    else:
        if struct.unpack("!I", buf[4:8])[0] != MAGIC:
            return None
        txid, off = buf[8:20], 20
    attrs = []
    end = min(len(buf), 20 + length)
    while off + 4 <= end:
        at, al = struct.unpack("!HH", buf[off:off + 4])
        attrs.append((at, buf[off + 4:off + 4 + al]))
        off += 4 + al + (-al % 4)
    return t, txid, attrs


def out(*words):
    print(*words, flush=True)


class Client:
    def __init__(self, a):
        self.a = a
        self.ms = a.dialect == "ms"
        self.realm = self.nonce = None
        self.waiting = {}
        self.lock = threading.Lock()
        self.rxbuf = b""
        self.open()

    def open(self):
        a = self.a
        fam = socket.AF_INET6 if ":" in a.server else socket.AF_INET
        kind = socket.SOCK_DGRAM if a.proto == "udp" else socket.SOCK_STREAM
        self.sock = socket.socket(fam, kind)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if a.bind or a.sport:
            self.sock.bind((a.bind or "", a.sport or 0))
        self.sock.connect((a.server, a.port))
        threading.Thread(target=self.reader, args=(self.sock,),
                         daemon=True).start()

    # -- wire --
    def send_raw(self, data):
        if self.a.proto == "tcp" and self.ms:
            data = struct.pack("!BBH", 2, 0, len(data)) + data
        self.sock.sendall(data) if self.a.proto == "tcp" \
            else self.sock.send(data)

    def frames(self):
        """Whole frames from the TCP byte stream."""
        while True:
            b = self.rxbuf
            if self.ms:
                if len(b) < 4:
                    return
                n = 4 + struct.unpack("!H", b[2:4])[0]
                if len(b) < n:
                    return
                self.rxbuf = b[n:]
                if b[0] == 2:
                    yield b[4:n]
                continue
            if len(b) < 4:
                return
            first, length = struct.unpack("!HH", b[:4])
            if first & 0xC000 == 0x4000:        # ChannelData, padded
                n = 4 + length + (-length % 4)
            else:
                n = 20 + length
            if len(b) < n:
                return
            self.rxbuf = b[n:]
            yield b[:n]

    def reader(self, sock):
        while True:
            try:
                data = sock.recv(65535)
            except OSError:
                return
            if sock is not self.sock:
                return
            if not data:
                if self.a.proto == "tcp":
                    out("closed")
                    return
                continue
            if self.a.proto == "tcp":
                self.rxbuf += data
                for f in self.frames():
                    self.handle(f)
            else:
                self.handle(data)

    def handle(self, data):
        if len(data) >= 4 and data[0] & 0xC0 == 0x40:
            ch, n = struct.unpack("!HH", data[:4])
            out("chandata", hex(ch),
                data[4:4 + n].decode(errors="replace").strip())
            return
        m = parse(data, self.ms)
        if not m:
            return
        t, txid, attrs = m
        if self.ms and t == MS_METHODS["data"] | 0x100 or \
                not self.ms and t == stun_type(METHODS["data"], 0x010):
            peer, payload = None, b""
            for at, v in attrs:
                if at == (A_MS_REMOTE if self.ms else A_XOR_PEER):
                    peer = parse_addr(v, not self.ms, txid)
                elif at == A_DATA:
                    payload = v
            if peer:
                out("data", peer[0], peer[1],
                    payload.decode(errors="replace").strip())
            return
        with self.lock:
            q = self.waiting.get(txid)
        if q:
            q.put((t, attrs))

    # -- requests --
    def key(self):
        return hashlib.md5(b"%s:%s:%s" % (self.a.user.encode(), self.realm,
                                          self.a.password.encode())).digest()

    def request(self, name, build, wait=True):
        """build(msg) adds the method's attributes. Returns (type, attrs,
        txid) of the success response, or None."""
        for attempt in range(4):
            txid = os.urandom(16 if self.ms else 12)
            if self.ms:
                mtype = MS_METHODS[name]
            else:
                mtype = stun_type(METHODS[name], 0)
            m = Msg(mtype, txid, self.ms)
            build(m)
            key = None
            if not self.ms and self.nonce is not None:
                m.add(A_USERNAME, self.a.user.encode())
                m.add(A_REALM, self.realm)
                m.add(A_NONCE, self.nonce)
                key = self.key()
            data = m.encode(key, fingerprint=not self.ms)
            q = queue.Queue()
            with self.lock:
                self.waiting[txid] = q
            out("txid", name, txid.hex())
            resp = None
            try:
                tries = 1 if (self.a.proto == "tcp" or not wait) else 7
                for i in range(tries):
                    self.send_raw(data)
                    if not wait:
                        return None
                    try:
                        resp = q.get(timeout=0.5 * (i + 1) if tries > 1
                                     else 5)
                        break
                    except queue.Empty:
                        continue
            finally:
                with self.lock:
                    self.waiting.pop(txid, None)
            if resp is None:
                out("timeout", name)
                return None
            t, attrs = resp
            if t & 0x110 != 0x110:
                return t, attrs, txid
            code, reason = 0, ""
            for at, v in attrs:
                if at == A_ERROR:
                    code = (v[2] & 7) * 100 + v[3]
                    reason = v[4:].decode(errors="replace")
                elif at == A_REALM:
                    self.realm = v
                elif at == A_NONCE:
                    self.nonce = v
            if code in (401, 438) and attempt < 3 and not self.ms:
                continue
            out("error", name, code, reason)
            return None
        return None

    def cmd_allocate(self, args, wait):
        lifetime = int(args[0]) if args else None

        def build(m):
            if self.ms:
                if self.a.ms_version is not None:
                    m.add(A_MS_VERSION, struct.pack("!I", self.a.ms_version))
                return
            m.add(A_REQ_TRANSPORT, bytes([17, 0, 0, 0]))
            if lifetime is not None:
                m.add(A_LIFETIME, struct.pack("!I", lifetime))
        r = self.request("allocate", build, wait)
        if not r:
            return
        t, attrs, _ = r
        relayed = None
        for at, v in attrs:
            if self.ms:
                # [MS-TURN] 3.2.5.1, 2.2.2.1: the relay is the Mapped
                # Address whatever the MS-Version (XOR Mapped Address is
                # the client's reflexive address, 2.2.2.16)
                if at == A_MAPPED:
                    relayed = parse_addr(v)
            elif at == A_XOR_RELAYED:
                relayed = parse_addr(v, True, r[2])
        if relayed:
            out("relayed", relayed[0], relayed[1])
        else:
            out("error allocate 0 no relayed address")

    def cmd_perm(self, args, wait):
        def build(m):
            for a in args:
                host, port = hostport(a) if a.count(":") == 1 or \
                    a.startswith("[") else (a, 0)
                m.add(A_XOR_PEER, addr_value(host, port, True, m.txid))
        if self.request("createpermission", build, wait):
            out("ok perm")

    def cmd_bind(self, args, wait):
        ch = int(args[0], 0)
        host, port = hostport(args[1])

        def build(m):
            m.add(A_CHANNEL, struct.pack("!HH", ch, 0))
            m.add(A_XOR_PEER, addr_value(host, port, True, m.txid))
        if self.request("channelbind", build, wait):
            out("ok bind")

    def cmd_refresh(self, args, wait):
        def build(m):
            m.add(A_LIFETIME, struct.pack("!I", int(args[0])))
        if self.request("refresh", build, wait):
            out("ok refresh")

    def cmd_active(self, args, wait):
        host, port = hostport(args[0])

        def build(m):
            m.add(A_MS_DEST, addr_value(host, port))
        if self.request("setactivedest", build, wait):
            out("ok active")

    def cmd_send(self, args, wait):
        host, port = hostport(args[0])
        text = " ".join(args[1:]).encode()
        txid = os.urandom(16 if self.ms else 12)
        if self.ms:
            m = Msg(MS_METHODS["send"], txid, True)
            m.add(A_MS_DEST, addr_value(host, port))
            m.add(A_MS_DATA, text)
            out("txid", "send", txid.hex())
            self.send_raw(m.encode())
        else:
            m = Msg(stun_type(METHODS["send"], 0x010), txid)
            m.add(A_XOR_PEER, addr_value(host, port, True, txid))
            m.add(A_DATA, text)
            self.send_raw(m.encode(fingerprint=True))
        out("sent", args[0])

    def cmd_chan(self, args, wait):
        ch = int(args[0], 0)
        text = " ".join(args[1:]).encode()
        data = struct.pack("!HH", ch, len(text)) + text
        if self.a.proto == "tcp":
            data = pad4(data)
        self.send_raw(data)
        out("sent", hex(ch))

    def cmd_reopen(self, args, wait):
        """A new socket (connection) from port args[0], or any: a new
        5-tuple, so a new allocation, without starting another client."""
        old = self.sock
        self.sock = None
        old.close()
        self.a.sport = int(args[0]) if args else 0
        self.rxbuf = b""
        self.open()
        out("reopened", self.sock.getsockname()[1])

    def run(self):
        for line in sys.stdin:
            words = line.split()
            if not words:
                continue
            wait = True
            if words[-1] == "nowait":
                wait = False
                words = words[:-1]
            cmd, args = words[0], words[1:]
            if cmd == "quit":
                break
            if cmd == "sleep":
                time.sleep(float(args[0]))
                continue
            f = getattr(self, "cmd_" + cmd, None)
            if not f:
                out("error", cmd, 0, "unknown command")
                continue
            try:
                f(args, wait)
            except (OSError, ValueError, IndexError) as e:
                out("error", cmd, 0, str(e))
            if not wait:
                out("sent", cmd)


def cmd_client(a):
    if a.dialect == "rfc" and not (a.user and a.password):
        sys.exit("turn.py client: --user and --password")
    Client(a).run()


def cmd_forge(a):
    ms = a.dialect == "ms"
    cls = CLASSES[a.cls]
    if a.type:
        mtype = int(a.type, 0)
    elif ms:
        mtype = MS_METHODS[a.method] | cls
    else:
        mtype = stun_type(METHODS[a.method], cls)
    txid = bytes.fromhex(a.txid) if a.txid else os.urandom(16 if ms else 12)
    m = Msg(mtype, txid, ms)
    if a.ms_version is not None:
        m.add(A_MS_VERSION, struct.pack("!I", a.ms_version))
    if a.relayed:
        h, p = hostport(a.relayed)
        m.add(A_MAPPED if ms else A_XOR_RELAYED,
              addr_value(h, p, not ms, txid))
    if a.mapped:
        h, p = hostport(a.mapped)
        m.add(A_MAPPED, addr_value(h, p))
    if a.xor_mapped:
        h, p = hostport(a.xor_mapped)
        m.add(A_MS_XOR_MAPPED if ms else A_XOR_MAPPED,
              addr_value(h, p, True, txid))
    for peer in a.peer or []:
        h, p = hostport(peer)
        m.add(A_MS_DEST if ms else A_XOR_PEER,
              addr_value(h, p, not ms, txid))
    if a.channel is not None:
        m.add(A_CHANNEL, struct.pack("!HH", a.channel, 0))
    if a.lifetime is not None:
        m.add(A_LIFETIME, struct.pack("!I", a.lifetime))
    if a.error:
        m.add(A_ERROR, struct.pack("!HBB", 0, a.error // 100, a.error % 100)
              + b"Forged")
    key = hashlib.md5(b"mallory:x:x").digest() if a.integrity else None
    data = m.encode(key, a.fingerprint)
    if a.tcp_ms:
        data = struct.pack("!BBH", 2, 0, len(data)) + data
    with open(a.out, "wb") as f:
        f.write(data)
    out("forged", "%04x" % mtype, txid.hex(), len(data))


class MsServer:
    def __init__(self, a):
        self.a = a
        self.next_port = a.relay_port
        self.allocs = {}

    def answer(self, data, client):
        """The response to one message from client (host, port), or None."""
        m = parse(data, ms=True)
        if not m:
            return None
        t, txid, attrs = m
        if not attrs or attrs[0][0] != A_MS_MAGIC or \
                attrs[0][1] != struct.pack("!I", MS_MAGIC):
            return None
        if t == MS_METHODS["allocate"]:
            version = None
            for at, v in attrs:
                if at == A_MS_VERSION and len(v) == 4:
                    version = struct.unpack("!I", v)[0]
            if client not in self.allocs:
                self.allocs[client] = self.next_port
                self.next_port += 1
            relay = (self.a.bind, self.allocs[client])
            r = Msg(MS_METHODS["allocate"] | 0x100, txid, True)
            r.add(A_MAPPED, addr_value(*relay))
            r.add(A_MS_XOR_MAPPED, addr_value(*client, True, txid))
            r.add(A_LIFETIME, struct.pack("!I", 480))
            if version is not None:
                r.add(A_MS_VERSION, struct.pack("!I", version))
            out("allocate", "%s:%d" % client, "%s:%d" % relay)
            return r.encode()
        if t in (MS_METHODS["setactivedest"], MS_METHODS["send"]):
            dest = None
            for at, v in attrs:
                if at == A_MS_DEST:
                    dest = parse_addr(v)
            what = "active" if t == MS_METHODS["setactivedest"] else "send"
            out(what, "%s:%d" % client,
                "%s:%d" % dest if dest else "-")
            if what == "send" or not dest:
                return None
            return Msg(MS_METHODS["setactivedest"] | 0x100, txid,
                       True).encode()
        return None

    def run(self):
        fam = socket.AF_INET6 if ":" in self.a.bind else socket.AF_INET
        u = socket.socket(fam, socket.SOCK_DGRAM)
        u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        u.bind((self.a.bind, self.a.port))
        socks = [u]
        lst = None
        if self.a.tcp:
            lst = socket.socket(fam, socket.SOCK_STREAM)
            lst.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            lst.bind((self.a.bind, self.a.port))
            lst.listen(16)
            socks.append(lst)
        bufs = {}
        out("listening", self.a.bind, self.a.port)
        while True:
            r, _, _ = select.select(socks, [], [])
            for s in r:
                if s is u:
                    data, peer = u.recvfrom(65535)
                    resp = self.answer(data, peer[:2])
                    if resp:
                        u.sendto(resp, peer)
                elif s is lst:
                    c, _ = lst.accept()
                    socks.append(c)
                    bufs[c] = b""
                else:
                    data = s.recv(65535)
                    if not data:
                        socks.remove(s)
                        s.close()
                        continue
                    bufs[s] += data
                    while len(bufs[s]) >= 4:
                        n = 4 + struct.unpack("!H", bufs[s][2:4])[0]
                        if len(bufs[s]) < n:
                            break
                        frame, bufs[s] = bufs[s][:n], bufs[s][n:]
                        if frame[0] != 2:
                            continue
                        resp = self.answer(frame[4:], s.getpeername()[:2])
                        if resp:
                            s.sendall(struct.pack("!BBH", 2, 0, len(resp))
                                      + resp)


def cmd_yesserver(a):
    fam = socket.AF_INET6 if ":" in a.bind else socket.AF_INET
    u = socket.socket(fam, socket.SOCK_DGRAM)
    u.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    u.bind((a.bind, a.port))
    relays = list(a.relayed)
    given = {}
    out("listening", a.bind, a.port)
    while True:
        data, client = u.recvfrom(65535)
        m = parse(data)
        if not m or m[0] & 0x110 != 0:
            continue
        t, txid, attrs = m
        method, _ = split_type(t)
        r = Msg(stun_type(method, 0x100), txid)
        if method == METHODS["allocate"]:
            if client not in given:
                given[client] = relays.pop(0) if relays else None
            if not given[client]:
                continue
            h, p = hostport(given[client])
            r.add(A_XOR_RELAYED, addr_value(h, p, True, txid))
            r.add(A_XOR_MAPPED, addr_value(*client[:2], True, txid))
            r.add(A_LIFETIME, struct.pack("!I", 600))
            out("allocate", "%s:%d" % client[:2], given[client])
        else:
            for at, v in attrs:
                if at == A_XOR_PEER:
                    out("peer", "%s:%d" % client[:2],
                        "%s:%d" % parse_addr(v, True, txid))
            if method == METHODS["refresh"]:
                r.add(A_LIFETIME, struct.pack("!I", 600))
        u.sendto(r.encode(fingerprint=True), client)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("client")
    c.add_argument("--server", required=True)
    c.add_argument("--port", type=int, default=3478)
    c.add_argument("--proto", choices=("udp", "tcp"), default="udp")
    c.add_argument("--bind")
    c.add_argument("--sport", type=int)
    c.add_argument("--user")
    c.add_argument("--password")
    c.add_argument("--dialect", choices=("rfc", "ms"), default="rfc")
    c.add_argument("--ms-version", type=int)
    f = sub.add_parser("forge")
    f.add_argument("--dialect", choices=("rfc", "ms"), default="rfc")
    f.add_argument("--cls", choices=tuple(CLASSES), default="success")
    f.add_argument("--method")
    f.add_argument("--type")
    f.add_argument("--txid")
    f.add_argument("--relayed")
    f.add_argument("--mapped")
    f.add_argument("--xor-mapped")
    f.add_argument("--peer", action="append")
    f.add_argument("--lifetime", type=int)
    f.add_argument("--channel", type=lambda x: int(x, 0))
    f.add_argument("--ms-version", type=int)
    f.add_argument("--error", type=int)
    f.add_argument("--integrity", action="store_true")
    f.add_argument("--fingerprint", action="store_true")
    f.add_argument("--tcp-ms", action="store_true",
                   help="with [MS-TURN]'s TCP framing")
    f.add_argument("out")
    s = sub.add_parser("msserver")
    s.add_argument("--bind", required=True)
    s.add_argument("--port", type=int, default=3478)
    s.add_argument("--relay-port", type=int, default=50200)
    s.add_argument("--tcp", action="store_true")
    y = sub.add_parser("yesserver")
    y.add_argument("--bind", required=True)
    y.add_argument("--port", type=int, default=3478)
    y.add_argument("--relayed", action="append", required=True)
    if sys.argv[1:] == ["forge", "-"]:
        # one message per line of stdin, each line forge's arguments:
        # one interpreter for many messages (a process costs under TCG)
        for line in sys.stdin:
            if line.strip():
                cmd_forge(ap.parse_args(["forge"] + line.split()))
        return
    a = ap.parse_args()
    if a.cmd == "forge" and not (a.method or a.type):
        sys.exit("turn.py forge: --method or --type")
    {"client": cmd_client, "forge": cmd_forge,
     "msserver": lambda a: MsServer(a).run(),
     "yesserver": cmd_yesserver}[a.cmd](a)


if __name__ == "__main__":
    main()
