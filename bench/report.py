#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Turn the console log of a `make bench` boot into bench/results.md and
bench/results.csv: the median of every metric per module set (ours, the
distro's "upstream"), the ratio ours/upstream and the target.

Input: the TAP 13 stream of testbed/guest/bench-run.sh in the log, up to
the kernel log dump (see there and bench/xive_bench.c); at any depth:
    # CONFIG rounds R reps N cycles C profile_depth D
    # RUN <round> <ours|upstream> [ic-mode]  the samples that follow, up to
                                      the next result at column 0, belong to it
    # B <metric> <value>              one sample
    # C <metric> <value>              a deterministic count
    # M <slab cache> <KiB>            slab growth, 16384-source setup
    # O <flavour> <phase> <opcode> <n>  OPAL calls in a traced phase
    # P <flavour> <scenario> <function> <calls> <us>  function_graph totals
    # TIMED <uptime0> <uptime1>
    not ok ... # FAIL: <why>          a failed step: inside a nested IPI step
                                      its cells read "failed", else no report
The verdict itself is testbed/tap-count's (bench.sh prints it).
"""
import argparse
import csv
import datetime
import os
import re
import statistics
import sys

FLAVOURS = ("upstream", "ours")

# key, label, unit, target kind, target value
#   ratio: ours/upstream <= value;  abs: ours <= value;  None: no target
ROWS = [
    ("fault_per_irq", "Minor faults per IRQ, touching both ESB pages of 4096 IRQs",
     "faults", "abs", 1),
    ("fault_count", "Minor faults, 4096 IRQs (getrusage)", "faults", "abs", 4096),
    ("fault_touch_ms", "Time to touch both ESB pages of 4096 IRQs", "ms", None, None),
    ("setup_1024_ms", "Source setup, 1024 sources", "ms", "ratio", 0.7),
    ("setup_4096_ms", "Source setup, 4096 sources", "ms", "ratio", 0.7),
    ("setup_16384_ms", "Source setup, 16384 sources", "ms", "ratio", 0.7),
    ("split_source_new_us", "  per source: GRP_SOURCE of a new source (IPI alloc, ESB data, mask)",
     "µs", None, None),
    ("split_config_us", "  per source: SOURCE_CONFIG to a vCPU queue", "µs", None, None),
    ("split_source_again_us", "  per source: GRP_SOURCE of an existing source (mask only)",
     "µs", None, None),
    ("split_has_attr_us", "  per source: ioctl floor (KVM_HAS_DEVICE_ATTR)", "µs", None, None),
    ("reset_4096_ms", "CTRL/RESET, 4096 configured sources, 4 vCPUs", "ms", "ratio", 1.0),
    ("mig_total_ms", "Migration cycle, 4096 sources, 4 vCPUs (save + restore)",
     "ms", "ratio", 1.0),
    ("mig_save_ms", "  of which save: EQ_SYNC, EQ get, VP_STATE get", "ms", None, None),
    ("mig_restore_ms", "  of which restore: EQ set, sources, VP_STATE set", "ms", None, None),
    ("release_4096_ms", "Release (close) of a device with 4096 routed sources, 4 vCPUs",
     "ms", None, None),
    ("lifecycle_ms", "Device create + 4 vCPU connect + release, per cycle",
     "ms", None, None),
    ("mem_free_kb_16384", "Kernel memory per 4096 sources: free pages taken "
     "(incl. per-CPU lists) over 16384 sources, ÷4", "KiB", "ratio", 1.0),
    ("mem_free_kb", "  same, over 4096 sources", "KiB", None, None),
    ("mem_free_kb_1024", "  same, over 1024 sources (×4)", "KiB", None, None),
    ("mem_slab_kb", "  Slab delta, 4096 sources", "KiB", None, None),
    ("mem_vmalloc_kb", "  VmallocUsed delta, 4096 sources", "KiB", None, None),
    ("mem_memfree_kb", "  MemFree delta, 4096 sources (moves by whole per-CPU batches)",
     "KiB", None, None),
    ("xvm_refaults", "Cross-VM refaults in VM B (A: RESET, re-create, close)",
     "faults", "abs", 0),
    ("xvm_refaults_reset", "  after A's CTRL/RESET", "faults", None, None),
    ("xvm_refaults_recreate", "  after A re-creates its 1024 sources", "faults", None, None),
    ("xvm_refaults_close", "  after A closes its device", "faults", None, None),
    ("ipi_xive_rtps", "IPI round trips/s between the 2 CPUs of a nested QEMU guest, "
     "ic-mode=xive (higher is better)", "1/s", None, None),
    ("ipi_xics_rtps", "  same, ic-mode=xics (kvm-hv's XICS-on-XIVE device, not this one)",
     "1/s", None, None),
]

# Phases of the traced pass, and what a per-unit figure divides by
PHASES = [
    ("faults", "ESB touch, 4096 IRQs", 4096, "IRQ"),
    ("setup_1024", "source setup, 1024", 1024, "source"),
    ("setup_4096", "source setup, 4096", 4096, "source"),
    ("migration", "migration cycle, 4096", 4096, "source"),
    ("reset", "CTRL/RESET, 4096", 4096, "source"),
    ("release", "release, 4096 routed sources", 4096, "source"),
    ("lifecycle", "create + 4 connects + release", 1, "cycle"),
]


def opal_names(top):
    names = {}
    hdr = os.path.join(top, ".cache/linux-source-6.1/arch/powerpc/include/asm/opal-api.h")
    try:
        with open(hdr) as f:
            for line in f:
                m = re.match(r"#define\s+OPAL_(\w+)\s+(\d+)\s*$", line)
                if m and int(m.group(2)) > 0:
                    names.setdefault(m.group(2), m.group(1))
    except OSError:
        pass
    return names


def parse(log):
    samples = {f: {} for f in FLAVOURS}
    counts = {f: {} for f in FLAVOURS}
    opal = {f: {} for f in FLAVOURS}
    prof = {f: {} for f in FLAVOURS}
    slabs = {f: {} for f in FLAVOURS}
    config, timed, fails, ipi_failed = {}, None, [], {}
    cur = ic = None
    with open(log, errors="replace") as f:
        for line in f:
            if line.startswith("@@DMESG-BEGIN"):
                break       # the host's own stream follows: bench.sh counts it
            s = line.strip()
            if re.match(r"(not )?ok ", s):
                if s.startswith("not ok") and cur and ic:
                    ipi_failed.setdefault((cur, ic), s.partition(" # FAIL: ")[2])
                elif s.startswith("not ok"):
                    fails.append(s)
                if not line[0].isspace():
                    cur = ic = None
                continue
            if not s.startswith("# "):
                continue
            w = s.split()[1:]
            tag = w[0]
            if tag == "CONFIG":
                config = dict(zip(w[1::2], w[2::2]))
            elif tag == "RUN" and len(w) in (3, 4) and w[2] in FLAVOURS:
                cur, ic = w[2], (w[3] if len(w) == 4 else None)
            elif tag == "B" and cur and len(w) == 3:
                samples[cur].setdefault(w[1], []).append(float(w[2]))
            elif tag == "C" and cur and len(w) == 3:
                counts[cur].setdefault(w[1], set()).add(int(w[2]))
            elif tag == "O" and len(w) == 5 and w[1] in opal:
                opal[w[1]].setdefault(w[2], {})[w[3]] = int(w[4])
            elif tag == "P" and len(w) == 6 and w[1] in prof:
                prof[w[1]].setdefault(w[2], {})[w[3]] = (int(w[4]), int(w[5]))
            elif tag == "M" and cur and len(w) == 3:
                slabs[cur].setdefault(w[1], []).append(float(w[2]))
            elif tag == "TIMED" and len(w) == 3:
                timed = float(w[2]) - float(w[1])
    return samples, counts, opal, prof, slabs, config, timed, fails, ipi_failed


def fmt(v):
    if v is None:
        return "–"
    if v == int(v) and abs(v) < 1e9:
        return "%d" % v
    if abs(v) >= 100:
        return "%.0f" % v
    if abs(v) >= 10:
        return "%.1f" % v
    return "%.2f" % v


def count_str(counts, key):
    s = counts.get(key)
    if not s:
        return None
    return "/".join(str(v) for v in sorted(s))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--boot-seconds", type=int, default=0)
    ap.add_argument("--clock", default="wall")
    ap.add_argument("--qemu", default="")
    a = ap.parse_args()
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    samples, counts, opal, prof, slabs, config, timed, fails, ipi_failed = \
        parse(a.log)
    # A failed nested guest marks its IPI cells "failed" (status still 1);
    # any other failed step leaves no report at all.
    if fails or ipi_failed:
        print("report: the run reported failures:\n  " + "\n  ".join(
            fails + ["ipi %s %s: %s" % (f, ic, why)
                     for (f, ic), why in ipi_failed.items()]), file=sys.stderr)
    if fails:
        return 1
    for f, ic in ipi_failed:
        for k in [k for k in samples[f] if k.startswith("ipi_%s_" % ic)]:
            del samples[f][k]
    if not samples["ours"] or not samples["upstream"]:
        print("report: no samples for both module sets in " + a.log, file=sys.stderr)
        return 1
    names = opal_names(top)

    # Memory is averaged over the cycles (allocator state makes single
    # samples jump by whole pages); everything else is a median.
    med = {f: {k: (statistics.mean(v) if k.startswith("mem_") else statistics.median(v))
               for k, v in samples[f].items()} for f in FLAVOURS}

    # Deterministic counts shown beside each metric
    def opal_per(f, ph, unit_div):
        calls = opal[f].get(ph)
        if calls is None:
            return None
        return sum(calls.values()) / unit_div

    def opal_cmp(parts, what, ph, unit_div):
        u, o = opal_per("upstream", ph, unit_div), opal_per("ours", ph, unit_div)
        if u is not None and o is not None:
            parts.append("%s %s vs %s" % (what, fmt(u), fmt(o)))

    def counts_col(key):
        parts = []
        c = {f: counts[f] for f in FLAVOURS}
        if key.startswith("fault_"):
            d = count_str(c["ours"], "dbg_esb_faults")
            p = count_str(c["ours"], "dbg_esb_pages")
            if d:
                parts.append("ours' debugfs: esb_faults %s, esb_pages %s" % (d, p))
        for ph_key, ph in (("setup_1024", "setup_1024"), ("setup_4096", "setup_4096"),
                           ("setup_16384", None)):
            if key == ph_key + "_ms":
                io = count_str(c["ours"], ph_key + "_ioctls")
                if io:
                    parts.append("%s ioctls" % io)
                n = int(ph_key.split("_")[1])
                if ph:
                    opal_cmp(parts, "OPAL calls/source", ph, n)
        if key == "mig_total_ms":
            io = count_str(c["ours"], "mig_ioctls")
            if io:
                parts.append("%s ioctls" % io)
            opal_cmp(parts, "OPAL calls", "migration", 1)
        if key == "reset_4096_ms":
            opal_cmp(parts, "OPAL calls", "reset", 1)
        if key == "release_4096_ms":
            opal_cmp(parts, "OPAL calls", "release", 1)
        if key == "lifecycle_ms":
            io = count_str(c["ours"], "lifecycle_ioctls")
            if io:
                parts.append("%s ioctls" % io)
            opal_cmp(parts, "OPAL calls", "lifecycle", 1)
        if key.startswith("ipi_") and key.endswith("_rtps"):
            ic = key.split("_")[1]
            for what, label in (("ipis", "guest IPIs"), ("esc", "host escalation IRQs")):
                u = med["upstream"].get("ipi_%s_%s_per_rt" % (ic, what))
                o = med["ours"].get("ipi_%s_%s_per_rt" % (ic, what))
                if u is not None and o is not None:
                    parts.append("%s per round trip %.2f vs %.2f" % (label, u, o))
            if ic == "xics":
                r = [med[f]["ipi_xics_rtps"] / med[f]["ipi_xive_rtps"]
                     for f in FLAVOURS
                     if med[f].get("ipi_xive_rtps") and med[f].get("ipi_xics_rtps")]
                if len(r) == 2:
                    parts.append("xics/xive: %.2f (upstream), %.2f (ours)" % tuple(r))
        if key == "xvm_refaults":
            d = count_str(c["ours"], "dbg_xvm_b_esb_faults")
            if d:
                parts.append("ours' debugfs (B): esb_faults %s" % d)
        return "; ".join(parts)

    rows = []
    for key, label, unit, kind, tv in ROWS:
        u = med["upstream"].get(key)
        o = med["ours"].get(key)
        ratio = o / u if (u not in (None, 0) and o is not None) else None
        if kind == "ratio":
            target = "≤ %.1f× upstream" % tv
            met = None if ratio is None else ratio <= tv
        elif kind == "abs":
            target = "≤ %s" % fmt(tv) if tv else "0"
            if key == "fault_per_irq":
                target = "≤ 1 (upstream 2)"
            met = None if o is None else o <= tv
        else:
            target, met = "–", None
        note = counts_col(key)
        failed = [f for f in FLAVOURS
                  if key.startswith("ipi_") and (f, key.split("_")[1]) in ipi_failed]
        for f in failed:
            note = "; ".join(x for x in (note, "%s failed: %s"
                                         % (f, ipi_failed[(f, key.split("_")[1])][:120])) if x)
        rows.append(dict(key=key, label=label, unit=unit, upstream=u, ours=o,
                         ratio=ratio, target=target,
                         met="" if met is None else ("yes" if met else "**no**"),
                         counts=note, failed=failed,
                         n_up=len(samples["upstream"].get(key, [])),
                         n_ours=len(samples["ours"].get(key, [])),
                         up_min=min(samples["upstream"].get(key, [0]) or [0]),
                         up_max=max(samples["upstream"].get(key, [0]) or [0]),
                         ours_min=min(samples["ours"].get(key, [0]) or [0]),
                         ours_max=max(samples["ours"].get(key, [0]) or [0])))

    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "results.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["metric", "unit", "upstream", "ours", "ratio_ours_upstream", "target",
                    "met", "n_upstream", "n_ours", "upstream_min", "upstream_max",
                    "ours_min", "ours_max", "counts"])
        for r in rows:
            w.writerow([r["key"], r["unit"],
                        "failed" if "upstream" in r["failed"] else
                        "" if r["upstream"] is None else "%.3f" % r["upstream"],
                        "failed" if "ours" in r["failed"] else
                        "" if r["ours"] is None else "%.3f" % r["ours"],
                        "" if r["ratio"] is None else "%.3f" % r["ratio"],
                        r["target"], r["met"].strip("*"), r["n_up"], r["n_ours"],
                        "%.3f" % r["up_min"], "%.3f" % r["up_max"],
                        "%.3f" % r["ours_min"], "%.3f" % r["ours_max"], r["counts"]])

    md = []
    now = datetime.datetime.utcnow().strftime("%Y-%m-%d %H:%M UTC")
    md.append("# XIVE native device: ours vs the distro's (upstream 6.1), side by side\n")
    md.append("Reproduce: `make bench` (one boot of the emulated POWER9 host, "
              "`qemu-system-ppc64 -M powernv9`, TCG; Debian 12 kernel 6.1.0-50).  "
              "Generated %s by bench/report.py from the boot's console log.\n" % now)
    if a.clock == "icount":
        md.append("Clock: %s with `-icount shift=0,sleep=off`: the emulated CPU's "
                  "time advances by exactly 1 ns per emulated instruction (kernel, "
                  "firmware and program alike), so the figures are deterministic "
                  "instruction-time costs, independent of the load on the machine that "
                  "runs QEMU (repetitions agree within a few percent, see results.csv).  What they do not model: "
                  "the latency of MMIO (ESB/TIMA loads) and of the interrupt "
                  "controller itself, which costs one instruction here.  "
                  "`BENCH_CLOCK=wall make bench` times with the testbed's QEMU "
                  "and real time instead (noisy on a shared machine).\n" % a.qemu)
    else:
        md.append("Clock: wall time of %s (TCG) without icount: emulated time follows "
                  "real time, so the load of the machine running QEMU shows up as "
                  "noise (see the min/max in results.csv).\n" % (a.qemu or "QEMU"))
    md.append("Method: the same static program (bench/xive_bench.c) runs against each "
              "module set in turn, `rmmod kvm-hv kvm` + `insmod` in between, "
              "%s rounds alternating which set goes first, %s repetitions per run: "
              "every figure is the median of %s samples per set (the distribution "
              "is in results.csv; memory rows are means).  Times are CLOCK_MONOTONIC "
              "inside the emulated host: only the ratios mean something; counts are exact.  "
              "The boot of the emulated host took %d s of real time (the timed rounds "
              "%.0f s of emulated time); `make bench` adds a few seconds of build.\n"
              % (config.get("rounds", "?"), config.get("reps", "?"),
                 "%s×%s" % (config.get("rounds", "?"), config.get("reps", "?")),
                 a.boot_seconds, timed or 0))
    md.append("| metric | unit | upstream | ours | ratio ours/upstream | target | met? "
              "| deterministic counts (upstream vs ours) |")
    md.append("|---|---|---:|---:|---:|---|---|---|")
    for r in rows:
        if r["key"] == "ipi_nested":
            md.append("| %s | %s | – | – | – | – | – | %s |"
                      % (r["label"], r["unit"], r["counts"]))
            continue
        md.append("| %s | %s | %s | %s | %s | %s | %s | %s |"
                  % (r["label"].replace("  ", "↳ ", 1) if r["label"].startswith("  ")
                     else r["label"], r["unit"],
                     "failed" if "upstream" in r["failed"] else fmt(r["upstream"]),
                     "failed" if "ours" in r["failed"] else fmt(r["ours"]),
                     "–" if r["ratio"] is None else "%.2f" % r["ratio"],
                     r["target"], r["met"], r["counts"]))

    # OPAL calls per phase, by opcode
    if any(opal[f] for f in FLAVOURS):
        md.append("\n## Firmware (OPAL) calls per phase\n")
        md.append("Counted in an untimed extra run per module set from the "
                  "`powerpc:opal_entry` tracepoint between the program's trace markers "
                  "(exact, deterministic).\n")
        md.append("| phase | per | upstream | ours | upstream by call | ours by call |")
        md.append("|---|---|---:|---:|---|---|")
        for ph, label, div, unit in PHASES:
            tot, by = {}, {}
            for f in FLAVOURS:
                calls = opal[f].get(ph, {})
                tot[f] = sum(calls.values()) / div
                by[f] = ", ".join("%s %s" % (names.get(op, op).replace("XIVE_", ""),
                                             fmt(n / div))
                                  for op, n in sorted(calls.items(), key=lambda x: -x[1]))
            md.append("| %s | %s | %s | %s | %s | %s |"
                      % (label, unit, fmt(tot["upstream"]), fmt(tot["ours"]),
                         by["upstream"] or "none", by["ours"] or "none"))

    # Slab caches that grew while 16384 sources were set up
    if slabs["ours"] and slabs["upstream"]:
        n = {f: len(samples[f].get("setup_16384_ms", [])) or 1 for f in FLAVOURS}
        mean = {f: {k: sum(v) / n[f] for k, v in slabs[f].items()} for f in FLAVOURS}
        caches = sorted(set(mean["ours"]) | set(mean["upstream"]),
                        key=lambda k: -max(abs(mean["ours"].get(k, 0)),
                                           abs(mean["upstream"].get(k, 0))))
        md.append("\n## Kernel memory by slab cache\n")
        md.append("Slab pages gained per cache (`/proc/slabinfo`, num_slabs × "
                  "pages per slab) while 16384 sources are set up, after every cache "
                  "gave its empty slabs back (`/sys/kernel/slab/*/shrink`); KiB per "
                  "4096 sources, mean over the runs.\n")
        md.append("| cache | upstream KiB | ours KiB |")
        md.append("|---|---:|---:|")
        for k in caches[:12]:
            md.append("| `%s` | %s | %s |" % (k, fmt(mean["upstream"].get(k, 0)),
                                              fmt(mean["ours"].get(k, 0))))

    # function_graph totals per scenario
    scens = sorted(set(prof["ours"]) & set(prof["upstream"]))
    if scens:
        md.append("\n## Where the time goes: function_graph, per function\n")
        md.append("An untimed extra run per module set and scenario with the "
                  "`function_graph` tracer on the KVM ioctls and the device release "
                  "(depth %s; the first traced run is discarded). Inclusive time in "
                  "µs of the same clock, summed over calls; tracing adds a fixed cost "
                  "per traced call, so compare like with like, not with the table "
                  "above. Scenarios: `setup1024` = VM, 4 vCPUs connected, 4 EQs, "
                  "1024 sources set up and configured, release; `lifecycle` = 10 "
                  "cycles of device create + 4 connects + release.\n"
                  % config.get("profile_depth", "?"))
        for sc in scens:
            up, ou = prof["upstream"][sc], prof["ours"][sc]
            funcs = sorted(set(up) | set(ou),
                           key=lambda k: -max(up.get(k, (0, 0))[1], ou.get(k, (0, 0))[1]))
            md.append("\n### %s\n" % sc)
            md.append("| function | upstream calls | upstream µs | ours calls | ours µs |")
            md.append("|---|---:|---:|---:|---:|")
            for k in funcs[:30]:
                uc, ut = up.get(k, (0, 0))
                oc, ot = ou.get(k, (0, 0))
                md.append("| `%s` | %d | %d | %d | %d |" % (k, uc, ut, oc, ot))

    notes_path = os.path.join(top, "bench", "notes.md")
    if os.path.exists(notes_path):
        with open(notes_path) as f:
            md.append("\n" + f.read().rstrip() + "\n")

    with open(os.path.join(a.out, "results.md"), "w") as f:
        f.write("\n".join(md) + "\n")
    print("report: wrote %s/results.md and results.csv" % a.out)
    for r in rows:
        if r["target"] != "–":
            print("  %-60s %8s %8s  %5s  %s" % (r["label"].strip()[:60], fmt(r["upstream"]),
                                                 fmt(r["ours"]),
                                                 "–" if r["ratio"] is None else
                                                 "%.2f" % r["ratio"], r["met"] or "?"))
    return 1 if ipi_failed else 0


if __name__ == "__main__":
    sys.exit(main())
