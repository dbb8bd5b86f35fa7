#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Real SIP software over TCP through a firewall deployed with `edgepin
# ruleset install --edge`: a sipp caller in the peer and a sipp callee in
# the edge, both with Microsoft ICE draft-6 candidates; the edge calls
# with RFC candidates and the peer (callee) hangs up; then the edge calls
# with a Lync-style multipart/alternative offer of about 9.5 KB that
# crosses the firewall in MSS-sized segments (counted there): a draft-6
# ms-proxy-2007fallback part and an RFC part on other ports; the peer
# answers with RFC candidates and the edge hangs up. Each time the peer's
# media stream reaches every negotiated edge port for the length of the
# call, the attacker's and an un-negotiated port's do not, and BYE cuts
# the stream.
. ./lib.sh
. ./sipp/lib.sh
sipp_setup
printf 'SEQUENTIAL\n50030;50031;50032;50033\n' >"$tmp/lync.csv"
for p in 50010 50012 50030 50032; do
	udp_listen "$EDGE" "$EDGE4" $p "$tmp/rx$p"
done

sipp_call draft6 tcp "$PEER" "$PEER4" uac-draft6.xml peer.csv \
	"$EDGE" "$EDGE4" uas-draft6.xml edge.csv 2 50010
# The callee (the peer) hangs up.
sipp_call peer-hangs-up tcp "$EDGE" "$EDGE4" uac-callee-bye.xml edge.csv \
	"$PEER" "$PEER4" uas-bye.xml peer.csv 2 50010
# Both parts' RTP and RTCP are pinned: 4. No segmentation offload on the
# edge, so that the firewall sees the INVITE in MSS-sized segments.
run ip -n "$EDGE" link set eth0 gso_max_size 1400 gso_max_segs 1 ||
	fail "gso_max_size"
seg_watch || fail "nft: segwatch"
sipp_call lync tcp "$EDGE" "$EDGE4" uac-lync.xml lync.csv \
	"$PEER" "$PEER4" uas.xml peer.csv 4 50030 50032
[ "$(seg_count 1500)" = 0 ] && [ "$(seg_count 1000)" -ge 6 ] ||
	fail "the Lync INVITE did not cross in segments ($(seg_count 1000) over 1000 bytes, $(seg_count 1500) over 1500)"
echo "# lync: the edge's SIP crossed the firewall in $(seg_count 1000) segments of 1000-1500 bytes, none longer"
exit 0
