#!/usr/bin/env python3
"""Rows of the "evolved with and without these methods" table from finished `evomerge demo` run directories.

Usage: summarize-evolved.py LABEL=RUN_DIR [LABEL=RUN_DIR ...]
Per run: seed, evaluations, archive size with its methods, the reported member (best dev average) with its dev
average, test average, paired difference against the table's reference source, and its six test scores; then the
mean ± standard error over the runs of each label.
"""
import collections
import json
import re
import statistics
import sys

by_label = collections.defaultdict(list)
print("| method gene | seed | evaluations | archive (methods) | reported member (dev average) | its test average "
      "| vs best source (paired) | its test scores (add choice/answer, rev, cap) |")
print("|---|---:|---:|---|---|---:|---:|---|")
for argument in sys.argv[1:]:
    label, run = argument.split("=", 1)
    table = json.load(open(f"{run}/demo-table.json"))
    archive = json.load(open(f"{run}/archive.json"))["members"]
    methods = collections.Counter(re.search(r"^merge_method: *(\S+)", m["recipe"], re.M).group(1) for m in archive)
    reported = next(r for r in table["rows"] if r["kind"] == "evolved")
    scores = [v["value"] * 100 for v in reported["test"].values()]
    versus = reported["versus_reference"]
    by_label[label].append(reported["average"] * 100)
    composition = ", ".join(f"{n} {name}" for name, n in methods.most_common())
    print(f"| {label} | {table['facts']['seed']} | {table['facts']['evaluations']} | {len(archive)} ({composition}) "
          f"| {reported['model']} ({reported['dev_average'] * 100:.1f}) "
          f"| {reported['average'] * 100:.1f} ± {reported['average_stderr'] * 100:.1f} "
          f"| {versus['difference'] * 100:+.1f} ± {versus['paired_stderr'] * 100:.1f} vs {table['reference']} "
          f"| {scores[0]:.1f}/{scores[1]:.1f}, {scores[2]:.1f}/{scores[3]:.1f}, {scores[4]:.1f}/{scores[5]:.1f} |")
print()
for label, values in by_label.items():
    error = statistics.stdev(values) / len(values) ** 0.5 if len(values) > 1 else float("nan")
    print(f"- {label}: mean test average over {len(values)} runs {statistics.mean(values):.1f} ± {error:.1f}")
