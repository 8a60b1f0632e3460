#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The version is set once, in include/preempthint.h; everything that repeats
# it must agree.
top=$(cd "$(dirname "$0")/../.." && pwd)
want=$(sed -n 's/^#define PREEMPTHINT_VERSION "\(.*\)"/\1/p' "$top/include/preempthint.h")
dkms=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"/\1/p' "$top/dkms.conf")
# Not the MAKEFLAGS of a `make unit` around us: they add "Entering directory"
# lines to the output (under -j, even with --no-print-directory).
make=$(MAKEFLAGS='' MAKELEVEL='' make -s --no-print-directory -C "$top" version)
n=0 fail=0
t() { n=$((n + 1)); if [ "$2" = "$want" ]; then echo "ok $n - $1 is $want"; else echo "not ok $n - $1 is $want (found '$2')"; fail=$((fail + 1)); fi; }
t "dkms.conf PACKAGE_VERSION" "$dkms"
t "make version" "$make"
echo "1..$n"
echo "$((n - fail)) passed, $fail failed"
[ $fail = 0 ]
