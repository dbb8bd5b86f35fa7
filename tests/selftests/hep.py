#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""What a TLS-terminating proxy (Kamailio siptrace) sends edgepin feed:
HEPv3 frames, each one SIP message with its transport and addresses.

  hep.py send --to ADDR:PORT [--from ADDR] [--tcp] [--key K]
              [--proto udp|tcp|tls] --src A:P --dst A:P [--as-is]
              [--truncate N] [--garble] [--bad-magic] [--wrong-family]
              FILE...
      One frame per FILE (its bytes as they are), over UDP (one datagram
      each) or one TCP connection (--tcp). --src and --dst are the
      requests' ends: a response ("SIP/2.0 ...") goes from --dst to
      --src, unless --as-is. --proto tls is IP protocol 22, as Kamailio's
      siptrace sends TLS. The options after --as-is make it malformed:
      cut to N bytes, a chunk length broken, "HEP2", the family chunk
      saying the other family.
  hep.py calls N --to ADDR:PORT [--from ADDR] [--tcp] [--key K]
              [--proto udp|tcp|tls] --src A:P --dst A:P [--media-port P]
      N synthetic calls (INVITE, 200 with SDP each way, ACK, BYE, 200),
      each with its own Call-ID and media port, as fast as they go.
  hep.py frame ...
      As send, but the frames go to standard output (nothing is sent).
Addresses are ADDR:PORT or [V6]:PORT. Exit 0 once all was sent.
"""
import argparse
import socket
import struct
import sys

CH_FAMILY, CH_PROTO, CH_SRC4, CH_DST4, CH_SRC6, CH_DST6 = 1, 2, 3, 4, 5, 6
CH_SPORT, CH_DPORT, CH_TS_SEC, CH_TS_USEC, CH_TYPE, CH_AGENT = \
    7, 8, 9, 10, 11, 12
CH_KEY, CH_PAYLOAD = 14, 15
PROTOS = {"udp": 17, "tcp": 6, "tls": 22}


def endpoint(text):
    """ADDR:PORT or [V6]:PORT -> (family, packed address, port)."""
    if text.startswith("["):
        addr, _, port = text[1:].partition("]:")
    else:
        addr, _, port = text.rpartition(":")
    fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
    return fam, socket.inet_pton(fam, addr), int(port)


def chunk(ctype, data):
    return struct.pack("!HHH", 0, ctype, 6 + len(data)) + data


def frame(msg, src, dst, proto, key=None, wrong_family=False):
    """One HEPv3 frame of SIP message @msg (bytes)."""
    fam, saddr, sport = src
    _, daddr, dport = dst
    v6 = fam == socket.AF_INET6
    said = fam if not wrong_family else (
        socket.AF_INET if v6 else socket.AF_INET6)
    body = chunk(CH_FAMILY, bytes([2 if said == socket.AF_INET else 10]))
    body += chunk(CH_PROTO, bytes([PROTOS[proto]]))
    body += chunk(CH_SRC6 if v6 else CH_SRC4, saddr)
    body += chunk(CH_DST6 if v6 else CH_DST4, daddr)
    body += chunk(CH_SPORT, struct.pack("!H", sport))
    body += chunk(CH_DPORT, struct.pack("!H", dport))
    body += chunk(CH_TS_SEC, struct.pack("!I", 1765000000))
    body += chunk(CH_TS_USEC, struct.pack("!I", 0))
    body += chunk(CH_TYPE, b"\x01")
    body += chunk(CH_AGENT, struct.pack("!I", 2001))
    if key is not None:
        body += chunk(CH_KEY, key.encode())
    body += chunk(CH_PAYLOAD, msg)
    return b"HEP3" + struct.pack("!H", 6 + len(body)) + body


def spoil(f, args):
    """The malformations asked for, in order: magic, garble, truncate."""
    if args.bad_magic:
        f = b"HEP2" + f[4:]
    if args.garble:
        # the first chunk's length: past the end of the frame
        f = f[:10] + struct.pack("!H", 0xFFF0) + f[12:]
    if args.truncate is not None:
        f = f[:args.truncate]
    return f


def call_messages(i, src, dst, proto, media_port):
    """INVITE, 200 OK, ACK, BYE, 200 OK of call @i, from @src to @dst."""
    fam, saddr, sport = src
    _, daddr, dport = dst
    s = socket.inet_ntop(fam, saddr)
    d = socket.inet_ntop(fam, daddr)
    ip = "IP6" if fam == socket.AF_INET6 else "IP4"
    via = "TLS" if proto == "tls" else proto.upper()
    cid = "hep-call-%d@%s" % (i, s)
    port = media_port + 2 * (i % 4000)

    def sdp(addr, p):
        return ("v=0\r\no=- %d 1 IN %s %s\r\ns=-\r\nc=IN %s %s\r\n"
                "t=0 0\r\nm=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
                % (i, ip, addr, ip, addr, p))

    def msg(first, cseq, body="", to_tag=True):
        head = ("%s\r\nVia: SIP/2.0/%s %s:%d;branch=z9hG4bK%d-%d\r\n"
                "From: <sip:a@%s>;tag=a%d\r\nTo: <sip:b@%s>%s\r\n"
                "Call-ID: %s\r\nCSeq: %s\r\nMax-Forwards: 70\r\n"
                % (first, via, s, sport, i, cseq[0], s, i, d,
                   ";tag=b%d" % i if to_tag else "", cid,
                   "%d %s" % cseq))
        if body:
            head += "Content-Type: application/sdp\r\n"
        head += "Content-Length: %d\r\n\r\n" % len(body)
        return (head + body).encode()

    ruri = "sip:b@%s:%d" % (d, dport)
    return [
        (src, dst, msg("INVITE %s SIP/2.0" % ruri, (1, "INVITE"),
                       sdp(s, port), to_tag=False)),
        (dst, src, msg("SIP/2.0 200 OK", (1, "INVITE"), sdp(d, port + 1))),
        (src, dst, msg("ACK %s SIP/2.0" % ruri, (1, "ACK"))),
        (src, dst, msg("BYE %s SIP/2.0" % ruri, (2, "BYE"))),
        (dst, src, msg("SIP/2.0 200 OK", (2, "BYE"))),
    ]


class Sender:
    """UDP datagrams, or one TCP connection, to @to from @frm."""

    def __init__(self, to, frm, tcp):
        fam, addr, port = endpoint(to)
        self.to = (socket.inet_ntop(fam, addr), port)
        self.sock = socket.socket(
            fam, socket.SOCK_STREAM if tcp else socket.SOCK_DGRAM)
        if frm:
            self.sock.bind((frm, 0))
        self.tcp = tcp
        if tcp:
            self.sock.connect(self.to)

    def send(self, data):
        if self.tcp:
            self.sock.sendall(data)
        else:
            self.sock.sendto(data, self.to)

    def close(self):
        if self.tcp:
            self.sock.shutdown(socket.SHUT_WR)
            # until the daemon closes too (or has read it all)
            self.sock.settimeout(2)
            try:
                while self.sock.recv(4096):
                    pass
            except OSError:
                pass
        self.sock.close()


def main():
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("send", "frame", "calls"):
        p = sub.add_parser(name)
        if name == "calls":
            p.add_argument("n", type=int)
            p.add_argument("--media-port", type=int, default=50000)
        if name != "frame":
            p.add_argument("--to", required=True)
            p.add_argument("--from", dest="frm")
            p.add_argument("--tcp", action="store_true")
        p.add_argument("--key")
        p.add_argument("--proto", choices=PROTOS, default="tcp")
        p.add_argument("--src", required=True, type=endpoint)
        p.add_argument("--dst", required=True, type=endpoint)
        if name != "calls":
            p.add_argument("--as-is", action="store_true")
            p.add_argument("--truncate", type=int)
            p.add_argument("--garble", action="store_true")
            p.add_argument("--bad-magic", action="store_true")
            p.add_argument("--wrong-family", action="store_true")
            p.add_argument("files", nargs="+")
    args = ap.parse_args()

    if args.cmd == "calls":
        out = Sender(args.to, args.frm, args.tcp)
        for i in range(args.n):
            for src, dst, msg in call_messages(i, args.src, args.dst,
                                               args.proto, args.media_port):
                out.send(frame(msg, src, dst, args.proto, args.key))
        out.close()
        return 0
    frames = []
    for name in args.files:
        with open(name, "rb") if name != "-" else sys.stdin.buffer as f:
            msg = f.read()
        src, dst = args.src, args.dst
        if msg.startswith(b"SIP/2.0 ") and not args.as_is:
            src, dst = dst, src
        frames.append(spoil(frame(msg, src, dst, args.proto, args.key,
                                  args.wrong_family), args))
    if args.cmd == "frame":
        sys.stdout.buffer.write(b"".join(frames))
        return 0
    out = Sender(args.to, args.frm, args.tcp)
    for f in frames:
        out.send(f)
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
