#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Host side of make bench-kernel: the host's load before, during (every
# 30 s) and after one VM boot running tests/bench/kernel-vm.sh ARGS, and
# the run's duration. The VM shares the host's 2 cores with whatever else
# runs: read its numbers with that load in mind.
top=$(cd "$(dirname "$0")/../.." && pwd)
loads=$(mktemp)
trap 'rm -f "$loads"' EXIT
echo "# host $(hostname), $(nproc) CPUs; $(date -u +%FT%TZ) loadavg before: $(cat /proc/loadavg)"
(while sleep 30; do cut -d' ' -f1 /proc/loadavg; done) >"$loads" &
sampler=$!
cd "$top" || exit 1
t0=$(date +%s)
"$top/scripts/vm-run" --mem 4096 --smp 2 --timeout 3600 \
	--append 'slub_debug=- slab_nomerge' -- tests/bench/kernel-vm.sh "$@"
rc=$?
kill "$sampler" 2>/dev/null
echo "# $(date -u +%FT%TZ) loadavg after: $(cat /proc/loadavg); 1-min load" \
	"sampled every 30 s: $(sort -n "$loads" | awk '{a[NR]=$1} END {if (NR) printf "min %s median %s max %s (%d samples)", a[1], a[int((NR+1)/2)], a[NR], NR}')"
echo "# duration (boot included): $(($(date +%s) - t0)) s; vm-run status $rc"
exit $rc
