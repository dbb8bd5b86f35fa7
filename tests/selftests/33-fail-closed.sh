#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A firewall deployed as README "Deploying on a real firewall" says:
# Debian's nftables.conf ("flush ruleset" first) includes the guard of
# "edgepin ruleset show --nft --guard", and edgepin.service's own
# commands (read from scripts/deploy/edgepin.service) do the rest.
#  1. The module cannot load (missing after a kernel update: its file
#     hidden): nftables.conf still loads, the range is closed to the
#     attacker and the peer alike (fails closed), the unit's start fails;
#     a conf with the helper table in it does not load at all.
#  2. The unit starts: nf_conntrack_expect_max is raised to max-pinholes,
#     a call gets its pinholes and media, the attacker does not.
#  3. nftables.conf again (systemctl reload nftables): the helper table
#     is gone, the range stays closed, a call gets no media; the unit's
#     reload (ReloadPropagatedFrom=nftables.service) brings calls back.
#  4. The unit stops: the guard stays, the attacker is still refused.
. ./lib.sh
need nft jq edgepin python3 socat modinfo systemd-analyze
topo_up
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
unit=../../scripts/deploy/edgepin.service
[ -f "$unit" ] || fail "no $unit"

fwnft() {
	in_ns "$FW" nft "$@"
}
tables() {
	ip netns exec "$FW" nft list tables | sed 's/^table //' | sort | xargs
}
# dropped: what the guard has counted and dropped so far.
dropped() {
	ip netns exec "$FW" nft -j list chain inet edgepin_guard guard |
		jq '[.nftables[].rule.expr // [] | .[] |
		     .counter.packets // empty] | add // 0'
}
# unit_cmds KEY...: the unit's command lines of those keys, in order, as
# this guest runs them (edgepin from PATH, the test's policy file).
unit_cmds() {
	local keys
	keys=$(printf '%s|' "$@")
	sed -n -E "s/^(${keys%|})=//p" "$unit" |
		sed -e "s#/usr/sbin/edgepin#edgepin#g" \
		    -e "s#/etc/edgepin/policy#$tmp/policy#g"
}
# unit KEY...: run them as systemd would ("$$" is "$", quotes group
# words; a failure stops, unless the line starts with "-"), in the
# firewall's namespace; the line that writes the global
# nf_conntrack_expect_max, which only the initial namespace may, there
# (its "policy show" then reads that namespace's policy: the defaults,
# as in the test's file).
unit() {
	local line ign
	while IFS= read -r line; do
		line=${line//\$\$/\$} ign=
		case $line in -*) ign=1 line=${line#-} ;; esac
		eval "set -- $line"
		case $line in
		*nf_conntrack_expect_max*) run "$@" ;;
		*) in_ns "$FW" "$@" ;;
		esac || [ -n "$ign" ] || return 1
	done < <(unit_cmds "$@")
}

# The unit as systemd reads it (its commands where this guest has them).
mkdir -p "$tmp/man/man8"
cp ../../ctl/edgepin.8 "$tmp/man/man8/"
sed "s#/usr/sbin/edgepin#$(command -v edgepin)#g" "$unit" >"$tmp/edgepin.service"
MANPATH=$tmp/man run systemd-analyze verify "$tmp/edgepin.service" ||
	fail "systemd-analyze verify $unit"

cat >"$tmp/policy" <<P
# the test's /etc/edgepin/policy
edge $EDGE4 $EDGE6
P
mkdir "$tmp/nftables.d"
edgepin ruleset show --nft --guard --policy "$tmp/policy" \
	>"$tmp/nftables.d/edgepin-guard.nft" || fail "show --nft --guard"
sed 's/^/# /' "$tmp/nftables.d/edgepin-guard.nft"
# Debian 12's /etc/nftables.conf, and the include README asks for.
cat >"$tmp/nftables.conf" <<NFT
#!/usr/sbin/nft -f

flush ruleset

table inet filter {
	chain input {
		type filter hook input priority filter;
	}
	chain forward {
		type filter hook forward priority filter;
	}
	chain output {
		type filter hook output priority filter;
	}
}
include "$tmp/nftables.d/*.nft"
NFT

call_templates "$tmp"
uas_start "$EDGE" "$EDGE4" udp "$tmp/answer" 50010
# call NAME SPORT: one call from the peer; the edge answers on the next
# two ports (50010, 50012, ...). Each from a port of its own: a
# signalling flow keeps the helper it was given when it began, whatever
# becomes of the helper table later.
call() {
	uac "$PEER" --to "$EDGE4" --proto udp --sport "$2" \
		--call-prefix "$1-" "$tmp/invite" >"$tmp/$1.log" 2>&1 ||
		fail "$1: the edge's answer did not come back: $(cat "$tmp/$1.log")"
}

# --- 1. the module cannot load ---
poll 30 modprobe -r nf_conntrack_edgepin
grep -q '^nf_conntrack_edgepin ' /proc/modules &&
	fail "nf_conntrack_edgepin stays loaded (an earlier test left a user)"
ko=$(modinfo -n nf_conntrack_edgepin) || fail "modinfo"
run mount --bind /dev/null "$ko" || fail "cannot hide $ko"
at_exit umount "$ko"
modprobe nf_conntrack_edgepin 2>/dev/null && fail "the hidden module loaded"
fwnft -f "$tmp/nftables.conf" || fail "nftables.conf does not load without the module"
grep -q '^nf_conntrack_edgepin ' /proc/modules &&
	fail "nftables.conf loaded the module"
[ "$(tables)" = "inet edgepin_guard inet filter" ] ||
	fail "tables without the module: $(tables)"
udp_listen "$EDGE" "$EDGE4" 50010 "$tmp/rx50010"
probe "$ATK" 40000 "$EDGE4" 50010 atk-no-module
probe "$PEER" 40000 "$EDGE4" 50010 peer-no-module
expect_no_rx "$tmp/rx50010" atk-no-module
expect_no_rx "$tmp/rx50010" peer-no-module
[ "$(dropped)" -ge 2 ] || fail "the guard counted $(dropped) drops, not 2"
unit ExecStartPre ExecStart && fail "the unit started without its module"
# The same conf with both tables in it (the helper table needs the
# module): nft -f is one transaction, so nothing of it loads.
edgepin ruleset show --nft --policy "$tmp/policy" \
	>"$tmp/nftables.d/edgepin-guard.nft" || fail "show --nft"
fwnft -f "$tmp/nftables.conf" 2>"$tmp/err" &&
	fail "a conf with the helper table loaded without the module"
sed 's/^/# /' "$tmp/err"
edgepin ruleset show --nft --guard --policy "$tmp/policy" \
	>"$tmp/nftables.d/edgepin-guard.nft" || fail "show --nft --guard"
run umount "$ko"
echo "# module missing: nftables.conf loads, the range is closed"

# --- 2. the unit starts ---
expect_max=$(sysctl -n net.netfilter.nf_conntrack_expect_max)
at_exit sysctl -qw net.netfilter.nf_conntrack_expect_max="$expect_max"
sysctl -qw net.netfilter.nf_conntrack_expect_max=1024
unit ExecStartPre ExecStart ExecStartPost || fail "the unit's start failed"
[ "$(sysctl -n net.netfilter.nf_conntrack_expect_max)" -ge 65536 ] ||
	fail "the unit left nf_conntrack_expect_max below max-pinholes"
[ "$(tables)" = "inet edgepin inet edgepin_guard inet filter" ] ||
	fail "tables after the unit's start: $(tables)"
call started 5070
pins_become 2 '.call_id == "started-0"' || fail "started: no pinholes"
probe "$PEER" 40000 "$EDGE4" 50010 peer-started
expect_rx "$tmp/rx50010" peer-started
probe "$ATK" 40000 "$EDGE4" 50010 atk-started
expect_no_rx "$tmp/rx50010" atk-started
echo "# edgepin.service started: the call has media, the attacker not"

# --- 3. nftables reloads, then edgepin.service with it ---
fwnft -f "$tmp/nftables.conf" || fail "reload of nftables.conf"
[ "$(tables)" = "inet edgepin_guard inet filter" ] ||
	fail "tables after the reload: $(tables)"
udp_listen "$EDGE" "$EDGE4" 50012 "$tmp/rx50012"
call reloaded 5072
[ "$(pin_count '.call_id == "reloaded-0"')" = 0 ] ||
	fail "a call pinned without the helper table"
probe "$PEER" 40000 "$EDGE4" 50012 peer-reloaded
probe "$ATK" 40000 "$EDGE4" 50012 atk-reloaded
expect_no_rx "$tmp/rx50012" peer-reloaded
expect_no_rx "$tmp/rx50012" atk-reloaded
unit ExecReload || fail "the unit's reload failed"
udp_listen "$EDGE" "$EDGE4" 50014 "$tmp/rx50014"
call propagated 5074
pins_become 2 '.call_id == "propagated-0"' ||
	fail "no pinholes after the unit's reload"
probe "$PEER" 40000 "$EDGE4" 50014 peer-propagated
expect_rx "$tmp/rx50014" peer-propagated
probe "$ATK" 40000 "$EDGE4" 50014 atk-propagated
expect_no_rx "$tmp/rx50014" atk-propagated
echo "# nftables reload: range closed meanwhile; the unit's reload restores calls"

# --- 4. the unit stops ---
unit ExecStop || fail "the unit's stop failed"
[ "$(tables)" = "inet edgepin_guard inet filter" ] ||
	fail "tables after the unit's stop: $(tables)"
udp_listen "$EDGE" "$EDGE4" 50020 "$tmp/rx50020"
probe "$ATK" 40000 "$EDGE4" 50020 atk-stopped
expect_no_rx "$tmp/rx50020" atk-stopped
echo "# edgepin.service stopped: the guard stays, the range is closed"
exit 0
