#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Table and plot of the PostgreSQL A/B benchmark (tests/lab/bench-pg.sh).

Reads the "pgbench: key=value ..." lines that tests/guest/bench-pg.sh prints,
groups the runs by cell (huge_pages, pgbench mode, clients) and configuration,
and prints, per cell, medians with min-max over the repetitions, TPS as a
ratio to the 6.1 preempt=none baseline of the same session (or, without one,
to the first configuration), and lock-holder preemptions as a ratio to the
unhinted 7.x reference ("lazy": patched server, module loaded, cgroup not
enabled). With --plot PREFIX it also writes PREFIX.png (matplotlib) or, if
matplotlib is missing, says so.

usage: pg-report.py [--plot PREFIX] RESULTS...
"""
import argparse
import statistics
import sys

ORDER = ["6.1-none", "lazy-stock", "lazy", "lazy-hint", "lazy-kernel", "full", "full-hint"]
WHAT = {
    "6.1-none": "6.1 preempt=none, patched server, no module (baseline)",
    "lazy-stock": "7.x lazy, Debian's server, no module",
    "lazy": "7.x lazy, patched server, module loaded, cgroup not enabled",
    "lazy-hint": "7.x lazy, patched server, hint policy",
    "lazy-kernel": "7.x lazy, Debian's server, kernel-mode policy",
    "full": "7.x full, patched server, module loaded, not enabled",
    "full-hint": "7.x full, patched server, hint policy",
}


def num(v):
    try:
        return float(v)
    except (TypeError, ValueError):
        return None


def load(paths):
    runs = []
    for path in paths:
        with open(path) as f:
            for line in f:
                line = line.strip()
                if not line.startswith("pgbench:"):
                    continue
                kv = dict(w.split("=", 1) for w in line.split()[1:] if "=" in w)
                runs.append(kv)
    return runs


def med(vals):
    vals = [v for v in vals if v is not None]
    return statistics.median(vals) if vals else None


def spread(vals, fmt):
    vals = [v for v in vals if v is not None]
    if not vals:
        return "-"
    return (fmt + "-" + fmt) % (min(vals), max(vals))


def f(v, fmt):
    return "-" if v is None else fmt % v


def ratio(a, b):
    return None if a is None or not b else a / b


def cell_key(r):
    return (r.get("huge"), r.get("mode"), int(r.get("clients", 0)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--plot")
    ap.add_argument("results", nargs="+")
    args = ap.parse_args()
    runs = load(args.results)
    if not runs:
        print("no results")
        return 1

    cells = sorted({cell_key(r) for r in runs}, key=lambda k: (k[0] != "off", k[1], k[2]))
    present = {r["config"] for r in runs}
    configs = [c for c in ORDER if c in present] + sorted(present - set(ORDER))
    base_cfg = "6.1-none" if "6.1-none" in present else configs[0]
    reps = len({r.get("rep") for r in runs})
    kernels = sorted({"%s (%s)" % (r.get("kernel"), r.get("preempt")) for r in runs})
    servers = sorted({r.get("server") for r in runs})
    secs = sorted({r.get("secs") for r in runs})
    print("## PostgreSQL A/B: pgbench -M prepared, %s s per run, %d repetitions" % ("/".join(secs), reps))
    print()
    print("Kernels: %s. Servers: %s." % (", ".join(kernels), ", ".join(servers)))
    print("Medians over the repetitions, min-max in brackets. TPS ratio: to %s in the same cell;"
          " lh ratio: lock-holder preemptions (module count) to `lazy` (unhinted)." % base_cfg)
    print("host core: the share of one host core QEMU got during the run (single-threaded TCG uses"
          " at most one; other guests on the host take the rest); TPS/core = TPS / host core, and its"
          " ratio to the baseline. slock/tx: contended SpinLockAcquire (s_lock() calls) per"
          " transaction; spin%: share of pg_stat_activity samples with a backend in wait_event"
          " SpinDelay; cs/s, irq/s: the guest's context switches and interrupts per second of the run.")
    print()
    for c in configs:
        print("- `%s`: %s" % (c, WHAT.get(c, "?")))
    print()

    summary = {}
    for cell in cells:
        huge, mode, nc = cell
        print("### huge_pages=%s, pgbench -%s, %d clients" % (huge, mode, nc))
        print()
        print("| config | TPS | vs base | host core | TPS/core | vs base | mean ms | p99 ms"
              " | lh preemptions | lh vs lazy | grants | slock/tx | spin% | cs/s | irq/s |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        by = {c: [r for r in runs if cell_key(r) == cell and r["config"] == c] for c in configs}
        base_tps = med([num(r.get("tps")) for r in by[base_cfg]])
        base_norm = med([ratio(num(r.get("tps")), num(r.get("host_share"))) for r in by[base_cfg]])
        lazy_lh = med([num(r.get("lh")) for r in by.get("lazy", [])])
        for c in configs:
            rs = by[c]
            if not rs:
                continue
            tps = [num(r.get("tps")) for r in rs]
            share = [num(r.get("host_share")) for r in rs]
            norm = [ratio(t, sh) for t, sh in zip(tps, share)]
            lh = [num(r.get("lh")) for r in rs]
            slock = [ratio(num(r.get("slock_calls")), num(r.get("xacts"))) for r in rs]
            spin = [num(r.get("spin_hit")) for r in rs]
            spin = [None if v is None else v * 100 for v in spin]
            t = med(tps)
            row = [
                "`%s`" % c,
                "%s (%s)" % (f(t, "%.1f"), spread(tps, "%.0f")),
                f(ratio(t, base_tps), "%.2f"),
                "%s (%s)" % (f(med(share), "%.2f"), spread(share, "%.2f")),
                "%s (%s)" % (f(med(norm), "%.0f"), spread(norm, "%.0f")),
                f(ratio(med(norm), base_norm), "%.2f"),
                f(med([num(r.get("lat_ms")) for r in rs]), "%.0f"),
                f(med([num(r.get("p99_ms")) for r in rs]), "%.0f"),
                "%s (%s)" % (f(med(lh), "%.0f"), spread(lh, "%.0f")),
                f(ratio(med(lh), lazy_lh), "%.3f"),
                f(med([num(r.get("grants")) for r in rs]), "%.0f"),
                f(med(slock), "%.3f"),
                f(med(spin), "%.0f"),
                f(med([ratio(num(r.get("ctxt")), num(r.get("secs"))) for r in rs]), "%.0f"),
                f(med([ratio(num(r.get("intr")), num(r.get("secs"))) for r in rs]), "%.0f"),
            ]
            print("| " + " | ".join(row) + " |")
            summary[(cell, c)] = (ratio(t, base_tps), med(lh), [ratio(v, base_tps) for v in tps],
                                  ratio(med(norm), base_norm))
        print()

    # Compact matrices: one row per configuration, one column per cell.
    print("### Summary: TPS / %s (median of per-run ratios to the baseline's median; min-max)" % base_cfg)
    print()
    head = ["huge=%s -%s c=%d" % k for k in cells]
    print("| config | " + " | ".join(head) + " |")
    print("| --- |" + " --- |" * len(cells))
    for c in configs:
        row = []
        for cell in cells:
            v = summary.get((cell, c))
            if not v:
                row.append("")
                continue
            per = [x for x in v[2] if x is not None]
            row.append("%s (%s)" % (f(v[0], "%.2f"), spread(per, "%.2f")))
        print("| `%s` | " % c + " | ".join(row) + " |")
    print()
    print("### Summary: lock-holder preemptions per run (module count, median; min-max)")
    print()
    print("| config | " + " | ".join(head) + " |")
    print("| --- |" + " --- |" * len(cells))
    for c in configs:
        if all(summary.get((cell, c), (0, None))[1] is None for cell in cells):
            continue
        row = []
        for cell in cells:
            rs = [r for r in runs if cell_key(r) == cell and r["config"] == c]
            lh = [num(r.get("lh")) for r in rs]
            row.append("%s (%s)" % (f(med(lh), "%.0f"), spread(lh, "%.0f")))
        print("| `%s` | " % c + " | ".join(row) + " |")
    print()

    # The goal, on the most contended cell: huge pages off, most clients.
    off = [k for k in cells if k[0] == "off"] or cells
    hot = max(off, key=lambda k: (k[2], k[1] == "S"))
    if (hot, "lazy-hint") in summary:
        r_hint, lh_hint, _, n_hint = summary[(hot, "lazy-hint")]
        lh_lazy = summary.get((hot, "lazy"), (None, None, None, None))[1]
        cut = None if lh_hint is None or not lh_lazy else 1 - lh_hint / lh_lazy
        print("Contended cell (huge_pages=%s, -%s, %d clients): lazy-hint TPS %s of %s (%s per host"
              " core; goal >= 0.95); lock-holder preemptions cut by %s against lazy (goal >= 90%%)." %
              (hot[0], hot[1], hot[2], f(r_hint, "%.2f"), base_cfg, f(n_hint, "%.2f"),
               "-" if cut is None else "%.1f%%" % (cut * 100)))

    if args.plot:
        plot(args.plot, cells, configs, base_cfg, summary)
    return 0


def plot(prefix, cells, configs, base_cfg, summary):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(no plot: python3-matplotlib is not installed; tests/lab/host-deps.sh installs it)")
        return
    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(12, 8), sharex=True)
    width = 0.8 / max(1, len(configs))
    xs = range(len(cells))
    for i, c in enumerate(configs):
        pos = [x + (i - (len(configs) - 1) / 2) * width for x in xs]
        vals, lo, hi, lhs = [], [], [], []
        for cell in cells:
            r, lh, all_r, _ = summary.get((cell, c), (None, None, [], None))
            all_r = [v for v in all_r if v is not None]
            vals.append(r or 0)
            lo.append((r or 0) - min(all_r) if all_r else 0)
            hi.append(max(all_r) - (r or 0) if all_r else 0)
            lhs.append(lh if lh is not None else 0)
        ax1.bar(pos, vals, width, yerr=[lo, hi], capsize=2, label=c)
        ax2.bar(pos, lhs, width, label=c)
    ax1.axhline(1.0, color="black", linewidth=0.8)
    ax1.axhline(0.95, color="grey", linewidth=0.8, linestyle="--")
    ax1.set_ylabel("TPS / %s (median, min-max)" % base_cfg)
    ax1.legend(ncol=len(configs), fontsize="small", loc="upper right")
    ax2.set_ylabel("lock-holder preemptions per run\n(module count, median)")
    ax2.set_xticks(list(xs))
    ax2.set_xticklabels(["huge=%s\n-%s c=%d" % k for k in cells])
    fig.suptitle("PostgreSQL 17 pgbench under QEMU/TCG, 2 vCPUs: preempthint A/B")
    fig.tight_layout()
    fig.savefig(prefix + ".png", dpi=100)
    print("plot: %s.png" % prefix)


if __name__ == "__main__":
    sys.exit(main())
