# SPDX-License-Identifier: GPL-2.0
#
#   make                 build the module (against KDIR) and the CLI
#   make lab             boot a Debian 7.x guest with the module loaded (demo)
#   make check           host unit tests + the guest suites: amd64 (lazy, full), arm64 (lazy),
#                        hint abuse in exact time, DKMS, the kernel matrix's smoke (what CI runs)
#   make check-all       make check with every guest test in every mode and arch, and a
#                        longer smoke of every kernel of the matrix
#   make check-kernels   the Debian 7.x kernel matrix alone (tests/lab/kernels.sh)
#   make check-arm64     the whole arm64 guest suite only (qemu-system-aarch64, TCG)
#   make check-debug     the amd64 guest suite on the lab's debug kernel (KASAN,
#                        lockdep, ...); builds it first (about an hour on 2 cores)
#   make check-exact     hint abuse alone in exact guest time (-icount), about 10 min
#   make check-mttcg     the scheduling tests, amd64 and arm64, with vCPUs that run at
#                        once (multi-threaded TCG, QEMU 10 from bookworm-backports)
#   make unit            host unit tests only
#   make bench-holder    holder-vs-hog benchmark: disabled / hint / kernel-mode policy
#   make bench-hooks     what the hooks cost a pipe ping-pong (exact guest time)
#   make bench-pg        PostgreSQL A/B (6.1 none, 7.x lazy/full, hint/kernel policy);
#                        knobs: BENCH_PG_SECONDS, _REPS, _CONFIGS, ... (tests/lab/bench-pg.sh)
#   make bench-hint-cost ns per enter/leave pair beside a bare loop and a syscall
#   make ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- KDIR=...   cross-build
#   make install         CLI, man page, completion, API headers, config, systemd
#                        unit, modprobe hook (DESTDIR, PREFIX honoured); uninstall
#   make dkms-install    module sources to /usr/src/preempthint-VERSION, then
#                        dkms add/build/install (DKMS_KERNEL=RELEASE, default the
#                        running kernel); dkms-remove undoes it
#
# The lab targets need root (debootstrap, chroot, 9p) and do everything in
# QEMU guests: nothing is ever loaded into the machine you run them on.

KDIR ?= /lib/modules/$(shell uname -r)/build
VERSION := $(shell sed -n 's/^\#define PREEMPTHINT_VERSION "\(.*\)"/\1/p' include/preempthint.h)

SUPPORTED_ARCH := x86 x86_64 arm64
ifneq ($(ARCH),)
ifeq ($(filter $(ARCH),$(SUPPORTED_ARCH)),)
$(error preempthint supports ARCH=x86_64 or ARCH=arm64, not ARCH=$(ARCH))
endif
endif

# Lab parameters: `make check LAB_KERNEL=7.3.4+deb13-amd64 LAB_MODES="lazy"`,
# `make lab LAB_ARCH=arm64`, `make check LAB_ARCHES=amd64`.
LAB_KERNEL ?= newest
LAB_MODES ?= lazy full
LAB_ARCH ?= amd64
LAB_ARCHES ?= amd64 arm64
export LAB_KERNEL LAB_MODES LAB_ARCH LAB_ARCHES

.PHONY: all module user unit check check-all check-arm64 check-debug check-exact check-mttcg lab lab-shell bench-holder bench-hooks bench-pg bench-hint-cost clean version
.PHONY: install uninstall dkms-install dkms-remove

all: module user

module:
	@test -d "$(KDIR)" || { echo "preempthint: no kernel build tree at $(KDIR)"; \
		echo "  install linux-headers-$$(uname -r), pass KDIR=..., or use 'make lab'"; exit 1; }
	$(MAKE) -C "$(KDIR)" M="$(CURDIR)" modules

user:
	$(MAKE) -C user

unit: user
	$(MAKE) -C tests/unit run

check:
	tests/lab/check.sh

# What make check leaves out to stay within CI's hour: the control plane's
# tests in the amd64 full-mode and arm64 guests, and the matrix's boots of
# the kernels the whole suite already boots.
check-all:
	LAB_ALL=1 LAB_KERNELS=full tests/lab/check.sh

check-arm64:
	LAB_ARCHES=arm64 LAB_BASELINE=0 LAB_ALL=1 LAB_KERNELS=0 tests/lab/check.sh

# Debian's kernel source and config plus KASAN, lockdep and other checks
# (tests/lab/debug-kernel.sh); not part of `make check`. KASAN's shadow takes
# an eighth of the guest's memory, and the suite runs several times slower.
LAB_DEBUG_MODES ?= lazy
LAB_DEBUG_MEM ?= 3072
LAB_DEBUG_TIMEOUT ?= 10800
LAB_DEBUG_TEST_TIMEOUT ?= 2400

check-debug:
	tests/lab/host-deps.sh
	tests/lab/debug-kernel.sh >/dev/null
	LAB_KERNEL=debug LAB_ARCHES=amd64 LAB_MODES="$(LAB_DEBUG_MODES)" \
		LAB_DKMS=0 LAB_BASELINE=0 LAB_SELFTEST=0 LAB_FGRAPH_FULL=0 LAB_EXACT=0 LAB_DEBUG_SELFTEST=1 \
		LAB_KERNELS=0 \
		LAB_VM_MEM=$(LAB_DEBUG_MEM) LAB_VM_TIMEOUT=$(LAB_DEBUG_TIMEOUT) \
		LAB_TEST_TIMEOUT=$(LAB_DEBUG_TEST_TIMEOUT) tests/lab/check.sh

# The hint-abuse test (tests/guest/t/55-abuse.sh) alone in exact guest time:
# the emulator counts instructions (-icount), so host load cannot move the
# guest's clock, and the SCHED_OTHER probe's p99 is judged over eight rounds a
# side. `make check` runs it too (amd64); this is the quick way, about 10
# minutes.
check-exact:
	tests/lab/host-deps.sh
	LAB_ARCHES=amd64 LAB_PG=0 LAB_DKMS=0 LAB_BASELINE=0 LAB_SELFTEST=0 \
		LAB_FGRAPH_FULL=0 LAB_SUITES=0 LAB_KERNELS=0 tests/lab/check.sh

# The scheduling tests (LAB_SCHED_TESTS) on amd64 and arm64 with vCPUs that
# really run at once: the races between a CPU that asks and the CPU whose
# task it asks about can happen there, never in single-threaded TCG. One
# guest at a time: its vCPUs take both cores. make check runs tests 45 and
# 46 this way.
check-mttcg:
	tests/lab/host-deps.sh
	LAB_MTTCG_SUITES=1 LAB_SUITES=0 LAB_PG=0 LAB_DKMS=0 LAB_BASELINE=0 LAB_SELFTEST=0 \
		LAB_FGRAPH_FULL=0 LAB_EXACT=0 LAB_KERNELS=0 tests/lab/check.sh

# The Debian 7.x kernel matrix (tests/lab/kernels.sh): for amd64 and arm64,
# the generic, cloud and rt flavours of the newest release of each 7.x line
# the mirror serves headers for (trixie-backports, sid, experimental), found
# at run time. Per kernel: module, CLI and DKMS builds, and a guest smoke;
# rt kernels must be refused. LAB_KERNELS=smoke: the shortest smoke (what
# make check runs). Prints a table, also written to .cache/lab/kernels/table.md.
.PHONY: check-kernels
check-kernels:
	LAB_KERNELS=$${LAB_KERNELS:-full} tests/lab/kernels.sh

lab:
	tests/lab/demo.sh

lab-shell:
	tests/lab/demo.sh --shell

# Benchmarks print tables measured side by side in one guest session.
bench-holder:
	tests/lab/demo.sh --bench holder

# The hooks' cost to the tasks around them, in exact guest time (instructions).
bench-hooks:
	LAB_GUEST_ENV="BENCH_CLOCK=exact-time $(LAB_GUEST_ENV)" LAB_QEMU_EXTRA="-icount shift=0,sleep=off" \
		tests/lab/demo.sh --bench hooks

# PostgreSQL A/B: one guest per kernel/mode and rep, a table and a plot.
bench-pg:
	tests/lab/bench-pg.sh

# ns per enter/leave pair beside a bare loop and a syscall (host, no module).
bench-hint-cost:
	$(MAKE) -C tests/bench run

version:
	@echo $(VERSION)

# Install and DKMS targets: dist/install.mk.
include dist/install.mk

clean:
	-test -d "$(KDIR)" && $(MAKE) -C "$(KDIR)" M="$(CURDIR)" clean
	$(MAKE) -C user clean
	$(MAKE) -C tests/unit clean
