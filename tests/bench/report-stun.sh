#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Table from the callgrind dumps of bench_stun: instructions per message
# for edgepin's stun_parse() and libre's stun_msg_decode(), their ratio per
# message and over all of them. A report only: no target is asserted.
# Usage: report-stun.sh ITERATIONS DUMP...
set -eu
iterations=$1
shift
"$(dirname "$0")/dumps.sh" "$iterations" "$@" | awk '
{
	tag = $1; name = $2; bytes[name] = $3; ir[tag, name] = $4
	if (!(name in seen)) { seen[name] = 1; order[n++] = name }
}
END {
	printf "%-28s %6s %12s %12s %8s\n", "STUN message", "bytes",
	       "edgepin Ir", "libre Ir", "ratio"
	for (i = 0; i < n; i++) {
		m = order[i]; e = ir["edgepin", m]; l = ir["libre", m]
		te += e; tl += l
		printf "%-28s %6d %12d %12d   1/%-5.1f\n", m, bytes[m], e, l,
		       l / e
	}
	printf "%-28s %6s %12d %12d   1/%-5.1f\n", "all", "", te, tl, tl / te
}'
