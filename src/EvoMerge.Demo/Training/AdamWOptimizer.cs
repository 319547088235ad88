using EvoMerge.Tensors;
using TorchSharp;
using TorchSharp.Modules;

namespace EvoMerge.Demo.Training;

/// <summary>
/// AdamW (decoupled weight decay; Loshchilov and Hutter) with the update order of TorchSharp 0.107's
/// <c>torch.optim.AdamW</c> (decay, moments, bias-corrected denominator, addcdiv), so trained weights are bit-identical
/// to it. TorchSharp's own step converts doubles to Scalars implicitly and never disposes them: a collection during its
/// native call can finalize one while libtorch still reads it ("Unknown scalar type" in a unit-test process where other
/// tests allocate in parallel). Here every Scalar is created explicitly and disposed only after the call that reads it.
/// </summary>
public sealed class AdamWOptimizer : IDisposable
{
    private readonly IReadOnlyList<Parameter> _parameters;
    private readonly torch.Tensor[] _firstMoments;
    private readonly torch.Tensor[] _secondMoments;
    private readonly long[] _steps;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _epsilon;
    private readonly double _weightDecay;

    /// <summary>Zero moments for every parameter.</summary>
    public AdamWOptimizer(IReadOnlyList<Parameter> parameters, double beta1, double beta2, double epsilon, double weightDecay)
    {
        _parameters = parameters;
        (_beta1, _beta2, _epsilon, _weightDecay) = (beta1, beta2, epsilon, weightDecay);
        _firstMoments = [.. parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope())];
        _secondMoments = [.. parameters.Select(p => torch.zeros_like(p).DetachFromDisposeScope())];
        _steps = new long[parameters.Count];
    }

    /// <summary>Zeroes every parameter's gradient in place (parameters without one are left alone).</summary>
    public void ZeroGradients()
    {
        foreach (var parameter in _parameters)
        {
            using var gradient = parameter.grad;
            gradient?.zero_();
        }
    }

    /// <summary>One update of every parameter that has a gradient, at <paramref name="learningRate"/>.</summary>
    public void Step(double learningRate)
    {
        using var noGrad = torch.no_grad();
        using var scope = torch.NewDisposeScope();
        using var beta1 = _beta1.ToScalar();
        using var beta2 = _beta2.ToScalar();
        using var oneMinusBeta1 = (1 - _beta1).ToScalar();
        using var oneMinusBeta2 = (1 - _beta2).ToScalar();
        using var epsilon = _epsilon.ToScalar();
        using var decay = (1 - learningRate * _weightDecay).ToScalar();
        for (int i = 0; i < _parameters.Count; i++)
        {
            var parameter = _parameters[i];
            using var gradient = parameter.grad;
            if (gradient is null) continue;
            long step = ++_steps[i];
            parameter.mul_(decay);
            double biasCorrection1 = 1 - Math.Pow(_beta1, step);
            double biasCorrection2 = 1 - Math.Pow(_beta2, step);
            _firstMoments[i].mul_(beta1).add_(gradient, oneMinusBeta1);
            _secondMoments[i].mul_(beta2).addcmul_(gradient, gradient, oneMinusBeta2);
            using var correction = Math.Sqrt(biasCorrection2).ToScalar();
            var denominator = _secondMoments[i].sqrt().div(correction).add_(epsilon, ScalarConstants.One);
            using var stepSize = (-(learningRate / biasCorrection1)).ToScalar();
            parameter.addcdiv_(_firstMoments[i], denominator, stepSize);
        }
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        foreach (var moment in _firstMoments.Concat(_secondMoments)) moment.Dispose();
    }
}
