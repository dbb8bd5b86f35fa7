#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# An HA pair: conntrackd (FTFW, ExpectationSync On) copies the primary's
# connections and pinholes to the standby, which is configured alike
# (same policy, same ruleset). A call is placed through the primary, its
# media flows; then the standby takes over (conntrackd -c commits what
# it learnt, and the primary's links move to it, as a VRRP address
# would). On the standby: the established media flow goes on, a new
# media flow enters through the copied pinhole and is not cut by the
# helper (the copy names edgepin's expectation function, registered for
# ctnetlink, but has no call behind it), the attacker is refused, and no
# call is known until the next SIP message.
. ./lib.sh
need nft jq edgepin python3 socat conntrack conntrackd
topo_up
run modprobe nf_conntrack_edgepin || fail "modprobe"
run modprobe nf_conntrack_netlink || fail "modprobe nf_conntrack_netlink"
tmp=$(mktemp -d)
at_exit rm -rf "$tmp"
FW2=${FW}2
ip netns add "$FW2" || fail "ip netns add $FW2"
at_exit ip netns del "$FW2"
ip -n "$FW2" link set lo up
link "$FW" s0 "$FW2" s0
ip -n "$FW" addr add 192.168.100.1/24 dev s0
ip -n "$FW2" addr add 192.168.100.2/24 dev s0
for ns in "$FW" "$FW2"; do
	ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1
	in_ns "$ns" edgepin policy set edge "$EDGE4" "$EDGE6" ||
		fail "policy in $ns"
	in_ns "$ns" edgepin ruleset install || fail "ruleset in $ns"
done

# conntrackd NAME LOCAL PEER: its config, and the daemon in that netns.
conntrackd_start() {
	cat >"$tmp/$1.conf" <<C
Sync {
	Mode FTFW {
	}
	UDP {
		IPv4_address $2
		IPv4_Destination_Address $3
		Port 3780
		Interface s0
		Checksum on
	}
	Options {
		ExpectationSync On
	}
}
General {
	HashSize 8192
	HashLimit 65536
	LogFile $tmp/$1.log
	Syslog off
	LockFile $tmp/$1.lock
	UNIX {
		Path $tmp/$1.ctl
	}
	NetlinkBufferSize 2097152
	NetlinkBufferSizeMaxGrowth 8388608
	Filter From Kernelspace {
		Protocol Accept {
			TCP
			UDP
		}
		Address Ignore {
			IPv4_address 127.0.0.1
			IPv4_address 192.168.100.0/24
		}
	}
}
C
	ip netns exec "$4" conntrackd -C "$tmp/$1.conf" -d ||
		fail "conntrackd $1: $(cat "$tmp/$1.log")"
	at_exit ip netns exec "$4" conntrackd -C "$tmp/$1.conf" -k
	poll 20 test -S "$tmp/$1.ctl" || fail "conntrackd $1 did not start"
}
conntrackd_start primary 192.168.100.1 192.168.100.2 "$FW"
conntrackd_start standby 192.168.100.2 192.168.100.1 "$FW2"
ctd() {
	ip netns exec "$FW2" conntrackd -C "$tmp/standby.conf" "$@"
}

call_templates "$tmp"
uas_start "$EDGE" "$EDGE4" udp "$tmp/answer" 50010
udp_listen "$EDGE" "$EDGE4" 50010 "$tmp/rx50010"
udp_listen "$EDGE" "$EDGE4" 50020 "$tmp/rx50020"
uac "$PEER" --to "$EDGE4" --proto udp --sport 5070 --call-prefix ha- \
	"$tmp/invite" >"$tmp/uac.log" 2>&1 ||
	fail "no answer through the primary: $(cat "$tmp/uac.log")"
pins_become 2 '.call_id == "ha-0"' || fail "no pinholes on the primary"
probe "$PEER" 40000 "$EDGE4" 50010 before-failover
expect_rx "$tmp/rx50010" before-failover
probe "$EDGE" 50010 "$PEER4" 40000 reply
echo "# call and media through the primary"

# The standby learns the pinholes (its external cache), then takes over.
poll 30 sh -c "ip netns exec $FW2 conntrackd -C $tmp/standby.conf -e expect |
	grep -q 'dport=50010'" || {
	ctd -e expect | sed 's/^/# /'
	fail "the standby's conntrackd did not learn the pinholes"
}
# connections first: an expectation needs its master
run ctd -c || fail "conntrackd -c"
run ctd -c expect || fail "conntrackd -c expect"
ip netns exec "$FW2" conntrack -L expect 2>/dev/null | sed 's/^/# /'
n=$(ip netns exec "$FW2" conntrack -L expect 2>/dev/null |
	grep -c "dport=5001[01] .*helper=edgepin")
[ "$n" = 2 ] || {
	sed 's/^/# /' "$tmp/standby.log"
	fail "the standby has $n of the 2 pinholes"
}
# The primary exports the pinholes' expectation function by name (it is
# registered for ctnetlink); conntrackd 1.4.7's copies do not carry it.
# So that the standby runs it, as with a sync that does carry it, its
# copies are replaced by ones made from the primary's, the function
# named: it must let the media of these pinholes without calls be.
ip netns exec "$FW" ./ctexp.py dump "$tmp/exp" | sed 's/^/# primary: /'
[ "$(ip netns exec "$FW" ./ctexp.py dump | grep -c 'helper-fn=edgepin-media')" = 2 ] ||
	fail "the primary's pinholes do not name edgepin-media"
ip netns exec "$FW2" ./ctexp.py dump | sed 's/^/# standby, from conntrackd: /'
run ip netns exec "$FW2" conntrack -F expect || fail "conntrack -F expect"
run ip netns exec "$FW2" ./ctexp.py create "$tmp/exp" ||
	fail "the standby refused the pinholes naming edgepin-media"
[ "$(ip netns exec "$FW2" ./ctexp.py dump | grep -c 'helper-fn=edgepin-media')" = 2 ] ||
	fail "the standby's pinholes do not name edgepin-media"
for i in p0 e0 a0; do
	run ip -n "$FW" link set "$i" netns "$FW2" || fail "move $i"
	ip -n "$FW2" link set "$i" up
done
ip -n "$FW2" addr add 198.51.100.1/24 dev p0
ip -n "$FW2" addr add 203.0.113.1/24 dev e0
ip -n "$FW2" addr add 192.0.2.1/24 dev a0
poll 10 in_ns "$PEER" ping -c1 -W1 "$EDGE4" ||
	fail "no route through the standby"
echo "# failover: the standby holds the pinholes and the links"

removed0=$(ip netns exec "$FW2" edgepin -j stats | jq .flows_removed)
probe "$PEER" 40000 "$EDGE4" 50010 established-after
expect_rx "$tmp/rx50010" established-after
probe "$PEER" 40002 "$EDGE4" 50010 new-after
expect_rx "$tmp/rx50010" new-after
probe "$ATK" 40000 "$EDGE4" 50010 atk-pinned
expect_no_rx "$tmp/rx50010" atk-pinned
probe "$ATK" 40000 "$EDGE4" 50020 atk-range
expect_no_rx "$tmp/rx50020" atk-range
# the helper's gc looks at new flows every second: give it three
sleep 3
ip netns exec "$FW2" conntrack -L -p udp --orig-port-src 40002 2>/dev/null |
	sed 's/^/# /'
ip netns exec "$FW2" conntrack -L -p udp --orig-port-src 40002 2>/dev/null |
	grep -q "dport=50010" || fail "the new media flow on the standby was cut"
[ "$(ip netns exec "$FW2" edgepin -j stats | jq .flows_removed)" = "$removed0" ] ||
	fail "the standby's helper cut flows of the copied pinholes"
probe "$PEER" 40002 "$EDGE4" 50010 new-after-gc
expect_rx "$tmp/rx50010" new-after-gc
[ "$(ip netns exec "$FW2" edgepin -j call list | jq length)" = 0 ] ||
	fail "the standby knows calls it never saw"
echo "# on the standby: media goes on, new media enters, the attacker does not; no call state"
exit 0
