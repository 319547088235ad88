using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Inference;

/// <summary>
/// The uncentred second moment <c>XᵀX / N</c> (fp32, [d_in, d_in]) of the inputs X that every linear layer of a
/// <see cref="DecoderModel"/>'s decoder layers receives over N prompt tokens, keyed by the layer's weight name
/// (q/k/v share one tensor, as do gate/up). Each prompt runs alone, so there is no padding to mask out. Data-aware
/// merge methods (esm) read the principal directions of a layer's activation shift from it.
/// </summary>
public sealed class LinearInputMoments : IDisposable
{
    private readonly Dictionary<string, torch.Tensor> _moments;

    private LinearInputMoments(Dictionary<string, torch.Tensor> moments, long tokens)
    {
        _moments = moments;
        Tokens = tokens;
    }

    /// <summary>Prompt tokens the moments average over.</summary>
    public long Tokens { get; }

    /// <summary>Weight names with a moment.</summary>
    public IReadOnlyCollection<string> Names => _moments.Keys;

    /// <summary>The moment of the inputs of the linear layer with weight <paramref name="weightName"/>, or null (embeddings, norms, lm_head).</summary>
    public torch.Tensor? Of(string weightName) => _moments.GetValueOrDefault(weightName);

    /// <summary>Runs every prompt (token ids, at least one) through <paramref name="model"/> and averages the outer products of each linear layer's inputs.</summary>
    public static LinearInputMoments Collect(DecoderModel model, IReadOnlyList<IReadOnlyList<int>> prompts)
    {
        if (prompts.Count == 0 || prompts.Any(p => p.Count == 0)) throw new ArgumentException("proxy prompts must be non-empty token lists, at least one");
        var sums = new Dictionary<string, torch.Tensor>(StringComparer.Ordinal);
        long tokens = 0;
        using (torch.inference_mode())
        {
            foreach (var prompt in prompts)
            {
                using var scope = torch.NewDisposeScope();
                var ids = torch.tensor(prompt.Select(t => (long)t).ToArray()).unsqueeze(0);
                model.RequireTokenIds(ids);
                var mask = torch.ones_like(ids, torch.ScalarType.Bool);
                model.HiddenStates(ids, mask, DecoderModel.PositionIds(mask), cache: null, (names, input) =>
                {
                    var x = input.reshape(-1, input.shape[^1]).to_type(torch.ScalarType.Float32);
                    var outer = x.t().matmul(x);
                    if (sums.TryGetValue(names[0], out var sum)) sum.add_(outer, ScalarConstants.One);
                    else
                    {
                        sum = outer.clone().DetachFromDisposeScope();
                        foreach (string name in names) sums[name] = sum;
                    }
                });
                tokens += prompt.Count;
            }
            using var count = tokens.ToScalar();
            foreach (var sum in Distinct(sums.Values)) sum.div_(count);
        }
        return new LinearInputMoments(sums, tokens);
    }

    /// <summary>Each tensor once (names share tensors), compared by reference, as a list.</summary>
    private static List<torch.Tensor> Distinct(IEnumerable<torch.Tensor> tensors) =>
        tensors.Distinct<torch.Tensor>(ReferenceEqualityComparer.Instance).ToList();

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var moment in Distinct(_moments.Values)) moment.Dispose();
        _moments.Clear();
    }
}
