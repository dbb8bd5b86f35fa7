#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The man pages against the command table: every command, option and
# policy key that edgepin's own usage (generated from its tables) names
# must be in edgepin.8, every key in edgepin.policy.5, and both pages'
# .TH carry the tool's version. The bash completion reads the same usage at run
# time, so it cannot drift. Run by "make -C ctl check-doc" (and so by
# every build of the tool).
cd "$(dirname "$0")" || exit 1
bin=${1:-./edgepin}
man=$(sed 's/\\-/-/g; s/\\f[BIRP]//g; s/"//g' edgepin.8)
fail=0

missing() {
	echo "check-doc: the man pages lack $1" >&2
	fail=1
}

# "  edgepin OBJECT [COMMAND] [ARGS]  help": the command before two spaces.
"$bin" -h | sed -n 's/^  edgepin \(.*\)$/\1/p' | sed 's/  .*//' >usage.tmp
while read -r obj cmd args; do
	case $cmd in
	[a-z]*) ;;
	*) args="$cmd $args" cmd="" ;;
	esac
	printf '%s\n' "$man" | grep -Eq "edgepin $obj${cmd:+ $cmd}( |$)" ||
		missing "command '$obj${cmd:+ $cmd}'"
	for opt in $(printf '%s\n' "$args" | grep -o -- '--[a-z-]*'); do
		printf '%s\n' "$man" | grep -q -- "$opt" ||
			missing "option $opt of '$obj $cmd'"
	done
done <usage.tmp
rm -f usage.tmp
# (each key's own paragraph: the line after a .TP)
pol=$(sed 's/\\-/-/g; s/\\f[BIRP]//g; s/"//g' edgepin.policy.5 |
	grep -A1 '^\.TP')
# (a key's own paragraph: the line after a .TP)
pol=$(printf '%s\n' "$pol" | grep -A1 '^\.TP')
for key in $("$bin" policy help | sed -n 's/^    \([a-z-]*\) .*/\1/p'); do
	printf '%s\n' "$man" | grep -qw -- "$key" || missing "policy key $key"
	printf '%s\n' "$pol" | grep -q "^\.B[IR]* $key " ||
		missing "policy key $key (edgepin.policy.5)"
done
# the version in both pages' .TH is the tool's
ver=$("$bin" -V | sed -n 's/^edgepin //p')
for page in edgepin.8 edgepin.policy.5; do
	grep -q "^\.TH .* \"edgepin $ver\" " "$page" ||
		missing "version $ver in $page's .TH"
done
for obj in $("$bin" -h | sed -n 's/^  edgepin \([a-z]*\).*/\1/p' | sort -u); do
	printf '%s\n' "$man" | grep -qx ".SS $obj" || missing "section $obj"
done
[ $fail = 0 ] && echo "check-doc: edgepin.8 names every command, option and key; edgepin.policy.5 every key"
exit $fail
