#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make demo: boot the VM and show edgepin at work in a three-namespace
# topology. (Run scripts/deps.sh and make first; make demo does both.)
cd "$(dirname "$0")/.." || exit 1
exec scripts/vm-run --timeout 900 -- scripts/demo-vm.sh
