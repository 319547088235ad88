"""Summarises experiment (c): per run the final hypervolume (reference 0 on every objective) and the best mean of
the three dev objectives in the archive; per optimizer the mean and standard error over seeds. Reads only the run
directories' statistics.json, archive.json, checkpoint.json and wall-seconds.txt."""
import json, math, os, platform, subprocess, sys

out, budget, seeds = sys.argv[1], sys.argv[2], sys.argv[3:]
commit = subprocess.run(["git", "-C", out, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
print(f"Budget {budget} evaluations per run, seeds {' '.join(seeds)}; commit {commit}; {os.cpu_count()} CPUs, {platform.platform()}.\n")
print("| optimizer | seed | evaluations | generations | wall s | hypervolume | best dev mean | archive |")
print("|---|---:|---:|---:|---:|---:|---:|---:|")
summary = {}
for opt in ["nsga2", "cmaes", "random"]:
    for seed in seeds:
        run = os.path.join(out, f"{opt}-seed{seed}")
        if not os.path.exists(os.path.join(run, "checkpoint.json")):
            continue
        checkpoint = json.load(open(os.path.join(run, "checkpoint.json")))
        stats = json.load(open(os.path.join(run, "statistics.json")))
        members = json.load(open(os.path.join(run, "archive.json")))["members"]
        best = max(sum(m["objectives"].values()) / len(m["objectives"]) for m in members)
        hv = stats[-1]["Hypervolume"]
        wall = open(os.path.join(run, "wall-seconds.txt")).read().strip() if os.path.exists(os.path.join(run, "wall-seconds.txt")) else "-"
        summary.setdefault(opt, []).append((hv, best))
        print(f"| {opt} | {seed} | {checkpoint['EvaluationsScored']} | {checkpoint['Generation']} | {wall} | {hv:.4f} | {best * 100:.1f} | {len(members)} |")

def mean_se(values):
    m = sum(values) / len(values)
    se = math.sqrt(sum((v - m) ** 2 for v in values) / (len(values) - 1) / len(values)) if len(values) > 1 else float("nan")
    return m, se

print("\n| optimizer | runs | hypervolume (mean ± SE over seeds) | best dev mean, % (mean ± SE) |")
print("|---|---:|---:|---:|")
for opt, rows in summary.items():
    hv, hse = mean_se([r[0] for r in rows])
    b, bse = mean_se([r[1] * 100 for r in rows])
    print(f"| {opt} | {len(rows)} | {hv:.4f} ± {hse:.4f} | {b:.1f} ± {bse:.1f} |")
