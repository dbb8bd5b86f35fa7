#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""The peer's SIP user agent over TLS, for the TLS feed selftests (61-63):
calls through a TLS-terminating proxy, all over one TLS connection.

  tlsua.py --to ADDR [--port 5061] [--sport N] [--ca FILE]
           [--calls N] [--call-prefix P] [--media ADDR] [--media-port N]
           [--hold S] [--timeout S]

For each call: INVITE with SDP (audio on --media ADDR, port
--media-port + 2n, RFC ICE host candidates for RTP and RTCP), wait for
its final response (provisional ones are skipped), ACK the 2xx along its
Record-Route. Once every call is up it prints "tlsua: N calls up", holds
them for --hold seconds or until SIGUSR1, then sends a BYE in each
dialog and waits for its response, and prints "tlsua: N calls ended".
Exits non-zero when a response is missing (--timeout seconds) or not a
2xx, or the connection closes. --ca verifies the server's certificate
(and its address) against FILE; without it nothing is verified.
"""
import argparse
import os
import re
import signal
import socket
import ssl
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sipua import fill, header, messages  # noqa: E402


def all_headers(msg, name):
    return [m.group(1).decode() for m in re.finditer(
        rb"(?im)^%s\s*:\s*(.*?)\r?$" % name.encode(), msg)]


class Conn:
    def __init__(self, sock, timeout):
        self.sock, self.rest, self.queue = sock, b"", []
        sock.settimeout(timeout)

    def send(self, data):
        self.sock.sendall(data)

    def response(self, call_id, method):
        """The next final response to METHOD of CALL_ID."""
        while True:
            while self.queue:
                msg = self.queue.pop(0)
                first = msg.split(b"\r\n", 1)[0].decode(errors="replace")
                if not first.startswith("SIP/2.0 "):
                    continue    # a request from the other side: not ours
                if header(msg, "call-id", "i") != call_id or \
                   header(msg, "cseq", "cseq").split()[-1] != method:
                    continue
                code = int(first.split()[1])
                if code >= 200:
                    return code, msg
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                sys.exit(f"tlsua: no final response to {method} of "
                         f"{call_id}")
            if not data:
                sys.exit(f"tlsua: connection closed waiting for {method} "
                         f"of {call_id}")
            msgs, self.rest = messages(self.rest + data)
            self.queue += msgs


INVITE = """INVITE sip:edge@{to}:{port};transport=tls SIP/2.0
Via: SIP/2.0/TLS {me}:{sport};branch=z9hG4bK-{call_id}-1;rport
Max-Forwards: 70
From: <sip:peer@example.org>;tag=peer-{n}
To: <sip:edge@example.com>
Call-ID: {call_id}
CSeq: 1 INVITE
Contact: <sip:peer@{me}:{sport};transport=tls>
Content-Type: application/sdp

v=0
o=- {n} 1 IN IP4 {media}
s=-
c=IN IP4 {media}
t=0 0
m=audio {mport} RTP/AVP 0 8
a=ice-ufrag:peer
a=ice-pwd:peerpasswordpeerpassword
a=candidate:1 1 UDP 2130706431 {media} {mport} typ host
a=candidate:1 2 UDP 2130706430 {media} {mrtcp} typ host
"""

IN_DIALOG = """{method} {target} SIP/2.0
Via: SIP/2.0/TLS {me}:{sport};branch=z9hG4bK-{call_id}-{cseq}{method};rport
Max-Forwards: 70
{routes}From: <sip:peer@example.org>;tag=peer-{n}
To: {to_hdr}
Call-ID: {call_id}
CSeq: {cseq} {method}

"""


def in_dialog(method, cseq, d, args, me, sport):
    routes = "".join(f"Route: {r}\n" for r in d["routes"])
    return fill(IN_DIALOG, method=method, cseq=cseq, target=d["target"],
                routes=routes, to_hdr=d["to"], me=me, sport=sport,
                call_id=d["call_id"], n=d["n"])


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--to", required=True)
    p.add_argument("--port", type=int, default=5061)
    p.add_argument("--sport", type=int, default=0)
    p.add_argument("--ca")
    p.add_argument("--calls", type=int, default=1)
    p.add_argument("--call-prefix", default="tls-")
    p.add_argument("--media")
    p.add_argument("--media-port", type=int, default=40000)
    p.add_argument("--hold", type=float, default=0)
    p.add_argument("--timeout", type=float, default=15)
    args = p.parse_args()

    go_on = threading.Event()
    signal.signal(signal.SIGUSR1, lambda *_: go_on.set())

    fam = socket.AF_INET6 if ":" in args.to else socket.AF_INET
    raw = socket.socket(fam, socket.SOCK_STREAM)
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if args.sport:
        raw.bind(("", args.sport))
    raw.settimeout(args.timeout)
    raw.connect((args.to, args.port))
    raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    if args.ca:
        ctx.load_verify_locations(args.ca)
    else:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    tls = ctx.wrap_socket(raw, server_hostname=args.to)
    me, sport = tls.getsockname()[:2]
    if fam == socket.AF_INET6:
        me = f"[{me}]"
    media = args.media or me
    conn = Conn(tls, args.timeout)
    print(f"tlsua: {tls.version()} {me}:{sport} -> {args.to}:{args.port}",
          flush=True)

    dialogs = []
    for n in range(args.calls):
        call_id = f"{args.call_prefix}{n}"
        mport = args.media_port + 2 * n
        conn.send(fill(INVITE, to=args.to, port=args.port, me=me,
                       sport=sport, call_id=call_id, n=n, media=media,
                       mport=mport, mrtcp=mport + 1))
        code, msg = conn.response(call_id, "INVITE")
        if code >= 300:
            sys.exit(f"tlsua: INVITE of {call_id}: {code}")
        contact = re.search(r"<([^>]*)>", header(msg, "contact", "m"))
        rr = [r.strip() for h in all_headers(msg, "record-route")
              for r in h.split(",")]
        d = {"n": n, "call_id": call_id, "to": header(msg, "to", "t"),
             "target": contact.group(1) if contact else
             f"sip:edge@{args.to}", "routes": rr[::-1]}
        conn.send(in_dialog("ACK", 1, d, args, me, sport))
        dialogs.append(d)
    print(f"tlsua: {len(dialogs)} calls up", flush=True)

    go_on.wait(args.hold)
    for d in dialogs:
        conn.send(in_dialog("BYE", 2, d, args, me, sport))
        code, _ = conn.response(d["call_id"], "BYE")
        if code >= 300:
            sys.exit(f"tlsua: BYE of {d['call_id']}: {code}")
    print(f"tlsua: {len(dialogs)} calls ended", flush=True)
    tls.close()


if __name__ == "__main__":
    main()
