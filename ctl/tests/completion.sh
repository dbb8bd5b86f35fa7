#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The bash completion against the tool's own usage: what it offers after
# each of these command lines (no module needed; Call-IDs are checked by
# selftest 32-json, which has a call). Run by "make -C ctl".
cd "$(dirname "$0")/.." || exit 1
bin=$(pwd)/${1:-edgepin}
. ./edgepin.bash-completion
fail=0

# expect "WORDS..." "OFFERED...": completing the last of WORDS offers
# exactly OFFERED (in any order).
expect() {
	local got want
	read -ra COMP_WORDS <<<"$1"
	[ "${1: -1}" = " " ] && COMP_WORDS+=("")
	COMP_WORDS[0]=$bin
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_edgepin
	got=$(printf '%s\n' "${COMPREPLY[@]}" | sort | xargs)
	want=$(printf '%s\n' $2 | sort | xargs)
	if [ "$got" != "$want" ]; then
		echo "completion: '$1': got '$got', want '$want'" >&2
		fail=1
	fi
}

expect "edgepin " "-j --json -h --help -V --version help version audit call
	feed monitor pinhole policy ruleset stats"
expect "edgepin -j po" "policy"
expect "edgepin policy " "help show load set check reset"
expect "edgepin monitor " "help -t --timestamp"
expect "edgepin policy set mode " "enforce monitor"
expect "edgepin policy set peer-match a" "address address-port"
expect "edgepin policy set transports udp " "udp tcp"
expect "edgepin policy set exclude " "udp tcp none"
expect "edgepin policy set edge " "none"
expect "edgepin policy set range " ""
expect "edgepin policy set max-p" "max-pinholes max-pinholes-per-call"
expect "edgepin policy check " "- $(compgen -f)"
expect "edgepin pinhole list " "call peer"
expect "edgepin pinhole list peer 192.0.2.1 " "call"
expect "edgepin ruleset install " "--print --edge --sip-port --turn-port
	--range"
expect "edgepin ruleset install --print --range 1-2 " "--edge --sip-port
	--turn-port"
expect "edgepin ruleset install --sip-port " "none"
expect "edgepin ruleset install --sip-port none --turn-port 3478 " "--print
	--edge --sip-port --turn-port --range"
expect "edgepin ruleset show --nft " "--guard --policy"
expect "edgepin ruleset remove " "--keep-guard"
expect "edgepin feed " "help send --listen --source --key-file --socket --zone
	--print"
expect "edgepin feed --print --listen 127.0.0.1 " "--listen --source
	--key-file --socket --zone"
expect "edgepin feed send " "--socket"
expect "edgepin policy set sip-feed " "on off shared"
[ $fail = 0 ] && echo "completion: every case offers what the usage says"
exit $fail
