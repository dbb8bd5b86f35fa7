#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The module loads and unloads 20 times in a row, registering helper
# "edgepin" each time (an nftables ct helper object of that type can be
# created), and nftables loads it on demand through its helper alias.
# The runner fails the whole VM run if the kernel logs any complaint.
. ./lib.sh
need modprobe nft

mod=nf_conntrack_edgepin
loaded() { grep -q "^$mod " /proc/modules; }

# helper_usable TYPE: an nftables ct helper object of TYPE can be made.
helper_usable() {
	nft -f - <<NFT
table inet ep_load_test {
	ct helper h { type "$1" protocol udp; l3proto inet; }
}
NFT
	local rc=$?
	nft delete table inet ep_load_test 2>/dev/null
	return $rc
}

at_exit "nft delete table inet ep_load_test; rmmod $mod"
for i in $(seq 1 20); do
	modprobe "$mod" || fail "modprobe $mod (round $i)"
	loaded || fail "$mod not in /proc/modules after modprobe (round $i)"
	helper_usable edgepin || fail "no helper edgepin (round $i)"
	rmmod "$mod" || fail "rmmod $mod (round $i)"
	loaded && fail "$mod still loaded after rmmod (round $i)"
done
echo "# 20 load/unload rounds"

# A helper type that does not exist must be refused (the check above
# would otherwise prove nothing).
run modprobe "$mod"
helper_usable edgepin-none && fail "nft accepted an unknown helper"
run rmmod "$mod"

# ports= names one helper per port, like nf_conntrack_sip.
run modprobe "$mod" ports=5060,5080 || fail "modprobe ports=5060,5080"
helper_usable edgepin || fail "no helper edgepin with ports=5060,5080"
helper_usable edgepin-5080 || fail "no helper edgepin-5080"
run rmmod "$mod"

# On-demand load through MODULE_ALIAS_NFCT_HELPER.
loaded && fail "$mod loaded before the on-demand test"
helper_usable edgepin || fail "nft could not load $mod on demand"
loaded || fail "$mod not loaded by nft"
run rmmod "$mod"
exit 0
