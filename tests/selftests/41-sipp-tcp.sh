#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Real SIP software over TCP through a firewall deployed with `edgepin
# ruleset install --edge`: a sipp caller in the peer and a sipp callee in
# the edge, both with Microsoft ICE draft-6 candidates; then the edge
# calls with a Lync-style multipart/alternative offer of about 9 KB (so
# it spans several TCP segments: a draft-6 ms-proxy-2007fallback part and
# an RFC part on other ports), the peer answers with RFC candidates and
# the edge hangs up. Each time the peer's media stream reaches every
# negotiated edge port, the attacker's and an un-negotiated port's do
# not, and BYE cuts the stream.
. ./lib.sh
. ./sipp/lib.sh
need sipp nft conntrack socat jq edgepin python3
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
run ip netns exec "$FW" edgepin ruleset install --edge "$EDGE4" ||
	fail "ruleset install"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
ports_csv "$tmp/edge.csv" 50010 1
ports_csv "$tmp/peer.csv" 40000 1
printf 'SEQUENTIAL\n50030;50031;50032;50033\n' >"$tmp/lync.csv"
for p in 50010 50012 50030 50032; do
	udp_listen "$EDGE" "$EDGE4" $p "$tmp/rx$p"
done

sipp_call draft6 tcp "$PEER" "$PEER4" uac-draft6.xml peer.csv \
	"$EDGE" "$EDGE4" uas-draft6.xml edge.csv 2 50010
# Both parts' RTP and RTCP are pinned: 4. No segmentation offload on the
# edge, so that the firewall sees the INVITE in MSS-sized segments.
run ip -n "$EDGE" link set eth0 gso_max_size 1400 || fail "gso_max_size"
sipp_call lync tcp "$EDGE" "$EDGE4" uac-lync.xml lync.csv \
	"$PEER" "$PEER4" uas.xml peer.csv 4 50030 50032
exit 0
