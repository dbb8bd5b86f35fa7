#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgepin audit on firewalls an operator really writes: the whole media
# range opened statically (exposed, exit 3, the rule named by table,
# chain and handle), a static TCP 50001 opening (the Edge's logging
# service), a correct edgepin deployment with a live call (clean, exit 0,
# pinholes summarised per edge; a small expectation hash for
# nf_conntrack_expect_max is a warning), one whose own policy drops
# pinholed media, one that drops the range explicitly, Linux's sip helper
# on the same traffic, an undecodable opening (unanalysed, not clean),
# an empty firewall (the range open to everyone), and nf_conntrack
# reloaded with a large expect_hashsize. Every -j output is JSON.
# Each verdict of exposure or not is checked with the attacker's packets
# (UDP to 55555 or the call's port, TCP to 50001).
. ./lib.sh
need nft jq edgepin python3 socat iptables-legacy
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"

fwep() {
	in_ns "$FW" edgepin "$@"
}
fwnft() {
	ip netns exec "$FW" nft "$@"
}
# unload MOD: MOD and every module that holds it, holders first.
# shellcheck disable=SC2317 # called through poll
unload() {
	local h
	for h in /sys/module/"$1"/holders/*; do
		[ -e "$h" ] && unload "${h##*/}"
	done
	rmmod "$1"
}

# audit NAME: run audit as text and JSON; $rc is the exit status and
# $tmp/NAME.json the (validated) JSON.
audit() {
	fwep audit >"$tmp/$1.txt" 2>&1
	rc=$?
	sed 's/^/# /' "$tmp/$1.txt"
	fwep -j audit >"$tmp/$1.json" 2>"$tmp/$1.err"
	[ $? = $rc ] || fail "$1: text and -j exit differently"
	[ "$(wc -l <"$tmp/$1.json")" = 1 ] || fail "$1: not one line of JSON"
	jq -e '(.findings | type) == "array" and
		(.pinholes | type) == "array" and
		((.summary.exposed | type) == "boolean" or
		 .summary.exposed == null) and
		all(.findings[]; (.severity | IN("critical", "high",
			"warning", "info")) and (.code | type) == "string" and
			(.what | length) > 0 and (.fix | length) > 0)' \
		"$tmp/$1.json" >/dev/null || fail "$1: audit -j lacks its keys"
}

# has NAME JQ: a finding of audit NAME satisfies JQ.
has() {
	jq -e "[.findings[] | select($2)] | length > 0" "$tmp/$1.json" \
		>/dev/null
}

operator() {
	fwnft flush ruleset
	fwnft -f - || fail "operator ruleset"
}

# What the audit says is checked against the attacker's packets: a UDP
# datagram to the edge's 55555 (or a given port) and a TCP connection to
# its 50001, each from a source port of its own (no earlier flow helps).
udp_listen "$EDGE" "$EDGE4" 55555 "$tmp/atk55555"
ip netns exec "$EDGE" socat -u TCP4-LISTEN:50001,bind="$EDGE4",reuseaddr,fork \
	"OPEN:$tmp/atk50001,creat,append" &
at_exit kill $!
poll 5 ip netns exec "$EDGE" sh -c "ss -Hltn | grep -q ':50001 '" ||
	fail "no TCP listener on the edge's 50001"
atk_sport=41000
# atk_udp TAG [PORT FILE] / atk_tcp TAG: did the attacker's datagram or
# connection reach the edge? (Each waits a few seconds for it; callers
# say which answer the audit's verdict implies with reached/refused.)
atk_udp() {
	local port=${2:-55555} file=${3:-$tmp/atk55555}
	atk_sport=$((atk_sport + 1))
	probe "$ATK" "$atk_sport" "$EDGE4" "$port" "$1"
	poll 4 grep -qx "$1" "$file"
}
atk_tcp() {
	atk_sport=$((atk_sport + 1))
	echo "$1" | ip netns exec "$ATK" timeout 5 socat -u - \
		"TCP4:$EDGE4:50001,sourceport=$atk_sport,connect-timeout=3" \
		2>/dev/null
	poll 2 grep -qx "$1" "$tmp/atk50001"
}
reached() { "$@" || fail "audit said exposed, but the attacker's $2 did not reach the edge"; }
refused() { ! "$@" || fail "audit said not exposed, but the attacker's $2 reached the edge"; }

run fwep policy set edge "$EDGE4" "$EDGE6" || fail "policy set edge"
expect_max=$(cat /proc/sys/net/netfilter/nf_conntrack_expect_max)
run fwep policy set max-pinholes "$expect_max" || fail "max-pinholes"

# 1. The classic deployment: the whole range open on the Edge.
operator <<NFT
table inet fw {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		meta l4proto { udp, tcp } th dport 5060 accept
		ip daddr $EDGE4 udp dport 50000-59999 accept
	}
}
NFT
handle=$(fwnft -a list chain inet fw forward |
	sed -n 's/.*udp dport 50000-59999 accept # handle \([0-9]*\)/\1/p')
audit static-udp
[ $rc = 3 ] || fail "static range: exit $rc, not 3 (exposed)"
has static-udp '.severity == "critical" and .code == "static-opening" and
	.family == "inet" and .table == "fw" and .chain == "forward" and
	.handle == '"$handle"' and .protos == ["udp"] and
	.ports == [{"lo": 50000, "hi": 59999}] and .daddr == "'"$EDGE4"'" and
	.from == "any"' || fail "static range not reported with its handle"
jq -e '.summary.exposed' "$tmp/static-udp.json" >/dev/null ||
	fail "summary not exposed"
has static-udp '.code == "helper-not-attached"' ||
	fail "no helper attached, not reported"
reached atk_udp static-udp-55555
echo "# static UDP range: critical, exit 3"

# 2. TCP 50001 (the Edge's logging service), in a set with port 22.
operator <<NFT
table ip fw {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		tcp dport { 22, 50001 } accept
	}
}
NFT
audit static-tcp
[ $rc = 3 ] || fail "static TCP 50001: exit $rc"
has static-tcp '.code == "static-opening" and .table == "fw" and
	.family == "ip" and .protos == ["tcp"] and
	.ports == [{"lo": 50001, "hi": 50001}]' ||
	fail "TCP 50001 not reported"
reached atk_tcp static-tcp-50001
echo "# static TCP 50001: critical, exit 3"

# 3. A correct deployment: edgepin's table and an operator's forward
# chain that accepts what conntrack relates (pinholes included).
operator <<NFT
table inet fw {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		meta l4proto { udp, tcp } th dport 5060 accept
	}
}
NFT
run fwep ruleset install || fail "ruleset install"
udp_call "$tmp" audit-1@peer 50010
to_edge "$tmp/invite" || fail "INVITE"
to_peer "$tmp/200" || fail "200"
udp_listen "$EDGE" "$EDGE4" 50010 "$tmp/rx"
probe "$PEER" 40000 "$EDGE4" 50010 media
expect_rx "$tmp/rx" media
pins_become 1 '.state=="active"' || fail "the media flow left no active pinhole"
audit clean
[ $rc = 0 ] || fail "correct deployment: exit $rc"
jq -e '.findings == [] and .summary.exposed == false' "$tmp/clean.json" \
	>/dev/null || fail "correct deployment has findings"
jq -e --arg e "$EDGE4" '.pinholes == [{"edge_addr": $e, "pinholes": 2,
	"udp": 2, "tcp": 0, "active": 1, "peers": 1}]' "$tmp/clean.json" \
	>/dev/null || fail "pinholes not summarised per edge"
refused atk_udp clean-pinholed-50010 50010 "$tmp/rx"
refused atk_udp clean-55555
refused atk_tcp clean-50001
echo "# correct deployment: clean, exit 0, pinholes per edge"

# The same deployment written by hand (lib.sh's fw_ruleset) is not
# exposed, but nothing stops packets that claim the edge's source on the
# attacker's interface: that is reported, and a reverse-path drop of
# the operator's own (as nft writes it) settles it.
fwnft flush ruleset
fw_ruleset || fail "fw_ruleset"
audit by-hand
[ $rc = 0 ] && jq -e '([.findings[].code] | unique) == ["edge-spoofable"]' \
	"$tmp/by-hand.json" >/dev/null ||
	fail "hand-written deployment: want exactly edge-spoofable"
grep -q "edge source $EDGE4 .*rp_filter not strict" "$tmp/by-hand.txt" ||
	fail "edge-spoofable does not name the edge and rp_filter"
fwnft add chain inet edgepin_test raw \
	'{ type filter hook prerouting priority raw; }' || fail "raw chain"
fwnft add rule inet edgepin_test raw fib saddr . iif oif missing drop ||
	fail "rpf rule"
audit by-hand-rpf
[ $rc = 0 ] && jq -e '.findings == []' "$tmp/by-hand-rpf.json" >/dev/null ||
	fail "hand-written deployment with a reverse-path drop not clean"

# The kernel's expectation hash, on this clean deployment: with
# nf_conntrack_expect_max raised as README says and the hash at its
# size for this memory, every new connection walks long chains. That is
# said, with a size to load nf_conntrack with, and is no exposure. The
# chains are as long as the netns can fill them: the smaller of
# expect_max, max-pinholes and max-calls x max-pinholes-per-call.
hsize=$(cat /sys/module/nf_conntrack/parameters/expect_hashsize) ||
	fail "no expect_hashsize"
echo "# expect_hashsize $hsize, nf_conntrack_expect_max $expect_max"
bound=$((8 * hsize)) calls=$((8 * hsize / 64))
chain=$(awk "BEGIN { printf \"%.1f\", 65536 / $hsize }")
[ $bound -lt 65536 ] || fail "expect_hashsize $hsize: not the default"
at_exit sysctl -qw net.netfilter.nf_conntrack_expect_max="$expect_max"
run sysctl -qw net.netfilter.nf_conntrack_expect_max=65536 || fail "sysctl"
run fwep policy set max-pinholes 65536 || fail "max-pinholes"
audit hash-small
[ $rc = 0 ] || fail "a small expectation hash is exposure: exit $rc"
jq -e '[.findings[].code] == ["expect-hash-small"]' \
	"$tmp/hash-small.json" >/dev/null ||
	fail "expect_max 65536 on $hsize buckets: want expect-hash-small only"
has hash-small '.severity == "warning" and
	(.what | contains(" '"$chain"' on average")) and
	(.fix | contains("options nf_conntrack expect_hashsize=16384 in /etc/modprobe.d/")) and
	(.fix | contains("nf_conntrack.expect_hashsize=16384 on the kernel command line"))' ||
	fail "expect-hash-small lacks chain length or fix"
grep -q "^warning  expect-hash-small: the expectation hash has $hsize buckets" \
	"$tmp/hash-small.txt" || fail "expect-hash-small not in text"
# 8 a chain is fine; each of the policy's bounds counts.
run fwep policy set max-pinholes $bound || fail "max-pinholes"
audit hash-bound
has hash-bound '.code == "expect-hash-small"' &&
	fail "expect-hash-small at 8 a chain"
run fwep policy set max-pinholes $((bound + 1)) || fail "max-pinholes"
audit hash-over
has hash-over '.code == "expect-hash-small" and
	(.what | contains("up to '$((bound + 1))' expectations"))' ||
	fail "expect-hash-small not at max-pinholes 8 x buckets + 1"
run fwep policy set max-pinholes 65536 || fail "max-pinholes"
run fwep policy set max-calls $calls || fail "max-calls"
audit hash-calls
has hash-calls '.code == "expect-hash-small"' &&
	fail "max-calls x max-pinholes-per-call not counted"
run fwep policy set max-pinholes-per-call 65 || fail "per-call"
audit hash-calls2
has hash-calls2 '.code == "expect-hash-small" and
	(.what | contains("up to '$((calls * 65))' expectations"))' ||
	fail "expect-hash-small not at max-calls x max-pinholes-per-call"
# ... and they are what expect_max must hold, not max-pinholes alone.
run sysctl -qw net.netfilter.nf_conntrack_expect_max=$bound || fail "sysctl"
audit hash-max
has hash-max '.code == "expect-hash-small"' && fail "expect_max not counted"
has hash-max '.code == "expect-max-low" and
	(.fix | contains("expect_max='$((calls * 65))',"))' ||
	fail "expect-max-low not against max-calls x max-pinholes-per-call"
run fwep policy set max-pinholes-per-call 64 || fail "per-call"
audit hash-max2
has hash-max2 '.code == "expect-max-low"' &&
	fail "expect-max-low, though max-calls x max-pinholes-per-call fit"
run sysctl -qw net.netfilter.nf_conntrack_expect_max="$expect_max"
run fwep policy set max-calls 16384 || fail "max-calls"
run fwep policy set max-pinholes "$expect_max" || fail "max-pinholes"
echo "# small expectation hash: warning, exit 0, a size to load with"

# 4. The operator's own policy drops pinholed media.
operator <<NFT
table inet fw {
	chain forward {
		type filter hook forward priority filter; policy drop;
		meta l4proto { udp, tcp } th dport 5060 accept
	}
}
NFT
run fwep ruleset install || fail "ruleset install"
audit drops-policy
[ $rc = 0 ] || fail "dropping pinholed media is not exposure: exit $rc"
has drops-policy '.severity == "high" and
	.code == "policy-drops-pinholed-media"' ||
	fail "policy drop of pinholed media not reported"

# ... or drops the range explicitly before accepting related traffic.
operator <<NFT
table inet fw {
	chain forward {
		type filter hook forward priority filter; policy accept;
		ip daddr $EDGE4 udp dport 50000-59999 drop
		ct state established,related accept
	}
}
NFT
run fwep ruleset install || fail "ruleset install"
audit drops-rule
has drops-rule '.code == "drops-pinholed-media" and .chain == "forward"' ||
	fail "explicit drop of pinholed media not reported"
echo "# own ruleset drops pinholed media: high, exit 0"

# 5. Linux's sip helper attached to the same SIP traffic. Both cannot
# register port 5060, but nftables attaches helpers by name, whatever
# their port: nf_conntrack_sip on another port is named "sip-0".
run modprobe nf_conntrack_sip ports=5070 || fail "modprobe nf_conntrack_sip"
at_exit rmmod nf_conntrack_sip
fwnft -f - <<NFT || fail "sip helper table"
table inet linux {
	ct helper sip { type "sip-0" protocol udp; l3proto inet; }
	chain pre {
		type filter hook prerouting priority filter; policy accept;
		udp dport 5060 ct helper set "sip"
	}
}
NFT
audit sip
has sip '.code == "sip-helper-conflict" and .table == "linux"' ||
	fail "sip helper on the same traffic not reported"
echo "# Linux's sip helper on the same traffic: high"

# 6. An opening with a condition the audit cannot decode is not clean;
# the guard in another base chain shadows a static opening.
operator <<NFT
table inet fw {
	chain forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related accept
		meta mark 0x1 udp dport 50000-59999 accept
		tcp dport 50001 accept
	}
}
NFT
audit unanalysed
has unanalysed '.severity == "warning" and .code == "unanalysed"' ||
	fail "undecodable opening reported as clean"
has unanalysed '.severity == "critical" and .code == "static-opening"' ||
	fail "TCP 50001 not reported without a guard"
# The undecodable opening alone: the verdict is unknown (exit 4, JSON
# null), never "not exposed"; the finding names the rule and the mark.
mark_handle=$(fwnft -a list chain inet fw forward |
	sed -n 's/.*meta mark .* accept # handle \([0-9]*\)/\1/p')
fwnft delete rule inet fw forward handle "$(fwnft -a list chain inet fw forward |
	sed -n 's/.*tcp dport 50001 accept # handle \([0-9]*\)/\1/p')" ||
	fail "delete the TCP 50001 opening"
audit unknown
[ $rc = 4 ] || fail "an opening behind a mark: exit $rc, not 4 (unknown)"
jq -e '.summary.exposed == null' "$tmp/unknown.json" >/dev/null ||
	fail "unknown is not exposed null"
has unknown '.code == "unanalysed" and .handle == '"$mark_handle"' and
	(.what | contains("mark"))' || fail "unanalysed does not name the mark rule"
grep -q "^unknown: " "$tmp/unknown.txt" || fail "no unknown verdict in text"
fwnft add rule inet fw forward tcp dport 50001 accept ||
	fail "TCP 50001 opening back"
run fwep ruleset install || fail "ruleset install"
audit shadowed
[ $rc = 0 ] || fail "a shadowed opening is exposure: exit $rc"
has shadowed '.severity == "info" and .code == "opening-shadowed"' ||
	fail "shadowed opening not reported"
refused atk_tcp shadowed-50001

# 7. An empty firewall: nothing drops the range; edge unset is said.
fwnft flush ruleset
run fwep policy set edge none || fail "edge none"
audit empty
[ $rc = 3 ] || fail "empty firewall: exit $rc"
has empty '.code == "range-open"' || fail "open range not reported"
has empty '.code == "edge-unset"' || fail "edge unset not reported"
reached atk_udp empty-55555
reached atk_tcp empty-50001
run fwep policy set max-pinholes $((expect_max + 1)) || fail "max-pinholes"
audit expect
has expect '.code == "expect-max-low"' || fail "expect_max not checked"
# An exclude line replaces the default one: TCP 50001-50003 can then be
# pinned, which the audit says.
run fwep policy set exclude udp 55000 || fail "exclude udp 55000"
audit logging
has logging '.severity == "warning" and .code == "logging-ports-pinnable"' ||
	fail "TCP 50001-50003 pinnable not reported"
run fwep policy set exclude tcp 50002 || fail "exclude tcp 50002"
audit logging2
has logging2 '.code == "logging-ports-pinnable"' ||
	fail "TCP 50001 and 50003 pinnable not reported"
run fwep policy set exclude tcp 50001-50003 || fail "exclude default"
audit logging3
has logging3 '.code == "logging-ports-pinnable"' &&
	fail "logging-ports-pinnable with the default exclude"
fwep audit extra >/dev/null 2>&1
[ $? = 2 ] || fail "audit with an argument"
fwep audit help | grep -q "exit status" || fail "audit help"
echo "# empty firewall: range open, edge unset, expect_max; exit 3"

# 7b. iptables-legacy tables: the kernel runs their rules, nft cannot
# read them. Said, whatever the verdict.
fwep audit >/dev/null 2>&1
rc_before=$?
in_ns "$FW" iptables-legacy -w -L FORWARD >/dev/null ||
	fail "iptables-legacy: no filter table"
audit legacy
has legacy '.severity == "warning" and .code == "iptables-legacy" and
	(.what | contains("ip filter"))' ||
	fail "iptables-legacy's filter table not reported"
[ $rc = "$rc_before" ] || fail "iptables-legacy changed the verdict"
echo "# iptables-legacy tables: a warning, the verdict unchanged"

# 8. nf_conntrack loaded with the expect_hashsize the audit proposed: no
# word about the hash. The parameter is read-only (0400) and read when
# nf_conntrack loads, so this test's namespaces and every module that
# holds nf_conntrack go first; at exit it is loaded again as it was.
if ! grep -q '^nf_conntrack ' /proc/modules; then
	echo "# nf_conntrack is built in (kernel command line only): not reloaded"
	exit 0
fi
run_cleanup
at_exit "poll 30 unload nf_conntrack; modprobe nf_conntrack;" \
	"sysctl -qw net.netfilter.nf_conntrack_expect_max=$expect_max"
poll 30 unload nf_conntrack ||
	fail "nf_conntrack not unloaded: $(ls /sys/module/nf_conntrack/holders)"
run modprobe nf_conntrack expect_hashsize=16384 || fail "modprobe nf_conntrack"
[ "$(cat /sys/module/nf_conntrack/parameters/expect_hashsize)" = 16384 ] ||
	fail "expect_hashsize=16384 not taken"
echo "# nf_conntrack_expect_max (4 x buckets):" \
	"$(cat /proc/sys/net/netfilter/nf_conntrack_expect_max)"
run modprobe nf_conntrack_edgepin || fail "modprobe"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
ip netns add "$FW" || fail "ip netns add"
at_exit ip netns del "$FW"
run sysctl -qw net.netfilter.nf_conntrack_expect_max=65536 || fail "sysctl"
audit hash-big
has hash-big '.code == "expect-hash-small" or .code == "expect-max-low"' &&
	fail "expect_max 65536 on 16384 buckets: still reported"
# The audit did read the new size: 16 a chain is too many.
run sysctl -qw net.netfilter.nf_conntrack_expect_max=262144 || fail "sysctl"
run fwep policy set max-pinholes 262144 || fail "max-pinholes"
audit hash-big2
has hash-big2 '.code == "expect-hash-small" and
	(.what | contains("has 16384 buckets")) and
	(.fix | contains("expect_hashsize=65536 "))' ||
	fail "expect_hashsize 16384 not read"
echo "# nf_conntrack expect_hashsize=16384: expect_max 65536 fits"
exit 0
