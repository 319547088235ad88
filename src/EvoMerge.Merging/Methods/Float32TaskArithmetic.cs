using System.Numerics;
using EvoMerge.Merging.Sparsification;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// The element-wise part of <see cref="GeneralizedTaskArithmetic"/> for float32 CPU tensors in one pass, without
/// full-size temporaries: per element, each model's delta (its values minus the base's, or a delta already masked and
/// rescaled), its rank-window mask, the weight, the sign election, the agreeing sums, normalisation, lambda and the
/// base are combined and the result written once. Every step is the float32 operation torch performs in the
/// tensor-at-a-time formulation, in the same order (the weighted sums are accumulated left to right in float32, as
/// <see cref="StackSum"/> does), so the results are bit-identical to it.
/// </summary>
internal static unsafe class Float32TaskArithmetic
{
    [ThreadStatic]
    private static float[]? _weighted;

    /// <summary>One model's contribution.</summary>
    /// <param name="Values">Address of its float32 values (model values, or its finished delta when <paramref name="IsDelta"/>).</param>
    /// <param name="IsDelta">True when <paramref name="Values"/> already is the (masked, rescaled) delta.</param>
    /// <param name="Keep">The magnitude set kept (a rank window's end), or null to keep every element.</param>
    /// <param name="Drop">The magnitude set dropped from the top (a rank window's start), or null.</param>
    /// <param name="Weight">The weight, rounded to float32.</param>
    /// <param name="KeepMask">Address of a random drop's keep-mask packed one bit per element (<see cref="KeepBits"/>), or 0.</param>
    /// <param name="Factor">With <paramref name="KeepMask"/> or <paramref name="Draws"/>: the L1 rescale factor applied to the masked delta, or null.</param>
    /// <param name="Draws">A random drop's keep decisions recomputed from its counter draws (no stored mask), or null.</param>
    public readonly record struct Term(nint Values, bool IsDelta, MagnitudeBoundary? Keep, MagnitudeBoundary? Drop, float Weight,
        nint KeepMask = 0, float? Factor = null, CounterDrawKeep? Draws = null);

    /// <summary>
    /// Writes <c>B + λ·mixed</c> into <paramref name="output"/> (n elements). With <paramref name="electSign"/> mixed is
    /// Σ W_i over the models agreeing with the elected sign of Σ W_i, divided (when <paramref name="normalize"/>) by
    /// the agreeing weights' sum (1 where 0); otherwise Σ W_i divided (when normalising) by
    /// <paramref name="weightSum"/>.
    /// </summary>
    public static void Merge(nint baseValues, IReadOnlyList<Term> terms, long n, bool electSign, bool normalize, float weightSum,
        double lambda, nint output)
    {
        var list = terms.ToArray();
        bool scale = lambda != 1.0;
        float lambdaF = (float)lambda;
        ElementChunks.For(n, (chunkStart, chunkEnd) =>
        {
            if (_weighted is null || _weighted.Length < list.Length * Block) _weighted = new float[list.Length * Block];
            fixed (float* w = _weighted)
            {
                for (long start = chunkStart; start < chunkEnd; start += Block)
                {
                    int length = (int)Math.Min(Block, chunkEnd - start);
                    float* b = (float*)baseValues + start;
                    for (int i = 0; i < list.Length; i++) Weigh(list[i], b, start, length, w + (long)i * length);
                    float* o = (float*)output + start;
                    if (electSign) Agreeing(list, w, length, b, normalize, scale, lambdaF, o);
                    else Sum(list.Length, w, length, b, normalize, weightSum, scale, lambdaF, o);
                }
            }
        });
    }

    /// <summary>Elements combined at a time: the weighted terms of a block stay in the first-level cache.</summary>
    private const int Block = 1024;

    /// <summary>W = mask(δ)·w for one block.</summary>
    private static void Weigh(Term term, float* b, long start, int length, float* weighted)
    {
        float* v = (float*)term.Values + start;
        var weight = new Vector<float>(term.Weight);
        int width = Vector<float>.Count;
        int j = 0;
        if (term.IsDelta)
        {
            for (; j + width <= length; j += width) (Vector.Load(v + j) * weight).Store(weighted + j);
            for (; j < length; j++) weighted[j] = v[j] * term.Weight;
            return;
        }
        if (term.Draws is { } draws)
        {
            WeighDrawn(v, b, draws, start, length, weighted, term.Factor, term.Weight);
            return;
        }
        if (term.KeepMask != 0)
        {
            WeighMasked(v, b, (byte*)term.KeepMask, start, length, weighted, term.Factor, term.Weight);
            return;
        }
        if (term.Keep is not { } keep)
        {
            for (; j + width <= length; j += width) ((Vector.Load(v + j) - Vector.Load(b + j)) * weight).Store(weighted + j);
            for (; j < length; j++) weighted[j] = (v[j] - b[j]) * term.Weight;
            return;
        }
        var drop = term.Drop ?? MagnitudeBoundary.None;
        // Within [start, start + length) the tie rules change only where an index reaches a boundary's TieEnd.
        long end = start + length;
        long first = Math.Clamp(Math.Min(keep.TieEnd, drop.TieEnd), start, end);
        long second = Math.Clamp(Math.Max(keep.TieEnd, drop.TieEnd), start, end);
        WeighKept(v, b, 0, (int)(first - start), weighted, keep, drop, start, term.Weight);
        WeighKept(v, b, (int)(first - start), (int)(second - start), weighted, keep, drop, first, term.Weight);
        WeighKept(v, b, (int)(second - start), length, weighted, keep, drop, second, term.Weight);
    }

    /// <summary>
    /// W = ((δ·mask)·factor)·w (without a factor: (δ·mask)·w) for one block starting at flat index
    /// <paramref name="start"/>, as torch's in-place products round; the mask is packed one bit per element.
    /// </summary>
    private static void WeighMasked(float* v, float* b, byte* bits, long start, int length, float* weighted, float? factor, float weight)
    {
        var weightVector = new Vector<float>(weight);
        int width = Vector<float>.Count;
        int j = 0;
        if (factor is { } f)
        {
            var factorVector = new Vector<float>(f);
            for (; j + width <= length; j += width)
                ((Vector.Load(v + j) - Vector.Load(b + j)) * KeepBits.Ones(bits, start + j) * factorVector * weightVector).Store(weighted + j);
            for (; j < length; j++) weighted[j] = (v[j] - b[j]) * (KeepBits.Keeps(bits, start + j) ? 1f : 0f) * f * weight;
            return;
        }
        for (; j + width <= length; j += width)
            ((Vector.Load(v + j) - Vector.Load(b + j)) * KeepBits.Ones(bits, start + j) * weightVector).Store(weighted + j);
        for (; j < length; j++) weighted[j] = (v[j] - b[j]) * (KeepBits.Keeps(bits, start + j) ? 1f : 0f) * weight;
    }

    /// <summary>
    /// <see cref="WeighMasked"/> with each element's keep decision recomputed from its draw (block starting at flat index
    /// <paramref name="start"/>): the same products in the same order.
    /// </summary>
    private static void WeighDrawn(float* v, float* b, CounterDrawKeep draws, long start, int length, float* weighted, float? factor, float weight)
    {
        var weightVector = new Vector<float>(weight);
        int width = Vector<float>.Count;
        int j = 0;
        // Blocks start at multiples of Block inside a chunk, so no vector of draws crosses a multiple of 2^32.
        if (factor is { } f)
        {
            var factorVector = new Vector<float>(f);
            for (; j + width <= length; j += width)
                ((Vector.Load(v + j) - Vector.Load(b + j)) * draws.Ones(start + j) * factorVector * weightVector).Store(weighted + j);
            for (; j < length; j++) weighted[j] = (v[j] - b[j]) * (draws.Keeps(start + j) ? 1f : 0f) * f * weight;
            return;
        }
        for (; j + width <= length; j += width)
            ((Vector.Load(v + j) - Vector.Load(b + j)) * draws.Ones(start + j) * weightVector).Store(weighted + j);
        for (; j < length; j++) weighted[j] = (v[j] - b[j]) * (draws.Keeps(start + j) ? 1f : 0f) * weight;
    }

    /// <summary>
    /// W = δ·(kept ? 1 : 0)·w over [from, to) of the block, where every index is on the same side of both boundaries'
    /// tie ends (<paramref name="index"/> is the first one's flat index).
    /// </summary>
    private static void WeighKept(float* v, float* b, int from, int to, float* weighted, MagnitudeBoundary keep, MagnitudeBoundary drop,
        long index, float weight)
    {
        if (from >= to) return;
        long keepFrom = MinimumKey(keep, index);
        long dropFrom = MinimumKey(drop, index);
        var keepKey = new Vector<int>((int)Math.Min(keepFrom, int.MaxValue));
        var dropKey = new Vector<int>((int)Math.Min(dropFrom, int.MaxValue));
        var keepNone = keepFrom > int.MaxValue ? Vector<int>.Zero : Vector<int>.AllBitsSet;
        var dropNone = dropFrom > int.MaxValue ? Vector<int>.Zero : Vector<int>.AllBitsSet;
        var magnitude = new Vector<int>(0x7FFFFFFF);
        var weightVector = new Vector<float>(weight);
        int width = Vector<float>.Count;
        int j = from;
        for (; j + width <= to; j += width)
        {
            var d = Vector.Load(v + j) - Vector.Load(b + j);
            var key = Vector.AsVectorInt32(d) & magnitude;
            var kept = Vector.GreaterThanOrEqual(key, keepKey) & keepNone;
            var dropped = Vector.GreaterThanOrEqual(key, dropKey) & dropNone;
            var factor = Vector.ConditionalSelect(Vector.AsVectorSingle(Vector.AndNot(kept, dropped)), Vector<float>.One, Vector<float>.Zero);
            (d * factor * weightVector).Store(weighted + j);
        }
        for (; j < to; j++)
        {
            float d = v[j] - b[j];
            long key = MagnitudeBoundary.KeyOf(d);
            bool kept = key >= keepFrom && !(key >= dropFrom);
            weighted[j] = d * (kept ? 1f : 0f) * weight;
        }
    }

    /// <summary>The smallest magnitude key in the set at <paramref name="index"/> (above the largest key: none).</summary>
    private static long MinimumKey(MagnitudeBoundary boundary, long index) =>
        index < boundary.TieEnd ? boundary.Key : (long)boundary.Key + 1;

    private static void Agreeing(Term[] terms, float* w, int length, float* b, bool normalize, bool scale, float lambda, float* output)
    {
        int count = terms.Length;
        int width = Vector<float>.Count;
        var lambdaVector = new Vector<float>(lambda);
        var minusOne = new Vector<float>(-1f);
        int j = 0;
        for (; j + width <= length; j += width)
        {
            var votes = Vector.Load(w + j);
            for (int i = 1; i < count; i++) votes += Vector.Load(w + (long)i * length + j);
            var elected = Vector.ConditionalSelect(Vector.GreaterThanOrEqual(votes, Vector<float>.Zero), Vector<float>.One, minusOne);
            var mixed = Vector<float>.Zero;
            var divisor = Vector<float>.Zero;
            for (int i = 0; i < count; i++)
            {
                var x = Vector.Load(w + (long)i * length + j);
                var agree = Vector.ConditionalSelect(Vector.GreaterThan(x * elected, Vector<float>.Zero), Vector<float>.One, Vector<float>.Zero);
                var term = x * agree;
                var weightTerm = agree * new Vector<float>(terms[i].Weight);
                if (i == 0)
                {
                    mixed = term;
                    divisor = weightTerm;
                }
                else
                {
                    mixed += term;
                    divisor += weightTerm;
                }
            }
            if (normalize) mixed /= Vector.ConditionalSelect(Vector.Equals(divisor, Vector<float>.Zero), Vector<float>.One, divisor);
            if (scale) mixed *= lambdaVector;
            (Vector.Load(b + j) + mixed).Store(output + j);
        }
        for (; j < length; j++)
        {
            float votes = w[j];
            for (int i = 1; i < count; i++) votes += w[(long)i * length + j];
            float elected = votes >= 0f ? 1f : -1f;
            float mixed = 0f, divisor = 0f;
            for (int i = 0; i < count; i++)
            {
                float x = w[(long)i * length + j];
                float agree = x * elected > 0f ? 1f : 0f;
                float term = x * agree, weightTerm = agree * terms[i].Weight;
                if (i == 0)
                {
                    mixed = term;
                    divisor = weightTerm;
                }
                else
                {
                    mixed += term;
                    divisor += weightTerm;
                }
            }
            if (normalize) mixed /= divisor == 0f ? 1f : divisor;
            if (scale) mixed *= lambda;
            output[j] = b[j] + mixed;
        }
    }

    private static void Sum(int count, float* w, int length, float* b, bool normalize, float weightSum, bool scale, float lambda, float* output)
    {
        int width = Vector<float>.Count;
        var lambdaVector = new Vector<float>(lambda);
        var weightSumVector = new Vector<float>(weightSum);
        int j = 0;
        for (; j + width <= length; j += width)
        {
            var mixed = Vector.Load(w + j);
            for (int i = 1; i < count; i++) mixed += Vector.Load(w + (long)i * length + j);
            if (normalize) mixed /= weightSumVector;
            if (scale) mixed *= lambdaVector;
            (Vector.Load(b + j) + mixed).Store(output + j);
        }
        for (; j < length; j++)
        {
            float mixed = w[j];
            for (int i = 1; i < count; i++) mixed += w[(long)i * length + j];
            if (normalize) mixed /= weightSum;
            if (scale) mixed *= lambda;
            output[j] = b[j] + mixed;
        }
    }
}
