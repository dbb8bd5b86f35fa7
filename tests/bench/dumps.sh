#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The callgrind dumps of a bench, one line each: TAG NAME BYTES IR, IR
# being instructions per iteration, from dumps named "TAG:NAME:BYTES".
# Used by report.sh and report-stun.sh. Usage: dumps.sh ITERATIONS DUMP...
set -eu
iterations=$1
shift
for f in "$@"; do
	sed -n 's/^desc: Trigger: Client Request: //p; s/^totals: //p' "$f" |
		paste -s -d ' ' -
done | awk -v it="$iterations" '
{
	split($1, k, ":")
	print k[1], k[2], k[3], $2 / it
}'
