#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# selftest: check-full (moved out of make check's hour when the TURN tests came in)
# edgepin audit against the kernel: for each ruleset of a corpus
# (audit/corpus/: nft, iptables-nft, shapes of Debian's defaults, Docker,
# ufw and firewalld) and of a random generator (audit/gen.py, for
# AUDIT_GEN_SECONDS, default 120), load it into the firewall, let the
# attacker probe a sample of the edge's media range (UDP and TCP, IPv4
# and IPv6, audit/probe.py) and see in the edge what got through; then
# hold `edgepin -j audit`'s verdict against it. The sample includes the
# ports the audit's findings name. "not exposed" while a probe got
# through fails the test, and so does a probe that got through which no
# finding names (protocol, port, edge address); "exposed" while nothing did is a
# false alarm (counted, printed); "unknown" is counted. A corpus case's
# "# expect: exposed|not-exposed|unknown" line must match exactly, and
# must agree with the packets. Each ruleset runs alone and again under
# edgepin's guard (`edgepin ruleset install`), which must let nothing
# through. AUDIT_CORPUS=GLOB picks corpus cases (default *);
# AUDIT_SHOW=GLOB prints the audit's text for the runs it names;
# AUDIT_TRACE=1 times each step; AUDIT_GEN_SEED=N starts the
# generator's seeds at N (a failure prints its seed: audit/gen.py --seed
# N prints the ruleset again).
. ./lib.sh
need nft jq edgepin python3 iptables-nft-restore ip6tables-nft-restore
python3 -c 'import nftables' 2>/dev/null || skip "python3-nftables not installed"
AUD=$PWD/audit
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
in_ns "$FW" edgepin policy set edge "$EDGE4" "$EDGE6" || fail "policy edge"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
t0=$(date +%s)

# Permanent neighbours on every hop of the attacker's path, so that a
# ruleset dropping ND or ARP in input or output cannot stop forwarding.
mac() {
	ip -n "$1" -j link show dev "$2" | jq -r '.[0].address'
}
neigh() {
	ip -n "$1" neigh replace "$3" lladdr "$4" dev "$2" nud permanent ||
		fail "neighbour $3 in $1"
}
atk_mac=$(mac "$ATK" eth0) edge_mac=$(mac "$EDGE" eth0)
fwa_mac=$(mac "$FW" a0) fwe_mac=$(mac "$FW" e0)
neigh "$FW" a0 "$ATK4" "$atk_mac"
neigh "$FW" a0 "$ATK6" "$atk_mac"
neigh "$FW" e0 "$EDGE4" "$edge_mac"
neigh "$FW" e0 "$EDGE6" "$edge_mac"
neigh "$ATK" eth0 192.0.2.1 "$fwa_mac"
neigh "$ATK" eth0 2001:db8:3::1 "$fwa_mac"
neigh "$EDGE" eth0 203.0.113.1 "$fwe_mac"
neigh "$EDGE" eth0 2001:db8:2::1 "$fwe_mac"

# Ground truth, in the edge: every UDP or TCP packet that arrives for
# the range, as family . protocol . port in a dynamic set (a TCP SYN
# counts: no listener needed; ICMPv6, whose bytes 2-3 th dport would
# read, does not).
in_ns "$EDGE" nft -f - <<'NFT' || fail "edge's truth table"
table inet oracle_truth {
	set seen {
		typeof meta nfproto . meta l4proto . th dport
		flags dynamic
		size 65535
	}
	chain pre {
		type filter hook prerouting priority -1000; policy accept;
		meta l4proto { udp, tcp } th dport 50000-59999 add @seen { meta nfproto . meta l4proto . th dport }
	}
}
NFT
# The attacker and the oracle's plumbing: audit/probe.py serving requests
# on a FIFO, one process for the whole run (each process started costs a
# second or more under TCG). It loads .nft rulesets into the firewall,
# re-adds there a counting table (prerouting, priority -1000, a counter
# of the attacker's packets into the range, no verdict) after the audit
# has run, flushes conntrack in the firewall, the edge and the attacker,
# probes from the attacker, waits until the firewall counted every probe
# and the edge's set is stable, and runs the generator.
mkfifo "$tmp/req" "$tmp/ans" || fail "mkfifo"
python3 "$AUD/probe.py" serve "$tmp/req" "$tmp/ans" /run/netns/"$FW" \
	/run/netns/"$EDGE" /run/netns/"$ATK" EDGE4="$EDGE4" EDGE6="$EDGE6" \
	ATK4="$ATK4" ATK6="$ATK6" PEER4="$PEER4" PEER6="$PEER6" &
at_exit kill $!
exec 7>"$tmp/req" 8<"$tmp/ans"
# ask REQUEST...: one request to the attacker, its answer in $answer.
ask() {
	echo "$@" >&7 && read -r -t 120 answer <&8
}
# trace WHAT: with AUDIT_TRACE set, how long since the last trace.
last=$EPOCHREALTIME
trace() {
	[ -n "${AUDIT_TRACE:-}" ] || return 0
	local now=$EPOCHREALTIME
	printf '#   %-8s %6.2f s\n' "$1" "$(bc <<<"$now - $last")"
	last=$now
}

subst() {
	sed -e "s/@EDGE4@/$EDGE4/g" -e "s/@EDGE6@/$EDGE6/g" \
		-e "s/@ATK4@/$ATK4/g" -e "s/@ATK6@/$ATK6/g" \
		-e "s/@PEER4@/$PEER4/g" -e "s/@PEER6@/$PEER6/g" "$1"
}
# load FILE: the firewall's ruleset becomes FILE's (.nft with nft -f;
# .ipt with iptables-nft-restore, and its .ip6t if there is one).
load() {
	local f=$1
	case $f in
	*.nft)
		ask load "$f" || return 1
		[ "$answer" = ok ] || { echo "$answer"; return 1; }
		;;
	*.ipt)
		ask load /dev/null && [ "$answer" = ok ] || return 1
		subst "$f" | ip netns exec "$FW" iptables-nft-restore || return 1
		if [ -f "${f%.ipt}.ip6t" ]; then
			subst "${f%.ipt}.ip6t" |
				ip netns exec "$FW" ip6tables-nft-restore
		fi
		;;
	*) return 1 ;;
	esac
}

# verdict: $verdict of `edgepin -j audit` on the firewall as it is.
verdict() {
	local rc ex
	ip netns exec "$FW" edgepin -j audit >"$tmp/audit.json" 2>"$tmp/audit.err"
	rc=$?
	ex=$(jq -r '.summary.exposed' "$tmp/audit.json" 2>/dev/null)
	case $rc/$ex in
	0/false) verdict=not-exposed ;;
	3/true) verdict=exposed ;;
	4/null) verdict=unknown ;;
	*) verdict="broken (exit $rc, exposed ${ex:-?}): $(cat "$tmp/audit.err")" ;;
	esac
}

n_runs=0 n_exposed=0 n_not=0 n_unknown=0 n_false=0
false_alarms="" unknowns="" failures=""
# check NAME FILE SEED EXPECT GUARD: one run of one ruleset.
check() {
	local name=$1 file=$2 seed=$3 expect=$4 guard=$5 ports n why="" claimed missed
	[ "$guard" = 1 ] && name="$name+guard"
	trace -
	load "$file" >"$tmp/load.err" 2>&1 || {
		sed 's/^/#   /' "$tmp/load.err"
		failures="$failures $name"
		echo "# FAILED $name: the ruleset does not load:"
		subst "$file" | sed 's/^/#   | /'
		return
	}
	if [ "$guard" = 1 ]; then
		ip netns exec "$FW" edgepin ruleset install >/dev/null ||
			fail "$name: edgepin ruleset install"
	fi
	trace load
	verdict
	trace audit
	# the ports the audit says are open are probed too
	claimed=$(jq -r '[.findings[] | select(.severity == "critical") |
		.ports[] | .lo, .hi] | unique | .[:8] | map(tostring) |
		join(",")' "$tmp/audit.json" 2>/dev/null)
	ask probe "$file" "$seed" ${claimed:+"$claimed"} ||
		fail "$name: no answer from the attacker"
	case $answer in err*) fail "$name: $answer" ;; esac
	read -r n ports seen <<<"$answer"
	ports=${ports//,/ } seen=${seen//,/ } seen=${seen#-}
	trace probe
	n_runs=$((n_runs + 1))
	local through
	through=$(wc -w <<<"$seen")
	echo "# $name: $verdict; $through of $n probes got through" \
		"(ports $ports)"
	case $verdict in
	exposed)
		n_exposed=$((n_exposed + 1))
		if [ "$through" = 0 ]; then
			n_false=$((n_false + 1))
			false_alarms="$false_alarms $name"
			echo "# false alarm: $name"
		fi
		;;
	not-exposed)
		n_not=$((n_not + 1))
		[ "$through" = 0 ] ||
			why="audit says not exposed, $through probes got through"
		;;
	unknown)
		n_unknown=$((n_unknown + 1))
		unknowns="$unknowns $name"
		echo "# unknown: $name"
		;;
	*) why="audit broke its contract: $verdict" ;;
	esac
	# Each probe that got through is one the findings name: protocol,
	# port and edge address of an opening (or of an unanalysed rule).
	if [ "$through" != 0 ] && [ "$verdict" != not-exposed ]; then
		missed=$(jq -r --arg seen "$seen" --arg e4 "$EDGE4" \
			--arg e6 "$EDGE6" '
			[.findings[] | select(.severity == "critical" or
				.code == "unanalysed")] as $f |
			[$seen | split(" ")[] | select(length > 0) |
			 split("/") as [$fam, $p, $port] | ($port | tonumber) as $n |
			 (if $fam == "ipv4" then $e4 else $e6 end) as $a |
			 select([$f[] | select((.protos | index($p)) and
				any(.ports[]; .lo <= $n and $n <= .hi) and
				(.daddr | split(", ") | index($a)))] | length == 0) |
			 "\($fam)/\($p)/\($port)"] | join(" ")' "$tmp/audit.json")
		[ -z "$missed" ] ||
			why="${why:+$why; }no finding names what got through: $missed"
	fi
	if [ "$guard" = 1 ] && [ "$through" != 0 ]; then
		why="${why:+$why; }the guard let $through probes through"
	fi
	if [ "$guard" = 0 ] && [ -n "$expect" ]; then
		[ "$verdict" = "$expect" ] ||
			why="${why:+$why; }expected $expect, audit says $verdict"
		case $expect/$through in
		exposed/0) why="${why:+$why; }expected exposed, nothing got through" ;;
		not-exposed/0) ;;
		not-exposed/*) why="${why:+$why; }expected not-exposed, $through got through" ;;
		esac
	fi
	# shellcheck disable=SC2053 # AUDIT_SHOW is a glob
	if [ -n "${AUDIT_SHOW:-}" ] && [[ $name == $AUDIT_SHOW ]]; then
		echo "# edgepin audit on $name:"
		ip netns exec "$FW" edgepin audit 2>&1 | sed 's/^/#   | /'
	fi
	[ -z "$why" ] && return
	failures="$failures $name"
	echo "# FAILED $name: $why"
	echo "# probes that got through (family/protocol/port): $seen"
	echo "# the ruleset:"
	subst "$file" | sed 's/^/#   | /'
	echo "# edgepin audit:"
	ip netns exec "$FW" edgepin audit 2>&1 | sed 's/^/#   | /'
}

# The corpus: each case alone and under the guard.
n_corpus=0
for f in "$AUD"/corpus/${AUDIT_CORPUS:-*}; do
	case $f in *.nft | *.ipt) ;; *) continue ;; esac
	name=${f##*/}
	expect=$(sed -n 's/^# expect: *\([a-z-]*\).*/\1/p' "$f" | head -n 1)
	seed=$(cksum <<<"$name" | cut -d' ' -f1)
	n_corpus=$((n_corpus + 1))
	check "$name" "$f" "$seed" "$expect" 0
	check "$name" "$f" "$seed" "" 1
done
t1=$(date +%s)
echo "# corpus: $n_corpus cases in $((t1 - t0)) s"

# The generator, for as long as AUDIT_GEN_SECONDS allows.
gen_seed=${AUDIT_GEN_SEED:-$(($(date +%s) % 1000000 * 1000))}
end=$((t1 + ${AUDIT_GEN_SECONDS:-120}))
echo "# generator: seeds from $gen_seed (AUDIT_GEN_SEED=$gen_seed replays)"
s=$gen_seed n_gen=0
while [ "$(date +%s)" -lt "$end" ]; do
	if ! ask gen "$s" "$tmp/gen.nft" || [ "$answer" != ok ]; then
		fail "gen.py --seed $s: $answer"
	fi
	check "gen-$s" "$tmp/gen.nft" "$s" "" 0
	check "gen-$s" "$tmp/gen.nft" "$s" "" 1
	s=$((s + 1)) n_gen=$((n_gen + 1))
done
echo "# generator: $n_gen rulesets in $(($(date +%s) - t1)) s"

echo "# rulesets checked: $((n_corpus + n_gen)) ($n_corpus corpus cases," \
	"$n_gen generated), each alone and with the guard: $n_runs runs"
echo "# exposed: $n_exposed, not exposed: $n_not, unknown: $n_unknown${unknowns:+ (}${unknowns# }${unknowns:+)}"
echo "# false alarms: $n_false${false_alarms:+ (}${false_alarms# }${false_alarms:+)}"
echo "# time: $(($(date +%s) - t0)) s"
[ -z "$failures" ] || fail "$(wc -w <<<"$failures") failed:$failures"
exit 0
