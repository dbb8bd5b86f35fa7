#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build (once) the debug kernel of `make check-debug`: Debian's
# linux-source-6.1, `make allnoconfig` with tests/debug/kernel.config
# forced (KASAN, UBSAN, lockdep, kmemleak, ...; netfilter, veth, 9p built
# in). It is cached outside the clone, keyed by a hash of its inputs (the
# fragment, the source package's version, the compiler), so a second run
# or another clone reuses it:
#
#   $EDGEPIN_CACHE (default /var/cache/edgepin)/debug-kernel-HASH/
#     bzImage, kernel.release, modroot/lib/modules/RELEASE/, build/ (KDIR)
#
# Prints that directory on stdout; progress and the build log's tail on
# failure go to stderr. The build is niced and runs -j2 (shared machine).
set -eu -o pipefail

here=$(cd "$(dirname "$0")" && pwd)
frag=$here/kernel.config
tarball=/usr/src/linux-source-6.1.tar.xz
cache=${EDGEPIN_CACHE:-/var/cache/edgepin}
jobs=${DEBUG_KERNEL_JOBS:-2}

say() { echo "build-kernel: $*" >&2; }
[ -r "$tarball" ] || { say "no $tarball (run scripts/deps.sh)"; exit 1; }

srcver=$(dpkg-query -W -f '${Version}' linux-source-6.1)
# Comments do not count: rewording one does not cost a rebuild.
key=$({
	grep -v -e '^#' -e '^$' "$frag"
	echo "linux-source-6.1 $srcver"
	gcc --version | head -n 1
} | sha256sum | cut -c1-16)
out=$cache/debug-kernel-$key
if [ -f "$out/.done" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$cache"
# One kernel build at a time on the machine; a second caller of the same
# key waits and reuses the first one's.
exec 9>"$cache/debug-kernel.lock"
flock 9
if [ -f "$out/.done" ]; then
	echo "$out"
	exit 0
fi

start=$(date +%s)
rm -rf "$out"
mkdir -p "$out/build"
log=$out/build.log
say "building $out (about 10 minutes on 2 cores; log: $log)"
tar -C "$out/build" --strip-components=1 -xJf "$tarball"
cp "$frag" "$out/kernel.config"

kmake() {
	nice -n 10 make -C "$out/build" -j"$jobs" "$@" >>"$log" 2>&1 || {
		say "make $* failed; last lines of $log:"
		tail -n 30 "$log" >&2
		exit 1
	}
}
kmake allnoconfig KCONFIG_ALLCONFIG="$out/kernel.config"

# A value the fragment asks for but Kconfig did not give (a missing
# dependency, a renamed symbol) would silently weaken the tier: refuse.
bad=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) ;;
	*) continue ;;
	esac
	sym=${line%%=*} want=${line#*=}
	got=$(grep -E "^$sym=|^# $sym is not set" "$out/build/.config" || true)
	case $want in
	n) case $got in "" | "# $sym is not set") continue ;; esac ;;
	*) [ "$got" = "$sym=$want" ] && continue ;;
	esac
	# A symbol this kernel does not have at all (DEVPTS_FS is always
	# on since 4.x) is only noted.
	if [ -z "$got" ] && ! grep -rqsx "config ${sym#CONFIG_}" \
		--include='Kconfig*' "$out/build"; then
		say "config: $sym does not exist in this kernel (ignored)"
		continue
	fi
	say "config: asked $line, got '${got:-absent}'"
	bad=1
done <"$frag"
[ "$bad" = 0 ] || exit 1

kmake bzImage modules
kmake modules_install INSTALL_MOD_PATH="$out/modroot"
cp "$out/build/arch/x86/boot/bzImage" "$out/bzImage"
make -s -C "$out/build" kernelrelease >"$out/kernel.release"
say "built $(cat "$out/kernel.release") in $(($(date +%s) - start))s"
touch "$out/.done"
echo "$out"
