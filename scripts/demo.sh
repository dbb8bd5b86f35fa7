#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boot the VM and show edgepin at work on one real sipp call
# through a firewall namespace (scripts/demo-vm.sh). (Run scripts/deps.sh and
# make first; make demo does both.) Exits non-zero if a step did not work.
cd "$(dirname "$0")/.." || exit 1
exec scripts/vm-run --timeout 900 -- scripts/demo-vm.sh
