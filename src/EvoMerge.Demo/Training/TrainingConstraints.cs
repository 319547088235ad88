using EvoMerge.Tensors;
using TorchSharp.Modules;
using TorchSharp;

namespace EvoMerge.Demo.Training;

/// <summary>
/// What a fine-tune may change, relative to the weights it starts from (the anchor): frozen tensors keep the anchor's
/// values, an L2 penalty <c>λ·Σ‖θ−θ_anchor‖²</c> pulls the rest back toward it, and sparse masks let only their
/// entries move (every other entry is reset to the anchor after each optimizer step, so it stays bit-identical).
/// Built from a model before training; owns copies of the anchor values and the masks.
/// </summary>
public sealed class TrainingConstraints : IDisposable
{
    private readonly Dictionary<string, torch.Tensor> _anchor = new(StringComparer.Ordinal);
    private readonly Dictionary<string, torch.Tensor> _masks = new(StringComparer.Ordinal);
    private readonly HashSet<string> _frozen;
    private readonly torch.Tensor _l2Weight;

    /// <summary>Anchors at <paramref name="model"/>'s current weights; <paramref name="frozen"/> names tensors that stay fixed.</summary>
    public TrainingConstraints(TrainableDecoder model, IEnumerable<string> frozen, double l2ToAnchor)
    {
        _frozen = new HashSet<string>(frozen, StringComparer.Ordinal);
        foreach (string name in _frozen)
            if (!model.Parameters.ContainsKey(name)) throw new ArgumentException($"frozen tensor '{name}' is not a parameter of the model");
        ArgumentOutOfRangeException.ThrowIfNegative(l2ToAnchor);
        L2ToAnchor = l2ToAnchor;
        _l2Weight = torch.tensor(l2ToAnchor, torch.ScalarType.Float32);
        using var noGrad = torch.no_grad();
        foreach (var (name, parameter) in model.Parameters)
            if (!_frozen.Contains(name)) _anchor[name] = parameter.detach().clone();
    }

    /// <summary>The penalty's λ (0: none).</summary>
    public double L2ToAnchor { get; }

    /// <summary>The tensors that stay fixed.</summary>
    public IReadOnlySet<string> Frozen => _frozen;

    /// <summary>The sparse masks set so far (bool, shaped like their tensor; true = may change).</summary>
    public IReadOnlyDictionary<string, torch.Tensor> Masks => _masks;

    /// <summary>Norms, token embeddings and the output head: the input/output space every skill shares.</summary>
    public static IEnumerable<string> SharedTensors(TrainableDecoder model) =>
        model.Parameters.Keys.Where(n => n.EndsWith("norm.weight", StringComparison.Ordinal) || n == "model.embed_tokens.weight" || n == "lm_head.weight");

    /// <summary>Lets only the true entries of <paramref name="mask"/> move in <paramref name="name"/> (the constraints own the mask).</summary>
    public void SetMask(string name, torch.Tensor mask)
    {
        if (!_anchor.TryGetValue(name, out var anchor)) throw new ArgumentException($"cannot mask '{name}': frozen or not a parameter");
        if (!mask.shape.SequenceEqual(anchor.shape) || mask.dtype != torch.ScalarType.Bool)
            throw new ArgumentException($"mask of '{name}' must be bool [{string.Join(", ", anchor.shape)}]");
        if (_masks.Remove(name, out var old)) old.Dispose();
        _masks[name] = mask;
    }

    /// <summary>The parameters the optimizer updates (frozen ones get requires_grad false).</summary>
    public List<Parameter> Trainable(TrainableDecoder model)
    {
        foreach (var (name, parameter) in model.Parameters) parameter.requires_grad = !_frozen.Contains(name);
        return [.. model.Parameters.Where(p => !_frozen.Contains(p.Key)).Select(p => p.Value)];
    }

    /// <summary><c>λ·Σ‖θ−θ_anchor‖²</c> over the trainable tensors (differentiable); null when λ is 0.</summary>
    public torch.Tensor? Penalty(TrainableDecoder model)
    {
        if (L2ToAnchor == 0) return null;
        torch.Tensor? sum = null;
        foreach (var (name, anchor) in _anchor)
        {
            var term = (model.Parameters[name] - anchor).pow(ScalarConstants.Two).sum();
            sum = sum is null ? term : sum.add(term, ScalarConstants.One);
        }
        return sum is null ? null : sum * _l2Weight;
    }

    /// <summary>Zeroes the gradient outside each mask (before clipping, so masked-out entries do not count).</summary>
    public void MaskGradients(TrainableDecoder model)
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, mask) in _masks)
        {
            model.Parameters[name].grad?.mul_(mask);
        }
    }

    /// <summary>Resets every masked-out entry to the anchor's value (after the optimizer step: AdamW's decay moves it otherwise).</summary>
    public void Project(TrainableDecoder model)
    {
        using var noGrad = torch.no_grad();
        foreach (var (name, mask) in _masks)
        {
            var parameter = model.Parameters[name];
            parameter.copy_(torch.where(mask, parameter, _anchor[name]));
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var t in _anchor.Values) t.Dispose();
        foreach (var t in _masks.Values) t.Dispose();
        _anchor.Clear();
        _masks.Clear();
        _l2Weight.Dispose();
    }
}
