namespace EvoMerge.Search.Scoring;

/// <summary>
/// Racing's stopping rule: from paired per-item results on the items scored so far, does an archive member dominate the
/// candidate? For each objective the paired differences d_i = member_i − candidate_i (signed so that positive means
/// the member is better) give a one-sided lower confidence bound mean − z·sd/√n, z the normal quantile at the
/// confidence. The member dominates when every bound is ≥ −margin (the candidate is not better than the member by more
/// than the margin on any objective) and at least one bound is &gt; 0 (the member is better on one). Every objective
/// must pass, so this is an intersection-union test: each at the confidence gives the claim that confidence without
/// a correction over objectives (Berger 1982). With margin 0 it is <see cref="PairedDominanceTest"/> without its
/// Bonferroni correction. Needs at least two items per objective.
/// </summary>
public static class RacingDominanceTest
{
    /// <summary>True when the member dominates the candidate with the given confidence, within the margin.</summary>
    public static bool MemberDominates(IReadOnlyList<PairedDominanceTest.PairedObjective> objectives, double confidence, double margin)
    {
        if (objectives.Count == 0) return false;
        double z = PairedDominanceTest.NormalQuantile(confidence);
        bool strictly = false;
        foreach (var objective in objectives)
        {
            int n = objective.Member.Count;
            if (n < 2 || objective.Candidate.Count != n) return false;
            double sum = 0;
            var d = new double[n];
            for (int i = 0; i < n; i++)
            {
                double diff = objective.Member[i] - objective.Candidate[i];
                d[i] = objective.Maximize ? diff : -diff;
                if (double.IsNaN(d[i])) return false;
                sum += d[i];
            }
            double mean = sum / n;
            double squares = 0;
            foreach (double x in d) squares += (x - mean) * (x - mean);
            double bound = mean - z * Math.Sqrt(squares / (n - 1) / n);
            if (bound < -margin) return false;
            if (bound > 0) strictly = true;
        }
        return strictly;
    }
}
