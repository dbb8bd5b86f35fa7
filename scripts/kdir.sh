#!/bin/sh
# Print the kernel build tree to build the module against: the running
# kernel's when it has one, otherwise the newest Debian amd64 headers.
r=/lib/modules/$(uname -r)/build
if [ -d "$r" ]; then
	echo "$r"
	exit 0
fi
ls -d /usr/src/linux-headers-*-amd64 2>/dev/null | sort -V | tail -n 1
