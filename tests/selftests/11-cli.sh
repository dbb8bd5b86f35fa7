#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The rest of the edgepin control plane with no calls: pinhole and call
# lists are empty ("[]" in JSON), with and without filters; stats name
# every counter and reset; flush reports what it closed; monitor runs
# until SIGINT and exits 0; a user without CAP_NET_ADMIN is refused every
# command, monitor included; keywords match exactly and usage errors exit
# 2 with one line that says where the usage is; --opt=value; ruleset
# install --print changes nothing; -V names the module's version; an
# unloaded module is loaded on demand.
. ./lib.sh
need modprobe ip jq setpriv edgepin timeout nft

NS="$ns_prefix-cli"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
run modprobe nf_conntrack_edgepin || fail "modprobe nf_conntrack_edgepin"
ip netns add "$NS" || fail "ip netns add $NS"
at_exit ip netns del "$NS"

ep() {
	in_ns "$NS" edgepin "$@"
}

# json_check WHAT JQ-FILTER CMD...: CMD succeeds and its stdout is one
# JSON document for which JQ-FILTER is true.
json_check() {
	local what=$1 filter=$2
	shift 2
	"$@" >"$tmp/out" || fail "$what failed"
	sed 's/^/# /' "$tmp/out"
	[ "$(wc -l <"$tmp/out")" = 1 ] || fail "$what: not one line of JSON"
	jq -e "$filter" "$tmp/out" >/dev/null || fail "$what: not $filter"
}

json_check "pinhole list -j" '. == []' ep -j pinhole list
json_check "pinhole list -j call" '. == []' ep -j pinhole list call x@y
json_check "pinhole list -j peer" '. == []' \
	ep -j pinhole list peer 2001:db8:1::2 call x@y
json_check "call list -j" '. == []' ep -j call list
[ -z "$(ep pinhole list)" ] || fail "text pinhole list not empty"
json_check "pinhole flush -j" '. == {"closed": 0}' ep -j pinhole flush
json_check "pinhole flush -j call" '. == {"closed": 0}' \
	ep -j pinhole flush call x@y
ep call drop nosuchcall@x 2>"$tmp/err" && fail "dropped an unknown call"
grep -q "no such call" "$tmp/err" || fail "call drop: $(cat "$tmp/err")"

stats='messages parse_errors tcp_resyncs calls_started calls_ended
calls_timed_out pinholes_opened pinholes_closed pinholes_expired
flows_admitted flows_removed refused_range refused_excluded
refused_not_edge refused_transport refused_tcp_active refused_source
refused_max_calls refused_max_pinholes refused_max_per_call
refused_expect_full refused_tcp_memory refused_other monitor_would_pin
refused_spoofed tcp_out_of_order refused_calls_per_source calls_evicted
refused_not_in_call refused_offer_memory feed_messages feed_no_master
refused_other_source feed_refused_sender feed_refused_key
feed_refused_malformed tls_streams turn_messages turn_parse_errors
turn_allocations turn_allocations_ended turn_unmatched
turn_requests_dropped'
json_check "stats -j" '[.[] | numbers] | length == 43' ep -j stats
ep stats >"$tmp/stats.txt" || fail "stats"
for s in $stats; do
	jq -e --arg s "$s" 'has($s)' "$tmp/out" >/dev/null ||
		fail "stats -j has no $s"
	grep -Eq "^$s +[0-9]+$" "$tmp/stats.txt" || fail "text stats has no $s"
done
run ep stats reset || fail "stats reset"
json_check "stats -j after reset" '[.[]] | all(. == 0)' ep -j stats
echo "# lists, flush, stats"

# monitor: subscribed until SIGINT, then exit 0.
ip netns exec "$NS" edgepin -j monitor >"$tmp/mon" 2>"$tmp/mon.err" &
mon=$!
at_exit kill $mon
poll 10 catches_sigint $mon || fail "monitor did not start: $(cat "$tmp/mon.err")"
sleep 0.5
kill -0 $mon 2>/dev/null || fail "monitor exited early: $(cat "$tmp/mon.err")"
kill -INT $mon
wait $mon || fail "monitor exited $? on SIGINT: $(cat "$tmp/mon.err")"
echo "# monitor ends on SIGINT"

# Without CAP_NET_ADMIN every command is refused.
for cmd in "policy show" "pinhole list" "pinhole flush" "call list" \
	"call drop x" "stats" "stats reset" "monitor"; do
	# shellcheck disable=SC2086
	in_ns "$NS" setpriv --reuid=65534 --regid=65534 --clear-groups \
		--inh-caps=-all timeout 5 edgepin $cmd >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc = 1 ] || fail "unprivileged '$cmd' exited $rc"
	grep -q "Operation not permitted" "$tmp/err" ||
		fail "unprivileged '$cmd': $(cat "$tmp/err")"
done
echo "# unprivileged user refused every command"

# Grammar: exact keywords, usage errors exit 2.
for args in "pol show" "policy sh" "pinhole list call" "pinhole list foo 1" \
	"pinhole list peer 1.2.3" "call drop" "stats frob" "monitor now" \
	"policy" "policy set max-calls x" "policy set max-calls 99999999999" \
	"policy set nosuchkey 1" "policy set edge 203.0.113.300" \
	"ruleset install --edge bogus" "ruleset install --range x" \
	"ruleset install --bogus" "-x" "--frob"; do
	# shellcheck disable=SC2086
	ep $args >/dev/null 2>"$tmp/err"
	rc=$?
	[ $rc = 2 ] || fail "'edgepin $args' exited $rc, not 2"
	grep -q '^edgepin: ' "$tmp/err" || fail "'edgepin $args': no error"
	# (in_ns echoes the command to stderr as "# [NS] ...")
	[ "$(grep -vc '^# \[' "$tmp/err")" = 1 ] ||
		fail "'edgepin $args': not one line: $(cat "$tmp/err")"
	grep -v '^# \[' "$tmp/err" | sed 's/^/# stderr: /'
done
# A grammar error names where to read the usage, and prints no usage.
for args in "pol show|edgepin -h" "-x|edgepin -h" "--frob|edgepin -h" \
	"|edgepin -h" "policy sh|edgepin policy help" \
	"stats frob|edgepin stats help" "monitor now|edgepin monitor help" \
	"--json=1|edgepin -h"; do
	# shellcheck disable=SC2086
	ep ${args%%|*} >/dev/null 2>"$tmp/err"
	rc=$?
	echo "# edgepin ${args%%|*}: $rc: $(cat "$tmp/err")"
	[ $rc = 2 ] || fail "'edgepin ${args%%|*}' exited $rc, not 2"
	grep -qx "edgepin: .* (try '${args#*|}')" "$tmp/err" ||
		fail "'edgepin ${args%%|*}' does not point to ${args#*|}"
done
grep -q "^edgepin: --json takes no value" "$tmp/err" ||
	fail "--json=1: $(cat "$tmp/err")"
ep pinhole list -j >/dev/null 2>"$tmp/err" && fail "pinhole list -j ran"
grep -qx "edgepin: -j: global options go before OBJECT" "$tmp/err" ||
	fail "pinhole list -j: no hint: $(cat "$tmp/err")"
ep policy set max-calls 99999999999 2>&1 | grep -q "out of range" ||
	fail "a number too large for max-calls is not called out of range"
ep policy help | grep -q "edgepin policy load FILE" || fail "policy help"
for h in help -h --help; do
	ep $h >"$tmp/help" || fail "edgepin $h exited $?"
	grep -q "^  edgepin policy load FILE" "$tmp/help" ||
		fail "edgepin $h: no usage"
done
echo "# exact keywords; usage errors exit 2, in one line"

# --opt=value is --opt value, for options that take one; others refuse it.
printf 'edge 203.0.113.9\nrange 40000-40099\n' >"$tmp/pol"
ep ruleset show --nft --policy "$tmp/pol" --sip-port 5062 >"$tmp/nft1" ||
	fail "ruleset show --nft --policy"
ep ruleset show --nft --policy="$tmp/pol" --sip-port=5062 >"$tmp/nft2" ||
	fail "ruleset show --nft --policy=FILE --sip-port=5062"
cmp "$tmp/nft1" "$tmp/nft2" || fail "--opt=value differs from --opt value"
grep -q "5062" "$tmp/nft2" || fail "--sip-port=5062 not used"
ep ruleset show --nft --policy "$tmp/pol" --edge=198.51.100.7 >"$tmp/nft3" ||
	fail "--edge=ADDR"
grep -q "198.51.100.7" "$tmp/nft3" || fail "--edge=ADDR not used"
ep ruleset remove --keep-guard=yes 2>"$tmp/err"
rc=$?
[ $rc = 2 ] || fail "--keep-guard=yes exited $rc"
grep -q "keep-guard takes no value" "$tmp/err" ||
	fail "--keep-guard=yes: $(cat "$tmp/err")"
echo "# --opt=value"

# ruleset install --print: show --nft's text for the same options, and
# nothing changed: no policy key set, no table written.
ep policy show >"$tmp/pol.before" || fail "policy show"
ep ruleset show --nft --edge 203.0.113.9 --range 41000-41999 \
	--sip-port 5062 >"$tmp/show.nft" || fail "ruleset show --nft"
ep ruleset install --print --edge=203.0.113.9 --range 41000-41999 \
	--sip-port 5062 >"$tmp/print.nft" || fail "ruleset install --print"
sed 's/^/# /' "$tmp/print.nft"
grep -q "^table inet edgepin_guard" "$tmp/print.nft" &&
	grep -q "203.0.113.9" "$tmp/print.nft" &&
	grep -q "41000-41999" "$tmp/print.nft" ||
	fail "install --print printed no guard for its options"
cmp "$tmp/show.nft" "$tmp/print.nft" ||
	fail "install --print differs from show --nft"
ep policy show >"$tmp/pol.after" || fail "policy show"
cmp "$tmp/pol.before" "$tmp/pol.after" || fail "install --print set the policy"
[ -z "$(in_ns "$NS" nft list ruleset)" ] ||
	fail "install --print wrote tables: $(in_ns "$NS" nft list ruleset)"
ep ruleset install --print --guard >/dev/null 2>&1
rc=$?
[ $rc = 2 ] || fail "install --print --guard exited $rc, not 2"
echo "# ruleset install --print: show --nft's text, nothing changed"

# -V and "version": the tool's and the loaded module's versions.
modver=$(cat /sys/module/nf_conntrack_edgepin/version) ||
	fail "the module has no version in sysfs"
for v in -V --version version; do
	ep $v >"$tmp/ver" || fail "edgepin $v exited $?"
	sed 's/^/# /' "$tmp/ver"
	grep -Eqx "edgepin [0-9]+\.[0-9]+\.[0-9]+" "$tmp/ver" ||
		fail "edgepin $v: no tool version"
	grep -qx "module nf_conntrack_edgepin $modver" "$tmp/ver" ||
		fail "edgepin $v: no module version $modver"
done
json_check "-j version" ".module_version == \"$modver\" and
	(.version | type) == \"string\"" ep -j version
json_check "-V -j" ".module_version == \"$modver\"" ep -V -j
echo "# -V prints the module's version"

# An unloaded module is loaded on demand through its genetlink alias.
run rmmod nf_conntrack_edgepin || fail "rmmod"
json_check "-j version, module unloaded" '.module_version == null' \
	ep -j version
ep -V | grep -qx "module nf_conntrack_edgepin not loaded" ||
	fail "-V without the module: $(ep -V)"
json_check "pinhole list -j, module unloaded" '. == []' ep -j pinhole list
grep -q "^nf_conntrack_edgepin " /proc/modules ||
	fail "the module was not loaded on demand"
exit 0
