#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The netns policy through "edgepin policy": a fresh netns shows the
# defaults of DESIGN.md (text and JSON); set merges one key, load replaces
# from the defaults, reset restores them, and show's output loads back
# unchanged; every rejected policy (bad value, lo > hi, too many ranges,
# bad prefix, one bad line in a file) exits non-zero with a message and
# changes nothing; policy check runs the module's checks and changes
# nothing; a user without CAP_NET_ADMIN is refused, reads included (check
# falls back to the syntax and says so); two namespaces keep separate
# policies.
. ./lib.sh
need modprobe ip jq setpriv edgepin

NS_A="$ns_prefix-pa"
NS_B="$ns_prefix-pb"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
chmod 755 "$tmp"	# the unprivileged user reads policy files too
run modprobe nf_conntrack_edgepin || fail "modprobe nf_conntrack_edgepin"
for ns in "$NS_A" "$NS_B"; do
	ip netns add "$ns" || fail "ip netns add $ns"
	at_exit ip netns del "$ns"
done

# ep NS ARGS...: edgepin in namespace NS, echoed.
ep() {
	local ns=$1
	shift
	in_ns "$ns" edgepin "$@"
}

show() {
	ep "$1" policy show >"$tmp/show.txt" || fail "policy show in $1"
	ep "$1" -j policy show >"$tmp/show.json" ||
		fail "policy show -j in $1"
	jq -e . "$tmp/show.json" >/dev/null || fail "policy show -j: not JSON"
	cat "$tmp/show.txt" "$tmp/show.json"
}

# expect_show NS: the text show equals stdin.
expect_show() {
	local want
	want=$(cat)
	show "$1" >/dev/null
	if [ "$(cat "$tmp/show.txt")" != "$want" ]; then
		diff -u <(echo "$want") "$tmp/show.txt" | sed 's/^/# /'
		fail "policy in $1 is not as expected"
	fi
}

defaults='range 50000-59999
edge none
exclude tcp 50001-50003
transports udp tcp
peer-match address
max-calls 16384
max-calls-per-source 1024
max-pinholes 65536
max-pinholes-per-call 64
pinhole-timeout 60
call-timeout 14400
mode enforce
sip-feed on'

# 1. Defaults, in text and in JSON with DESIGN.md's key names.
expect_show "$NS_A" <<<"$defaults"
jq -e '.range == [{"lo": 50000, "hi": 59999}] and .edge == [] and
	.exclude == [{"transports": ["tcp"], "lo": 50001, "hi": 50003}] and
	.transports == ["udp", "tcp"] and .peer_match == "address" and
	.max_calls == 16384 and .max_calls_per_source == 1024 and
	.max_pinholes == 65536 and
	.max_pinholes_per_call == 64 and .pinhole_timeout == 60 and
	.call_timeout == 14400 and .mode == "enforce" and
	.sip_feed == "on" and
	(keys | length) == 13' "$tmp/show.json" >/dev/null ||
	fail "policy show -j does not show the defaults"
echo "# defaults shown in text and JSON"

# 2. set changes one key and keeps the others.
ep "$NS_A" policy set range 40000-40100 50000 || fail "set range"
ep "$NS_A" policy set edge 203.0.113.0/24 2001:db8:2::2 || fail "set edge"
ep "$NS_A" policy set exclude udp tcp 40001 40010-40020 || fail "set exclude"
ep "$NS_A" policy set transports udp || fail "set transports"
ep "$NS_A" policy set peer-match address-port || fail "set peer-match"
ep "$NS_A" policy set max-calls 100 || fail "set max-calls"
ep "$NS_A" policy set max-calls-per-source 10 || fail "set per-source"
ep "$NS_A" policy set max-pinholes 1000 || fail "set max-pinholes"
ep "$NS_A" policy set max-pinholes-per-call 8 || fail "set per-call"
ep "$NS_A" policy set pinhole-timeout 5 || fail "set pinhole-timeout"
ep "$NS_A" policy set call-timeout 30 || fail "set call-timeout"
ep "$NS_A" policy set mode monitor || fail "set mode"
changed='range 40000-40100 50000-50000
edge 203.0.113.0/24 2001:db8:2::2/128
exclude udp tcp 40001-40001
exclude udp tcp 40010-40020
transports udp
peer-match address-port
max-calls 100
max-calls-per-source 10
max-pinholes 1000
max-pinholes-per-call 8
pinhole-timeout 5
call-timeout 30
mode monitor
sip-feed on'
expect_show "$NS_A" <<<"$changed"
jq -e '.range == [{"lo": 40000, "hi": 40100}, {"lo": 50000, "hi": 50000}]
	and .edge == ["203.0.113.0/24", "2001:db8:2::2/128"] and
	.exclude[1] == {"transports": ["udp", "tcp"], "lo": 40010,
			"hi": 40020} and .transports == ["udp"] and
	.peer_match == "address-port" and .call_timeout == 30 and
	.max_calls_per_source == 10 and
	.mode == "monitor"' "$tmp/show.json" >/dev/null ||
	fail "policy show -j does not match what was set"
echo "# every key set, text and JSON agree"

# 3. show's output loads back unchanged; reset restores the defaults.
cp "$tmp/show.txt" "$tmp/saved"
ep "$NS_A" policy reset || fail "policy reset"
expect_show "$NS_A" <<<"$defaults"
ep "$NS_A" policy load "$tmp/saved" || fail "load the shown policy"
expect_show "$NS_A" <"$tmp/saved"
ep "$NS_A" policy reset || fail "policy reset"
ep "$NS_A" policy load - <"$tmp/saved" || fail "load from stdin"
expect_show "$NS_A" <"$tmp/saved"
echo "# show | load round trip (file and stdin); reset gives the defaults"

# 4. load starts from the defaults; list keys add up over lines.
cat >"$tmp/site.conf" <<'EOF'
# media relay, two ranges
range 50000-50999   # audio
range 52000-52999
edge 203.0.113.2 2001:db8:2::/64
edge 198.18.0.0/15

exclude tcp 50001-50003
exclude udp 50500
max-calls 2000
EOF
ep "$NS_A" policy load "$tmp/site.conf" || fail "load site.conf"
expect_show "$NS_A" <<'EOF'
range 50000-50999 52000-52999
edge 203.0.113.2/32 2001:db8:2::/64 198.18.0.0/15
exclude tcp 50001-50003
exclude udp 50500-50500
transports udp tcp
peer-match address
max-calls 2000
max-calls-per-source 1024
max-pinholes 65536
max-pinholes-per-call 64
pinhole-timeout 60
call-timeout 14400
mode enforce
sip-feed on
EOF
echo "# load replaces from the defaults; lines add"

# 5. Rejected policies change nothing and say why.
# reject WHAT MESSAGE CMD...: CMD fails with MESSAGE on stderr.
# (The text show is compared each time; text and JSON come from the same
# print calls, and the JSON is compared once after all of them.)
reject() {
	local what=$1 msg=$2
	shift 2
	if "$@" 2>"$tmp/err"; then
		fail "$what was accepted"
	fi
	sed 's/^/# stderr: /' "$tmp/err"
	grep -qF -- "$msg" "$tmp/err" || fail "$what: no '$msg' in the error"
	grep -q '^edgepin: ' "$tmp/err" || fail "$what: error not 'edgepin: '"
	ep "$NS_A" policy show >"$tmp/after.txt" || fail "policy show"
	cmp -s "$tmp/before.txt" "$tmp/after.txt" ||
		fail "$what changed the policy"
}

show "$NS_A" >/dev/null
cp "$tmp/show.txt" "$tmp/before.txt"
cp "$tmp/show.json" "$tmp/before.json"

ranges17=$(for i in $(seq 1 17); do echo -n "$((i * 100))-$((i * 100 + 9)) "; done)
edges33=$(for i in $(seq 1 33); do echo -n "10.0.$i.0/24 "; done)
reject "lo > hi" "low port above high port" \
	ep "$NS_A" policy set range 59999-50000
reject "port 0" "port 0" ep "$NS_A" policy set range 0-100
# shellcheck disable=SC2086
reject "17 ranges" "too many entries" ep "$NS_A" policy set range $ranges17
# shellcheck disable=SC2086
reject "33 edges" "too many entries" ep "$NS_A" policy set edge $edges33
reject "host bits" "host bits set" ep "$NS_A" policy set edge 203.0.113.5/24
reject "v6 host bits" "host bits set" \
	ep "$NS_A" policy set edge 2001:db8:2::1/64
reject "/33" "prefix length" ep "$NS_A" policy set edge 203.0.113.0/33
reject "/0" "prefix length" ep "$NS_A" policy set edge 0.0.0.0/0
reject "bad address" "bad address" ep "$NS_A" policy set edge 203.0.113.300
reject "max-calls 0" "out of range" ep "$NS_A" policy set max-calls 0
reject "max-calls-per-source 0" "out of range" \
	ep "$NS_A" policy set max-calls-per-source 0
reject "max-calls-per-source above 2^20" "out of range" \
	ep "$NS_A" policy set max-calls-per-source 1048577
reject "huge max-pinholes" "out of range" \
	ep "$NS_A" policy set max-pinholes 4294967295
reject "pinhole-timeout 0" "out of range" \
	ep "$NS_A" policy set pinhole-timeout 0
reject "call-timeout of a year" "out of range" \
	ep "$NS_A" policy set call-timeout 31536000
reject "exclude lo > hi" "low port above high port" \
	ep "$NS_A" policy set exclude tcp 50003-50001
reject "exclude without transport" "udp and/or tcp" \
	ep "$NS_A" policy set exclude 50001
reject "unknown transport" "not udp or tcp" \
	ep "$NS_A" policy set transports sctp
reject "unknown mode" "enforce|monitor" ep "$NS_A" policy set mode audit
reject "unknown key" "unknown key" ep "$NS_A" policy set ranges 1-2
reject "no value" "want" ep "$NS_A" policy set max-calls
reject "ruleset install, good --edge, bad --range" "ruleset install: range: low port" \
	ep "$NS_A" ruleset install --edge 192.0.2.9 --range 9-1

# A file with one bad line among good ones is refused whole, and the
# error names the file and line, whether the tool or the module saw it.
printf 'mode monitor\nmax-calls 10\nrange 50000-40000\nedge 203.0.113.2\n' \
	>"$tmp/bad1.conf"
reject "file with lo > hi on line 3" "bad1.conf:3: range: low port" \
	ep "$NS_A" policy load "$tmp/bad1.conf"
printf 'mode monitor\n# fine\nedge 203.0.113.2\nedge 10.1.2.3/8\n' \
	>"$tmp/bad2.conf"
reject "file with a bad prefix on line 4" "bad2.conf:4: edge: edge prefix" \
	ep "$NS_A" policy load "$tmp/bad2.conf"
printf 'mode monitor\nmax-calls ten\n' >"$tmp/bad3.conf"
reject "file with a bad number on line 2" "bad3.conf:2: max-calls" \
	ep "$NS_A" policy load "$tmp/bad3.conf"
printf 'mode monitor\nmode enforce\n' >"$tmp/bad4.conf"
reject "file with a key twice" "bad4.conf:2: mode: given twice" \
	ep "$NS_A" policy load "$tmp/bad4.conf"
reject "missing file" "No such file" \
	ep "$NS_A" policy load "$tmp/none.conf"
show "$NS_A" >/dev/null
cmp -s "$tmp/before.json" "$tmp/show.json" ||
	fail "the rejected policies changed policy show -j"
echo "# every rejected policy left the policy unchanged"

# 5b. check: what load would refuse, the module's own checks included
# (a dry run), and the policy stays as it was either way.
printf 'mode monitor\nrange 40000-40099\nedge 203.0.113.0/24\n' \
	>"$tmp/ok.conf"
ep "$NS_A" policy check "$tmp/ok.conf" >"$tmp/out" ||
	fail "policy check of a good file"
cat "$tmp/out"
grep -qx "$tmp/ok.conf: valid (checked by the module)" "$tmp/out" ||
	fail "policy check: $(cat "$tmp/out")"
ep "$NS_A" policy show >"$tmp/after.txt" || fail "policy show"
cmp -s "$tmp/before.txt" "$tmp/after.txt" ||
	fail "policy check applied the policy"
ep "$NS_A" -j policy check - <"$tmp/ok.conf" >"$tmp/out" ||
	fail "policy check -j -"
jq -e '. == {"file": "-", "valid": true, "module_checked": true}' \
	"$tmp/out" >/dev/null || fail "policy check -j: $(cat "$tmp/out")"
# lo > hi passes the syntax; only the module refuses it
printf 'mode monitor\nrange 59999-50000\n' >"$tmp/lohi.conf"
reject "check lo > hi" "lohi.conf:2: range: " \
	ep "$NS_A" policy check "$tmp/lohi.conf"
grep -q "low port above high port" "$tmp/err" ||
	fail "check lo > hi: not the module's reason"
ep "$NS_A" policy check "$tmp/lohi.conf" 2>/dev/null
rc=$?
[ $rc = 1 ] || fail "check of a refused policy exited $rc, not 1"
printf 'mode monitor\nmax-calls x\n' >"$tmp/bad.conf"
reject "check a bad line" "bad.conf:2: max-calls: 'x' is not a number" \
	ep "$NS_A" policy check "$tmp/bad.conf"
echo "# policy check: module-checked, the policy unchanged"

# 6. Without CAP_NET_ADMIN: refused, reads included, nothing changed.
nobody() {
	in_ns "$NS_A" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all edgepin "$@"
}
reject "unprivileged set" "Operation not permitted" \
	nobody policy set mode monitor
reject "unprivileged reset" "Operation not permitted" nobody policy reset
reject "unprivileged load" "Operation not permitted" \
	nobody policy load "$tmp/saved"
nobody policy show >"$tmp/out" 2>"$tmp/err" &&
	fail "unprivileged policy show was allowed"
grep -q "Operation not permitted" "$tmp/err" ||
	fail "unprivileged show: $(cat "$tmp/err")"
[ -s "$tmp/out" ] && fail "unprivileged show printed a policy"
nobody policy check "$tmp/ok.conf" >"$tmp/out" ||
	fail "unprivileged policy check exited $?"
grep -qx "$tmp/ok.conf: valid (syntax only: no CAP_NET_ADMIN to ask the module)" \
	"$tmp/out" || fail "unprivileged check: $(cat "$tmp/out")"
echo "# unprivileged user refused (policy check: syntax only)"

# 7. Two namespaces, two policies.
ep "$NS_B" policy set mode monitor || fail "set mode in $NS_B"
ep "$NS_A" policy reset || fail "reset in $NS_A"
expect_show "$NS_A" <<<"$defaults"
ep "$NS_B" -j policy show | jq -e '.mode == "monitor"' >/dev/null ||
	fail "$NS_B lost its policy when $NS_A was reset"
ep "$NS_A" policy set range 40000-40001 || fail "set range in $NS_A"
ep "$NS_B" -j policy show | jq -e '.range == [{"lo": 50000, "hi": 59999}]' \
	>/dev/null || fail "$NS_A's range leaked into $NS_B"
echo "# namespaces keep separate policies"
exit 0
