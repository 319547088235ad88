namespace EvoMerge.Search.Scoring;

/// <summary>
/// Decides from per-item results on a subset whether a candidate cannot enter the Pareto front: some member dominates
/// it with confidence. For each objective, the paired differences d_i = member_i − candidate_i (signed so that
/// positive means the member is better) give a one-sided lower confidence bound mean − z·sd/√n, with z the normal
/// quantile at 1 − (1 − confidence)/objectives (Bonferroni). The member dominates with confidence when every bound is
/// ≥ 0 and at least one is > 0. Needs at least two items per objective.
/// </summary>
public static class PairedDominanceTest
{
    /// <summary>One objective's paired per-item values on the same items, and whether larger is better.</summary>
    public readonly record struct PairedObjective(IReadOnlyList<double> Member, IReadOnlyList<double> Candidate, bool Maximize);

    /// <summary>True when the member dominates the candidate with the given confidence.</summary>
    public static bool MemberDominates(IReadOnlyList<PairedObjective> objectives, double confidence)
    {
        if (objectives.Count == 0) return false;
        double z = NormalQuantile(1.0 - (1.0 - confidence) / objectives.Count);
        bool strictly = false;
        foreach (var objective in objectives)
        {
            int n = objective.Member.Count;
            if (n < 2 || objective.Candidate.Count != n) return false;
            var d = new double[n];
            for (int i = 0; i < n; i++)
            {
                double diff = objective.Member[i] - objective.Candidate[i];
                d[i] = objective.Maximize ? diff : -diff;
                if (double.IsNaN(d[i])) return false;
            }
            double mean = d.Average();
            double variance = d.Sum(x => (x - mean) * (x - mean)) / (n - 1);
            double bound = mean - z * Math.Sqrt(variance / n);
            if (bound < 0) return false;
            if (bound > 0) strictly = true;
        }
        return strictly;
    }

    /// <summary>The standard normal quantile (Acklam's rational approximation, relative error below 1.2e-9).</summary>
    public static double NormalQuantile(double p)
    {
        if (!(p > 0 && p < 1)) throw new ArgumentOutOfRangeException(nameof(p), p, "must be in (0, 1)");
        double[] a = [-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00];
        double[] b = [-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01];
        double[] c = [-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00];
        double[] e = [7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00];
        const double low = 0.02425;
        if (p < low)
        {
            double q = Math.Sqrt(-2 * Math.Log(p));
            return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((e[0] * q + e[1]) * q + e[2]) * q + e[3]) * q + 1);
        }
        if (p > 1 - low) return -NormalQuantile(1 - p);
        double r = p - 0.5, s = r * r;
        return (((((a[0] * s + a[1]) * s + a[2]) * s + a[3]) * s + a[4]) * s + a[5]) * r / (((((b[0] * s + b[1]) * s + b[2]) * s + b[3]) * s + b[4]) * s + 1);
    }
}
