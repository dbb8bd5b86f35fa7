#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The edgepin netlink family validates strictly what the tool never
# sends: raw generic netlink requests with unknown attributes, attributes
# a command does not take, wrong lengths, a nest without NLA_F_NESTED,
# out-of-range values, a reserved header field, an unknown command. Each
# is refused with an extended ACK message and leaves the policy as it was;
# one well-formed raw request is accepted (so the harness can succeed).
. ./lib.sh
need modprobe ip python3 edgepin

NS="$ns_prefix-nl"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
run modprobe nf_conntrack_edgepin || fail "modprobe nf_conntrack_edgepin"
ip netns add "$NS" || fail "ip netns add $NS"
at_exit ip netns del "$NS"

in_ns "$NS" edgepin policy show >"$tmp/before" || fail "policy show"

in_ns "$NS" python3 - <<'PY' || fail "raw netlink requests"
import socket
import struct
import sys

SOL_NETLINK, NETLINK_EXT_ACK = 270, 11
NLM_F_REQUEST, NLM_F_ACK, NLM_F_DUMP = 0x1, 0x4, 0x300
NLMSG_ERROR, NLMSG_DONE, NLA_F_NESTED = 2, 3, 0x8000
GENL_ID_CTRL, CTRL_CMD_GETFAMILY = 0x10, 3
# enum edgepin_cmd, edgepin_attr and edgepin_policy_attr (uapi/edgepin.h)
POLICY_GET, POLICY_SET, PINHOLE_GET, CALL_GET, CALL_DROP = 1, 2, 3, 5, 6
STATS_GET, STATS_RESET = 7, 8
EINVAL, ERANGE, EOPNOTSUPP = 22, 34, 95
A_POLICY, A_CALL_ID, A_PEER_ADDR = 1, 6, 7
RANGES, RANGE, EDGES, PREFIX, EXCLUDES, EXCLUDE = 1, 2, 3, 4, 5, 6
TRANSPORTS, MAX_CALLS, MODE = 7, 9, 14

sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 16)
sock.bind((0, 0))
sock.setsockopt(SOL_NETLINK, NETLINK_EXT_ACK, 1)
seq = 0


def attr(t, payload):
    n = 4 + len(payload)
    return struct.pack("=HH", n, t) + payload + b"\0" * (-n % 4)


def nest(t, *attrs):
    return attr(t | NLA_F_NESTED, b"".join(attrs))


def u8(v):
    return struct.pack("=B", v)


def u32(v):
    return struct.pack("=I", v)


def u64(v):
    return struct.pack("=Q", v)


def talk(family, cmd, attrs, flags=NLM_F_ACK, reserved=0):
    """Send one request; return (errno, extack message, replies)."""
    global seq
    seq += 1
    body = struct.pack("=BBH", cmd, 1, reserved) + attrs
    sock.send(struct.pack("=IHHII", 16 + len(body), family,
                          NLM_F_REQUEST | flags, seq, 0) + body)
    replies = []
    while True:
        data = sock.recv(65536)
        off = 0
        while off + 16 <= len(data):
            n, typ, fl, s, _ = struct.unpack_from("=IHHII", data, off)
            msg = data[off + 16:off + n]
            off += (n + 3) & ~3
            if s != seq:
                continue
            if typ == NLMSG_DONE:
                return 0, "", replies
            if typ != NLMSG_ERROR:
                replies.append(msg)
                continue
            err = -struct.unpack_from("=i", msg)[0]
            text = ""
            # NLM_F_ACK_TLVS: TLVs after the error and the request
            if fl & 0x200:
                inner = struct.unpack_from("=I", msg, 4)[0]
                pos = 4 + (16 if fl & 0x100 else inner)
                while pos + 4 <= len(msg):
                    ln, t = struct.unpack_from("=HH", msg, pos)
                    if ln < 4:
                        break
                    if t == 1:
                        text = msg[pos + 4:pos + ln].rstrip(b"\0").decode()
                    pos += (ln + 3) & ~3
            return err, text, replies


err, _, rep = talk(GENL_ID_CTRL, CTRL_CMD_GETFAMILY,
                   attr(2, b"edgepin\0"))
if err:
    sys.exit("# no edgepin family: errno %d" % err)
fam = None
pos = 4
msg = rep[0]
while pos + 4 <= len(msg):
    ln, t = struct.unpack_from("=HH", msg, pos)
    if t == 1:
        fam = struct.unpack_from("=H", msg, pos + 4)[0]
    pos += (ln + 3) & ~3

bad = [
    ("unknown top-level attribute", POLICY_SET, attr(99, u32(1))),
    ("CALL_ID given to POLICY_SET", POLICY_SET,
     attr(A_CALL_ID, b"x@y") + nest(A_POLICY, attr(MODE, u8(1)))),
    ("policy nest without NLA_F_NESTED", POLICY_SET,
     attr(A_POLICY, attr(MODE, u8(1)))),
    ("unknown policy attribute", POLICY_SET,
     nest(A_POLICY, attr(MODE, u8(1)), attr(60, u8(1)))),
    ("2-byte range", POLICY_SET,
     nest(A_POLICY, nest(RANGES, attr(RANGE, b"\x01\x02")))),
    ("prefix inside the range list", POLICY_SET,
     nest(A_POLICY, nest(RANGES, attr(PREFIX, b"\x02\x20\1\2\3\4")))),
    ("range with port 0", POLICY_SET,
     nest(A_POLICY, nest(RANGES, attr(RANGE, u32(0 << 16 | 100))))),
    ("mode 2", POLICY_SET, nest(A_POLICY, attr(MODE, u8(2)))),
    ("transports 4", POLICY_SET, nest(A_POLICY, attr(TRANSPORTS, u8(4)))),
    ("transports 0", POLICY_SET, nest(A_POLICY, attr(TRANSPORTS, u8(0)))),
    ("8-byte max-calls", POLICY_SET,
     nest(A_POLICY, attr(MAX_CALLS, u64(100)))),
    ("exclude with an unknown transport bit", POLICY_SET,
     nest(A_POLICY, nest(EXCLUDES,
                         attr(EXCLUDE, u64(4 << 32 | 50001 << 16 | 50003))))),
    ("prefix of family 99", POLICY_SET,
     nest(A_POLICY, nest(EDGES, attr(PREFIX, b"\x63\x20\1\2\3\4")))),
    ("IPv4 prefix with 16 address bytes", POLICY_SET,
     nest(A_POLICY, nest(EDGES, attr(PREFIX, b"\x02\x20" + b"\0" * 16)))),
    ("good mode after a bad range: all or nothing", POLICY_SET,
     nest(A_POLICY, attr(MODE, u8(1)),
          nest(RANGES, attr(RANGE, u32(60000 << 16 | 50000))))),
    ("no policy and no replace flag", POLICY_SET, b""),
    ("CALL_DROP without CALL_ID", CALL_DROP, b""),
    ("129-byte Call-ID", CALL_DROP, attr(A_CALL_ID, b"c" * 129)),
    ("empty Call-ID", CALL_DROP, attr(A_CALL_ID, b"")),
    ("policy given to CALL_DROP", CALL_DROP,
     attr(A_CALL_ID, b"x@y") + nest(A_POLICY, attr(MODE, u8(1)))),
]
# Commands that take no attribute refuse one.
bad += [("CALL_ID given to POLICY_GET", POLICY_GET, attr(A_CALL_ID, b"x@y")),
        ("CALL_ID given to STATS_GET", STATS_GET, attr(A_CALL_ID, b"x@y")),
        ("policy given to STATS_RESET", STATS_RESET,
         nest(A_POLICY, attr(MODE, u8(1))))]
failed = 0
# Refused as malformed (EINVAL/ERANGE), not for some other reason (a
# CALL_DROP of a call that does not exist would say ENOENT).
for what, cmd, attrs in bad:
    err, text, _ = talk(fam, cmd, attrs)
    print("# %-45s errno %d: %s" % (what, err, text))
    if err not in (EINVAL, ERANGE) or not text:
        print("# FAIL: %s: not refused as malformed with an extended ACK"
              % what)
        failed = 1

# Dump filters are validated too.
for what, attrs in [("5-byte peer address", attr(A_PEER_ADDR, b"\1" * 5)),
                    ("129-byte Call-ID filter", attr(A_CALL_ID, b"c" * 129)),
                    ("unknown dump attribute", attr(99, u32(1))),
                    ("CALL_ID filter for CALL_GET", attr(A_CALL_ID, b"x@y"))]:
    cmd = CALL_GET if "CALL_GET" in what else PINHOLE_GET
    err, text, _ = talk(fam, cmd, attrs, flags=NLM_F_DUMP)
    print("# dump: %-39s errno %d: %s" % (what, err, text))
    if err == 0:
        print("# FAIL: dump with %s accepted" % what)
        failed = 1
err, text, _ = talk(fam, PINHOLE_GET, attr(A_PEER_ADDR, b"\1" * 16),
                    flags=NLM_F_DUMP)
if err:
    print("# FAIL: a 16-byte peer filter was refused: %d %s" % (err, text))
    failed = 1

err, text, _ = talk(fam, POLICY_SET, nest(A_POLICY, attr(MODE, u8(1))),
                    reserved=1)
print("# reserved header field: errno %d: %s" % (err, text))
failed |= err == 0
err, _, _ = talk(fam, 99, b"")
print("# unknown command: errno %d" % err)
failed |= err != EOPNOTSUPP

# The harness can succeed: a well-formed raw request is accepted. It sets
# max-calls, which no refused request touched, so that a refused one that
# was applied in part (its mode, say) shows in the policy afterwards.
err, text, _ = talk(fam, POLICY_SET, nest(A_POLICY, attr(MAX_CALLS,
                                                         u32(1234))))
if err:
    print("# FAIL: well-formed max-calls 1234 refused: %d %s" % (err, text))
    failed = 1
sys.exit(failed)
PY

in_ns "$NS" edgepin policy show >"$tmp/after" || fail "policy show"
grep -qx "max-calls 1234" "$tmp/after" ||
	fail "the well-formed raw request did not set max-calls 1234"
sed -i "s/^max-calls 1234\$/$(grep '^max-calls ' "$tmp/before")/" "$tmp/after"
diff -u "$tmp/before" "$tmp/after" | sed 's/^/# /'
cmp -s "$tmp/before" "$tmp/after" ||
	fail "a refused raw request changed the policy"
exit 0
