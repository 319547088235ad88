using System.Globalization;

namespace EvoMerge.Merging.Execution;

/// <summary>Progress of a running merge, reported after each tensor.</summary>
/// <param name="TensorsDone">Output tensors merged so far.</param>
/// <param name="TensorsTotal">Output tensors in the plan.</param>
/// <param name="BytesRead">Input bytes read so far (as stored).</param>
/// <param name="Elapsed">Time since the merge started.</param>
/// <param name="Tensor">The tensor just merged.</param>
public sealed record MergeProgress(int TensorsDone, int TensorsTotal, long BytesRead, TimeSpan Elapsed, string Tensor)
{
    /// <summary>One progress line: <c>[done/total] MB read, MB/s, seconds  tensor</c>.</summary>
    public string Describe()
    {
        double seconds = Math.Max(Elapsed.TotalSeconds, 1e-9);
        int width = TensorsTotal.ToString(CultureInfo.InvariantCulture).Length;
        return string.Create(CultureInfo.InvariantCulture,
            $"[{TensorsDone.ToString(CultureInfo.InvariantCulture).PadLeft(width)}/{TensorsTotal}] {BytesRead / 1e6:0} MB read, {BytesRead / 1e6 / seconds:0} MB/s, {Elapsed.TotalSeconds:0.0} s  {Tensor}");
    }
}
