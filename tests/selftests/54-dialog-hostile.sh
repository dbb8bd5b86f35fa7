#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Dialogs against hostile messages (issue 11, review F2/F9), edge set:
# (a) a third host that knows the Call-ID and both tags sends BYE: the
#     call and its media stay; the peer's own BYE ends them;
# (b) the Edge calls the peer and is answered; a late fork's 183 whose SDP
#     names the attacker as its media source opens nothing: the attacker's
#     packet to the Edge's offered port is dropped;
# (c) a 200 the caller sends itself, or a third host sends, neither
#     confirms nor answers the call; the Edge's own 200 then does;
# (d) (review L1) the same offer/answer again on a new signalling flow
#     moves the pinhole to it: when the first flow goes, the media flowing
#     goes on and new media still gets in.
. ./lib.sh
need nft conntrack python3 jq edgepin socat
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
fw_ruleset || fail "ruleset"
in_ns "$FW" edgepin policy set edge "$EDGE4" || fail "policy"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"

has_pins() { # CALL-ID N [FILTER]: the call has N pinholes (matching FILTER)
	[ "$(pin_count ".call_id==\"$1\" and (${3:-true})")" = "$2" ]
}
state_is() { # CALL-ID STATE (empty: not tracked)
	[ "$(call_state "$1")" = "$2" ]
}
# refused_since N0 CALL-ID STATE: the message was refused (counter above
# N0), or else it acted (the call is no longer in STATE): either way done.
refused_since() {
	[ "$(stat refused_not_in_call)" -gt "$1" ] ||
		[ "$(call_state "$2")" != "$3" ]
}
# refused_msg CALL-ID STATE WHAT SEND-CMD...: the message SEND-CMD sends
# is refused (refused_not_in_call) and the call stays in STATE.
refused_msg() {
	local id=$1 state=$2 what=$3 n0
	shift 3
	n0=$(stat refused_not_in_call)
	"$@"
	poll 10 refused_since "$n0" "$id" "$state" ||
		fail "($id) $what was neither refused nor acted on"
	[ "$(call_state "$id")" = "$state" ] ||
		fail "($id) $what acted: the call is now '$(call_state "$id")'"
}

# call_up ID PORT TAG: the call is confirmed with one pinhole, and the
# peer's media from port 40000 (tagged TAG) gets in on PORT.
call_up() {
	poll 10 has_pins "$1" 1 || fail "($1) the call got no pinhole"
	[ "$(call_state "$1")" = confirmed ] ||
		fail "($1) the call is '$(call_state "$1")', not confirmed"
	udp_listen "$EDGE" "$EDGE4" "$2" "$tmp/rx-$1"
	probe "$PEER" 40000 "$EDGE4" "$2" "$3"
	expect_rx "$tmp/rx-$1" "$3"
}
# peer_call ID PORT: the peer (tag pID) calls the Edge, which answers
# (tag eID) on PORT: the call gets its pinhole, the peer's media from
# port 40000 gets in (tagged ID-media-1, recorded in $tmp/rx-ID).
peer_call() {
	dlg_msg "$tmp/$1-invite" "INVITE sip:b@$EDGE4 SIP/2.0" "$1" "1 INVITE" \
		"p$1" "" "$PEER4" 40000
	dlg_msg "$tmp/$1-200" "SIP/2.0 200 OK" "$1" "1 INVITE" "p$1" "e$1" \
		"$EDGE4" "$2"
	to_edge "$tmp/$1-invite"
	to_peer "$tmp/$1-200"
	call_up "$1" "$2" "$1-media-1"
}

# DIALOG_CASES (default "a b c d") picks the cases: to show one failing
# against a module without its defence while the others would stop first.
want() { case " ${DIALOG_CASES:-a b c d} " in *" $1 "*) ;; *) return 1 ;; esac; }

# --- (a) a third host's BYE ---
if want a; then
	peer_call a 50010
	dlg_msg "$tmp/a-bye" "BYE sip:b@$EDGE4 SIP/2.0" a "2 BYE" pa ea
	refused_msg a confirmed "a third host's BYE" \
		run udp_send "$ATK" 5060 "$EDGE4" 5060 "$tmp/a-bye"
	has_pins a 1 || fail "(a) a third host's BYE closed the pinhole"
	probe "$PEER" 40000 "$EDGE4" 50010 a-media-2
	expect_rx "$tmp/rx-a" a-media-2
	echo "# (a) a third host's BYE was refused; the call and its media go on"
	to_edge "$tmp/a-bye"
	poll 10 state_is a "" ||
		fail "(a) the peer's own BYE did not end the call"
	poll 10 has_pins a 0 || fail "(a) the BYE left the pinhole open"
	probe "$PEER" 40000 "$EDGE4" 50010 a-media-3
	expect_no_rx "$tmp/rx-a" a-media-3
	echo "# (a) the peer's own BYE ended the call and its media"
fi

# --- (b) a late fork's 183 after the Edge's call is confirmed ---
if want b; then
	dlg_msg "$tmp/b-invite" "INVITE sip:p@$PEER4 SIP/2.0" b "1 INVITE" eb "" \
		"$EDGE4" 50020
	dlg_msg "$tmp/b-200" "SIP/2.0 200 OK" b "1 INVITE" eb fork1 "$PEER4" 40000
	dlg_msg "$tmp/b-183" "SIP/2.0 183 Session Progress" b "1 INVITE" eb fork2 \
		"$ATK4" 40000
	to_peer "$tmp/b-invite"
	to_edge "$tmp/b-200"
	call_up b 50020 b-peer
	n0=$(stat refused_not_in_call)
	to_edge "$tmp/b-183"
	refused_or_pinned() { # N0: the 183 was refused, or it opened a pinhole
		[ "$(stat refused_not_in_call)" -gt "$1" ] ||
			! has_pins b 0 ".peer_addr==\"$ATK4\""
	}
	poll 10 refused_or_pinned "$n0" ||
		fail "(b) the late 183 was neither refused nor acted on"
	has_pins b 0 ".peer_addr==\"$ATK4\"" ||
		fail "(b) the late fork's 183 opened a pinhole for $ATK4"
	probe "$ATK" 40000 "$EDGE4" 50020 b-attacker
	expect_no_rx "$tmp/rx-b" b-attacker
	echo "# (b) a late fork's 183 after confirmation opened nothing"
fi

# --- (c) a 200 from the caller itself, or from a third host ---
if want c; then
	dlg_msg "$tmp/c-invite" "INVITE sip:b@$EDGE4 SIP/2.0" c "1 INVITE" pc "" \
		"$PEER4" 40000
	dlg_msg "$tmp/c-self" "SIP/2.0 200 OK" c "1 INVITE" pc self "$EDGE4" 50030
	dlg_msg "$tmp/c-200" "SIP/2.0 200 OK" c "1 INVITE" pc ec "$EDGE4" 50040
	to_edge "$tmp/c-invite"
	poll 10 state_is c offered ||
		fail "(c) the INVITE was not tracked"
	refused_msg c offered "the caller's own 200" to_edge "$tmp/c-self"
	refused_msg c offered "a third host's 200" \
		run udp_send "$ATK" 5060 "$PEER4" 5060 "$tmp/c-self"
	has_pins c 0 || fail "(c) a 200 not from the callee opened a pinhole"
	echo "# (c) 200s from the caller and from a third host were refused"
	to_peer "$tmp/c-200"
	call_up c 50040 c-media
	echo "# (c) the Edge's own 200 confirmed the call and opened its pinhole"
fi

# --- (d) a re-INVITE on another signalling flow moves the pinholes ---
if want d; then
	peer_call d 50050
	dlg_msg "$tmp/d-reinvite" "INVITE sip:b@$EDGE4 SIP/2.0" d "2 INVITE" pd ed \
		"$PEER4" 40000
	dlg_msg "$tmp/d-re200" "SIP/2.0 200 OK" d "2 INVITE" pd ed "$EDGE4" 50050
	# the same offer/answer again, on the peer's port 5062: another conntrack
	run udp_send "$PEER" 5062 "$EDGE4" 5060 "$tmp/d-reinvite"
	run udp_send "$EDGE" 5060 "$PEER4" 5062 "$tmp/d-re200"
	# the first signalling flow goes away (as a closed TCP connection would)
	in_ns "$FW" conntrack -D -p udp -s "$PEER4" -d "$EDGE4" --sport 5060 \
		--dport 5060 || fail "(d) no first signalling flow to delete"
	has_pins d 1 || fail "(d) the pinhole went with the first signalling flow"
	probe "$PEER" 40000 "$EDGE4" 50050 d-media-2
	expect_rx "$tmp/rx-d" d-media-2
	probe "$PEER" 40002 "$EDGE4" 50050 d-new-flow
	expect_rx "$tmp/rx-d" d-new-flow
	echo "# (d) the re-INVITE on a new flow kept the pinhole, old and new media in"
fi
exit 0
