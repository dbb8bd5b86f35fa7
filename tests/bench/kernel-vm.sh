#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Kernel benchmarks of issue 14 (P2-P6), in the VM: see kernel-vm.py.
# Numbers, no pass/fail.
#
#   make bench-kernel [BENCH_KERNEL_ARGS="quick reps=3 ..."]
#   scripts/vm-run --mem 4096 --append 'slub_debug=- slab_nomerge' -- \
#       tests/bench/kernel-vm.sh [quick] [KEY=VALUE...]
cd "$(dirname "$0")" || exit 1
for t in nft conntrack edgepin python3 ip; do
	command -v "$t" >/dev/null || { echo "# SKIP: no $t"; exit 4; }
done
echo "# tree: $(git -C ../.. describe --always --dirty 2>/dev/null)"
exec python3 ./kernel-vm.py "$@"
