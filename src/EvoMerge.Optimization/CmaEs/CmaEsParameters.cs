namespace EvoMerge.Optimization.CmaEs;

/// <summary>
/// The strategy constants of (μ/μ_w, λ)-CMA-ES for dimension n and λ offspring, as in Hansen's tutorial (2016):
/// positive recombination weights w_i ∝ ln((λ+1)/2) − ln i for the best μ = ⌊λ/2⌋, μ_eff, c_σ, d_σ, c_c, c₁, c_μ.
/// </summary>
internal sealed class CmaEsParameters
{
    public CmaEsParameters(int n, int lambda)
    {
        Lambda = lambda;
        Mu = lambda / 2;
        var weights = new double[Mu];
        for (int i = 0; i < Mu; i++)
        {
            weights[i] = Math.Log((lambda + 1) / 2.0) - Math.Log(i + 1);
        }
        double sum = weights.Sum();
        for (int i = 0; i < Mu; i++)
        {
            weights[i] /= sum;
        }
        Weights = weights;
        MuEff = 1.0 / weights.Sum(w => w * w);
        CSigma = (MuEff + 2.0) / (n + MuEff + 5.0);
        DSigma = 1.0 + 2.0 * Math.Max(0.0, Math.Sqrt((MuEff - 1.0) / (n + 1.0)) - 1.0) + CSigma;
        Cc = (4.0 + MuEff / n) / (n + 4.0 + 2.0 * MuEff / n);
        C1 = 2.0 / ((n + 1.3) * (n + 1.3) + MuEff);
        CMu = Math.Min(1.0 - C1, 2.0 * (MuEff - 2.0 + 1.0 / MuEff) / ((n + 2.0) * (n + 2.0) + MuEff));
        ExpectedNormLength = Math.Sqrt(n) * (1.0 - 1.0 / (4.0 * n) + 1.0 / (21.0 * n * n));
        EigenInterval = lambda / (C1 + CMu) / n / 10.0;
    }

    public int Lambda { get; }
    public int Mu { get; }
    public IReadOnlyList<double> Weights { get; }
    public double MuEff { get; }
    public double CSigma { get; }
    public double DSigma { get; }
    public double Cc { get; }
    public double C1 { get; }
    public double CMu { get; }
    /// <summary>E‖N(0, I)‖.</summary>
    public double ExpectedNormLength { get; }
    /// <summary>Evaluations between eigendecompositions (keeps their cost at O(n²) per evaluation).</summary>
    public double EigenInterval { get; }

    /// <summary>The default λ = 4 + ⌊3 ln n⌋.</summary>
    public static int DefaultLambda(int n) => 4 + (int)Math.Floor(3.0 * Math.Log(n));
}
