"""Summarises experiment (b) from each run's demo-table.json: the evolved member with the best dev objective mean,
its test average (± standard error) next to the best baseline's and the best source's of the same run."""
import json, os, platform, subprocess, sys

out, budget, seeds = sys.argv[1], sys.argv[2], sys.argv[3:]
commit = subprocess.run(["git", "-C", out, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
print(f"Budget {budget} evaluations per run, seeds {' '.join(seeds)}; commit {commit}; {os.cpu_count()} CPUs, {platform.platform()}.\n")
print("| genome | seed | evaluations | search s | hypervolume (dev) | best evolved: dev mean | test average | best baseline test average | best source test average |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
for genome in ["parameter-space", "layer-ordering", "both"]:
    for seed in seeds:
        path = os.path.join(out, f"{genome}-seed{seed}", "demo-table.json")
        if not os.path.exists(path):
            continue
        table = json.load(open(path))
        facts, rows = table["facts"], table["rows"]
        evolved = next(r for r in rows if r["kind"] == "evolved")
        baseline = max((r for r in rows if r["kind"] in ("task_arithmetic", "ties")), key=lambda r: r["average"])
        source = max((r for r in rows if r["kind"] == "source"), key=lambda r: r["average"])
        cell = lambda r: f"{r['average'] * 100:.1f} ± {r['average_stderr'] * 100:.1f}"
        print(f"| {genome} | {seed} | {facts['evaluations']} | {facts['search_seconds']} | {float(facts['hypervolume']):.4f} | "
              f"{evolved['dev_objective_mean'] * 100:.1f} | {cell(evolved)} | {cell(baseline)} ({baseline['model']}) | {cell(source)} ({source['model']}) |")
