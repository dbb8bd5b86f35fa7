#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""ctnetlink expectations, as a sync daemon sees them.

  ctexp.py dump [FILE]   print each IPv4 expectation of this netns as
                         "dport=N helper-fn=NAME" (CTA_EXPECT_FN, "-" when
                         absent); with FILE, also save them there
  ctexp.py create FILE   create the saved expectations in this netns, all
                         their attributes but the id, as conntrackd would
                         if it carried CTA_EXPECT_FN; exit 1 on an error

conntrack(8) shows neither the function nor lets one be named.
"""
import socket
import struct
import sys

NETLINK_NETFILTER = 12
SUBSYS_EXP = 2
EXP_NEW, EXP_GET = 0, 1
CTA_EXPECT_TUPLE, CTA_EXPECT_ID, CTA_EXPECT_FN = 2, 5, 11
CTA_TUPLE_PROTO, CTA_PROTO_DST_PORT = 2, 3
F_REQUEST, F_ACK, F_EXCL, F_CREATE, F_DUMP = 1, 4, 0x200, 0x400, 0x300


def attrs(buf):
    out, a = [], 0
    while a + 4 <= len(buf):
        alen, atype = struct.unpack_from("HH", buf, a)
        out.append((atype, buf[a:a + alen]))
        a += (alen + 3) & ~3
    return out


def payload(raw):
    return raw[4:]


def talk(s, msgtype, flags, body):
    s.send(struct.pack("IHHII", 16 + len(body), msgtype, flags, 1, 0) + body)


def replies(s):
    while True:
        data, off = s.recv(1 << 16), 0
        while off < len(data):
            ln, ty, _, _, _ = struct.unpack_from("IHHII", data, off)
            yield ty, data[off + 16:off + ln]
            off += (ln + 3) & ~3


def dport(tuple_raw):
    for t, raw in attrs(payload(tuple_raw)):
        if t & 0x7fff == CTA_TUPLE_PROTO:
            for pt, praw in attrs(payload(raw)):
                if pt & 0x7fff == CTA_PROTO_DST_PORT:
                    return struct.unpack("!H", payload(praw)[:2])[0]
    return 0


def main():
    s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    s.bind((0, 0))
    nfgen = struct.pack("BBH", socket.AF_INET, 0, 0)
    if sys.argv[1] == "dump":
        talk(s, SUBSYS_EXP << 8 | EXP_GET, F_REQUEST | F_DUMP, nfgen)
        saved = []
        for ty, msg in replies(s):
            if ty in (2, 3):            # NLMSG_ERROR, NLMSG_DONE
                break
            a = attrs(msg[4:])
            fn = [payload(r).rstrip(b"\0").decode() for t, r in a
                  if t & 0x7fff == CTA_EXPECT_FN]
            port = [dport(r) for t, r in a if t & 0x7fff == CTA_EXPECT_TUPLE]
            print(f"dport={port[0] if port else 0} "
                  f"helper-fn={fn[0] if fn else '-'}")
            saved.append(b"".join(r for t, r in a
                                  if t & 0x7fff != CTA_EXPECT_ID))
        if len(sys.argv) > 2:
            with open(sys.argv[2], "w") as f:
                f.writelines(m.hex() + "\n" for m in saved)
        return 0
    rc = 0
    for line in open(sys.argv[2]):
        talk(s, SUBSYS_EXP << 8 | EXP_NEW,
             F_REQUEST | F_ACK | F_CREATE | F_EXCL,
             nfgen + bytes.fromhex(line.strip()))
        ty, msg = next(replies(s))
        err = struct.unpack_from("i", msg)[0] if ty == 2 else 0
        if err:
            print(f"ctexp.py: create: {-err}", file=sys.stderr)
            rc = 1
    return rc


if __name__ == "__main__":
    sys.exit(main())
