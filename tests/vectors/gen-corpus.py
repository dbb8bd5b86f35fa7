#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Write tests/vectors/corpus-*.sip from the real samples in ../shared/sdp-corpus.

Run by hand when the corpus changes; tests never read the corpus. Public
addresses and names are rewritten to documentation ones (RFC 5737, RFC 3849,
example.*); private, link-local, Teredo and ULA addresses are kept. SDP-only
samples are wrapped into complete SIP messages so that selftests can send them.
"""
import os
import re
import sys

CORPUS = sys.argv[1] if len(sys.argv) > 1 else "../shared/sdp-corpus"
OUT = os.path.dirname(os.path.abspath(__file__))

REWRITE = [
    ("194.176.96.67", "203.0.113.67"),
    ("131.253.141.166", "203.0.113.166"), ("131.253.141.158", "203.0.113.158"),
    ("131.253.141.198", "203.0.113.198"), ("131.253.141.254", "203.0.113.254"),
    ("146.198.59.239", "198.51.100.239"), ("140.242.214.33", "203.0.113.33"),
    ("64.4.34.205", "198.51.100.205"), ("64.4.35.48", "198.51.100.48"),
    ("64.4.34.204", "198.51.100.204"), ("70.25.46.249", "198.51.100.249"),
    ("92.239.152.221", "198.51.100.221"), ("1.1.1.1", "192.0.2.111"),
    ("2a01:111:202b:a::", "2001:db8:202b:a::"),
    ("2001:aaaa:5ef5:79fb:", "2001:db8:5ef5:79fb:"),
    ("tele2.ru", "example.net"), ("anna.lykova", "alice"),
    ("olajide.net", "example.org"),
]


def rewrite(text):
    for old, new in REWRITE:
        text = text.replace(old, new)
    # The UTF-8 display name of sample 03 becomes another UTF-8 name.
    return re.sub('"[^"\n]*[\u0400-\u04ff][^"\n]*"', '"\u0410\u043b\u0438\u0441\u0430"', text)


def read(prefix):
    for name in sorted(os.listdir(CORPUS)):
        if name.startswith(prefix):
            with open(os.path.join(CORPUS, name), encoding="utf-8", newline="") as f:
                return rewrite(f.read())
    raise SystemExit("no sample " + prefix)


def unfold(text):
    """The RFC drafts fold long lines for print; SDP has no folding, so a
    line that does not start with "x=" continues the one before it."""
    out = []
    for line in text.split("\n"):
        if out and line and not re.match(r"[a-z]=", line):
            sep = "" if out[-1].endswith(":") else " "
            out[-1] = out[-1].rstrip() + sep + line.strip()
        else:
            out.append(line)
    return "\n".join(out)


def mdns_values(text):
    """Sample 12 lists candidate values as "C1.1: candidate:...", wrapped."""
    values, cur = [], None
    for line in text.split("\n"):
        m = re.match(r"\s+C\d\.\d: candidate:(.*)", line)
        if m:
            cur = m.group(1).strip()
            values.append(cur)
        elif cur is not None and line.strip():
            sep = "" if values[-1].endswith("-") else " "
            values[-1] += sep + line.strip()
        else:
            cur = None
    return values


def crlf(text):
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def request(n, body, ctype="application/sdp", extra=""):
    head = ("INVITE sip:bob@example.com SIP/2.0\r\n"
            "Via: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK-corpus%02d\r\n"
            "Max-Forwards: 70\r\n"
            "From: \"Alice\" <sip:alice@example.com>;tag=a%02d\r\n"
            "To: <sip:bob@example.com>\r\n"
            "Call-ID: corpus-%02d@192.0.2.10\r\n"
            "CSeq: 1 INVITE\r\n"
            "Contact: <sip:alice@192.0.2.10:5060;transport=tcp>\r\n"
            "%s"
            "Content-Type: %s\r\n" % (n, n, n, extra, ctype))
    return head, body


def response(n, body):
    """Compact header forms, as some stacks send them."""
    head = ("SIP/2.0 200 OK\r\n"
            "v: SIP/2.0/TCP 192.0.2.10:5060;branch=z9hG4bK-corpus%02d\r\n"
            "f: <sip:alice@example.com>;tag=a%02d\r\n"
            "t: <sip:bob@example.com>;tag=b%02d\r\n"
            "i: corpus-%02d@192.0.2.10\r\n"
            "CSeq: 1 INVITE\r\n"
            "m: <sip:bob@198.51.100.20:5060;transport=tcp>\r\n"
            "c: application/sdp\r\n" % (n, n, n, n))
    return head, body


def message(head, body, clen="Content-Length"):
    raw = body.encode()
    return head.encode() + ("%s: %d\r\n\r\n" % (clen, len(raw))).encode() + raw


def sdp(lines, end="\r\n"):
    return end.join(lines) + end


def values_sdp(values, addr, port, prefix="a=candidate:"):
    return sdp(["v=0", "o=- 1 1 IN IP4 " + addr, "s=-", "c=IN IP4 " + addr,
                "t=0 0", "m=audio %d RTP/AVP 0 101" % port,
                "a=ice-ufrag:Xr6b", "a=ice-pwd:UnfN6xn2b1Hcf7BmT0N4mp5s"] +
               [prefix + v for v in values] +
               ["a=rtpmap:0 PCMU/8000", "a=rtpmap:101 telephone-event/8000"])


def fix_clen(text, ending):
    """Samples 03/04 had their bodies edited; make Content-Length true."""
    head, sep, body = text.partition("\n\n")
    n = len(body.replace("\n", ending).encode())
    head = re.sub(r"Content-Length: \d+", "Content-Length: %d" % n, head)
    return head + sep + body


def write(name, data):
    with open(os.path.join(OUT, name), "wb") as f:
        f.write(data if isinstance(data, bytes) else data.encode())


def main():
    write("corpus-01-lync2013-invite-multipart-draft6.sip", read("01-"))
    write("corpus-02-lync2013-200ok-x-candidate-ipv6.sip", read("02-"))
    write("corpus-03-sfb2016-invite-edge-relay.sip", crlf(fix_clen(read("03-"), "\r\n")))
    # Kept with bare LF line ends, as the fixture stored it.
    write("corpus-04-sfb2016-invite-audio-video-lf.sip", fix_clen(read("04-"), "\n"))
    s05 = read("05-")
    write("corpus-05-sfb-online-multipart-unquoted.sip", message(*request(
        5, "preamble: this body is a multipart/alternative media offer\r\n" + s05,
        "multipart/alternative;charset=utf-8;boundary=" + s05[2:s05.index("\r\n")])))
    write("corpus-06-webrtc-chrome-offer-ipv6.sip", message(*request(6, read("06-"))))
    write("corpus-07-webrtc-chrome-answer.sip", message(*response(7, read("07-"))))
    s08 = read("08-").replace("a=rtcp:PORT", "a=rtcp:30000").replace("PORT", "30000")
    s08 = s08.replace("ICEUFRAG", "q9Rb").replace("ICEPWD", "x3TfG9mZr4Hh6EoX9cVv2kPq")
    write("corpus-08-rtpengine-remote-candidates.sip", message(*request(8, s08.replace("ICEBASE", "1"))))
    write("corpus-09-rfc8839-ice2-srflx.sip", message(*request(9, unfold(read("09-")))))
    write("corpus-10-rfc8839-offer-ipv6.sip", message(*request(10, unfold(read("10-")))))
    write("corpus-11-rfc8839-answer-ipv4.sip", message(*response(11, read("11-"))))
    c12 = mdns_values(read("12-"))
    write("corpus-12a-mdns-offer.sip", message(*request(12, values_sdp(c12[:4], "192.0.2.1", 30004))))
    write("corpus-12b-mdns-answer.sip", message(*response(12, values_sdp(c12[4:], "192.0.2.2", 40004))))
    write("corpus-13-jsep-bundle-relay.sip", message(*request(13, unfold(read("13-")).rstrip("\n") + "\n")))
    write("corpus-14-msn-ice19-relay.sip", message(*request(14, read("14-") + "\r\n")))
    c15 = [l + " " for l in read("15-").split("\n") if l]
    write("corpus-15-msn-draft6-padded.sip", message(*request(15, values_sdp(c15, "192.168.1.107", 54183))))
    c16 = [l for l in read("16-").split("\n") if l]
    write("corpus-16-libre-rfc6544-tcptype.sip", message(*request(16, values_sdp(c16, "10.0.1.1", 5000))))
    write("corpus-17-pjsip-rtcp-address.sip", message(*request(17, read("17-"))))
    write("corpus-18-pjsip-ice-mismatch.sip", message(*request(18, read("18-"))))
    write("corpus-19-sdp-transform-network-cost.sip", message(*request(19, read("19-"))))
    write("corpus-20-sdp-transform-hacky.sip", message(*request(20, read("20-"))))
    write("corpus-21-sdp-transform-icelite.sip", message(*response(21, read("21-"))))
    s22 = read("22-").split("\n")
    diag = "\r\n ".join(s22[:3])
    c22 = [l[len("a=candidate:"):] for l in s22 if l.startswith("a=candidate:")]
    write("corpus-22-sfb-trace-edge-relay.sip", message(*request(
        22, values_sdp(c22, "203.0.113.33", 57234), extra=diag + "\r\n")))


main()
