using System.Numerics;

namespace EvoMerge.Merging.Methods;

/// <summary>
/// linear's arithmetic for float32 CPU tensors in one pass, without temporaries: per element
/// <c>((x_0·w_0 + x_1·w_1) + …) / divisor</c>, each product and sum rounded to float32 in the order torch computes the
/// tensor formulation (products first, then a stack sum accumulated left to right, then the division), so the results
/// are bit-identical to it.
/// </summary>
internal static unsafe class Float32WeightedSum
{
    /// <summary>
    /// Writes Σ w_i·x_i into <paramref name="output"/> (n elements), divided by <paramref name="divisor"/> when it is
    /// not null. <paramref name="values"/> are the addresses of the inputs' float32 values.
    /// </summary>
    public static void Write(IReadOnlyList<nint> values, IReadOnlyList<float> weights, float? divisor, long n, nint output)
    {
        var inputs = values.ToArray();
        var factors = weights.ToArray();
        bool divide = divisor.HasValue;
        float by = divisor ?? 1f;
        ElementChunks.For(n, (start, end) =>
        {
            int width = Vector<float>.Count;
            float* o = (float*)output;
            var byVector = new Vector<float>(by);
            long j = start;
            for (; j + width <= end; j += width)
            {
                var sum = Vector.Load((float*)inputs[0] + j) * new Vector<float>(factors[0]);
                for (int i = 1; i < inputs.Length; i++) sum += Vector.Load((float*)inputs[i] + j) * new Vector<float>(factors[i]);
                if (divide) sum /= byVector;
                sum.Store(o + j);
            }
            for (; j < end; j++)
            {
                float sum = ((float*)inputs[0])[j] * factors[0];
                for (int i = 1; i < inputs.Length; i++) sum += ((float*)inputs[i])[j] * factors[i];
                if (divide) sum /= by;
                o[j] = sum;
            }
        });
    }
}
