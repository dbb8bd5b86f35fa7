#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Bounded work and memory per message (issue 11, review F4/F8): the
# attacker's worst-case INVITE and 200 (4 SDP parts x 128 candidates on
# its own address, 512 endpoints each) are handled without stalling, with
# no edge set and with one: pins stay within max-pinholes-per-call, each
# limit is counted once per negotiation (max-pinholes-per-call, a full
# expectation table), a listener in mode monitor gets a bounded number of
# events, an offer over the namespace's offer budget is not kept, and a
# normal call right after gets its media. A netns owned by
# an unprivileged user namespace may lower limits but not raise them above
# the defaults; the initial-owned one may.
. ./lib.sh
need nft conntrack python3 jq edgepin unshare setpriv
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
fw_ruleset || fail "ruleset"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"

# Every check is made and reported; the test fails at the end if any did.
failures=0
# check DESCRIPTION CMD...: CMD must succeed.
check() {
	local what=$1
	shift
	if "$@"; then
		echo "# ok: $what"
	else
		echo "# FAILED: $what"
		failures=$((failures + 1))
	fi
}
# within N LO HI: LO <= N <= HI
within() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; }

# worst CALL-ID SALT [edge]: the attacker's worst-case INVITE, then a
# 200 of the same shape from the Edge, the callee (the attacker's own 200
# is refused before any negotiation: refused_not_in_call). Sets ms to how
# long the kernel took over the 200 (in the sender's sendto(), see
# big_send), then waits until the firewall parsed both.
worst() {
	local from=$EDGE src=$EDGE4 to=$ATK4 m0
	worst_msg invite "$1" "$ATK4" "$2" | "$SIPUA" fill >"$tmp/winv"
	worst_msg 200 "$1" "$src" "$2" | "$SIPUA" fill >"$tmp/w200"
	[ "$(grep -c '^a=candidate' "$tmp/winv")" = 512 ] || fail "worst_msg"
	m0=$(stat messages)
	run big_send "$ATK" 5060 "$EDGE4" 5060 "$tmp/winv" >/dev/null
	ms=$(run big_send "$from" 5060 "$to" 5060 "$tmp/w200")
	poll 300 sh -c "[ \$(ip netns exec $FW edgepin -j stats | jq .messages) -ge $((m0 + 2)) ]" ||
		fail "the firewall did not get through 2 messages in 300 s"
	echo "# the answer of $1 took $ms ms in sendto()"
}

echo "# --- no edge set: each side pins its own address ---"
# bounded CALL-ID SALT [edge]: worst, then its pins are within
# max-pinholes-per-call, which is counted once for the negotiation (no
# edge set: 63 + 63 distinct pinholes are wanted, 64 allowed).
bounded() {
	local r0 n d max
	max=$(ip netns exec "$FW" edgepin -j policy show |
		jq '.max_pinholes_per_call')
	r0=$(stat refused_max_per_call)
	worst "$@"
	check "$1: answer handled within 0.5 s ($ms ms)" within "$ms" 0 499
	n=$(pin_count ".call_id==\"$1\"")
	check "$1: $n pins, within max-pinholes-per-call $max" \
		within "$n" 1 "$max"
	d=$(($(stat refused_max_per_call) - r0))
	check "$1: max-pinholes-per-call counted once ($d)" test "$d" = 1
}
bounded nx-1@atk 1

echo "# --- a full expectation table stops the negotiation, counted once ---"
# The same keys on the same master would replace nx-1's expectations
# rather than add to the table: start from an empty one.
in_ns "$FW" edgepin pinhole flush >/dev/null
old_max=$(sysctl -n net.netfilter.nf_conntrack_expect_max)
at_exit sysctl -qw net.netfilter.nf_conntrack_expect_max="$old_max"
have=$(ip netns exec "$FW" conntrack -L expect 2>/dev/null | grep -c edgepin)
run sysctl -qw net.netfilter.nf_conntrack_expect_max=$((have + 3))
r0=$(stat refused_expect_full)
worst nx-2@atk 2
d=$(($(stat refused_expect_full) - r0))
check "a full expectation table counted once ($d)" test "$d" = 1
run sysctl -qw net.netfilter.nf_conntrack_expect_max="$old_max"
in_ns "$FW" edgepin pinhole flush >/dev/null

echo "# --- mode monitor: a bounded number of events ---"
in_ns "$FW" edgepin policy set mode monitor || fail "mode monitor"
monitor_start "$tmp/events"
w0=$(stat monitor_would_pin)
worst nx-3@atk 3
d=$(($(stat monitor_would_pin) - w0))
check "monitor counted $d would-be pins (1..64)" within "$d" 1 64
# the events of that call: call start, then what the negotiation sent
poll 10 grep -q '"nx-3@atk"' "$tmp/events"
sleep 1
kill -INT $MON
wait $MON
ev=$(grep -c '"nx-3@atk"' "$tmp/events")
echo "# monitor received $ev events for the call"
check "monitor events bounded ($ev, at most 20)" within "$ev" 2 20
in_ns "$FW" edgepin policy set mode enforce || fail "mode enforce"

echo "# --- edge set: the edge answers with 512 endpoints ---"
in_ns "$FW" edgepin policy set edge "$EDGE4" "$EDGE6" || fail "policy set edge"
# The edge's 64 endpoints of media 0 (the cap) from the attacker's one
# address make 63 pinholes; a lower limit shows it counted once.
in_ns "$FW" edgepin policy set max-pinholes-per-call 32 || fail "policy"
bounded nx-4@atk 4 edge
in_ns "$FW" edgepin policy set max-pinholes-per-call 64 || fail "policy"

echo "# --- the offer memory budget (max-calls x 1 KB) ---"
for id in nx-1@atk nx-2@atk nx-3@atk nx-4@atk; do
	in_ns "$FW" edgepin call drop "$id" || fail "call drop $id"
done
in_ns "$FW" edgepin policy set max-calls 1 || fail "policy"
o0=$(stat refused_offer_memory)
worst_msg invite nx-5@atk "$ATK4" 5 | "$SIPUA" fill >"$tmp/winv"
run big_send "$ATK" 5060 "$EDGE4" 5060 "$tmp/winv" >/dev/null
poll 10 sh -c "[ \$(ip netns exec $FW edgepin -j stats | jq .refused_offer_memory) -gt $o0 ]"
d=$(($(stat refused_offer_memory) - o0))
check "a 2 KB offer (64 endpoints) over a 1 KB budget refused, counted ($d)" test "$d" = 1

echo "# --- a normal call right after gets its media ---"
udp_call "$tmp" normal-1@peer 52000
to_edge "$tmp/invite"
to_peer "$tmp/200"
udp_listen "$EDGE" "$EDGE4" 52000 "$tmp/rx"
poll 10 sh -c "[ \$(ip netns exec $FW edgepin -j pinhole list |
	jq '[.[] | select(.call_id==\"normal-1@peer\")] | length') -ge 1 ]"
probe "$PEER" 40000 "$EDGE4" 52000 normal-media
poll 10 grep -q normal-media "$tmp/rx"
check "the normal call's media got through" grep -q normal-media "$tmp/rx"
in_ns "$FW" edgepin policy set max-calls 16384 || fail "policy"

echo "# --- limits: only the initial user namespace raises them ---"
sysctl -n kernel.unprivileged_userns_clone >/dev/null 2>&1 && {
	old_uns=$(sysctl -n kernel.unprivileged_userns_clone)
	at_exit sysctl -qw kernel.unprivileged_userns_clone="$old_uns"
	run sysctl -qw kernel.unprivileged_userns_clone=1
}
# userns CMD...: as nobody, in a new user namespace (root in it) that owns
# a new network namespace.
userns() {
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		unshare -Urn sh -c "$*"
}
userns true || skip "unprivileged user namespaces are not permitted"
for kv in "max-calls 16385" "max-pinholes 65537" "max-pinholes-per-call 65"; do
	userns "edgepin policy set $kv" >"$tmp/uns.out" 2>&1
	rc=$?
	cat "$tmp/uns.out"
	check "unprivileged-owned netns: '$kv' refused" \
		grep -qi "initial user namespace" "$tmp/uns.out"
	check "'$kv' exit status $rc" test "$rc" != 0
done
# One POLICY_SET (policy load) that lowers max-calls and raises
# max-pinholes fails whole: max-calls stays at what it was.
printf 'max-calls 100\nmax-pinholes 70000\n' >"$tmp/raise.conf"
chmod 755 "$tmp"
chmod 644 "$tmp/raise.conf"
userns "edgepin policy set max-calls 50; edgepin policy load $tmp/raise.conf;
	edgepin -j policy show" >"$tmp/uns.out" 2>&1
cat "$tmp/uns.out"
check "a refused raise left the policy unchanged" sh -c "tail -n 1 $tmp/uns.out |
	jq -e '.max_calls == 50 and .max_pinholes == 65536'"
userns 'edgepin policy set max-calls 100 &&
	edgepin policy set max-pinholes-per-call 8 &&
	edgepin -j policy show' >"$tmp/uns.out" 2>&1
check "unprivileged-owned netns may lower limits" sh -c "tail -n 1 $tmp/uns.out |
	jq -e '.max_calls == 100 and .max_pinholes_per_call == 8'"
for kv in "max-calls 20000" "max-pinholes 70000" "max-pinholes-per-call 80"; do
	check "the initial-owned netns raises $kv" in_ns "$FW" edgepin policy \
		set $kv
done
check "raised limits are in force" sh -c "ip netns exec $FW edgepin -j policy show |
	jq -e '.max_calls == 20000 and .max_pinholes == 70000 and
	.max_pinholes_per_call == 80'"

echo "# --- F10: pins on a master that lost its confirm ---"
# Two copies of a call's 200, racing on two CPUs on a new UDP flow: both
# make an unconfirmed conntrack, the helper pins on the first, and when
# that one loses the confirm clash its pins are on a master nobody uses.
# gc must close them within ~2 s: later, an extension genid bump (here a
# helper module going) leaves nfct_help() of that master NULL, and the
# kernel's expectation unlink (rmmod of any helper walks every
# expectation, gc closes pins) would dereference it.
in_ns "$FW" edgepin policy set edge none || fail "policy"
p0=$(stat pinholes_opened)
run sysctl -qw net.netfilter.nf_conntrack_expect_max=20000
mkmsg "$tmp/rinv" <<T
INVITE sip:b@$EDGE4 SIP/2.0
Via: SIP/2.0/UDP $ATK4:5060;branch=z9hG4bK-r
From: <sip:a@example.org>;tag=ra-CALLID
To: <sip:b@example.com>
Call-ID: CALLID
CSeq: 1 INVITE
Content-Type: application/sdp

v=0
o=- 1 1 IN IP4 $ATK4
s=-
c=IN IP4 $ATK4
t=0 0
m=audio PORTA RTP/AVP 0
T
mkmsg "$tmp/r200" <<T
SIP/2.0 200 OK
Via: SIP/2.0/UDP $ATK4:5060;branch=z9hG4bK-r
From: <sip:a@example.org>;tag=ra-CALLID
To: <sip:b@example.com>;tag=rb
Call-ID: CALLID
CSeq: 1 INVITE
Content-Type: application/sdp

v=0
o=- 2 2 IN IP4 $ATK4
s=-
c=IN IP4 $ATK4
t=0 0
m=audio PORTB RTP/AVP 0
T
clashes() {
	ip netns exec "$FW" conntrack -S |
		grep -o 'clash_resolve=[0-9]*\|insert_failed=[0-9]*' |
		cut -d= -f2 | paste -sd+ | bc
}
c0=$(clashes)
ip netns exec "$ATK" python3 - "$EDGE4" 300 "$tmp/rinv" "$tmp/r200" <<'PY'
import multiprocessing as mp, os, socket, sys
edge, n = sys.argv[1], int(sys.argv[2])
inv, ans = (open(p, "rb").read() for p in sys.argv[3:5])
go = mp.Barrier(3)

def sock(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("0.0.0.0", port))
    return s

# each call its own ports: the same pinhole from another master clashes
def fill(m, i):
    m = m.replace(b"PORTA", b"%d" % (52000 + 4 * i))
    return m.replace(b"PORTB", b"%d" % (52002 + 4 * i)).replace(b"CALLID", b"race-%d" % i)

def racer(cpu):
    os.sched_setaffinity(0, {cpu})
    for i in range(n):
        s = sock(20000 + i)
        go.wait()
        s.sendto(fill(ans, i), (edge, 5060))
        s.close()
        go.wait()

ps = [mp.Process(target=racer, args=(c,)) for c in (0, 1)]
for p in ps:
    p.start()
main = sock(5060)
for i in range(n):
    main.sendto(fill(inv, i), (edge, 5060))
    go.wait()
    go.wait()
for p in ps:
    p.join()
PY
echo "# $(($(clashes) - c0)) confirm clashes (clash_resolve, insert_failed) in the race"
echo "# the racing calls opened $(($(stat pinholes_opened) - p0)) pinholes"
# gc closes pins on a lost master 1-2 s after they opened: give it 4 s
sleep 4
n=$(pin_count '.call_id | startswith("race-")')
echo "# $n pins of the racing calls 4 s later"
# The first rmmod bumps the genid after walking the expectations, the
# second walks them with it bumped; then the pins close.
for k in 1 2; do
	run modprobe nf_conntrack_tftp && run rmmod nf_conntrack_tftp
done
in_ns "$FW" edgepin pinhole flush
check "no pin of the racing calls left" test "$(pin_count '.call_id | startswith("race-")')" = 0
echo "# survived a genid bump and the pins' close"

[ "$failures" = 0 ] || fail "$failures checks failed"
echo "# pass"
