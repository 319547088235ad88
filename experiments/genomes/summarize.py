"""Summarises experiment (b). Dev, from every run directory: evaluations, final hypervolume (reference 0 on every
objective), best mean of the three dev objectives in the archive. Test, from demo-table.json where the run wrote one:
the reported evolved member (best six-column dev average in the archive), its dev average and test average (±
standard error) next to the best baseline's and the best source's of the same run."""
import json, math, os, platform, subprocess, sys

out, budget, seeds = sys.argv[1], sys.argv[2], sys.argv[3:]
commit = subprocess.run(["git", "-C", out, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
print(f"Budget {budget} evaluations per run, seeds {' '.join(seeds)}; commit {commit}; {os.cpu_count()} CPUs, {platform.platform()}.\n")
print("| genome | seed | evaluations | wall s | hypervolume (dev) | best dev mean, % | reported evolved: dev average | reported evolved: test average | best baseline: test average | best source: test average |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
totals = {}
for genome in ["parameter-space", "layer-ordering", "both", "filters", "smooth"]:
    for seed in seeds:
        run = os.path.join(out, f"{genome}-seed{seed}")
        if not os.path.exists(os.path.join(run, "checkpoint.json")):
            continue
        checkpoint = json.load(open(os.path.join(run, "checkpoint.json")))
        hv = json.load(open(os.path.join(run, "statistics.json")))[-1]["Hypervolume"]
        members = json.load(open(os.path.join(run, "archive.json")))["members"]
        best = max(sum(m["objectives"].values()) / len(m["objectives"]) for m in members)
        wall = open(os.path.join(run, "wall-seconds.txt")).read().strip() if os.path.exists(os.path.join(run, "wall-seconds.txt")) else "-"
        test = ["not scored (--search-only)"] * 4
        if os.path.exists(os.path.join(run, "demo-table.json")):
            rows = json.load(open(os.path.join(run, "demo-table.json")))["rows"]
            evolved = next(r for r in rows if r["kind"] == "evolved")
            baseline = max((r for r in rows if r["kind"] in ("task_arithmetic", "ties")), key=lambda r: r["average"])
            source = max((r for r in rows if r["kind"] == "source"), key=lambda r: r["average"])
            cell = lambda r: f"{r['average'] * 100:.1f} ± {r['average_stderr'] * 100:.1f}"
            dev = evolved.get("dev_average", evolved.get("dev_objective_mean"))
            totals.setdefault(genome, []).append((hv, evolved["average"] * 100))
            test = [f"{dev * 100:.1f}", cell(evolved), f"{cell(baseline)} ({baseline['model']})", f"{cell(source)} ({source['model']})"]
        print(f"| {genome} | {seed} | {checkpoint['EvaluationsScored']} | {wall} | {hv:.4f} | {best * 100:.1f} | {' | '.join(test)} |")

def mean_se(values):
    m = sum(values) / len(values)
    return m, (math.sqrt(sum((v - m) ** 2 for v in values) / (len(values) - 1) / len(values)) if len(values) > 1 else float("nan"))

print("\n| genome | runs with a test table | hypervolume (dev, mean ± SE over seeds) | reported evolved: test average (mean ± SE over seeds) |")
print("|---|---:|---:|---:|")
for genome, rows in totals.items():
    hv, hse = mean_se([r[0] for r in rows])
    t, tse = mean_se([r[1] for r in rows])
    print(f"| {genome} | {len(rows)} | {hv:.4f} ± {hse:.4f} | {t:.1f} ± {tse:.1f} |")
