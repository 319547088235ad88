using EvoMerge.Demo.Training;
using TorchSharp;
using TorchSharp.Modules;
using Xunit;

namespace EvoMerge.Tests.Demo.Training;

/// <summary>
/// <see cref="AdamWOptimizer"/> against the reference it replaces, TorchSharp's <c>torch.optim.AdamW</c>: the same
/// parameters and gradients over several steps with a changing learning rate give bit-identical weights (the demo's
/// committed tables depend on that), a parameter without a gradient is left alone, and a hand-worked first step.
/// </summary>
public sealed class AdamWOptimizerTests
{
    private static readonly double[] LearningRates = [1e-3, 3e-3, 2e-3, 5e-4, 1e-2, 7e-3];

    private static List<Parameter> Parameters(long seed)
    {
        using var generator = new torch.Generator((ulong)seed);
        return
        [
            new Parameter(torch.randn([7, 5], generator: generator)),
            new Parameter(torch.randn([5], generator: generator)),
            new Parameter(torch.randn([3, 3], generator: generator)),
        ];
    }

    /// <summary>Gradients from a loss that depends on the first two parameters only (the third keeps no gradient).</summary>
    private static void Backward(List<Parameter> parameters, int step)
    {
        using var scope = torch.NewDisposeScope();
        using var generator = new torch.Generator((ulong)(100 + step));
        var input = torch.randn([4, 7], generator: generator);
        var output = input.matmul(parameters[0]).add(parameters[1]).tanh();
        output.pow(2).sum().backward();
    }

    [Fact]
    public void MatchesTorchSharpsAdamWBitForBit()
    {
        var ours = Parameters(1);
        var theirs = Parameters(1);
        using var optimizer = new AdamWOptimizer(ours, beta1: 0.9, beta2: 0.98, epsilon: 1e-8, weightDecay: 0.01);
        using var reference = torch.optim.AdamW(theirs, lr: 1e-3, beta1: 0.9, beta2: 0.98, eps: 1e-8, weight_decay: 0.01);
        for (int step = 0; step < LearningRates.Length; step++)
        {
            optimizer.ZeroGradients();
            reference.zero_grad();
            Backward(ours, step);
            Backward(theirs, step);
            optimizer.Step(LearningRates[step]);
            foreach (var group in reference.ParamGroups) group.LearningRate = LearningRates[step];
            reference.step();
        }
        using var start = torch.NewDisposeScope();
        var initial = Parameters(1);
        Assert.False(ours[0].equal(initial[0]).all().item<bool>(), "the optimizer did not move the first parameter");
        for (int i = 0; i < ours.Count; i++)
            Assert.True(ours[i].equal(theirs[i]).all().item<bool>(), $"parameter {i}: max |Δ| {ours[i].sub(theirs[i]).abs().max().item<float>()}");
        Assert.True(ours[2].equal(initial[2]).all().item<bool>(), "a parameter without a gradient moved");
    }

    [Fact]
    public void FirstStepMatchesTheHandWorkedUpdate()
    {
        // One scalar parameter θ = 2, gradient g = 0.5, lr 0.1, weight decay 0.1, β = (0.9, 0.98), ε = 1e-8:
        // θ ← 2·(1 − 0.01) = 1.98; m = 0.05, v = 0.005; m̂ = 0.5, √v̂ = 0.5; θ ← 1.98 − 0.1·0.5/(0.5 + 1e-8) ≈ 1.88.
        var parameter = new Parameter(torch.tensor(new[] { 2.0 }, torch.float64));
        using var optimizer = new AdamWOptimizer([parameter], beta1: 0.9, beta2: 0.98, epsilon: 1e-8, weightDecay: 0.1);
        parameter.mul(0.5).sum().backward();
        optimizer.Step(0.1);
        Assert.Equal(1.98 - 0.1 * 0.5 / (0.5 + 1e-8), parameter.item<double>(), 12);
    }
}
