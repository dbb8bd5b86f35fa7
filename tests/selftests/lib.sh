# SPDX-License-Identifier: GPL-2.0
# Shared by the VM selftests: uniquely named namespaces, trap-based cleanup,
# echoed commands, polling instead of sleeping, and one topology:
#
#   attacker 192.0.2.2         peer 198.51.100.2          edge 203.0.113.2
#            2001:db8:3::2          2001:db8:1::2              2001:db8:2::2
#        |                        |                         |
#      a0|192.0.2.1             p0|198.51.100.1           e0|203.0.113.1
#        +--------------------- fw (routes) ----------------+
#                                 2001:db8:{3,1,2}::1
#
# Every test sources this file, calls topo_up when it needs hosts, and
# returns 0 (pass), 1 (fail) or 4 (skip, with a reason).

KSFT_PASS=0
KSFT_FAIL=1
KSFT_SKIP=4

ns_prefix="ep$$"
FW="$ns_prefix-fw"
PEER="$ns_prefix-peer"
EDGE="$ns_prefix-edge"
ATK="$ns_prefix-atk"

PEER4=198.51.100.2 EDGE4=203.0.113.2 ATK4=192.0.2.2
PEER6=2001:db8:1::2 EDGE6=2001:db8:2::2 ATK6=2001:db8:3::2

cleanup_hooks=""
# at_exit CMD: run CMD (most recent first) when the test exits.
at_exit() {
	cleanup_hooks="$*; $cleanup_hooks"
}
run_cleanup() {
	eval "$cleanup_hooks" >/dev/null 2>&1
	cleanup_hooks=""
}
trap run_cleanup EXIT
trap 'exit 1' INT TERM

# run CMD...: echo the command (to stderr, so that redirecting CMD's
# output keeps it clean), then run it.
run() {
	echo "# + $*" >&2
	"$@"
}

# in NS CMD...: run CMD in namespace NS, echoed.
in_ns() {
	local ns=$1
	shift
	echo "# [$ns] $*" >&2
	ip netns exec "$ns" "$@"
}

fail() {
	echo "# FAIL: $*"
	exit $KSFT_FAIL
}

skip() {
	echo "# SKIP: $*"
	exit $KSFT_SKIP
}

# need TOOL...: skip unless each tool is on PATH.
need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || skip "$t not installed"
	done
}

# catches_sigint PID: PID has a SIGINT handler. edgepin monitor installs
# it once subscribed to events, so from then on it misses none.
catches_sigint() {
	local m
	m=$(sed -n 's/^SigCgt:\t//p' "/proc/$1/status") || return 1
	(((0x$m >> 1) & 1))
}

# monitor_start FILE: edgepin -j monitor in the firewall netns, events to
# FILE (stderr to FILE.err), subscribed when this returns; pid in MON.
monitor_start() {
	ip netns exec "$FW" edgepin -j monitor >"$1" 2>"$1.err" &
	MON=$!
	at_exit kill $MON
	poll 10 catches_sigint $MON || fail "monitor did not start: $(cat "$1.err")"
}

# poll SECONDS CMD...: retry CMD every 0.1 s until it succeeds or time is up.
poll() {
	local deadline=$(($(date +%s) + $1))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.1
	done
	return 0
}

# link NS_A IF_A NS_B IF_B: a veth pair between two namespaces.
link() {
	ip link add "$2" netns "$1" type veth peer name "$4" netns "$3"
	ip -n "$1" link set "$2" up
	ip -n "$3" link set "$4" up
}

topo_up() {
	local ns
	need ip
	for ns in "$FW" "$PEER" "$EDGE" "$ATK"; do
		ip netns add "$ns" || fail "ip netns add $ns"
		at_exit ip netns del "$ns"
		ip -n "$ns" link set lo up
	done
	link "$FW" p0 "$PEER" eth0
	link "$FW" e0 "$EDGE" eth0
	link "$FW" a0 "$ATK" eth0

	ip netns exec "$FW" sysctl -qw net.ipv4.ip_forward=1
	ip netns exec "$FW" sysctl -qw net.ipv6.conf.all.forwarding=1
	ip -n "$FW" addr add 198.51.100.1/24 dev p0
	ip -n "$FW" addr add 203.0.113.1/24 dev e0
	ip -n "$FW" addr add 192.0.2.1/24 dev a0
	ip -n "$FW" addr add 2001:db8:1::1/64 dev p0 nodad
	ip -n "$FW" addr add 2001:db8:2::1/64 dev e0 nodad
	ip -n "$FW" addr add 2001:db8:3::1/64 dev a0 nodad

	host_addrs "$PEER" "$PEER4" 198.51.100.1 "$PEER6" 2001:db8:1::1
	host_addrs "$EDGE" "$EDGE4" 203.0.113.1 "$EDGE6" 2001:db8:2::1
	host_addrs "$ATK" "$ATK4" 192.0.2.1 "$ATK6" 2001:db8:3::1

	poll 5 in_ns "$PEER" ping -c1 -W1 "$EDGE4" ||
		fail "no IPv4 route peer -> edge"
	poll 5 in_ns "$PEER" ping -6 -c1 -W1 "$EDGE6" ||
		fail "no IPv6 route peer -> edge"
}

# host_addrs NS ADDR4 GW4 ADDR6 GW6
host_addrs() {
	ip -n "$1" addr add "$2/24" dev eth0
	ip -n "$1" route add default via "$3"
	ip -n "$1" addr add "$4/64" dev eth0 nodad
	ip -n "$1" -6 route add default via "$5"
}

# sip_msg START_LINE HEADERS_FILE|- [BODY_FILE]: print a SIP message with
# CRLF line ends and a correct Content-Length. HEADERS come one per line.
sip_msg() {
	local start=$1 hdrs=$2 body=${3:-}
	local blen=0
	[ -n "$body" ] && blen=$(sed 's/$/\r/' "$body" | wc -c)
	{
		echo "$start"
		cat "$hdrs"
		echo "Content-Length: $blen"
		echo
	} | sed 's/$/\r/'
	[ -n "$body" ] && sed 's/$/\r/' "$body"
	return 0
}

# udp_send NS SRCPORT DST PORT FILE: send FILE as one datagram.
udp_send() {
	local fam=4
	case $3 in *:*) fam=6 ;; esac
	ip netns exec "$1" socat -u "OPEN:$5" \
		"UDP$fam-SENDTO:$(sock_addr "$3"):$4,sourceport=$2,reuseaddr"
}

sock_addr() {
	case $1 in
	*:*) echo "[$1]" ;;
	*) echo "$1" ;;
	esac
}

# udp_listen NS ADDR PORT OUTFILE: record every datagram to ADDR:PORT
# (in the background; killed at exit). Fails the test unless it listens.
udp_listen() {
	local fam=4
	case $2 in *:*) fam=6 ;; esac
	ip netns exec "$1" socat -u \
		"UDP$fam-RECV:$3,bind=$(sock_addr "$2"),reuseaddr" \
		"OPEN:$4,creat,append" &
	at_exit kill $!
	poll 30 ip netns exec "$1" sh -c "ss -Hlun | grep -q ':$3 '" ||
		fail "udp_listen: nothing listens on $2 port $3 in $1"
}

# probe NS SRCPORT DST PORT TAG: send one datagram carrying TAG.
probe() {
	local fam=4
	case $3 in *:*) fam=6 ;; esac
	echo "$5" | ip netns exec "$1" socat -u - \
		"UDP$fam-SENDTO:$(sock_addr "$3"):$4,sourceport=$2,reuseaddr"
}

# tcp_listen PORT: the edge listens on TCP PORT (IPv4), appending what it
# gets to $tmp/tcpPORT (the test's $tmp).
tcp_listen() {
	ip netns exec "$EDGE" socat -u "TCP4-LISTEN:$1,reuseaddr,fork" \
		"OPEN:$tmp/tcp$1,creat,append" &
	at_exit kill $!
	poll 5 ip netns exec "$EDGE" sh -c "ss -Hltn | grep -q ':$1 '" ||
		fail "tcp_listen: nothing listens on port $1 in the edge"
}
# tcp_probe NS PORT TAG [SOCAT-OPTS]: connect from NS to the edge's PORT
# (options such as sourceport=40000) and send TAG.
tcp_probe() {
	echo "$3" | ip netns exec "$1" timeout 4 socat -u - \
		"TCP4:$EDGE4:$2,${4:+$4,}connect-timeout=3" 2>/dev/null
}

# expect_rx FILE TAG / expect_no_rx FILE TAG: did TAG arrive?
# Under TCG a datagram can take a while: wait long for what must arrive,
# and give what must not a fair chance to show up.
expect_rx() {
	poll 10 grep -q "$2" "$1" || fail "'$2' did not arrive (it should)"
}
expect_no_rx() {
	sleep 2
	grep -q "$2" "$1" && fail "'$2' arrived (it must not)"
	return 0
}

# fw_ruleset: attach edgepin to SIP and let into the edge's media range
# only what entered through a pinhole (what `edgepin ruleset install`
# will write).
fw_ruleset() {
	ip netns exec "$FW" nft -f - <<NFT
table inet edgepin_test {
	ct helper sip-udp { type "edgepin" protocol udp; l3proto inet; }
	ct helper sip-tcp { type "edgepin" protocol tcp; l3proto inet; }
	chain forward {
		type filter hook forward priority filter; policy accept;
		udp dport 5060 ct helper set "sip-udp"
		tcp dport 5060 ct helper set "sip-tcp"
		ct state established,related accept
		ct status expected accept
		ip daddr $EDGE4 meta l4proto { udp, tcp } th dport 50000-59999 drop
		ip6 daddr $EDGE6 meta l4proto { udp, tcp } th dport 50000-59999 drop
	}
}
NFT
}

SIPUA="$PWD/sipua.py"

# uas_start NS ADDR PROTO ANSWER_TEMPLATE [BASE_PORT]: a SIP UAS answering
# every INVITE with the template (media ports BASE_PORT + 2n).
uas_start() {
	ip netns exec "$1" "$SIPUA" uas --bind "$2" --proto "$3" \
		--answer "$4" --base-port "${5:-50010}" &
	UAS_PID=$!
	at_exit kill $UAS_PID
	# its own address: another agent of the test may listen on 5060 too
	local a=$2
	case $a in *:*) a="[$a]" ;; esac
	poll 60 ip netns exec "$1" sh -c "ss -Hln -A $3 | grep -qF '$a:5060 '" ||
		fail "uas_start: no SIP agent listening on $a:5060 in $1"
}

uas_stop() {
	kill "$UAS_PID" && wait "$UAS_PID" 2>/dev/null
	return 0
}

# uac NS ARGS...: run the SIP UAC (see sipua.py).
uac() {
	local ns=$1
	shift
	in_ns "$ns" "$SIPUA" uac "$@"
}

# pins_to ADDR PORT_REGEX: expectations into ADDR on matching ports.
pins_to() {
	ip netns exec "$FW" conntrack -L expect 2>/dev/null |
		grep -E "dst=$1 sport=0 dport=($2) .*helper=edgepin"
}

# call_templates DIR: INVITE/ACK/BYE from the peer and the edge's
# answer, with RFC ICE candidates, for sipua.py.
call_templates() {
	cat >"$1/invite" <<T
INVITE sip:edge@$EDGE4 SIP/2.0
Via: SIP/2.0/TCP $PEER4:5070;branch=z9hG4bK-{n}
From: <sip:peer@example.org>;tag=peer{n}
To: <sip:edge@example.com>
Call-ID: {call_id}
CSeq: 1 INVITE
Contact: <sip:peer@$PEER4:5070;transport=tcp>
Content-Type: application/sdp

v=0
o=- 1 1 IN IP4 $PEER4
s=-
c=IN IP4 $PEER4
t=0 0
m=audio 40000 RTP/AVP 0 8 101
a=rtpmap:101 telephone-event/8000
a=ice-ufrag:peer
a=ice-pwd:peerpasswordpeerpassword
a=candidate:1 1 UDP 2130706431 $PEER4 40000 typ host
a=candidate:1 2 UDP 2130706430 $PEER4 40001 typ host
T
	cat >"$1/ack" <<T
ACK sip:edge@$EDGE4 SIP/2.0
Via: SIP/2.0/TCP $PEER4:5070;branch=z9hG4bK-ack{n}
From: <sip:peer@example.org>;tag=peer{n}
To: <sip:edge@example.com>;tag=e-{call_id}
Call-ID: {call_id}
CSeq: 1 ACK

T
	sed 's/^ACK /BYE /; s/^CSeq: 1 ACK/CSeq: 2 BYE/; s/-ack{n}/-bye{n}/' \
		"$1/ack" >"$1/bye"
	cat >"$1/answer" <<T
SIP/2.0 200 OK
Via: {via}
From: {from}
To: {to};tag=e-{call_id}
Call-ID: {call_id}
CSeq: {cseq}
Contact: <sip:edge@$EDGE4:5060;transport=tcp>
Content-Type: application/sdp

v=0
o=- 2 2 IN IP4 $EDGE4
s=-
c=IN IP4 $EDGE4
t=0 0
m=audio {port} RTP/AVP 0
a=ice-ufrag:edge
a=ice-pwd:edgepasswordedgepassword
a=candidate:1 1 UDP 2130706431 $EDGE4 {port} typ host
a=candidate:1 2 UDP 2130706430 $EDGE4 {rtcp} typ host
T
}

# mkmsg FILE: write the SIP message on stdin (headers, empty line, body)
# to FILE with CRLF line ends and the right Content-Length.
mkmsg() {
	"$SIPUA" fill >"$1"
}

# to_edge FILE / to_peer FILE: one SIP datagram between the peer's and
# the edge's port 5060 (one conntrack, both directions).
to_edge() {
	run udp_send "$PEER" 5060 "$EDGE4" 5060 "$1"
}
to_peer() {
	run udp_send "$EDGE" 5060 "$PEER4" 5060 "$1"
}

# pin_count [FILTER]: pinholes edgepin lists (jq FILTER over each).
pin_count() {
	ip netns exec "$FW" edgepin -j pinhole list |
		jq "[.[] | select(${1:-true})] | length"
}

# pins_become N [JQ-FILTER]: wait (20 s) until N pinholes match. A flow
# makes its pinhole active only once it is confirmed (calls_gc() looks
# every second), so "active" is waited for, not read at once.
pins_match() { [ "$(pin_count "$2")" = "$1" ]; }
pins_become() { poll 20 pins_match "$@"; }

# stat NAME: one counter of the firewall's netns.
stat() {
	ip netns exec "$FW" edgepin -j stats | jq ".$1"
}

# udp_call DIR CALL-ID PORT: DIR/invite (from the peer, audio on 40000)
# and DIR/200 (the edge answering on PORT, RTCP on PORT+1) of one call.
udp_call() {
	mkmsg "$1/invite" <<T
INVITE sip:b@$EDGE4 SIP/2.0
Via: SIP/2.0/UDP $PEER4:5060;branch=z9hG4bK-uc1
From: <sip:a@example.org>;tag=a1
To: <sip:b@example.com>
Call-ID: $2
CSeq: 1 INVITE
Content-Type: application/sdp

v=0
o=- 1 1 IN IP4 $PEER4
s=-
c=IN IP4 $PEER4
t=0 0
m=audio 40000 RTP/AVP 0
T
	mkmsg "$1/200" <<T
SIP/2.0 200 OK
Via: SIP/2.0/UDP $PEER4:5060;branch=z9hG4bK-uc1
From: <sip:a@example.org>;tag=a1
To: <sip:b@example.com>;tag=b1
Call-ID: $2
CSeq: 1 INVITE
Content-Type: application/sdp

v=0
o=- 2 2 IN IP4 $EDGE4
s=-
c=IN IP4 $EDGE4
t=0 0
m=audio $3 RTP/AVP 0
a=rtcp:$(($3 + 1))
T
}

# --- issue 11, call table and dialogs (53-call-flood, 54-dialog-hostile) ---
# dlg_msg FILE FIRST-LINE CALL-ID CSEQ FROM-TAG [TO-TAG [SDP-ADDR SDP-PORT]]:
# a SIP message of the dialog (FROM-TAG, TO-TAG), with an SDP offering
# audio on SDP-ADDR:SDP-PORT (rtcp-mux) when given.
dlg_msg() {
	{
		echo "$2"
		echo "Via: SIP/2.0/UDP sip.invalid;branch=z9hG4bK-$3-${4// /}"
		echo "From: <sip:a@example.org>;tag=$5"
		echo "To: <sip:b@example.com>${6:+;tag=$6}"
		echo "Call-ID: $3"
		echo "CSeq: $4"
		[ -n "${7:-}" ] && echo "Content-Type: application/sdp"
		echo
		[ -n "${7:-}" ] &&
			printf '%s\n' v=0 "o=- 1 1 IN IP4 $7" s=- "c=IN IP4 $7" \
				"t=0 0" "m=audio $8 RTP/AVP 0" a=rtcp-mux
	} | mkmsg "$1"
}

# call_state CALL-ID: the call's state as edgepin lists it (empty if none).
call_state() {
	ip netns exec "$FW" edgepin -j call list |
		jq -r ".[] | select(.call_id==\"$1\") | .state"
}

# --- negotiation bounds (issue 11: bounded work and memory per message) ---

# worst_msg KIND CALL-ID ADDR SALT: a worst-case SIP message (KIND invite
# or 200) of call CALL-ID: a multipart/alternative body of 4 SDP parts,
# each with 128 UDP host candidates on ADDR (ports 50000-50511 in the
# INVITE, 51000-51511 in the 200), as the review's F4 scenario; SALT makes
# each body differ.
worst_msg() {
	local kind=$1 id=$2 addr=$3 salt=$4 ip=IP4 base=50000 p k
	[ "$kind" = invite ] || base=51000
	case $addr in *:*) ip=IP6 ;; esac
	if [ "$kind" = invite ]; then
		printf 'INVITE sip:b@%s SIP/2.0\n' "$EDGE4"
		printf 'To: <sip:b@example.com>\n'
	else
		printf 'SIP/2.0 200 OK\n'
		printf 'To: <sip:b@example.com>;tag=w%s\n' "$salt"
	fi
	printf 'Via: SIP/2.0/UDP %s:5060;branch=z9hG4bK-w%s\n' "$addr" "$salt"
	printf 'From: <sip:a@example.org>;tag=wa-%s\n' "$id"
	printf 'Call-ID: %s\nCSeq: 1 INVITE\n' "$id"
	printf 'Content-Type: multipart/alternative;boundary="wb"\n\n'
	for p in 0 1 2 3; do
		printf -- '--wb\nContent-Type: application/sdp\n\n'
		printf 'v=0\no=- %s %s IN %s %s\ns=-\nc=IN %s %s\nt=0 0\n' \
			"$salt" "$p" "$ip" "$addr" "$ip" "$addr"
		printf 'm=audio %d RTP/AVP 0\n' $((base + p * 128))
		for k in $(seq 0 127); do
			printf 'a=candidate:%d 1 UDP 2130706431 %s %d typ host\n' \
				"$k" "$addr" $((base + p * 128 + k))
		done
	done
	printf -- '--wb--\n'
}

# big_send NS SRCPORT DST PORT FILE: FILE as one datagram, however large
# (udp_send's socat would cut it into 8 KB datagrams). Prints how long
# sendto() took in ms: on veth the forwarding path, the firewall's helper
# included, runs in the sender's softirq inside that call (unless the
# softirq is deferred to ksoftirqd).
big_send() {
	ip netns exec "$1" python3 - "$2" "$3" "$4" "$5" <<'PY'
import socket, sys, time
sport, dst, dport, path = int(sys.argv[1]), sys.argv[2], int(sys.argv[3]), sys.argv[4]
fam = socket.AF_INET6 if ":" in dst else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", sport))
data = open(path, "rb").read()
t = time.perf_counter()
s.sendto(data, (dst, dport))
print(int((time.perf_counter() - t) * 1000))
PY
}

# --- the SIP feed: a TLS-terminating proxy on the Edge side (61-63) ---
KAMDIR="$PWD/kamailio"
TLSUA="$PWD/tlsua.py"

# tls_cert DIR: a self-signed key and certificate for the edge's address
# (DIR/edge.key, DIR/edge.crt; the certificate is its own CA for tlsua.py
# --ca).
tls_cert() {
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		-nodes -days 2 -subj "/CN=edge.example.com" \
		-addext "subjectAltName=IP:$EDGE4" \
		-keyout "$1/edge.key" -out "$1/edge.crt" 2>"$1/openssl.err" ||
		fail "openssl: $(cat "$1/openssl.err")"
}

# kamailio_start DIR HEP_URI [KEY]: Kamailio in the edge namespace, in the
# foreground with its own run directory DIR/run (killed at exit; pid in
# KAM_PID, log in DIR/kamailio.log): TLS on EDGE4:5061, each call relayed
# to the UAS on EDGE4:5090 (UDP), its messages traced in HEPv3 to HEP_URI
# (a SIP URI: sip:ADDR:PORT[;transport=tcp]) with auth key KEY.
kamailio_start() {
	local dir=$1 f
	need kamailio openssl
	mkdir -p "$dir/run"
	tls_cert "$dir"
	for f in kamailio.cfg tls.cfg; do
		sed -e "s|@EDGE@|$EDGE4|g" -e "s|@DIR@|$dir|g" \
			-e "s|@HEP_URI@|$2|g" -e "s|@HEP_KEY@|${3:-}|g" \
			-e "s|@UAS_PORT@|5090|g" "$KAMDIR/$f" >"$dir/$f"
	done
	ip netns exec "$EDGE" kamailio -DD -E -f "$dir/kamailio.cfg" \
		-Y "$dir/run" -w "$dir/run" -m 32 -M 4 \
		>"$dir/kamailio.log" 2>&1 &
	KAM_PID=$!
	at_exit kill $KAM_PID
	poll 60 ip netns exec "$EDGE" sh -c \
		"ss -Hltn | grep -qF '$EDGE4:5061 '" ||
		fail "kamailio did not start: $(tail -n 20 "$dir/kamailio.log")"
}

# edge_uas DIR: the Edge's UAS behind Kamailio (UDP, EDGE4:5090),
# answering each INVITE with DIR/answer (tls_answer: media ports 50010 +
# 2n on the edge's address); its log in DIR/uas.log.
edge_uas() {
	tls_answer "$1"
	ip netns exec "$EDGE" "$SIPUA" uas --bind "$EDGE4" --port 5090 \
		--proto udp --answer "$1/answer" --base-port 50010 \
		>"$1/uas.log" 2>&1 &
	UAS_PID=$!
	at_exit kill $UAS_PID
	poll 30 ip netns exec "$EDGE" sh -c \
		"ss -Hlun | grep -qF '$EDGE4:5090 '" ||
		fail "edge_uas: no UAS on $EDGE4:5090: $(cat "$1/uas.log")"
}

# tls_answer DIR: DIR/answer, the UAS's answer template for edge_uas:
# call_templates' answer (audio on the edge's address, RTCP on the next
# port, both as ICE host candidates), its Contact the UAS behind Kamailio.
tls_answer() {
	call_templates "$1"
	sed -i "s|^Contact: .*|Contact: <sip:edge@$EDGE4:5090>|" "$1/answer"
}

FW_EDGE4=203.0.113.1
HEP="$PWD/hep.py"

# feed_setup: the topology, the module, a $tmp of the test's, and the
# firewall's `edgepin ruleset install` with the helper on SIP and on SIP
# over TLS (--sip-port 5060 5061).
feed_setup() {
	topo_up
	run modprobe nf_conntrack_edgepin || fail "modprobe"
	tmp=$(mktemp -d)
	at_exit rm -rf "$tmp"
	in_ns "$FW" edgepin ruleset install --edge "$EDGE4" \
		--sip-port 5060 5061 || fail "ruleset install"
}

# feed_start DIR [ARGS...]: edgepin feed in the firewall, HEP on its
# edge-side address (UDP and TCP 9060) from the edge's address only, with
# the key it writes to DIR/feed.key (0600), its local socket in DIR, its
# output in DIR/feed.log; ARGS replace --source. Pid in FEED_PID; killed
# at exit.
feed_start() {
	local dir=$1
	shift
	[ $# -gt 0 ] || set -- --source "$EDGE4"
	[ -s "$dir/feed.key" ] ||
		(umask 077 && od -An -tx1 -N16 /dev/urandom | tr -d ' \n' \
			>"$dir/feed.key")
	ip netns exec "$FW" edgepin feed --listen "$FW_EDGE4" "$@" \
		--key-file "$dir/feed.key" --socket "$dir/feed.sock" \
		>"$dir/feed.log" 2>&1 &
	FEED_PID=$!
	at_exit kill $FEED_PID
	poll 30 ip netns exec "$FW" sh -c \
		"ss -Hltn | grep -qF '$FW_EDGE4:9060 ' &&
		 ss -Hlun | grep -qF '$FW_EDGE4:9060 '" ||
		fail "edgepin feed does not listen: $(cat "$dir/feed.log")"
}

# tls_master DIR SPORT: a TCP connection from the peer's port SPORT to the
# edge's 5061 that begins like TLS (a ClientHello-shaped record, answered
# by a ServerHello-shaped one: the edge's side has then passed the
# reverse-path check, as a real handshake would) and stays open (the
# master of fed calls, as a real TLS connection would be); waits until
# the helper counted it a TLS stream. Pid in MASTER_PID.
tls_master() {
	local n0
	n0=$(stat tls_streams)
	ip netns exec "$EDGE" python3 -c '
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 5061))
s.listen(8)
held = []
while True:
    c, _ = s.accept()
    c.recv(4096)
    c.sendall(bytes.fromhex("160303002a02") + bytes(41))
    held.append(c)' &
	at_exit kill $!
	poll 10 ip netns exec "$EDGE" sh -c "ss -Hltn | grep -q ':5061 '" ||
		fail "tls_master: nothing listens on 5061 in the edge"
	ip netns exec "$PEER" python3 -c '
import socket, sys, time
s = socket.create_connection((sys.argv[1], 5061),
                             source_address=("0.0.0.0", int(sys.argv[2])))
s.sendall(bytes.fromhex("160301002a01") + bytes(41))
s.recv(4096)
print("up", flush=True)
time.sleep(3600)' "$EDGE4" "$2" >"$1/master.log" 2>&1 &
	MASTER_PID=$!
	at_exit kill $MASTER_PID
	poll 20 grep -q up "$1/master.log" ||
		fail "tls_master: no answer from the edge: $(cat "$1/master.log")"
	poll 20 sh -c "[ \$(ip netns exec $FW edgepin -j stats |
		jq .tls_streams) -gt $n0 ]" ||
		fail "tls_master: no TLS stream counted ($(stat tls_streams))"
	ip netns exec "$FW" conntrack -L -p tcp --sport "$2" 2>/dev/null |
		grep -q 'helper=edgepin' ||
		fail "tls_master: the connection does not carry the helper"
}

# --- TURN: helper edgepin-turn, pinholes learned from relay permissions
# (70-72) ---
#
#   inside client 10.10.0.2 --i0 10.10.0.1-- fw --e0-- edge (TURN server,
#   relays on 203.0.113.2); the peer has a second address, 198.51.100.3.
#
# The kernel side's names, kept here only, so that a rename is one edit.
TURN_HELPER=edgepin-turn        # ct helper type
TURN_ORIGIN=turn                # pinhole list: .origin
TS_MESSAGES=turn_messages       # edgepin -j stats
TS_ALLOCS=turn_allocations
TS_PERMS=pinholes_opened        # TURN pinholes count with the SIP ones
TS_UNMATCHED=turn_unmatched     # a success response no request is pending for
TS_SPOOFED=refused_spoofed

INS="$ns_prefix-ins"
INS4=10.10.0.2
PEER4B=198.51.100.3
TURN_USER=alice TURN_PASS=turnsecret TURN_REALM=example.org
TURNPY="$PWD/turn.py"
# coturn allocates relays here; the tests' own listeners and forged
# relays use 55000-59999 (the guard closes all of 50000-59999)
TURN_MIN_PORT=50000 TURN_MAX_PORT=54999

# turn_topo: topo_up, the inside client's namespace behind the firewall
# and the peer's second address.
turn_topo() {
	topo_up
	ip netns add "$INS" || fail "ip netns add $INS"
	at_exit ip netns del "$INS"
	ip -n "$INS" link set lo up
	link "$FW" i0 "$INS" eth0
	ip -n "$FW" addr add 10.10.0.1/24 dev i0
	ip -n "$INS" addr add "$INS4/24" dev eth0
	ip -n "$INS" route add default via 10.10.0.1
	ip -n "$PEER" addr add "$PEER4B/24" dev eth0
	poll 5 in_ns "$INS" ping -c1 -W1 "$EDGE4" ||
		fail "no IPv4 route inside -> edge"
}

# coturn_start DIR [ARGS...]: coturn's turnserver on the edge's address
# (UDP and TCP 3478, relays on the edge's address in TURN_MIN_PORT..
# TURN_MAX_PORT, long-term credentials), in the foreground, its log in
# DIR/coturn.log and its database in DIR (the VM's root is read-only);
# killed at exit, pid in COTURN_PID. Waits until both listeners are up.
# coturn refuses loopback peers by default (--allow-loopback-peers), not
# the documentation prefixes of this topology.
coturn_start() {
	local dir=$1
	shift
	need turnserver
	ip netns exec "$EDGE" turnserver -n --no-cli --no-tls --no-dtls \
		--listening-ip "$EDGE4" --relay-ip "$EDGE4" \
		--listening-port 3478 \
		--min-port "$TURN_MIN_PORT" --max-port "$TURN_MAX_PORT" \
		--lt-cred-mech --user "$TURN_USER:$TURN_PASS" \
		--realm "$TURN_REALM" --fingerprint \
		--log-file stdout --simple-log \
		--pidfile "$dir/turnserver.pid" --db "$dir/turndb" "$@" \
		>"$dir/coturn.log" 2>&1 &
	COTURN_PID=$!
	at_exit kill $COTURN_PID
	poll 60 ip netns exec "$EDGE" sh -c \
		"ss -Hlun | grep -qF '$EDGE4:3478 ' &&
		 ss -Hltn | grep -qF '$EDGE4:3478 '" ||
		fail "coturn did not start: $(tail -n 20 "$dir/coturn.log")"
}

# turn_ruleset [nohelper]: the firewall's table edgepin_turn: the helper
# on 3478 (UDP, TCP), and into the edge's 50000-59999 only what entered
# through a pinhole, with named counters telling the peer's (either
# address) and the attacker's packets apart: exp_peer/exp_atk (entered
# through a pinhole), drop_peer/drop_atk (stopped by the guard). With
# "nohelper", the same guard without the helper. Fails when the helper
# cannot be attached (no edgepin-turn in the kernel).
turn_ruleset() {
	local helper="" attach=""
	if [ "${1:-}" != nohelper ]; then
		helper="ct helper turn-udp { type \"$TURN_HELPER\" protocol udp; l3proto inet; }
	ct helper turn-tcp { type \"$TURN_HELPER\" protocol tcp; l3proto inet; }"
		attach="udp dport 3478 ct helper set \"turn-udp\"
		tcp dport 3478 ct helper set \"turn-tcp\""
	fi
	ip netns exec "$FW" nft delete table inet edgepin_turn 2>/dev/null
	ip netns exec "$FW" nft -f - <<NFT
table inet edgepin_turn {
	$helper
	counter exp_peer { }
	counter exp_atk { }
	counter drop_peer { }
	counter drop_atk { }
	chain forward {
		type filter hook forward priority filter; policy accept;
		$attach
		ct status expected ip saddr { $PEER4, $PEER4B } counter name "exp_peer" accept
		ct status expected ip saddr $ATK4 counter name "exp_atk" accept
		ct state established,related accept
		ct status expected accept
		ip daddr $EDGE4 meta l4proto { udp, tcp } th dport 50000-59999 ip saddr { $PEER4, $PEER4B } counter name "drop_peer" drop
		ip daddr $EDGE4 meta l4proto { udp, tcp } th dport 50000-59999 ip saddr $ATK4 counter name "drop_atk" drop
		ip daddr $EDGE4 meta l4proto { udp, tcp } th dport 50000-59999 drop
		ip6 daddr $EDGE6 meta l4proto { udp, tcp } th dport 50000-59999 drop
	}
}
NFT
}

# turn_setup: how the TURN selftests begin: turn_topo, the module, $tmp,
# the edge addresses in the policy; check_fail then records a failure
# (in $failed) and the test goes on, so that a kernel without a defence
# shows each one it lacks.
turn_setup() {
	turn_topo
	run modprobe nf_conntrack_edgepin || fail "modprobe"
	tmp=$(mktemp -d)
	at_exit rm -rf "$tmp"
	failed=0
	in_ns "$FW" edgepin policy set edge "$EDGE4" "$EDGE6" ||
		fail "policy set edge"
}
check_fail() {
	echo "# FAIL: $*"
	failed=1
}
counter_above() { # NAME N: counter NAME counted more than N packets
	[ "$(nft_count "$1")" -gt "$2" ]
}
# blocked SRC-NS SRC-ADDR SPORT PORT TAG COUNTER: a datagram from SRC to
# the edge's PORT is dropped by the guard (COUNTER counts it).
blocked() {
	local n0
	n0=$(nft_count "$6")
	echo "$5" | ip netns exec "$1" socat -u - \
		"UDP4-SENDTO:$EDGE4:$4,bind=$2:$3,reuseaddr"
	poll 10 counter_above "$6" "$n0"
}

# nft_count NAME: packets counted by counter NAME of table edgepin_turn.
nft_count() {
	ip netns exec "$FW" nft -j list counter inet edgepin_turn "$1" |
		jq '.nftables[] | select(.counter) | .counter.packets'
}

# turn_client NAME ARGS...: turn.py client in the inside namespace (the
# coturn user's credentials, the edge's 3478 unless ARGS say otherwise),
# its commands from the fifo $tmp/NAME.in (held open on a descriptor of
# the test's), its output in $tmp/NAME.log. Sets NAME_fd to the
# descriptor: turn_cmd NAME COMMAND... writes to it.
turn_client() {
	local name=$1 fd
	shift
	mkfifo "$tmp/$name.in"
	ip netns exec "${TURN_NS:-$INS}" "$TURNPY" client \
		--server "${TURN_SERVER:-$EDGE4}" \
		--user "$TURN_USER" --password "$TURN_PASS" "$@" \
		<"$tmp/$name.in" >"$tmp/$name.log" 2>&1 &
	at_exit kill $!
	exec {fd}>"$tmp/$name.in"
	eval "${name}_fd=$fd"
}
turn_cmd() {
	local name=$1 fd
	shift
	fd=$(eval echo "\$${name}_fd")
	echo "# [$name] $*"
	echo "$*" >&"$fd"
}
# turn_wait NAME REGEX [SECONDS]: the client printed a line matching
# REGEX (grep -E); its log is shown when it did not.
turn_wait() {
	poll "${3:-15}" grep -qE "$2" "$tmp/$1.log" && return 0
	sed "s/^/# $1: /" "$tmp/$1.log"
	return 1
}
# turn_relay NAME: the relayed port the client printed (empty if none).
turn_relay() {
	sed -n 's/^relayed [^ ]* //p' "$tmp/$1.log" | tail -n 1
}
# turn_txid NAME METHOD: the txid of the client's last METHOD request.
turn_txid() {
	sed -n "s/^txid $2 //p" "$tmp/$1.log" | tail -n 1
}

# turn_pins [JQ-FILTER]: TURN pinholes edgepin lists (matching FILTER).
turn_pins() {
	pin_count ".origin == \"$TURN_ORIGIN\" and (${1:-true})"
}
