#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# make deb: the edgepin and edgepin-dkms packages, built by Debian's own
# tools (dpkg-buildpackage, dh, dh-dkms; see scripts/deps.sh) in a copy of
# the tree: build/deb/edgepin-VERSION/ holds the files git tracks (and new
# ones it does not ignore) as they are in the working tree, with
# scripts/deb/debian/ as its debian/. Prints the two packages' paths.
# VERSION is kmod/version.h's EDGEPIN_VERSION, and must have its entry in
# scripts/deb/debian/changelog.
set -u
cd "$(dirname "$0")/../.." || exit 1
out=build/deb

die() {
	echo "make deb: $*" >&2
	exit 1
}

version=$(sed -n 's/^#define EDGEPIN_VERSION "\(.*\)"$/\1/p' kmod/version.h)
[ -n "$version" ] || die "no EDGEPIN_VERSION in kmod/version.h"
cl=$(dpkg-parsechangelog -l scripts/deb/debian/changelog -S Version) ||
	die "dpkg-parsechangelog failed (run scripts/deps.sh)"
[ "$cl" = "$version" ] ||
	die "scripts/deb/debian/changelog is at $cl, kmod/version.h at $version: add an entry (dch -c scripts/deb/debian/changelog -v $version)"

src=$out/edgepin-$version
rm -rf "$out"
mkdir -p "$src" || exit 1
git ls-files -z --cached --others --exclude-standard \
	Kbuild Makefile README.md kmod ctl scripts |
	xargs -0 cp --parents -t "$src" || die "cannot copy the tree"
cp -r scripts/deb/debian "$src/debian" || exit 1

# -b: binary packages only (the sources are this repository).
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1; then
	tail -n 40 "$out/build.log" >&2
	die "dpkg-buildpackage failed: $out/build.log"
fi
for p in edgepin_${version}_$(dpkg --print-architecture).deb edgepin-dkms_${version}_all.deb; do
	[ -f "$out/$p" ] || die "$out/$p was not built"
	echo "$out/$p"
done
