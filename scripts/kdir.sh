#!/bin/sh
# Print the kernel build tree to build the module against.
#
#   scripts/kdir.sh         the default: the running kernel's build tree
#                           when it has one; otherwise the headers of the
#                           distribution's default kernel, the ones
#                           linux-headers-amd64 depends on (6.1 on Debian
#                           12, whatever else is installed); otherwise the
#                           newest Debian amd64 headers
#   scripts/kdir.sh SERIES  the newest installed Debian amd64 headers of
#                           SERIES (6.1, 6.12)
#
# Only Debian's generic amd64 flavour counts (not -rt-amd64, -cloud-amd64).
# Exits 1, printing nothing, when there is no such tree.
amd64='(\.[0-9]+)*(-[0-9]+|\+deb[0-9]+)-amd64$'

# The newest /usr/src/linux-headers-VERSION-amd64 whose VERSION starts
# with $1 (a regex).
newest() {
	printf '%s\n' /usr/src/linux-headers-*-amd64 |
		grep -E "/linux-headers-$1$amd64" | sort -V | tail -n 1 | grep .
}

if [ $# -gt 0 ]; then
	newest "$(echo "$1" | sed 's/\./\\./g')"
	exit
fi
r=/lib/modules/$(uname -r)/build
if [ -d "$r" ]; then
	echo "$r"
	exit 0
fi
dep=$(dpkg-query -W -f '${Depends}' linux-headers-amd64 2>/dev/null |
	sed -n 's/^\(linux-headers-[^ ,]*\).*/\1/p')
if [ -n "$dep" ] && [ -d "/usr/src/$dep" ]; then
	echo "/usr/src/$dep"
	exit 0
fi
newest '[0-9]+\.[0-9]+'
