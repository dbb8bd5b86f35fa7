#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""What edgepin feed will send the module, without the daemon: raw
generic netlink requests of EDGEPIN_CMD_FEED, each with NLM_F_ACK. Each
prints "errno N" (0: accepted) and the extended ACK's message, if any,
and exits 0 once the ACK came. The numbers come from kmod/uapi/edgepin.h
itself, so that this follows the contract rather than a copy of it.

  feedmsg.py send --proto udp|tcp --src ADDR --sport N --dst ADDR
                  --dport N [--zone N] [--tls] FILE
      One fed SIP message (FILE), as the proxy saw it: from src to dst.
  feedmsg.py drop --reason sender|key|malformed|N --count N [--sender ADDR]
      Refusals edgepin feed made itself.
  feedmsg.py policy --sip-feed on|off|shared
      POLICY_SET of the sip-feed key alone (until the tool knows it).
  feedmsg.py bad
      Malformed requests, one per line: "NAME errno N message".
  feedmsg.py origins
      Each call and pinhole the module dumps, with its origin (enum
      edgepin_origin): "call CALL-ID origin N", "pin CALL-ID origin N".
"""
import argparse
import os
import re
import socket
import struct
import sys

SOL_NETLINK, NETLINK_EXT_ACK = 270, 11
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300
NLMSG_ERROR, NLMSG_DONE, NLA_F_NESTED = 2, 3, 0x8000
NLMSGERR_ATTR_MSG = 1
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
CTRL_ATTR_FAMILY_ID, CTRL_ATTR_FAMILY_NAME = 1, 2

UAPI = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                    "../../kmod/uapi/edgepin.h")


def uapi_enums(path=UAPI):
    """Every enumerator of the header's enums: name -> value."""
    text = open(path).read()
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    names = {}
    for body in re.findall(r"enum\s+\w+\s*\{(.*?)\};", text, flags=re.S):
        v = -1
        for item in body.split(","):
            item = item.strip()
            if not item:
                continue
            if "=" in item:
                name, expr = (s.strip() for s in item.split("=", 1))
                v = int(expr, 0) if expr[0].isdigit() else names[expr]
            else:
                name, v = item, v + 1
            names[name] = v
    return names


E = uapi_enums()
seq = 0


def attr(t, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, t) + payload + b"\0" * (-n % 4)


def nest(t, *attrs):
    return attr(t | NLA_F_NESTED, b"".join(attrs))


def u8(v):
    return struct.pack("=B", v)


def u16(v):
    return struct.pack("=H", v)


def u32(v):
    return struct.pack("=I", v)


def addr(a):
    return socket.inet_pton(socket.AF_INET6 if ":" in a else socket.AF_INET,
                            a)


def request(sock, family, cmd, payload):
    """Send one request with NLM_F_ACK: (errno, extack message)."""
    global seq
    seq += 1
    body = struct.pack("=BBH", cmd, 1, 0) + payload
    sock.send(struct.pack("=IHHII", 16 + len(body), family,
                          NLM_F_REQUEST | NLM_F_ACK, seq, 0) + body)
    while True:
        data = sock.recv(1 << 17)
        off = 0
        while off + 16 <= len(data):
            ln, typ, flags, s, _ = struct.unpack_from("=IHHII", data, off)
            if typ == NLMSG_ERROR and s == seq:
                err = -struct.unpack_from("=i", data, off + 16)[0]
                return err, extack_msg(data[off:off + ln], flags)
            if typ != NLMSG_ERROR and s == seq and family == GENL_ID_CTRL:
                return 0, data[off:off + ln]
            off += (ln + 3) & ~3


def dump(sock, family, cmd):
    """The attributes of each message of a dump."""
    global seq
    seq += 1
    body = struct.pack("=BBH", cmd, 1, 0)
    sock.send(struct.pack("=IHHII", 16 + len(body), family,
                          NLM_F_REQUEST | NLM_F_DUMP, seq, 0) + body)
    out = []
    while True:
        data = sock.recv(1 << 17)
        off = 0
        while off + 16 <= len(data):
            ln, typ, _, s, _ = struct.unpack_from("=IHHII", data, off)
            if s == seq:
                if typ == NLMSG_DONE:
                    return out
                if typ == NLMSG_ERROR:
                    sys.exit("feedmsg: dump refused")
                out.append(attrs(data[off + 20:off + ln]))
            off += (ln + 3) & ~3


def attrs(buf):
    """type (NLA_F_NESTED cleared) -> payload"""
    out, off = {}, 0
    while off + 4 <= len(buf):
        ln, t = struct.unpack_from("=HH", buf, off)
        if ln < 4:
            break
        out[t & ~NLA_F_NESTED] = buf[off + 4:off + ln]
        off += (ln + 3) & ~3
    return out


def origins(sock, fam):
    for cmd, top, cid, org, what in (
            ("EDGEPIN_CMD_CALL_GET", "EDGEPIN_A_CALL",
             "EDGEPIN_A_CALL_ID_STR", "EDGEPIN_A_CALL_ORIGIN", "call"),
            ("EDGEPIN_CMD_PINHOLE_GET", "EDGEPIN_A_PINHOLE",
             "EDGEPIN_A_PIN_CALL_ID", "EDGEPIN_A_PIN_ORIGIN", "pin")):
        for m in dump(sock, fam, E[cmd]):
            a = attrs(m[E[top]])
            o = a.get(E[org])
            print("%s %s origin %s" % (
                what, a[E[cid]].decode(errors="replace"),
                o[0] if o else "-"))


def extack_msg(msg, flags):
    """The TLV message of an NLMSG_ERROR (after the echoed request)."""
    NLM_F_CAPPED, NLM_F_ACK_TLVS = 0x100, 0x200
    if not flags & NLM_F_ACK_TLVS:
        return ""
    inner = struct.unpack_from("=I", msg, 20)[0]
    off = 20 + (16 if flags & NLM_F_CAPPED else inner)
    while off + 4 <= len(msg):
        ln, t = struct.unpack_from("=HH", msg, off)
        if ln < 4:
            break
        if t == NLMSGERR_ATTR_MSG:
            return msg[off + 4:off + ln].rstrip(b"\0").decode(errors="replace")
        off += (ln + 3) & ~3
    return ""


def resolve(sock):
    err, reply = request(sock, GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                         attr(CTRL_ATTR_FAMILY_NAME, b"edgepin\0"))
    if err:
        sys.exit("feedmsg: family edgepin not found (errno %d)" % err)
    off = 20
    while off + 4 <= len(reply):
        ln, t = struct.unpack_from("=HH", reply, off)
        if t == CTRL_ATTR_FAMILY_ID:
            return struct.unpack_from("=H", reply, off + 4)[0]
        off += (ln + 3) & ~3
    sys.exit("feedmsg: no family id")


def feed_attrs(proto, src, sport, dst, dport, msg, zone=None, tls=False,
               family=None):
    fam = family if family is not None else (
        socket.AF_INET6 if len(src) == 16 else socket.AF_INET)
    a = [attr(E["EDGEPIN_A_FEED_PROTO"], u8(proto)),
         attr(E["EDGEPIN_A_FEED_FAMILY"], u8(fam)),
         attr(E["EDGEPIN_A_FEED_SRC_ADDR"], src),
         attr(E["EDGEPIN_A_FEED_SRC_PORT"], u16(sport)),
         attr(E["EDGEPIN_A_FEED_DST_ADDR"], dst),
         attr(E["EDGEPIN_A_FEED_DST_PORT"], u16(dport)),
         attr(E["EDGEPIN_A_FEED_MSG"], msg)]
    if zone is not None:
        a.append(attr(E["EDGEPIN_A_FEED_ZONE"], u16(zone)))
    if tls:
        a.append(attr(E["EDGEPIN_A_FEED_TLS"], b""))
    return a


def feed(*attrs):
    return nest(E["EDGEPIN_A_FEED"], *attrs)


def drop(*attrs):
    return nest(E["EDGEPIN_A_FEED_DROP"], *attrs)


REASONS = {"sender": "EDGEPIN_STAT_FEED_REFUSED_SENDER",
           "key": "EDGEPIN_STAT_FEED_REFUSED_KEY",
           "malformed": "EDGEPIN_STAT_FEED_REFUSED_MALFORMED"}
PROTOS = {"udp": socket.IPPROTO_UDP, "tcp": socket.IPPROTO_TCP}


def bad_cases():
    """Malformed requests: each must be refused, the module unchanged."""
    msg = b"OPTIONS sip:x SIP/2.0\r\nCall-ID: bad\r\n\r\n"
    v4, v6 = addr("192.0.2.1"), addr("2001:db8::1")
    good = dict(proto=socket.IPPROTO_UDP, src=v4, sport=5060, dst=v4,
                dport=5060, msg=msg)

    def f(**kw):
        return feed(*feed_attrs(**dict(good, **kw)))

    def without(t):
        return feed(*[a for a in feed_attrs(**good)
                      if struct.unpack_from("=H", a, 2)[0] != t])
    R = E["EDGEPIN_STAT_FEED_REFUSED_SENDER"]
    return [
        ("empty", b""),
        ("feed-and-drop", f() + drop(attr(E["EDGEPIN_A_FEED_DROP_REASON"],
                                          u32(R)),
                                     attr(E["EDGEPIN_A_FEED_DROP_COUNT"],
                                          u32(1)))),
        ("not-nested", attr(E["EDGEPIN_A_FEED"],
                            b"".join(feed_attrs(**good)))),
        ("unknown-attr", feed(*feed_attrs(**good),
                              attr(E["__EDGEPIN_A_FEED_MAX"], u8(0)))),
        ("other-top-attr", f() + attr(E["EDGEPIN_A_CALL_ID"], b"x")),
        ("no-msg", without(E["EDGEPIN_A_FEED_MSG"])),
        ("no-src-port", without(E["EDGEPIN_A_FEED_SRC_PORT"])),
        ("empty-msg", f(msg=b"")),
        ("family-v6-addr-v4", f(family=socket.AF_INET6)),
        ("family-v4-addr-v6", f(src=v6, dst=v6, family=socket.AF_INET)),
        ("family-mixed", f(dst=v6)),
        ("family-bad", f(family=99)),
        ("addr-5-bytes", f(src=v4 + b"\0")),
        ("proto-icmp", f(proto=1)),
        ("proto-sctp", f(proto=132)),
        ("sport-zero", f(sport=0)),
        ("dport-zero", f(dport=0)),
        ("port-u8", feed(*[attr(E["EDGEPIN_A_FEED_SRC_PORT"], u8(1))
                           if struct.unpack_from("=H", a, 2)[0] ==
                           E["EDGEPIN_A_FEED_SRC_PORT"] else a
                           for a in feed_attrs(**good)])),
        ("drop-reason-other", drop(attr(E["EDGEPIN_A_FEED_DROP_REASON"],
                                        u32(E["EDGEPIN_STAT_MESSAGES"])),
                                   attr(E["EDGEPIN_A_FEED_DROP_COUNT"],
                                        u32(1)))),
        ("drop-reason-past", drop(attr(E["EDGEPIN_A_FEED_DROP_REASON"],
                                       u32(E["EDGEPIN_STAT_TLS_STREAMS"])),
                                  attr(E["EDGEPIN_A_FEED_DROP_COUNT"],
                                       u32(1)))),
        ("drop-count-zero", drop(attr(E["EDGEPIN_A_FEED_DROP_REASON"],
                                      u32(R)),
                                 attr(E["EDGEPIN_A_FEED_DROP_COUNT"],
                                      u32(0)))),
        ("drop-no-count", drop(attr(E["EDGEPIN_A_FEED_DROP_REASON"],
                                    u32(R)))),
        ("drop-sender-3-bytes", drop(attr(E["EDGEPIN_A_FEED_DROP_REASON"],
                                          u32(R)),
                                     attr(E["EDGEPIN_A_FEED_DROP_COUNT"],
                                          u32(1)),
                                     attr(E["EDGEPIN_A_FEED_DROP_SENDER"],
                                          b"\1\2\3"))),
    ]


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("send")
    s.add_argument("--proto", choices=PROTOS, required=True)
    s.add_argument("--src", required=True)
    s.add_argument("--sport", type=int, required=True)
    s.add_argument("--dst", required=True)
    s.add_argument("--dport", type=int, required=True)
    s.add_argument("--zone", type=int)
    s.add_argument("--tls", action="store_true")
    s.add_argument("file")
    d = sub.add_parser("drop")
    d.add_argument("--reason", required=True)
    d.add_argument("--count", type=int, required=True)
    d.add_argument("--sender")
    p = sub.add_parser("policy")
    p.add_argument("--sip-feed", choices=("on", "off", "shared"),
                   required=True)
    sub.add_parser("bad")
    sub.add_parser("origins")
    args = ap.parse_args()

    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
    sock.bind((0, 0))
    sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
    fam = resolve(sock)
    cmd = E["EDGEPIN_CMD_FEED"]

    if args.cmd == "origins":
        origins(sock, fam)
        return
    if args.cmd == "bad":
        for name, payload in bad_cases():
            err, text = request(sock, fam, cmd, payload)
            print("%s errno %d %s" % (name, err, text))
        return
    if args.cmd == "send":
        with open(args.file, "rb") as fh:
            msg = fh.read()
        payload = feed(*feed_attrs(PROTOS[args.proto], addr(args.src),
                                   args.sport, addr(args.dst), args.dport,
                                   msg, args.zone, args.tls))
    elif args.cmd == "drop":
        reason = args.reason
        reason = E[REASONS[reason]] if reason in REASONS else int(reason, 0)
        a = [attr(E["EDGEPIN_A_FEED_DROP_REASON"], u32(reason)),
             attr(E["EDGEPIN_A_FEED_DROP_COUNT"], u32(args.count))]
        if args.sender:
            a.append(attr(E["EDGEPIN_A_FEED_DROP_SENDER"], addr(args.sender)))
        payload = drop(*a)
    else:
        cmd = E["EDGEPIN_CMD_POLICY_SET"]
        v = E["EDGEPIN_SIP_FEED_" + args.sip_feed.upper()]
        payload = nest(E["EDGEPIN_A_POLICY"],
                       attr(E["EDGEPIN_A_POL_SIP_FEED"], u8(v)))
    err, text = request(sock, fam, cmd, payload)
    print("errno %d %s" % (err, text))


if __name__ == "__main__":
    main()
