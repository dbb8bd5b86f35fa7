#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make compare: boot the VM and print the edgepin / nf_conntrack_sip
# comparison table (scripts/compare-vm.sh), measured with real packets.
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
exec scripts/vm-run --timeout 1200 -- scripts/compare-vm.sh
