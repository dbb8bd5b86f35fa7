#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# checkpatch.pl --no-tree -f over every tracked kmod/ source, one TAP line
# per file. checkpatch comes from Debian's linux-source-6.1 (deps.sh).
cd "$(dirname "$0")/.." || exit 1
ck=${CHECKPATCH:-/usr/src/linux-source-6.1/scripts/checkpatch.pl}
if [ ! -r "$ck" ]; then
	echo "not ok 1 checkpatch: $ck missing (run scripts/deps.sh)"
	exit 1
fi
n=0 fail=0
for f in $(git ls-files 'kmod/*.c' 'kmod/*.h'); do
	n=$((n + 1))
	if out=$(perl "$ck" --no-tree --terse --show-types -f "$f" 2>&1) &&
	   ! echo "$out" | grep -Eq 'ERROR|WARNING'; then
		echo "ok $n checkpatch $f"
	else
		echo "$out" | sed 's/^/# /'
		echo "not ok $n checkpatch $f"
		fail=1
	fi
done
exit $fail
