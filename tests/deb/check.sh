#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The packages of `make deb`, as TAP: what they hold and declare, lintian,
# then a real `dpkg -i` of both into a throw-away copy of this very system
# (an overlay over / whose writes go to a tmpfs, in a mount namespace of
# its own, chroot): edgepin-dkms's postinst has DKMS build, sign and
# install the module for the installed Debian kernels (6.1 and 6.12, those
# of scripts/kdir.sh), checked with modinfo and modprobe; edgepin.service
# is not enabled; removal and purge take it all away again. The host
# itself is checked untouched. Last, the modules DKMS built boot in the
# VM with their kernels and pass selftest 33-fail-closed (the deployment:
# edgepin.service's commands). Needs root (unshare -m, mount).
#
#   tests/deb/check.sh            runs `make deb` first
#   tests/deb/check.sh DEB DEB    the two packages of an earlier `make deb`
#
# The modes --ns and --root are its own steps inside the namespace and
# inside the chroot.
# shellcheck disable=SC2317 # the functions that check() runs
set -u
cd "$(dirname "$0")/../.." || exit 1
me=tests/deb/check.sh
n=${TAP_N:-0} failed=0

# check TEXT CMD...: one TAP line, ok when CMD succeeds; its output is
# shown as comments on failure.
check() {
	local text=$1 out rc
	shift
	out=$("$@" 2>&1)
	rc=$?
	n=$((n + 1))
	if [ "$rc" = 0 ]; then
		echo "ok $n $text"
	else
		printf '%s\n' "$out" | sed 's/^/# /'
		echo "not ok $n $text"
		failed=1
	fi
}

# has FILE PATTERN...: every extended regex matches a line of FILE.
has() {
	local f=$1 p
	shift
	for p; do
		grep -Eq -- "$p" "$f" || { echo "no /$p/ in:"; cat "$f"; return 1; }
	done
}

# The module, as DKMS left it for kernel $1: built for it, signed, and
# found by modprobe (depmod ran).
module_ok() {
	local k=$1 ko
	ko=$(find /lib/modules/"$k"/updates/dkms -name 'nf_conntrack_edgepin.ko*' \
		2>/dev/null | head -n 1)
	if [ -n "$ko" ] &&
		[ "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" = "$k" ] &&
		[ "$(modinfo -F version "$ko")" = "$version" ] &&
		[ "$(modinfo -F signer "$ko")" = "DKMS module signing key" ] &&
		modprobe -S "$k" --show-depends nf_conntrack_edgepin |
		grep -qxF "insmod $ko "; then
		return 0
	fi
	echo "module for $k: ${ko:-none in /lib/modules/$k/updates/dkms}"
	[ -n "$ko" ] && modinfo "$ko" | grep -Ev '^(parm|alias|signature|[[:space:]])'
	modprobe -S "$k" --show-depends nf_conntrack_edgepin
	return 1
}

# --root VERSION KERNEL...: inside the chroot, the packages in /tmp/deb.
in_root() {
	local k units ko
	version=$1
	shift
	check "dpkg -i edgepin and edgepin-dkms (postinst: DKMS)" \
		dpkg -i /tmp/deb/edgepin_"$version"_*.deb \
		/tmp/deb/edgepin-dkms_"$version"_all.deb
	for k; do
		# The postinst builds for the running kernel and the newest;
		# when this machine runs none of them, for every kernel.
		if ! dkms status -m edgepin -v "$version" -k "$k" 2>/dev/null | grep -q ': installed'; then
			echo "# not built by the postinst: dkms install -k $k"
			dkms install "edgepin/$version" -k "$k" >/dev/null 2>&1
		fi
		check "DKMS built, signed and installed the module for $k" \
			module_ok "$k"
		# out to the host (/tmp/ko is build/deb/ko), for the VM;
		# depmod names a module by its file
		ko=$(find /lib/modules/"$k"/updates/dkms \
			-name 'nf_conntrack_edgepin.ko*' | head -n 1)
		mkdir -p /tmp/ko/"$k"
		case $ko in
		*.xz) xz -dc "$ko" >/tmp/ko/"$k"/nf_conntrack_edgepin.ko ;;
		*.ko) cp "$ko" /tmp/ko/"$k"/nf_conntrack_edgepin.ko ;;
		esac
	done
	check "edgepin -V is $version" \
		sh -c "edgepin -V | grep -qx 'edgepin $version'"
	dpkg-query -W -f '${Conffiles}\n' edgepin >/tmp/conffiles
	check "dpkg registered the conffiles /etc/edgepin/policy, /etc/modprobe.d/edgepin.conf, /etc/default/edgepin-feed" \
		has /tmp/conffiles \
		'^ /etc/edgepin/policy ' '^ /etc/modprobe.d/edgepin.conf ' \
		'^ /etc/default/edgepin-feed '
	units=$(find /etc/systemd/system -name 'edgepin*')
	check "edgepin.service and edgepin-feed.service installed, not enabled" \
		test -f /lib/systemd/system/edgepin.service \
		-a -f /lib/systemd/system/edgepin-feed.service -a -z "$units"
	check "systemd-analyze verify edgepin.service (its commands, man page)" \
		systemd-analyze verify /lib/systemd/system/edgepin.service
	check "systemd-analyze verify edgepin-feed.service" \
		systemd-analyze verify /lib/systemd/system/edgepin-feed.service
	check "the postinst made /etc/edgepin/feed.key: root's, mode 0600, 32 hex digits" \
		sh -c '[ "$(stat -c %a:%U /etc/edgepin/feed.key)" = 600:root ] &&
			grep -qxE "[0-9a-f]{32}" /etc/edgepin/feed.key'
	check "dpkg -r edgepin-dkms removes the module from every kernel" \
		sh -c "dpkg -r edgepin-dkms >/dev/null 2>&1 &&
			! ls /lib/modules/*/updates/dkms/nf_conntrack_edgepin.ko* &&
			! ls /usr/src/edgepin-$version /var/lib/dkms/edgepin"
	check "dpkg --purge edgepin removes the conffiles and the key" \
		sh -c 'dpkg --purge edgepin >/dev/null 2>&1 &&
			! ls /etc/edgepin /etc/modprobe.d/edgepin.conf \
				/etc/default/edgepin-feed'
}

# --ns VERSION DEB DEB KERNEL...: in the new mount namespace, the overlay
# root; its upper layer and every mount end with the namespace.
in_ns() {
	local version=$1 deb1=$2 deb2=$3 t r
	shift 3
	# In build/, not the host's /tmp: a run killed midway leaves no
	# directory behind elsewhere.
	t=build/deb/root
	r=$PWD/$t/root
	mkdir -p "$t" || return 1
	mount -t tmpfs edgepin-deb "$t" &&
		mkdir "$t/upper" "$t/work" "$r" &&
		mount -t overlay overlay \
			-o "lowerdir=/,upperdir=$t/upper,workdir=$t/work" "$r" &&
		mount -t proc proc "$r/proc" &&
		mount --rbind /dev "$r/dev" &&
		mount --rbind /sys "$r/sys" &&
		mount -t tmpfs tmpfs "$r/run" &&
		mount -t tmpfs tmpfs "$r/tmp" &&
		mkdir "$r/tmp/deb" "$r/tmp/ko" &&
		cp "$deb1" "$deb2" "$r/tmp/deb/" &&
		cp "$me" "$r/tmp/deb/check.sh" &&
		mount --bind build/deb/ko "$r/tmp/ko"
	check "throw-away root: overlay over / on a tmpfs" test $? = 0
	if [ "$failed" = 0 ]; then
		# a copy: the checkout may be under /tmp, which the
		# chroot has a tmpfs of its own over
		TAP_N=$n chroot "$r" /tmp/deb/check.sh --root "$version" "$@"
	else
		false
	fi
	rc=$?
	if [ "$rc" -gt 1 ]; then
		# it did not run its checks (1: one of them failed)
		echo "not ok $((n + 1)) the checks inside the throw-away root ran (exit $rc)"
	fi
	umount -R "$r" 2>/dev/null
	umount "$t" 2>/dev/null
	return "$rc"
}

case ${1:-} in
--root)
	shift
	export PATH=/usr/sbin:/usr/bin:/sbin:/bin
	in_root "$@"
	exit "$failed"
	;;
--ns)
	shift
	in_ns "$@"
	exit
	;;
esac

echo "TAP version 13"
if [ $# = 2 ]; then
	debs="$1 $2"
else
	debs=$(make -s deb)
	rc=$?
	debs=$(echo "$debs" | tr '\n' ' ')
	check "make deb: $debs" test "$rc" = 0
fi
version=$(sed -n 's/^#define EDGEPIN_VERSION "\(.*\)"$/\1/p' kmod/version.h)
deb=$(echo "$debs" | tr ' ' '\n' | grep "/edgepin_${version}_.*\.deb\$")
dkms_deb=$(echo "$debs" | tr ' ' '\n' | grep "/edgepin-dkms_${version}_all\.deb\$")
if [ ! -f "$deb" ] || [ ! -f "$dkms_deb" ]; then
	check "edgepin and edgepin-dkms $version among: $debs" false
	exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# What each package holds and declares.
dpkg-deb -c "$deb" | awk '{ print $NF }' >"$tmp/files"
dpkg-deb -I "$deb" control conffiles >"$tmp/control"
check "edgepin holds the tool, man page, completion, unit, /etc files" \
	has "$tmp/files" '^\./usr/sbin/edgepin$' \
	'^\./usr/share/man/man8/edgepin\.8\.gz$' \
	'^\./usr/share/bash-completion/completions/edgepin$' \
	'^\./lib/systemd/system/edgepin\.service$' \
	'^\./lib/systemd/system/edgepin-feed\.service$' \
	'^\./etc/edgepin/policy$' '^\./etc/modprobe\.d/edgepin\.conf$' \
	'^\./etc/default/edgepin-feed$'
check "edgepin: Depends kmod, procps, libmnl0, libnftnl11; Recommends edgepin-dkms, nftables, conntrack; conffiles" \
	has "$tmp/control" '^Depends: .*kmod' '^Depends: .*procps' \
	'^Depends: .*libmnl0' '^Depends: .*libnftnl11' \
	'^Recommends: .*edgepin-dkms' '^Recommends: .*nftables' \
	'^Recommends: .*conntrack' '^/etc/edgepin/policy$' \
	'^/etc/modprobe\.d/edgepin\.conf$' '^/etc/default/edgepin-feed$'
# Whether they enable it is seen in the throw-away root below.
dpkg-deb -e "$deb" "$tmp/DEBIAN"
check "edgepin's maintainer scripts never start, restart or stop edgepin.service or edgepin-feed.service" \
	sh -c "! cat '$tmp'/DEBIAN/*inst '$tmp'/DEBIAN/*rm |
		grep -E 'deb-systemd-invoke|systemctl (start|stop|restart)'"
src=./usr/src/edgepin-$version
dpkg-deb -c "$dkms_deb" | awk '{ print $NF }' >"$tmp/dfiles"
dpkg-deb -I "$dkms_deb" control >"$tmp/dcontrol"
dpkg-deb --fsys-tarfile "$dkms_deb" | tar -xO "$src/dkms.conf" >"$tmp/dkms.conf"
check "edgepin-dkms holds dkms.conf, Kbuild, kmod/ sources and uapi/" \
	has "$tmp/dfiles" "^$src/dkms\.conf\$" "^$src/Kbuild\$" \
	"^$src/kmod/Kbuild\$" "^$src/kmod/compat\.h\$" \
	"^$src/kmod/version\.h\$" "^$src/kmod/uapi/edgepin\.h\$"
check "edgepin-dkms: all, Depends dkms (>= 3.0...), Recommends dwarves" \
	has "$tmp/dcontrol" '^ ?Architecture: all$' \
	'^ ?Depends: .*dkms \(>= 3\.' '^ ?Recommends: .*dwarves'
check "dkms.conf: version $version, kmod/ to /updates/dkms, autoinstall" \
	has "$tmp/dkms.conf" "^PACKAGE_VERSION=\"$version\"\$" \
	'^BUILT_MODULE_LOCATION\[0\]="kmod/"$' \
	'^DEST_MODULE_LOCATION\[0\]="/updates/dkms"$' '^AUTOINSTALL="yes"$' \
	'^BUILD_EXCLUSIVE_CONFIG=".*CONFIG_NF_CONNTRACK'
# Tags left are overridden in scripts/deb/debian/*.lintian-overrides,
# each with its reason.
check "lintian: no tag but the overridden ones" \
	lintian --fail-on error,warning,info,pedantic --pedantic -I "$deb" "$dkms_deb"

# The throw-away root, with the kernels whose headers deps.sh installs.
kernels=
for s in 6.1 6.12; do
	if h=$(scripts/kdir.sh "$s"); then
		kernels="$kernels ${h##*/linux-headers-}"
	else
		check "headers of Debian's $s installed (run scripts/deps.sh)" false
	fi
done
snapshot() {
	ls -d /usr/src/edgepin-* /var/lib/dkms/edgepin /etc/edgepin \
		/etc/modprobe.d/edgepin.conf /lib/systemd/system/edgepin.service \
		/etc/default/edgepin-feed /lib/systemd/system/edgepin-feed.service \
		/lib/modules/*/updates/dkms/nf_conntrack_edgepin* 2>/dev/null
	dpkg-query -W edgepin edgepin-dkms 2>/dev/null
	stat -c '%n %Y' /lib/modules/*/modules.dep
}
snapshot >"$tmp/before"
rm -rf build/deb/ko
mkdir -p build/deb/ko
if [ "$(id -u)" != 0 ]; then
	check "a throw-away root needs root (unshare -m)" false
else
	start=$(date +%s)
	# shellcheck disable=SC2086
	TAP_N=$n unshare -m --propagation private "$me" --ns "$version" "$deb" "$dkms_deb" \
		$kernels | tee "$tmp/ns"
	[ "${PIPESTATUS[0]}" = 0 ] || failed=1
	n=$((n + $(grep -Ec '^(not )?ok [0-9]+' "$tmp/ns")))
	echo "# throw-away root: $(($(date +%s) - start))s"
fi
snapshot >"$tmp/after"
check "the host is untouched (no edgepin package, module, DKMS tree, unit or /etc file more; modules.dep as it was)" \
	diff "$tmp/before" "$tmp/after"

# The module DKMS built, booted with the kernel it was built for: the
# deployment selftest (edgepin.service's commands against Debian's
# nftables.conf, the module missing, then loaded, nftables reloaded).
# The tool is the tree's (ctl/), built from the same sources.
for k in $kernels; do
	if [ ! -f "build/deb/ko/$k/nf_conntrack_edgepin.ko" ]; then
		check "the module DKMS built for $k, in the VM" false
		continue
	fi
	check "the module DKMS built for $k, in the VM: selftest 33-fail-closed" \
		scripts/vm-run --module "build/deb/ko/$k/nf_conntrack_edgepin.ko" \
		--timeout "${DEB_VM_TIMEOUT:-900}" -- \
		tests/selftests/run.sh 33-fail-closed
done
echo "1..$n"
exit "$failed"
