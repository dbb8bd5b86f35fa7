#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgepin feed on the host, with --print (no module): HEPv3 from a listed
# sender with the key is fed over UDP and TCP; an unlisted sender, a wrong
# or missing key, and truncated or garbled HEP are refused and counted;
# the local socket takes "PROTO SRC DST" + SIP and HEPv3 without a key;
# the daemon lives through all of it and exits cleanly. TAP; run by
# "make -C tests/unit run". Senders are 127.0.0.x addresses on lo.
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/ctl/edgepin
hep=$top/tests/selftests/hep.py
msg=$top/tests/vectors/sip-options-ping.sip
tmp=$(mktemp -d /tmp/edgepin-feed.XXXXXX)
port=$((20000 + $$ % 20000))
to=127.0.0.1:$port
sock=$tmp/feed.sock
n=0 fail=0 pid=

cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

ok() {
	n=$((n + 1))
	echo "ok $n $1"
}

not_ok() {
	n=$((n + 1))
	fail=1
	echo "not ok $n $1"
	sed 's/^/# out: /' "$tmp/out" | tail -5
	sed 's/^/# err: /' "$tmp/err" | tail -5
}

# check "NAME" CMD...: a TAP line for CMD's status (echoed first)
check() {
	local name=$1

	shift
	echo "# $*"
	if "$@"; then ok "$name"; else not_ok "$name"; fi
}

# Wait (up to 5 s) for output line number $1 to match the regex $2.
line_is() {
	local i

	for ((i = 0; i < 50; i++)); do
		[ "$(wc -l <"$tmp/out")" -ge "$1" ] && break
		sleep 0.1
	done
	sed -n "$1p" "$tmp/out" | grep -Eq -- "$2"
}

alive() {
	kill -0 "$pid" 2>/dev/null
}

# What the next output line must be, after sending with $@; and alive.
lines=0
expect() {
	local want=$1

	shift
	echo "# $*" | tr '\n' ' '
	echo
	"$@" >/dev/null 2>&1
	lines=$((lines + 1))
	if line_is "$lines" "$want" && alive; then
		ok "$want"
	else
		not_ok "$want (got: $(sed -n "${lines}p" "$tmp/out"))"
	fi
}

for t in "$bin" "$hep" "$msg"; do
	[ -e "$t" ] || { echo "Bail out! $t missing"; exit 1; }
done
echo "TAP version 13"
printf 'capture-password\n' >"$tmp/key"
printf 'SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n' >"$tmp/200"
from() { echo "--from 127.0.0.$1"; }
src="--src 10.0.0.1:5061 --dst 10.0.0.2:5061"

echo "# edgepin feed --print --listen $to (no --source)"
"$bin" feed --print --listen "$to" --socket "$sock" 2>"$tmp/err"
check "refuses --listen without --source (exit 2)" [ $? = 2 ]

"$bin" feed --print --listen "$to" --source 127.0.0.2 \
	--source 127.0.0.4/32 --key-file "$tmp/key" --socket "$sock" \
	>"$tmp/out" 2>"$tmp/err" &
pid=$!
for ((i = 0; i < 50; i++)); do
	[ -S "$sock" ] && break
	sleep 0.1
done
check "local socket created, mode 0600" \
	[ "$(stat -c %a "$sock" 2>/dev/null)" = 600 ]

k="--key capture-password"
# shellcheck disable=SC2046,SC2086
{
expect "^feed udp 10.0.0.1:5061 10.0.0.2:5061 [0-9]+ OPTIONS sip:" \
	"$hep" send --to "$to" $(from 2) $k --proto udp $src "$msg"
expect "^feed tcp 10.0.0.1:5061 10.0.0.2:5061 [0-9]+ OPTIONS sip:" \
	"$hep" send --to "$to" $(from 4) $k --tcp $src "$msg"
# Kamailio's TLS (IP protocol 22); a response goes from --dst to --src
expect "^feed tls 10.0.0.2:5061 10.0.0.1:5061 [0-9]+ SIP/2.0 200 OK$" \
	"$hep" send --to "$to" $(from 2) $k --proto tls $src "$tmp/200"
expect "^refused sender 127.0.0.3:[0-9]+ unlisted" \
	"$hep" send --to "$to" $(from 3) $k --proto udp $src "$msg"
expect "^refused sender 127.0.0.3:[0-9]+ unlisted" \
	"$hep" send --to "$to" $(from 3) $k --tcp $src "$msg"
expect "^refused key 127.0.0.2:[0-9]+ wrong-key" \
	"$hep" send --to "$to" $(from 2) --key capture-passworD $src "$msg"
expect "^refused key 127.0.0.2:[0-9]+ no-key" \
	"$hep" send --to "$to" $(from 2) $src "$msg"
expect "^refused key 127.0.0.2:[0-9]+ wrong-key" \
	"$hep" send --to "$to" $(from 2) --key capture-password- $src "$msg"
expect "^refused malformed 127.0.0.2:[0-9]+ bad-length" \
	"$hep" send --to "$to" $(from 2) $k --truncate 100 $src "$msg"
expect "^refused malformed 127.0.0.2:[0-9]+ bad-chunk" \
	"$hep" send --to "$to" $(from 2) $k --garble $src "$msg"
expect "^refused malformed 127.0.0.2:[0-9]+ bad-magic" \
	"$hep" send --to "$to" $(from 2) $k --bad-magic $src "$msg"
expect "^refused malformed 127.0.0.2:[0-9]+ bad-family" \
	"$hep" send --to "$to" $(from 2) $k --wrong-family $src "$msg"
expect "^refused malformed 127.0.0.2:[0-9]+ bad-chunk" \
	"$hep" send --to "$to" $(from 2) $k --tcp --garble $src "$msg"
expect "^refused malformed 127.0.0.4:[0-9]+ bad-magic" \
	"$hep" send --to "$to" $(from 4) $k --tcp --bad-magic $src "$msg"
expect "^refused malformed 127.0.0.2:[0-9]+ truncated" \
	"$hep" send --to "$to" $(from 2) $k --tcp --truncate 40 $src "$msg"
expect "^feed tcp \[2001:db8::1\]:5061 \[2001:db8::2\]:443 [0-9]+ OPTIONS" \
	"$hep" send --to "$to" $(from 2) $k --tcp \
	--src "[2001:db8::1]:5061" --dst "[2001:db8::2]:443" "$msg"
expect "^feed tls 192.0.2.1:5061 192.0.2.2:40000 [0-9]+ OPTIONS sip:" \
	"$bin" feed send --socket "$sock" tls 192.0.2.1:5061 \
	192.0.2.2:40000 "$msg"
expect "^feed udp \[2001:db8::5\]:5060 \[2001:db8::6\]:5060 [0-9]+ OPTIONS" \
	"$bin" feed send --socket "$sock" udp "[2001:db8::5]:5060" \
	"[2001:db8::6]:5060" "$msg"
# HEPv3 on the local socket: no key asked
"$hep" frame --proto udp $src "$msg" >"$tmp/frame"
expect "^feed udp 10.0.0.1:5061 10.0.0.2:5061 [0-9]+ OPTIONS sip:" \
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(open(sys.argv[2], "rb").read(), sys.argv[1])' "$sock" "$tmp/frame"
expect "^refused malformed local bad-line" \
	python3 -c 'import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.sendto(b"sctp 1.2.3.4:1 1.2.3.5:2\nOPTIONS", sys.argv[1])' "$sock"
}
echo "# feed send with mixed families"
"$bin" feed send --socket "$sock" udp 192.0.2.1:1 "[::1]:2" "$msg" \
	2>/dev/null
check "feed send refuses mixed families (exit 2)" [ $? = 2 ]

# shellcheck disable=SC2046,SC2086
{
echo "# hep.py calls 40 over one TCP connection"
"$hep" calls 40 --to "$to" $(from 2) $k --tcp $src
lines=$((lines + 200))
check "40 calls over TCP: 200 messages fed" line_is "$lines" "^feed tcp "
check "... each INVITE with its own Call-ID" [ "$(grep -c '^feed tcp.*INVITE' \
	"$tmp/out")" -ge 40 ]
}

kill -USR1 "$pid"
check "SIGUSR1: counters logged, still running" \
	eval 'sleep 0.3; alive && grep -q "received" "$tmp/err"'
kill -TERM "$pid"
wait "$pid"
rc=$?
pid=
check "SIGTERM: exit 0" [ $rc = 0 ]
check "SIGTERM: local socket removed" [ ! -e "$sock" ]
echo "# $(tail -1 "$tmp/err")"
check "final counters: 207 fed; refused sender 2, key 3, malformed 8" \
	grep -q "received 207, fed 207, .*refused sender 2, key 3, malformed 8$" \
	"$tmp/err"
check "refusals reported once a second per reason" \
	grep -q "refused [0-9]* (malformed), the last from" "$tmp/err"
echo "1..$n"
exit $fail
