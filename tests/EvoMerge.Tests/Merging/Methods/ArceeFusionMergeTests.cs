using EvoMerge.Merging;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

public sealed class ArceeFusionMergeTests
{
    /// <summary>The documented rule computed independently in double precision.</summary>
    private static double[] Reference(double[][] a, double[][] b)
    {
        var importance = new List<double>();
        for (int r = 0; r < a.Length; r++)
        {
            double[] p = Softmax(b[r]).Select(v => v + 1e-8).ToArray();
            double[] q = Softmax(a[r]).Select(v => v + 1e-8).ToArray();
            double kl = p.Select((v, i) => v * Math.Log(v / q[i])).Sum();
            importance.AddRange(b[r].Select((v, i) => Math.Abs(v - a[r][i]) * kl));
        }
        var sorted = importance.Order().ToArray();
        double Quantile(double q) => sorted[(int)Math.Floor(q * (sorted.Length - 1))];
        double threshold = Quantile(0.5) + 1.5 * (Quantile(0.75) - Quantile(0.25));
        var flatA = a.SelectMany(r => r).ToArray();
        var flatB = b.SelectMany(r => r).ToArray();
        return importance.Select((v, i) => v >= threshold ? flatB[i] : flatA[i]).ToArray();
    }

    private static double[] Softmax(double[] x)
    {
        double max = x.Max();
        var e = x.Select(v => Math.Exp(v - max)).ToArray();
        return e.Select(v => v / e.Sum()).ToArray();
    }

    [Fact]
    public void Takes_the_other_model_where_importance_is_an_outlier()
    {
        using var scope = torch.NewDisposeScope();
        double[][] a = [[0, 0, 0, 0], [0.1, 0.2, 0.3, 0.4], [1, 1, 1, 1], [0, 0.5, 0, 0.5]];
        double[][] b = [[0, 0, 0, 0.01], [0.1, 0.2, 0.3, 0.4], [1, 1, 1, 5], [0, 0.5, 0.1, 0.5]];
        var ta = Tensors.Of(a.SelectMany(r => r).Select(v => (float)v).ToArray(), 4, 4);
        var tb = Tensors.Of(b.SelectMany(r => r).Select(v => (float)v).ToArray(), 4, 4);
        var result = MergeCase.For("arcee_fusion").Base(ta).Model(tb).Merge();
        var expected = Reference(a, b);
        TensorAssert.Close(expected, result, 1e-6);
        Assert.Equal(5f, TensorAssert.Values(result)[11]);
    }

    [Fact]
    public void Identical_models_give_the_base()
    {
        using var scope = torch.NewDisposeScope();
        var x = Tensors.Random(new torch.Generator(1, torch.CPU), 5, 7);
        TensorAssert.Equal(x, MergeCase.For("arcee_fusion").Base(x).Model(x.clone()).Merge());
    }

    [Fact]
    public void Needs_exactly_one_other_model()
    {
        using var scope = torch.NewDisposeScope();
        Assert.Throws<MergeException>(() => MergeCase.For("arcee_fusion").Base(Tensors.Of(0)).Model(Tensors.Of(1)).Model(Tensors.Of(2)).Merge());
    }
}
