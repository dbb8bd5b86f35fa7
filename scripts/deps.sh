#!/bin/sh
# Install from Debian everything edgepin's build, tests and demo need.
# Idempotent: does nothing (and needs no network) when all is present.
# Two kernels are tested: Debian 12's default 6.1 (linux-image-amd64) and
# its linux-6.12 from bookworm-security (linux-image-6.12-amd64; dwarves'
# pahole writes the BTF that its headers ask for). The last line of
# packages builds the debug kernel of `make check-debug`
# (tests/debug/build-kernel.sh) from linux-source-6.1. The line before
# it builds and checks the packages of `make deb` (dpkg-buildpackage, which
# wants build-essential, dh-dkms, lintian; dkms and openssl, which makes
# its signing key; systemd-analyze and man check the unit). Kamailio
# (siptrace is in kamailio, tls.so in kamailio-tls-modules) is the
# TLS-terminating proxy that feeds edgepin in selftests 61-63; its own
# service is not wanted on the host and is disabled when it comes in.
# coturn (turnserver, turnutils_uclient, turnutils_peer) is the TURN server
# and client of selftests 70-71 (helper edgepin-turn); its service is
# likewise disabled and stopped.
set -eu

pkgs="make gcc libc6-dev pkg-config libmnl-dev libnftnl-dev libnftables-dev libjansson-dev
linux-image-amd64 linux-headers-amd64 linux-source-6.1 kmod
linux-image-6.12-amd64 linux-headers-6.12-amd64 dwarves
qemu-system-x86 busybox-static cpio gzip xz-utils perl
nftables python3-nftables iptables conntrack conntrackd iproute2 iputils-ping sip-tester socat jq procps python3
kamailio kamailio-tls-modules coturn
clang libclang-rt-14-dev llvm valgrind libosip2-dev libre-dev strace
build-essential dpkg-dev debhelper dh-dkms dkms lintian openssl man-db systemd
bc bison flex libelf-dev libssl-dev"

# kselftest headers and checkpatch come from Debian's kernel source
# package; only the few files used are unpacked, next to where Debian
# would unpack the whole tree.
ksrc=/usr/src/linux-source-6.1
kfiles="tools/testing/selftests/kselftest.h
tools/testing/selftests/kselftest_harness.h
scripts/checkpatch.pl scripts/spelling.txt scripts/const_structs.checkpatch"

ksrc_extract() {
	need=
	for f in $kfiles; do
		[ -f "$ksrc/$f" ] || need="$need linux-source-6.1/$f"
	done
	[ -z "$need" ] && return 0
	echo "deps.sh: unpacking kselftest headers and checkpatch into $ksrc"
	# shellcheck disable=SC2086
	tar -C /usr/src -xJf /usr/src/linux-source-6.1.tar.xz $need
}

missing=
for p in $pkgs; do
	s=$(dpkg-query -W -f '${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$s" = installed ] || missing="$missing $p"
done
if [ -z "$missing" ]; then
	[ "$(id -u)" = 0 ] && ksrc_extract
	exit 0
fi

if [ "$(id -u)" != 0 ]; then
	echo "deps.sh: missing packages:$missing (run as root)" >&2
	exit 1
fi
echo "deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
case " $missing " in
*" kamailio "*)
	# the package enables and starts kamailio.service with its sample
	# configuration (a SIP server on every address): the tests run their
	# own, in the VM's namespaces
	if [ -d /run/systemd/system ]; then
		systemctl disable --now kamailio.service >/dev/null 2>&1 || true
	fi
	;;
esac
case " $missing " in
*" coturn "*)
	# the package enables coturn.service, a TURN server on every
	# address: the tests run their own turnserver in the VM's edge
	# namespace. Without a running systemd (a container) the unit is
	# still disabled, offline, so that no later boot starts it.
	if [ -d /run/systemd/system ]; then
		systemctl disable --now coturn.service >/dev/null 2>&1 || true
	elif command -v systemctl >/dev/null 2>&1; then
		systemctl disable coturn.service >/dev/null 2>&1 || true
	fi
	;;
esac
ksrc_extract
