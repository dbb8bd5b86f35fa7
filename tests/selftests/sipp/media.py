#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
# media.py SRC_PORT DST_ADDR DST_PORT TAG SECONDS: send one datagram
# "TAG <seq>" every 0.1 s from SRC_PORT to DST_ADDR:DST_PORT, like an RTP
# stream would, ignoring send errors (ICMP from a closed port).
import socket
import sys
import time

sport, dst, dport, tag, secs = sys.argv[1:6]
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", int(sport)))
end = time.monotonic() + float(secs)
seq = 0
while time.monotonic() < end:
    try:
        s.sendto(b"%s %d\n" % (tag.encode(), seq), (dst, int(dport)))
    except OSError:
        pass
    seq += 1
    time.sleep(0.1)
