# SPDX-License-Identifier: GPL-2.0
# Thin wrapper over Kbuild (the module) and ctl/Makefile (the CLI).
# The test tiers live under tests/; scripts/check.sh runs them all.

KDIR ?= $(shell scripts/kdir.sh)
V ?= 0

all: module ctl

module:
	@test -n "$(KDIR)" || { echo "no kernel headers: run scripts/deps.sh" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) V=$(V) modules

ctl:
	$(MAKE) -C ctl

deps:
	scripts/deps.sh

# Every tier: style, unit, fuzz smoke, bench smoke, VM runner honesty,
# VM selftests. Ends with "N passed, N failed".
check: deps
	scripts/check.sh

demo: deps
	$(MAKE) all
	scripts/demo.sh

# make check with every selftest on 6.12 too (the default runs a subset
# there; see README "Kernels").
check-full: deps
	SELFTESTS_612=all scripts/check.sh

# The selftests on Debian's 6.12 alone, the module built in build/6.12/;
# SELFTESTS="name ..." picks some (default: all of them).
check-6.12: deps
	$(MAKE) ctl
	TIERS=selftests-6.12 SELFTESTS_612="$(or $(SELFTESTS),all)" \
		scripts/check.sh

# The debug-kernel tier alone (not part of check: a kernel build once,
# cached in /var/cache/edgepin, then one slow VM boot; see README).
check-debug: deps
	TIERS=debug scripts/check.sh

# The same sipp scenarios with edgepin, then with nf_conntrack_sip, in the
# VM: a table of what each helper handles, measured with real packets.
compare: deps
	$(MAKE) all
	scripts/compare.sh

style:
	scripts/style.sh

unit:
	$(MAKE) -C tests/unit run

fuzz:
	$(MAKE) -C tests/fuzz run

bench-parser:
	$(MAKE) -C tests/bench run

# Kernel cost of a worst-case SDP negotiation against a normal one, in the
# VM (numbers, no pass/fail; a few minutes under TCG).
bench-negotiation: all
	scripts/vm-run --timeout 1500 -- tests/bench/negotiation-vm.sh

# One VM boot running every selftest; SELFTESTS="name ..." picks some.
selftests: all
	scripts/vm-run --timeout 3600 -- tests/selftests/run.sh $(SELFTESTS)

# The module (modules_install, then depmod) and the tool, its man page
# and bash completion (PREFIX, default /usr/local); DESTDIR honoured.
install: all
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) \
		modules_install
	set -e; for ko in "$(DESTDIR)"/lib/modules/*/extra/kmod/*.ko; do \
		v=$${ko#"$(DESTDIR)"/lib/modules/}; \
		depmod -b "$(or $(DESTDIR),/)" "$${v%%/*}"; \
	done
	$(MAKE) -C ctl install

clean:
	@if [ -n "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	$(MAKE) -C ctl clean
	rm -rf build

.PHONY: all module ctl deps check check-full check-6.12 check-debug demo \
	compare style unit fuzz bench-parser bench-negotiation \
	selftests install clean
