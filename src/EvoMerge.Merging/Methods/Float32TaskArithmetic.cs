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
    public readonly record struct Term(nint Values, bool IsDelta, MagnitudeBoundary? Keep, MagnitudeBoundary? Drop, float Weight);

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
        ElementChunks.For(n, (start, end) =>
        {
            int length = (int)(end - start);
            if (_weighted is null || _weighted.Length < list.Length * length) _weighted = new float[list.Length * ElementChunks.Size];
            var weighted = _weighted;
            fixed (float* w = weighted)
            {
                float* b = (float*)baseValues + start;
                for (int i = 0; i < list.Length; i++) Weigh(list[i], b, start, length, w + (long)i * length);
                float* o = (float*)output + start;
                if (electSign) Agreeing(list, w, length, b, normalize, scale, lambdaF, o);
                else Sum(list.Length, w, length, b, normalize, weightSum, scale, lambdaF, o);
            }
        });
    }

    /// <summary>W = mask(δ)·w for one chunk.</summary>
    private static void Weigh(Term term, float* b, long start, int length, float* weighted)
    {
        float* v = (float*)term.Values + start;
        float weight = term.Weight;
        if (term.IsDelta)
        {
            for (int j = 0; j < length; j++) weighted[j] = v[j] * weight;
            return;
        }
        if (term.Keep is not { } keep)
        {
            for (int j = 0; j < length; j++) weighted[j] = (v[j] - b[j]) * weight;
            return;
        }
        var drop = term.Drop ?? MagnitudeBoundary.None;
        for (int j = 0; j < length; j++)
        {
            float d = v[j] - b[j];
            uint key = MagnitudeBoundary.KeyOf(d);
            long index = start + j;
            bool kept = keep.Contains(key, index) && !drop.Contains(key, index);
            weighted[j] = d * (kept ? 1f : 0f) * weight;
        }
    }

    private static void Agreeing(Term[] terms, float* w, int length, float* b, bool normalize, bool scale, float lambda, float* output)
    {
        int count = terms.Length;
        for (int j = 0; j < length; j++)
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
        for (int j = 0; j < length; j++)
        {
            float mixed = w[j];
            for (int i = 1; i < count; i++) mixed += w[(long)i * length + j];
            if (normalize) mixed /= weightSum;
            if (scale) mixed *= lambda;
            output[j] = b[j] + mixed;
        }
    }
}
