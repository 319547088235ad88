using System.Numerics;
using EvoMerge.Merging.Methods;
using TorchSharp;

namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// DARE (mergekit's <c>bernoulli</c> sparsifier): every element is kept independently with probability = density
/// (to 2⁻²⁴: element i is kept when its <see cref="CounterRandom"/> draw is below <c>⌈density·2²⁴⌉</c>), from the
/// model's own counter-based stream (<see cref="CounterRandom.StreamKey(MergeContext, MergeInput)"/>). With the
/// family's default <c>rescale: true</c> the survivors are scaled by the exact L1 ratio (<see cref="L1Rescale"/>), not
/// the paper's 1/p. Randomness comes from EvoMerge's own generator: statistically, not bitwise, the same as mergekit.
/// A density of 0 drops everything; below 0 is an error (torch's bernoulli refuses it in mergekit too).
/// </summary>
public sealed unsafe class BernoulliDrop : ITaskVectorSparsifier, IElementDropSparsifier
{
    /// <summary>The shared instance (the sparsifier is stateless).</summary>
    public static BernoulliDrop Instance { get; } = new();

    /// <inheritdoc/>
    public IReadOnlyList<MergeParameter> Parameters { get; } = [];

    /// <summary>Density 0, which drops every element as mergekit's <c>torch.bernoulli</c> of 0 does; below 0 torch raises, and so does EvoMerge.</summary>
    public UnusualValues? UnusualDensity { get; } = new(ParameterDomain.NonNegative,
        "DARE keeps no element, so this model adds nothing to the merge", "every element is kept");

    /// <inheritdoc/>
    public bool UsesRandomness => true;

    /// <inheritdoc/>
    public torch.Tensor? KeepMask(torch.Tensor taskVector, MergeInput input, MergeContext context) =>
        Mask(taskVector, Density(input, context), CounterRandom.StreamKey(context, input));

    long? IElementDropSparsifier.RowLength(long[] shape) => shape.Aggregate(1L, (a, b) => a * b);

    torch.Tensor? IElementDropSparsifier.KeepMask(TaskVectorMagnitudes.Source source, long rowLength, MergeInput input, MergeContext context)
    {
        double density = Density(input, context);
        return density >= 1 ? null : Fill(source.Count, density, CounterRandom.StreamKey(context, input));
    }

    (torch.Tensor? Bits, CounterDrawKeep? Draws, (double Whole, double Kept)? Norms) IElementDropSparsifier.Keep(TaskVectorMagnitudes.Source source,
        long rowLength, MergeInput input, MergeContext context, bool norms)
    {
        double density = Density(input, context);
        if (density >= 1)
            return (null, null, null);
        var draws = new CounterDrawKeep(CounterRandom.StreamKey(context, input), Threshold(density));
        if (!norms)
            return (null, draws, null);
        var sums = MaskedL1Norms.OfChunks(source.Count, (start, end) => MaskedL1Norms.Chunk((float*)source.Values, (float*)source.Base, draws, start, end));
        return (null, draws, sums);
    }

    /// <summary>An i.i.d. Bernoulli(density) keep-mask of x's shape from <paramref name="random"/>'s seed (stream 0), or null when density ≥ 1.</summary>
    public static torch.Tensor? Mask(torch.Tensor x, double density, torch.Generator random) =>
        Mask(x, density, CounterRandom.StreamKey((ulong)random.initial_seed(), 0));

    /// <summary>The dropped tensor (a new tensor), L1-rescaled when asked; density ≥ 1 returns a copy.</summary>
    public static torch.Tensor Apply(torch.Tensor x, double density, torch.Generator random, bool rescale = true)
    {
        using var scope = torch.NewDisposeScope();
        var mask = Mask(x, density, random);
        if (mask is null)
            return x.clone().MoveToOuterDisposeScope();
        var result = x.clone();
        MaskedL1Norms.ApplyInPlace(result, mask, rescale);
        return result.MoveToOuterDisposeScope();
    }

    private static torch.Tensor? Mask(torch.Tensor x, double density, ulong key)
    {
        if (density >= 1)
            return null;
        using var scope = torch.NewDisposeScope();
        return Fill(x.numel(), density, key).view(x.shape).to(x.device).MoveToOuterDisposeScope();
    }

    private static double Density(MergeInput input, MergeContext context)
    {
        double density = ParameterLookup.PerModel(context, input, "density");
        if (!(density >= 0))
            throw MergeException.ForTensor(context.TensorName, $"density {density} of model '{input.Model}' must be at least 0");
        return density;
    }

    /// <summary>The flat CPU keep-mask of <paramref name="count"/> elements of stream <paramref name="key"/> (density &lt; 1).</summary>
    private static unsafe torch.Tensor Fill(long count, double density, ulong key)
    {
        var mask = torch.empty(count, torch.ScalarType.Bool);
        if (count == 0)
            return mask;
        uint threshold = Threshold(density);
        nint address = (nint)System.Runtime.CompilerServices.Unsafe.AsPointer(ref System.Runtime.InteropServices.MemoryMarshal.GetReference(mask.bytes));
        ElementChunks.For(count, (start, end) => FillRange((byte*)address, start, end, threshold, key));
        return mask;
    }

    /// <summary>Draws below this (24-bit) are kept: ⌈density·2²⁴⌉.</summary>
    private static uint Threshold(double density) => (uint)Math.Ceiling(Math.Max(density, 0) * (1 << 24));

    private static unsafe void FillRange(byte* mask, long start, long end, uint threshold, ulong key)
    {
        int width = Vector<uint>.Count;
        var limit = new Vector<uint>(threshold);
        long j = start;
        // A vector of draws must not cross a multiple of 2^32 (the high word of the index is one per vector).
        var one = new Vector<byte>(1);
        for (; j + 4 * width <= end; j += 4 * width)
        {
            if ((j >> 32) != ((j + 4 * width - 1) >> 32)) break;
            var low = Vector.Narrow(Vector.LessThan(CounterRandom.Draws24(key, j), limit), Vector.LessThan(CounterRandom.Draws24(key, j + width), limit));
            var high = Vector.Narrow(Vector.LessThan(CounterRandom.Draws24(key, j + 2 * width), limit), Vector.LessThan(CounterRandom.Draws24(key, j + 3 * width), limit));
            (Vector.Narrow(low, high) & one).Store(mask + j);
        }
        for (; j < end; j++) mask[j] = (byte)((CounterRandom.Bits(key, j) >> 8) < threshold ? 1 : 0);
    }
}
