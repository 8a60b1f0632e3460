#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Test 1, holder vs hog on one CPU: a thread takes a userspace spinlock for
# ~20 us at a time with the hint, pinned next to a CPU hog. Lock-holder
# preemptions are counted by the module and, independently, by the holder
# itself (a section during which the hog, sharing its CPU, advanced its loop
# count). Enabling the cgroup must cut them by at least 95% (90% as the holder
# sees them), and the hog must keep at least 40% of the CPU. The module's
# count leaves out the preemptions the grace forced on a holder that overran
# it (a section stretched by the emulator): the bound, not a miss.
. "$(dirname "$0")/../lib.sh"

ph_unload
ph_load || { not_ok "module loads"; exit 1; }
secs=${LAB_HOLDER_SECONDS:-4}
# TCG runs the kernel paths 20-30x slower than hardware and fires hrtimers
# late: the 50 us default is far too tight there (still well under a tick).
grace=${LAB_GRACE_US:-500}

run() { run_in_cgroup /ph-db "$PH_PROGS/holder" --cpu 1 --seconds "$secs" --section-us 20 --gap-us 20; }

off=$(run)
diag "disabled: $(echo $off)"
phctl enable --cgroup /ph-db --grace-us $grace || not_ok "enable --cgroup /ph-db"
phctl reset-stats
lh_trace_start
on=$(run)
split=$(lh_trace_stop "$(kv pid <<<"$on")")
diag "enabled:  $(echo $on)"

off_mod=$(kv slot_preempted <<<"$off") off_obs=$(kv lh_observed <<<"$off")
on_mod=$(kv slot_preempted <<<"$on") on_obs=$(kv lh_observed <<<"$on")
on_pen=$(kv penalized <<<"$split") on_free=$(kv unpenalized <<<"$split")
# The module's counts in one line for the host (tests/lab/kernels.sh's
# table); enabled includes the penalized ones, the holders that overran the grace.
diag "lh-preemptions disabled=${off_mod:-?} enabled=${on_mod:-?} penalized=${on_pen:-?}"
check "disabled: the module sees lock-holder preemptions ($off_mod)" [ "${off_mod:-0}" -ge 50 ]
check "disabled: the holder sees them too ($off_obs)" [ "${off_obs:-0}" -ge 50 ]
# The two counts are taken apart (the module's at each switch-out while
# hinted, the holder's from the hog's progress), so their agreement vouches
# for the module's. The holder reads the hog's count inside the hinted
# window, so each section it saw the hog run in was a switch-out while
# hinted. The other way round it can see fewer: when the emulator pauses the
# vCPU just after a switch to the hog, the hog is charged the pause and
# preempted before it runs an instruction (amd64, single-threaded TCG:
# 85-98% in eight runs; arm64: all of them in four; amd64 with
# instruction-counted time: 523 of 525).
check "disabled: the module counted every preemption the holder saw ($off_obs <= $off_mod + 5)" \
	le "$off_obs" "$((off_mod + 5))"
check "disabled: the holder saw at least 2/3 of those the module counted ($off_obs vs $off_mod)" \
	le "$((off_mod * 2))" "$((off_obs * 3))"
check "enabled: every lock-holder preemption of the run was traced ($on_free + $on_pen penalized = $on_mod)" \
	[ "$((on_free + on_pen))" = "$on_mod" ]
check "enabled: module-counted lock-holder preemptions fall by >= 95% ($off_mod -> $on_free, and $on_pen after overrunning the grace)" \
	le "$((on_free * 20))" "$off_mod"
# The holder's count includes the sections the grace cut short, hence 90%.
# It used to count sections slow by wall clock, which also counted the times
# the host did not run this vCPU (up to 34 with the module's count at 3, on
# arm64 under a busy host); those are only reported now.
diag "sections slower than 1 ms by wall clock: $(kv slow_sections <<<"$off") disabled, $(kv slow_sections <<<"$on") enabled"
check "enabled: holder-observed lock-holder preemptions fall by >= 90% ($off_obs -> $on_obs)" \
	le "$((on_obs * 10))" "$off_obs"
check "enabled: the module counted every preemption the holder saw ($on_obs <= $on_mod + 5)" \
	le "$on_obs" "$((on_mod + 5))"
hog=$(kv hog_pct <<<"$on")
check "enabled: the hog still gets >= 40% of the CPU ($hog%)" le 40 "$hog"
grants=$(ph_stat grants /ph-db) yields=$(ph_stat yields /ph-db)
diag "cgroup counters: grants=$grants yields=$yields expiries=$(ph_stat expiries /ph-db) refusals=$(ph_stat refusals /ph-db) lh_preemptions=$(ph_stat lh_preemptions /ph-db)"
check "enabled: extensions were granted ($grants)" [ "${grants:-0}" -ge 50 ]
check "enabled: granted holders yielded on leaving ($yields)" [ "${yields:-0}" -ge $((grants / 2)) ]
check "the per-cgroup lock-holder count matches the slot's ($(ph_stat lh_preemptions /ph-db) vs $on_mod)" \
	[ "$(ph_stat lh_preemptions /ph-db)" = "$on_mod" ]

phctl disable --cgroup /ph-db
rmdir $CG/ph-db 2>/dev/null
ph_unload
