#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boot the VM and show edgepin at work on one real sipp call
# through a firewall namespace (scripts/demo-vm.sh). (Run scripts/deps.sh and
# make first; make demo does both.) Exits non-zero if a step did not work.
# The kernel command line sizes the expectation hash for the demo's
# nf_conntrack_expect_max, as README's deployment does in modprobe.d.
cd "$(dirname "$0")/.." || exit 1
exec scripts/vm-run --timeout 900 \
	--append nf_conntrack.expect_hashsize=16384 -- scripts/demo-vm.sh
