#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Table from the callgrind dumps of bench: instructions per message and per
# byte for edgepin and libosip2, and their ratio. Exits 1 if edgepin needs
# more than a third of libosip2's instructions on the Lync INVITE.
# Usage: report.sh ITERATIONS LYNC-FILE-NAME DUMP...
set -eu
iterations=$1
lync=$2
shift 2
"$(dirname "$0")/dumps.sh" "$iterations" "$@" | awk -v lync="$lync" '
{
	tag = $1; name = $2; bytes[name] = $3; ir[tag, name] = $4
	if (!(name in seen)) { seen[name] = 1; order[n++] = name }
}
END {
	printf "%-48s %6s %12s %7s %12s %7s %8s\n", "message", "bytes",
	       "edgepin Ir", "Ir/B", "libosip2 Ir", "Ir/B", "ratio"
	rc = 0
	for (i = 0; i < n; i++) {
		m = order[i]; e = ir["edgepin", m]; o = ir["osip", m]
		printf "%-48s %6d %12d %7.1f %12d %7.1f   1/%-5.1f\n", m,
		       bytes[m], e, e / bytes[m], o, o / bytes[m], o / e
		if (m == lync) {
			verdict = (e * 3 <= o) ? "met" : "NOT met"
			if (e * 3 > o)
				rc = 1
			printf "target: edgepin <= 1/3 of libosip2 on %s: %s (1/%.1f)\n",
			       m, verdict, o / e
		}
	}
	if (verdict == "") {
		print "target: Lync INVITE " lync " not measured"
		rc = 1
	}
	exit rc
}'
