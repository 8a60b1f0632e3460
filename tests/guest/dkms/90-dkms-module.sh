#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The module as DKMS built and installed it in the chroot (tests/lab/dkms.sh
# ran 'make dkms-install' against the 7.x headers): modprobe finds it in
# updates/dkms, it carries the MOK signature, it loads and works, and it
# unloads clean. Run only in the DKMS guest (LAB_TESTS names it).
. "$(dirname "$0")/../lib.sh"

ph_unload
rel=$(uname -r)
path=$(modinfo -n preempthint 2>/dev/null)
diag "modinfo -n preempthint: $path"
check "modprobe resolves preempthint to DKMS's updates/dkms" \
	grep -q "^/lib/modules/$rel/updates/dkms/preempthint\.ko" <<<"$path"

# The signer is the certificate DKMS signed with (/var/lib/dkms/mok.pub, DER).
signer=$(modinfo -F signer preempthint)
cn=$(openssl x509 -inform DER -in /var/lib/dkms/mok.pub -noout -subject -nameopt multiline |
	sed -n 's/^ *commonName *= *//p')
diag "signer '$signer', sig_hashalgo '$(modinfo -F sig_hashalgo preempthint)', certificate CN '$cn'"
good=false
[ -n "$signer" ] && [ "$signer" = "$cn" ] && good=true
check "the module is signed by the DKMS MOK certificate ($signer)" $good

dmesg_mark
check "modprobe preempthint loads it" modprobe preempthint
check "the loaded module is the DKMS one, at the tree's version" \
	[ "$(cat $PH_SYS/version 2>/dev/null)" = "$(ph_version_expected)" ]
# Without Secure Boot the MOK is not in the kernel's keyring: the kernel
# cannot check the signature, says so, and (MODULE_SIG_FORCE is off) loads.
diag "kernel on load: $(dmesg_since | grep -i -m1 'verification\|signature' || echo '(nothing about the signature)')"
check "preempthint status works with the DKMS module" phctl status
check "status -j reports the module's version" python3 -c '
import json, sys
d = json.loads(sys.argv[1])
assert d["module"] == sys.argv[2], d' "$(phctl -j status)" "$(ph_version_expected)"

# It works, not only loads: a hinted holder next to a hog gets extensions.
mkdir -p $CG/ph-dkms
phctl enable --cgroup /ph-dkms --grace-us 500 >/dev/null
run_in_cgroup /ph-dkms "$PH_PROGS/holder" --cpu 1 --seconds 2 >/dev/null
grants=$(ph_stat grants /ph-dkms)
check "the DKMS-built module grants extensions to a hinted holder ($grants)" [ "${grants:-0}" -gt 0 ]
phctl disable --cgroup /ph-dkms >/dev/null
rmdir $CG/ph-dkms

check "modprobe -r unloads it" modprobe -r preempthint
check "nothing is left loaded" not ph_loaded
# Errors only: "module verification failed" (no MOK in the keyring, see
# above) and the out-of-tree taint note are expected.
bad=$(dmesg_since | grep -i 'preempthint' | grep -iE 'error|fail|cannot|refus|missing|invalid' |
	grep -v 'module verification failed' || true)
diag "module's kernel log lines: $(dmesg_since | grep -c preempthint)"
check "no unexpected preempthint messages in the kernel log${bad:+: $bad}" [ -z "$bad" ]
