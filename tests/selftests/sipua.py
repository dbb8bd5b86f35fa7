#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""A minimal SIP user agent for the selftests: exact control over what
goes on the wire (TCP segmentation, many calls on one connection), which
sipp does not give.

  sipua.py uas --bind ADDR [--proto udp|tcp] --answer FILE [--base-port N]
      Answer every INVITE with FILE (a SIP response template), every
      other request with a bare 200. Runs until killed.
  sipua.py fill < TEMPLATE > MESSAGE
      Just fix line ends and Content-Length.
  sipua.py uac --to ADDR [--proto udp|tcp] --sport N [--split N,...]
               [--calls N] [--wait N] [--hold S] FILE...
      Send each FILE (a SIP message template), once per call; --split
      cuts the byte stream of each message into TCP segments at the
      given offsets (0 sends all messages of a call in one segment).
      Wait for N responses per call, keep a TCP connection --hold s.

Templates: {call_id} {n} {port} {rtcp} {edge4} ... are substituted;
Content-Length is computed; lines end in CRLF.
"""
import argparse
import re
import socket
import sys
import threading
import time


def fill(template, **kw):
    text = template.format(**kw).replace("\r\n", "\n")
    head, _, body = text.partition("\n\n")
    body = body.replace("\n", "\r\n")
    head = re.sub(r"(?im)^content-length:.*\n?", "", head).rstrip("\n")
    head = head.replace("\n", "\r\n")
    return f"{head}\r\nContent-Length: {len(body)}\r\n\r\n{body}".encode()


def messages(stream):
    """Split a byte stream into whole SIP messages; return (msgs, rest)."""
    out = []
    while True:
        stream = stream.lstrip(b"\r\n")
        end = stream.find(b"\r\n\r\n")
        if end < 0:
            return out, stream
        m = re.search(rb"(?im)^(content-length|l):\s*(\d+)", stream[:end])
        total = end + 4 + (int(m.group(2)) if m else 0)
        if len(stream) < total:
            return out, stream
        out.append(stream[:total])
        stream = stream[total:]


def header(msg, name, compact):
    m = re.search(rb"(?im)^(?:%s|%s)\s*:\s*(.*?)\r?$" %
                  (name.encode(), compact.encode()), msg)
    return m.group(1).decode() if m else ""


def headers(msg, name, compact):
    return [m.group(1).decode() for m in re.finditer(
        rb"(?im)^(?:%s|%s)\s*:\s*(.*?)\r?$" %
        (name.encode(), compact.encode()), msg)]


def answer(args, msg, state):
    line = msg.split(b"\r\n", 1)[0].decode()
    if line.startswith("SIP/2.0") or line.startswith("ACK "):
        return None
    kw = {
        "call_id": header(msg, "call-id", "i"),
        "cseq": header(msg, "cseq", "cseq"),
        "from": header(msg, "from", "f"),
        "to": header(msg, "to", "t"),
        # every Via, in order: a proxy's replies find their way back
        "via": "\nVia: ".join(headers(msg, "via", "v")),
    }
    if line.startswith("INVITE ") and ";tag=" not in kw["to"]:
        port = args.base_port + 2 * state["n"]
        state["n"] += 1
        reply = fill(args.answer_text, port=port, rtcp=port + 1,
                     n=state["n"], **kw)
        # the 2xx copies the proxies' Record-Route (RFC 3261 12.1.1)
        rr = "".join(f"Record-Route: {r}\r\n"
                     for r in headers(msg, "record-route", "record-route"))
        first, _, rest = reply.partition(b"\r\n")
        return first + b"\r\n" + rr.encode() + rest
    return fill("SIP/2.0 200 OK\nVia: {via}\nFrom: {from}\nTo: {to}\n"
                "Call-ID: {call_id}\nCSeq: {cseq}\n\n", **kw)


def uas(args):
    args.answer_text = open(args.answer).read()
    state = {"n": 0}
    fam = socket.AF_INET6 if ":" in args.bind else socket.AF_INET
    if args.proto == "udp":
        s = socket.socket(fam, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind((args.bind, args.port))
        while True:
            data, peer = s.recvfrom(65535)
            for msg in messages(data)[0]:
                reply = answer(args, msg, state)
                if reply:
                    s.sendto(reply, peer)
    srv = socket.socket(fam, socket.SOCK_STREAM)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((args.bind, args.port))
    srv.listen(16)
    lock = threading.Lock()
    while True:
        conn, _ = srv.accept()
        threading.Thread(target=serve, args=(args, conn, state, lock),
                         daemon=True).start()


def serve(args, conn, state, lock):
    rest = b""
    while True:
        data = conn.recv(65536)
        if not data:
            break
        msgs, rest = messages(rest + data)
        with lock:
            replies = [r for r in (answer(args, m, state) for m in msgs) if r]
        if replies:
            conn.sendall(b"".join(replies))
    conn.close()


def segments(data, cuts):
    pos = 0
    for cut in cuts:
        if pos < cut < len(data):
            yield data[pos:cut]
            pos = cut
    yield data[pos:]


def send_dgram(s, m):
    """A UAS that is (re)starting may refuse a datagram or two: retry."""
    for _ in range(50):
        try:
            s.send(m)
            return
        except ConnectionRefusedError:
            time.sleep(0.1)
    sys.exit("uac: connection refused")


def uac(args):
    texts = [open(f).read() for f in args.files]
    fam = socket.AF_INET6 if ":" in args.to else socket.AF_INET
    kind = socket.SOCK_DGRAM if args.proto == "udp" else socket.SOCK_STREAM
    s = socket.socket(fam, kind)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("", args.sport))
    s.connect((args.to, args.port))
    if kind == socket.SOCK_STREAM:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    s.settimeout(10)
    cuts = [int(c) for c in args.split.split(",")] if args.split else []
    calls = [[fill(t, n=n, call_id=f"{args.call_prefix}{n}") for t in texts]
             for n in range(args.calls)]
    if cuts == [0]:
        # every message of every call in one segment
        calls = [[b"".join(m for call in calls for m in call)]]
    got, rest = 0, b""
    for n, msgs in enumerate(calls):
        for m in msgs:
            if kind == socket.SOCK_DGRAM:
                send_dgram(s, m)
                continue
            for seg in segments(m, cuts):
                s.sendall(seg)
                if len(cuts) > 0 and cuts != [0]:
                    time.sleep(0.05)
        want = args.calls * args.wait if cuts == [0] else (n + 1) * args.wait
        while got < want:
            try:
                data = s.recv(65536)
            except ConnectionRefusedError:
                # the ICMP of a datagram sent before the UAS was up
                for m in msgs:
                    send_dgram(s, m)
                continue
            if not data:
                sys.exit("uac: connection closed")
            if kind == socket.SOCK_DGRAM:
                got += len(messages(data)[0])
            else:
                msgs, rest = messages(rest + data)
                got += len(msgs)
    print(f"uac: sent {args.calls} calls, {got} responses", flush=True)
    time.sleep(args.hold)


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="mode", required=True)
    a = sub.add_parser("uas")
    a.add_argument("--bind", required=True)
    a.add_argument("--port", type=int, default=5060)
    a.add_argument("--proto", choices=("udp", "tcp"), default="udp")
    a.add_argument("--answer", required=True)
    a.add_argument("--base-port", type=int, default=50010)
    c = sub.add_parser("uac")
    c.add_argument("--to", required=True)
    c.add_argument("--port", type=int, default=5060)
    c.add_argument("--proto", choices=("udp", "tcp"), default="udp")
    c.add_argument("--sport", type=int, default=5060)
    c.add_argument("--split", default="")
    c.add_argument("--calls", type=int, default=1)
    c.add_argument("--call-prefix", default="call-")
    c.add_argument("--wait", type=int, default=1)
    c.add_argument("--hold", type=float, default=0)
    c.add_argument("files", nargs="+")
    sub.add_parser("fill")
    args = p.parse_args()
    if args.mode == "fill":
        sys.stdout.buffer.write(fill(sys.stdin.read().replace("{", "{{")
                                     .replace("}", "}}")))
    elif args.mode == "uas":
        uas(args)
    else:
        uac(args)


if __name__ == "__main__":
    main()
