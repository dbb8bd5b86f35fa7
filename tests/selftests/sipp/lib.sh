# SPDX-License-Identifier: GPL-2.0
# sipp helpers for the 4x selftests (source after ../lib.sh).
SIPP_DIR="$PWD/sipp"

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
# listens.
sipp_uas() {
	local t=u1 l=u
	[ "$3" = tcp ] && t=t1 l=t
	echo "# [$1] sipp -sf $4 -i $2 -p 5060 -t $t -inf $5" >&2
	ip netns exec "$1" sipp -sf "$SIPP_DIR/$4" -i "$2" -p 5060 -t "$t" \
		-inf "$5" -nostdin -trace_err -error_file "$6.err" \
		-max_socket 200 >"$6" 2>&1 &
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
		-timeout_error -max_socket 200 >"$7" 2>&1 &
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

# rx_count FILE TAG: datagrams carrying TAG received so far.
rx_count() {
	grep -c "^$2 " "$1" 2>/dev/null || true
}

# no_pins_to ADDR: no edgepin pinhole into ADDR is left.
no_pins_to() {
	! pins_to "$1" '[0-9]+' >/dev/null
}
