#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The build takes x86_64 and arm64 and refuses anything else with a message
# that says why: the top-level Makefile (ARCH=), Kbuild (the kernel's own
# config) and dkms.conf (BUILD_EXCLUSIVE_ARCH, matched against uname -m).
top=$(cd "$(dirname "$0")/../.." && pwd)
n=0 fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
bad() { n=$((n + 1)); fail=$((fail + 1)); echo "not ok $n - $1"; }
export MAKEFLAGS='' MAKELEVEL=''

# kbuild_gate VAR=VALUE...: evaluate Kbuild's checks as kbuild would when
# building (every kernel that builds modules has CONFIG_MODULES=y).
kbuild_gate() {
	make -s --no-print-directory -C "$top" -f Kbuild src="$top" KERNELRELEASE=test \
		--eval 'gate-ok: ; @echo gate-ok' CONFIG_MODULES=y "$@" gate-ok 2>&1
}

out=$(make -s --no-print-directory -C "$top" module ARCH=riscv KDIR=/nonexistent 2>&1)
if [ $? != 0 ] && grep -q "supports ARCH=x86_64 or ARCH=arm64, not ARCH=riscv" <<<"$out"; then
	ok "make ARCH=riscv is refused, naming the supported arches"
else
	bad "make ARCH=riscv is refused, naming the supported arches (got: $out)"
fi

for cfg in CONFIG_X86_64 CONFIG_ARM64; do
	out=$(kbuild_gate "$cfg=y" CONFIG_PREEMPT_LAZY=y CONFIG_FPROBE=y CONFIG_TRACEPOINTS=y)
	if [ "$out" = gate-ok ]; then ok "Kbuild accepts a $cfg kernel"; else bad "Kbuild accepts a $cfg kernel (got: $out)"; fi
done

out=$(kbuild_gate SRCARCH=riscv CONFIG_PREEMPT_LAZY=y CONFIG_FPROBE=y CONFIG_TRACEPOINTS=y)
if grep -q "x86_64 and arm64 kernels only (this one is ARCH=riscv)" <<<"$out"; then
	ok "Kbuild refuses a riscv kernel, naming its arch"
else
	bad "Kbuild refuses a riscv kernel, naming its arch (got: $out)"
fi

out=$(kbuild_gate CONFIG_ARM64=y CONFIG_FPROBE=y CONFIG_TRACEPOINTS=y)
if grep -q "needs a kernel with CONFIG_PREEMPT_LAZY=y" <<<"$out"; then
	ok "Kbuild refuses a kernel without PREEMPT_LAZY, naming the option"
else
	bad "Kbuild refuses a kernel without PREEMPT_LAZY, naming the option (got: $out)"
fi

out=$(kbuild_gate CONFIG_X86_64=y CONFIG_PREEMPT_LAZY=y CONFIG_TRACEPOINTS=y)
if grep -q "needs CONFIG_FPROBE=y" <<<"$out"; then
	ok "Kbuild refuses a kernel without FPROBE, naming the option"
else
	bad "Kbuild refuses a kernel without FPROBE, naming the option (got: $out)"
fi

# `make clean` reads Kbuild without the kernel's config: nothing to refuse.
out=$(make -s --no-print-directory -C "$top" -f Kbuild src="$top" KERNELRELEASE=test \
	--eval 'gate-ok: ; @echo gate-ok' gate-ok 2>&1)
if [ "$out" = gate-ok ]; then
	ok "Kbuild read by make clean (no kernel config) refuses nothing"
else
	bad "Kbuild read by make clean (no kernel config) refuses nothing (got: $out)"
fi

# DKMS matches BUILD_EXCLUSIVE_ARCH against `uname -m` with an extended regex.
re=$(sed -n 's/^BUILD_EXCLUSIVE_ARCH="\(.*\)"/\1/p' "$top/dkms.conf")
for m in x86_64 aarch64; do
	if grep -Eq "$re" <<<"$m"; then ok "dkms.conf builds on $m"; else bad "dkms.conf builds on $m (regex '$re')"; fi
done
for m in i686 armv7l riscv64 ppc64le s390x aarch64_be; do
	if grep -Eq "$re" <<<"$m"; then bad "dkms.conf skips $m (regex '$re')"; else ok "dkms.conf skips $m"; fi
done

echo "1..$n"
echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
