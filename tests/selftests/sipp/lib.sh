# SPDX-License-Identifier: GPL-2.0
# sipp helpers for the 4x selftests (source after ../lib.sh).
SIPP_DIR="$PWD/sipp"
# More options for every sipp run (e.g. -trace_msg -message_file F).
SIPP_ARGS=()
# How long, in ms, sipp_call's calls last (and sipp_uas's callees that
# hang up wait): long enough, under TCG, to check the media for a while.
SIPP_HOLD=30000

# sipp_setup: the topology, edgepin deployed with `edgepin ruleset install
# --edge $EDGE4`, a scratch directory $tmp, and in it one-call port files
# for sipp: edge.csv (RTP 50010, RTCP 50011) and peer.csv (40000, 40001).
sipp_setup() {
	need sipp nft conntrack socat jq edgepin python3
	topo_up
	run modprobe nf_conntrack_edgepin || fail "modprobe"
	run ip netns exec "$FW" edgepin ruleset install --edge "$EDGE4" ||
		fail "ruleset install"
	tmp=$(mktemp -d)
	at_exit rm -rf "$tmp"
	ports_csv "$tmp/edge.csv" 50010 1
	ports_csv "$tmp/peer.csv" 40000 1
}

# ports_csv FILE BASE N: an injection file for sipp, one call a line:
# field0 = BASE + 2i (RTP), field1 = BASE + 2i + 1 (RTCP).
ports_csv() {
	local i
	{
		echo SEQUENTIAL
		for ((i = 0; i < $3; i++)); do
			echo "$(($2 + 2 * i));$(($2 + 2 * i + 1))"
		done
	} >"$1"
}

# sipp_uas NS ADDR TRANSPORT SCENARIO CSV LOG: a sipp callee on ADDR:5060
# in the background (killed at exit; pid in SIPP_UAS_PID), ready when it
# listens. A callee scenario that hangs up does so after SIPP_HOLD ms (-d).
sipp_uas() {
	local t=u1 l=u
	[ "$3" = tcp ] && t=t1 l=t
	echo "# [$1] sipp -sf $4 -i $2 -p 5060 -t $t -inf $5" >&2
	ip netns exec "$1" sipp -sf "$SIPP_DIR/$4" -i "$2" -p 5060 -t "$t" \
		-inf "$5" -d "$SIPP_HOLD" -nostdin -trace_err -error_file "$6.err" \
		-max_socket 200 "${SIPP_ARGS[@]}" >"$6" 2>&1 &
	SIPP_UAS_PID=$!
	at_exit kill $SIPP_UAS_PID
	poll 10 ip netns exec "$1" sh -c "ss -Hln$l | grep -q '$2:5060 '" ||
		fail "sipp UAS did not start: $(cat "$6" "$6.err" 2>/dev/null)"
}

# sipp_uac NS ADDR DST TRANSPORT SCENARIO CSV LOG HOLD_MS CALLS: a sipp
# caller placing CALLS calls at once to DST:5060, each held HOLD_MS ms,
# in the background; its pid in UAC_PID.
sipp_uac() {
	local t=u1
	[ "$4" = tcp ] && t=t1
	echo "# [$1] sipp $3:5060 -sf $5 -t $t -inf $6 -d $8 -m $9" >&2
	ip netns exec "$1" sipp "$3:5060" -sf "$SIPP_DIR/$5" -i "$2" \
		-p 5060 -t "$t" -inf "$6" -d "$8" -m "$9" -l "$9" -r "$9" \
		-nostdin -trace_err -error_file "$7.err" -timeout 150s \
		-timeout_error -max_socket 200 "${SIPP_ARGS[@]}" >"$7" 2>&1 &
	UAC_PID=$!
	at_exit kill $UAC_PID
}

# sipp_uac_wait LOG: the caller's calls all ended well (exit 0).
sipp_uac_wait() {
	wait "$UAC_PID"
	local rc=$?
	[ $rc = 0 ] || fail "sipp UAC exit $rc: $(tail -n 20 "$1.err" 2>/dev/null)"
}

# media NS SRC_PORT DST DST_PORT TAG SECONDS: a media stream in the
# background (killed at exit); its pid in MEDIA_PID.
media() {
	echo "# [$1] media $2 -> $3:$4 '$5' for $6 s" >&2
	ip netns exec "$1" "$SIPP_DIR/media.py" "$2" "$3" "$4" "$5" "$6" &
	MEDIA_PID=$!
	at_exit kill $MEDIA_PID
}

# seg_watch: count, at the firewall, the edge's SIP over TCP in packets
# longer than 300, 600, 1000, 1500 and 9000 bytes (table inet segwatch;
# a flushed ruleset needs it again).
seg_watch() {
	local n
	{
		echo "table inet segwatch {"
		echo "chain c { type filter hook prerouting priority raw;"
		for n in 300 600 1000 1500 9000; do
			echo "ip saddr $EDGE4 tcp dport 5060 meta length > $n counter"
		done
		echo "}"
		echo "}"
	} | ip netns exec "$FW" nft -f -
}

# seg_count N: how many such packets were longer than N bytes so far.
seg_count() {
	ip netns exec "$FW" nft list table inet segwatch |
		sed -n "s/.*length > $1 counter packets \([0-9]*\) .*/\1/p"
}

# rx_count FILE TAG: datagrams carrying TAG received so far.
rx_count() {
	grep -c "^$2 " "$1" 2>/dev/null || true
}

# no_pins_to ADDR: no edgepin pinhole into ADDR is left.
no_pins_to() {
	! pins_to "$1" '[0-9]+' >/dev/null
}

# sipp_call NAME TRANSPORT CALLER_NS CALLER_ADDR UAC_XML CALLER_CSV \
#           CALLEE_NS CALLEE_ADDR UAS_XML CALLEE_CSV PINS PORT...
# One sipp call between the peer and the edge (either side calling; the
# side whose scenario hangs up does so after SIPP_HOLD). It must open exactly
# PINS pinholes, all from the peer's address into the edge's; the peer's
# media stream reaches each edge PORT for as long as the call lasts, the
# attacker's and a stream to the un-negotiated 50012 do not; after BYE no
# pinhole is left and the streams stop arriving. Records into $tmp/rxPORT (listeners set up by
# the test, for each PORT and 50012).
sipp_call() {
	local name=$1 tr=$2 d=$tmp/$1 pins=${11} p n streams=""
	mkdir "$d"
	sipp_uas "$7" "$8" "$tr" "$9" "$tmp/${10}" "$d/uas.log"
	sipp_uac "$3" "$4" "$8" "$tr" "$5" "$tmp/$6" "$d/uac.log" "$SIPP_HOLD" 1
	shift 11
	poll 40 sh -c "[ \$(ip netns exec $FW conntrack -L expect 2>/dev/null |
		grep -c 'src=$PEER4 dst=$EDGE4 sport=0 .*helper=edgepin') = $pins ]" ||
		fail "$name: not $pins pinholes from $PEER4 to $EDGE4"
	in_ns "$FW" edgepin pinhole list | sed 's/^/# /'
	[ "$(pin_count)" = "$pins" ] || fail "$name: $(pin_count) pinholes, want $pins"
	# The peer's media on every port (until after the call), the
	# attacker's and one to an un-negotiated port.
	n=0
	for p in "$@"; do
		media "$PEER" $((40000 + 2 * n)) "$EDGE4" "$p" "$name-media" 90
		streams="$streams $MEDIA_PID"
		media "$ATK" 40000 "$EDGE4" "$p" "$name-attacker" 5
		n=$((n + 1))
	done
	media "$PEER" 40100 "$EDGE4" 50012 "$name-unnegotiated" 5
	for p in "$@"; do
		poll 10 sh -c "[ \$(grep -c '^$name-media ' $tmp/rx$p) -ge 5 ]" ||
			fail "$name: the peer's media did not reach the edge's $p"
	done
	sleep 3
	for p in "$@"; do
		[ "$(rx_count "$tmp/rx$p" "$name-attacker")" = 0 ] ||
			fail "$name: the attacker's media reached the edge's $p"
	done
	[ "$(rx_count "$tmp/rx50012" "$name-unnegotiated")" = 0 ] ||
		fail "$name: media to an un-negotiated port reached the edge"
	# Until the call ends, every 3 s more of the peer's media has reached
	# each port.
	local -A seen
	n=0
	while kill -0 "$UAC_PID" 2>/dev/null; do
		for p in "$@"; do
			seen[$p]=$(rx_count "$tmp/rx$p" "$name-media")
		done
		sleep 3
		kill -0 "$UAC_PID" 2>/dev/null || break
		for p in "$@"; do
			[ "$(rx_count "$tmp/rx$p" "$name-media")" -gt "${seen[$p]}" ] ||
				fail "$name: the peer's media stopped reaching the edge's $p during the call"
		done
		n=$((n + 3))
	done
	[ $n -gt 0 ] || fail "$name: the call ended before its media could be checked in mid-call"
	for p in "$@"; do
		echo "# $name: the peer's media reached $p throughout the call (checked every 3 s for $n s: $(rx_count "$tmp/rx$p" "$name-media") packets); none from the attacker; none to 50012"
	done
	sipp_uac_wait "$d/uac.log"
	poll 10 no_pins_to "$EDGE4" || fail "$name: pinholes left after BYE"
	sleep 1
	for p in "$@"; do
		n=$(rx_count "$tmp/rx$p" "$name-media")
		sleep 3
		[ "$(rx_count "$tmp/rx$p" "$name-media")" = "$n" ] ||
			fail "$name: media still reaching the edge's $p after BYE"
		echo "# $name: after BYE no pinhole, the stream to $p is cut (stays at $n)"
	done
	probe "$PEER" 40200 "$EDGE4" "$1" "$name-newflow-after-bye"
	expect_no_rx "$tmp/rx$1" "$name-newflow-after-bye"
	# shellcheck disable=SC2086
	kill $streams "$SIPP_UAS_PID"
	# shellcheck disable=SC2086
	wait $streams "$SIPP_UAS_PID" 2>/dev/null
	return 0
}
