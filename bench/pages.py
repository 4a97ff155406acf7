#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Our device on a 4K-page kernel against the same kernel's 64K flavour:
bench/results-pages.md and .csv from the two logs of
testbed/bench-pages.sh (make bench with our modules alone, one boot per
kernel).  Per metric of bench/report.py's ROWS: the median (memory: the
mean) on 64K, on 4K, and the ratio 4K/64K; beside it the device's own
fault and page counts on each.  No upstream column: upstream's device
refuses QEMU's mmap offsets on a 4K host (README, 4K-page hosts).
"""
import argparse
import csv
import datetime
import os
import statistics
import sys

import report


def medians(log):
    samples, counts, _, _, _, config, _, fails, _ = report.parse(log)
    if fails:
        print("pages: %s reported failures:\n  %s" % (log, "\n  ".join(fails)),
              file=sys.stderr)
        return None, None, None
    if not samples["ours"]:
        print("pages: no samples of our modules in " + log, file=sys.stderr)
        return None, None, None
    med = {k: (statistics.mean(v) if k.startswith("mem_") else statistics.median(v))
           for k, v in samples["ours"].items()}
    n = {k: len(v) for k, v in samples["ours"].items()}
    return med, n, counts["ours"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--log64", required=True)
    ap.add_argument("--log4", required=True)
    ap.add_argument("--kver", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    m64, n64, c64 = medians(a.log64)
    m4, n4, c4 = medians(a.log4)
    if m64 is None or m4 is None:
        return 1

    def dbg(c):
        f = report.count_str(c, "dbg_esb_faults")
        p = report.count_str(c, "dbg_esb_pages")
        return "esb_faults %s, esb_pages %s" % (f, p) if f else ""

    rows = []
    for key, label, unit, _, _ in report.ROWS:
        if key not in m64 or key not in m4:
            continue
        v64, v4 = m64[key], m4[key]
        ratio = v4 / v64 if v64 else None
        note = ""
        if key.startswith("fault_"):
            note = "64K: %s; 4K: %s" % (dbg(c64), dbg(c4))
        rows.append((key, label, unit, v64, v4, ratio, n64[key], n4[key], note))

    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "results-pages.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["metric", "unit", "ours_64k", "ours_4k", "ratio_4k_64k",
                    "n_64k", "n_4k", "counts"])
        for key, _, unit, v64, v4, ratio, k64, k4, note in rows:
            w.writerow([key, unit, "%.3f" % v64, "%.3f" % v4,
                        "" if ratio is None else "%.3f" % ratio, k64, k4, note])
    with open(os.path.join(a.out, "results-pages.md"), "w") as f:
        f.write("# Our device on 4K vs 64K host pages: %s vs %s-64k\n\n" % (a.kver, a.kver))
        f.write("Written by `make bench-pages KVER=%s` (testbed/bench-pages.sh, "
                "bench/pages.py) on %s: one boot per kernel, our modules alone "
                "(upstream's device cannot map QEMU's offsets on 4K), QEMU "
                "-icount, so a time is what the instructions cost. Medians "
                "(memory: means) of n samples.\n\n"
                % (a.kver, datetime.date.today().isoformat()))
        f.write("| metric | unit | 64K | 4K | 4K/64K | n | device counts |\n")
        f.write("|---|---|---|---|---|---|---|\n")
        for key, label, unit, v64, v4, ratio, k64, k4, note in rows:
            f.write("| %s | %s | %s | %s | %s | %d/%d | %s |\n" % (
                label, unit, report.fmt(v64), report.fmt(v4),
                "–" if ratio is None else "%.2f" % ratio, k64, k4, note))
    print("pages: %d metrics in %s/results-pages.md" % (len(rows), a.out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
