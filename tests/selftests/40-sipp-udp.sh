#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Real SIP software over UDP through a firewall deployed with `edgepin
# ruleset install --edge`, SDP with RFC ICE candidates: a sipp caller in
# the peer and a sipp callee in the edge, the peer hangs up; the same, the
# edge (callee) hangs up; the edge calls, the peer answers, the edge hangs
# up. For the length of each call the peer's media stream reaches the
# negotiated edge port, the attacker's and an un-negotiated port's do
# not; after BYE the stream is cut.
. ./lib.sh
. ./sipp/lib.sh
sipp_setup
udp_listen "$EDGE" "$EDGE4" 50010 "$tmp/rx50010"
udp_listen "$EDGE" "$EDGE4" 50012 "$tmp/rx50012"

# RTP and RTCP pinned; media checked on RTP.
sipp_call peer-calls udp "$PEER" "$PEER4" uac.xml peer.csv \
	"$EDGE" "$EDGE4" uas.xml edge.csv 2 50010
# The callee (the edge) hangs up.
sipp_call edge-hangs-up udp "$PEER" "$PEER4" uac-callee-bye.xml peer.csv \
	"$EDGE" "$EDGE4" uas-bye.xml edge.csv 2 50010
# The edge calls, the peer answers; the edge hangs up.
sipp_call edge-calls udp "$EDGE" "$EDGE4" uac.xml edge.csv \
	"$PEER" "$PEER4" uas.xml peer.csv 2 50010
exit 0
