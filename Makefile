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
# there; see README "Kernels"), and the selftests marked
# "# selftest: check-full" (too long for make check's hour) on 6.1.
check-full: deps
	SELFTESTS_612=all SELFTESTS_FULL=1 scripts/check.sh

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

# edgepin audit on large rulesets against nft -j list ruleset (host netns;
# numbers, no pass/fail).
bench-audit: ctl
	tests/bench/audit-bench.sh

# Kernel cost of a worst-case SDP negotiation against a normal one, in the
# VM (numbers, no pass/fail; a few minutes under TCG).
bench-negotiation: all
	scripts/vm-run --timeout 1500 -- tests/bench/negotiation-vm.sh

# Kernel benchmarks of issue 14, in one VM boot (4 GiB, slub_debug off,
# slab_nomerge): P2 CPU per SIP message against nf_conntrack_sip and no
# helper, P3 CPU per new connection at 0/10k/60k pinholes with the default
# and a sized expectation hash (nf_conntrack reloaded in the guest), P3b
# idle CPU at 16k calls, P4 memory per call and pinhole, P5 listing times,
# P6 media pps through a pinhole. Markdown tables, no pass/fail; the host's
# load before/during/after. About 13 min under TCG;
# BENCH_KERNEL_ARGS="quick" (about 7 min) or KEY=VALUE sizes (see
# tests/bench/kernel-vm.py).
bench-kernel: all
	tests/bench/kernel-bench.sh $(BENCH_KERNEL_ARGS)

# One VM boot running every selftest; SELFTESTS="name ..." picks some.
selftests: all
	scripts/vm-run --timeout 3600 -- tests/selftests/run.sh $(SELFTESTS)

# The module (modules_install, then depmod), and install-ctl: the tool,
# its man page and bash completion (PREFIX, default /usr/local),
# edgepin.service and edgepin-feed.service (UNITDIR, their Exec lines
# pointed at SBINDIR) and the three files in /etc, each only when not
# there yet (an operator's edits are kept). DESTDIR honoured.
PREFIX ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
UNITDIR ?= $(PREFIX)/lib/systemd/system
etc_files := scripts/deploy/policy:/etc/edgepin/policy \
	scripts/deploy/modprobe.conf:/etc/modprobe.d/edgepin.conf \
	scripts/deploy/edgepin-feed.default:/etc/default/edgepin-feed
units := edgepin.service edgepin-feed.service
# systemd, when it runs this system (not for a DESTDIR staging tree)
systemd := $(if $(DESTDIR),,$(wildcard /run/systemd/system))

install: install-module install-ctl

install-module: module
	$(MAKE) -C $(KDIR) M=$(CURDIR) INSTALL_MOD_PATH=$(DESTDIR) \
		modules_install
	set -e; for ko in "$(DESTDIR)"/lib/modules/*/extra/kmod/*.ko*; do \
		v=$${ko#"$(DESTDIR)"/lib/modules/}; \
		depmod -b "$(or $(DESTDIR),/)" "$${v%%/*}"; \
	done

install-ctl: ctl
	$(MAKE) -C ctl install
	install -d "$(DESTDIR)$(UNITDIR)"
	set -e; for u in $(units); do \
		sed 's|/usr/sbin/edgepin|$(SBINDIR)/edgepin|g' \
			scripts/deploy/$$u >"$(DESTDIR)$(UNITDIR)/$$u"; \
		chmod 0644 "$(DESTDIR)$(UNITDIR)/$$u"; \
	done
	set -e; for f in $(etc_files); do \
		dst="$(DESTDIR)$${f#*:}"; \
		if [ -e "$$dst" ]; then echo "kept $$dst"; continue; fi; \
		install -D -m 0644 "$${f%%:*}" "$$dst"; \
	done
	$(if $(systemd),systemctl daemon-reload)

# What install put there; a file in /etc only while it is the shipped
# one (an edited policy stays, and is named).
uninstall:
	set -e; for ko in "$(DESTDIR)"/lib/modules/*/extra/kmod/nf_conntrack_edgepin.ko*; do \
		[ -e "$$ko" ] || continue; \
		rm -f "$$ko"; \
		rmdir "$${ko%/*}" 2>/dev/null || true; \
		v=$${ko#"$(DESTDIR)"/lib/modules/}; \
		depmod -b "$(or $(DESTDIR),/)" "$${v%%/*}"; \
	done
	$(MAKE) -C ctl uninstall
	$(if $(systemd),-systemctl disable $(units))
	set -e; for u in $(units); do rm -f "$(DESTDIR)$(UNITDIR)/$$u"; done
	$(if $(systemd),systemctl daemon-reload)
	set -e; for f in $(etc_files); do \
		dst="$(DESTDIR)$${f#*:}"; \
		if cmp -s "$${f%%:*}" "$$dst"; then rm -f "$$dst"; \
		elif [ -e "$$dst" ]; then echo "kept $$dst (changed)"; fi; \
	done
	-rmdir "$(DESTDIR)/etc/edgepin" 2>/dev/null

# build/deb/edgepin_VERSION_amd64.deb and edgepin-dkms_VERSION_all.deb,
# built by Debian's tools in a copy of the tree (scripts/deb/build.sh).
deb:
	scripts/deb/build.sh

clean:
	@if [ -n "$(KDIR)" ]; then $(MAKE) -C $(KDIR) M=$(CURDIR) clean; fi
	$(MAKE) -C ctl clean
	rm -rf build

.PHONY: all module ctl deps check check-full check-6.12 check-debug demo \
	compare style unit fuzz bench-parser bench-negotiation bench-kernel bench-audit \
	selftests install install-module install-ctl uninstall deb clean
