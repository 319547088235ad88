namespace EvoMerge.Merging.Sparsification;

/// <summary>
/// Where "the k largest magnitudes" ends: the k-th largest magnitude, how many magnitudes are strictly larger, and how
/// many equal it. Exactly <c>k − Above</c> of the <c>AtThreshold</c> tied elements are kept (the lowest indices).
/// </summary>
/// <param name="Threshold">The k-th largest magnitude (float32, as selection compares).</param>
/// <param name="Above">Number of magnitudes strictly greater than the threshold.</param>
/// <param name="AtThreshold">Number of magnitudes equal to the threshold.</param>
public readonly record struct MagnitudeCut(float Threshold, long Above, long AtThreshold);
