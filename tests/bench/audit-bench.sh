#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# edgepin audit on large rulesets, against the cost of reading the same
# ruleset through libnftables (nft -j list ruleset) in the same run. Runs
# in a network namespace of its own (unshare -n, root); no module needed
# (the audit then checks every address, both families).
#   sizes: rules in the ruleset; shape "few": a handful of ports in the
#   media range (what firewalls have); "spread": every rule a port of its
#   own in the range, the walk's worst case (one class of ports per rule).
# Prints a table: rules, shape, nft -j list (s), audit (s), ratio.
set -eu
top=$(cd "$(dirname "$0")/../.." && pwd)
ep=$top/ctl/edgepin
[ -x "$ep" ] || { echo "audit-bench: build ctl first (make ctl)" >&2; exit 1; }
[ "$(id -u)" = 0 ] || { echo "audit-bench: run as root" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# gen RULES SHAPE: user chains jumped to by iifname, per-source accepts,
# a ct state vmap and a named interval set, as big firewalls look.
gen() {
	python3 - "$1" "$2" <<'PY'
import sys
n, shape = int(sys.argv[1]), sys.argv[2]
print("table inet fw {")
print("  set media { type inet_service; flags interval; elements = { 50000-59999 } }")
for u in range(20):
    print(f"  chain u{u} {{")
    for i in range(n // 40):
        print(f"    ip saddr 10.{u}.{i // 250}.{i % 250} tcp dport {1000 + i % 500} accept")
    print("    return")
    print("  }")
print("  chain forward { type filter hook forward priority filter; policy drop;")
print("    ct state vmap { established : accept, related : accept, invalid : drop }")
for u in range(20):
    print(f'    iifname "eth{u}" jump u{u}')
for i in range(n // 2):
    port = 50000 + (i * 7) % 10000 if shape == "spread" else 20000 + i % 10000
    print(f"    ip saddr 192.168.{i // 250}.{i % 250} udp dport {{ 5060, {port} }} accept")
print("    udp dport @media drop")
print("  }")
print("}")
PY
}

printf '%-7s %-7s %12s %10s %8s\n' rules shape "nft -j (s)" "audit (s)" ratio
for spec in 100:few 1000:few 10000:few 100:spread 1000:spread \
	${AUDIT_BENCH_MORE:-}; do
	n=${spec%:*} shape=${spec#*:}
	gen "$n" "$shape" >"$tmp/r.nft"
	unshare -n bash -c '
		nft -f "$1" || exit 1
		base=$(t0=$(date +%s.%N); nft -j list ruleset >/dev/null;
		       t1=$(date +%s.%N); echo "$t1 - $t0" | bc)
		t0=$(date +%s.%N); "$2" audit >/dev/null 2>&1; t1=$(date +%s.%N)
		audit=$(echo "$t1 - $t0" | bc)
		printf "%-7s %-7s %12.3f %10.3f %8.1f\n" "$3" "$4" "$base" "$audit" \
			"$(echo "$audit / $base" | bc -l)"
	' _ "$tmp/r.nft" "$ep" "$n" "$shape"
done
