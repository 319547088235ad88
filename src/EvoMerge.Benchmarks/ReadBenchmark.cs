using System.Diagnostics;
using System.Globalization;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Benchmarks;

/// <summary>
/// The measurement behind <c>evomerge bench read</c>: writes a ~1 GB fp16 safetensors file, then times reading every
/// tensor into preallocated TorchSharp tensors next to a plain copy of the same file into a preallocated buffer (both
/// warm), and writes the table to the writer it is given.
/// </summary>
public sealed class ReadBenchmark(TextWriter output)
{
    /// <summary>Writes the file of <paramref name="sizeMb"/> MiB, times the readers (best of <paramref name="repeats"/>), prints the table.</summary>
    /// <param name="sizeMb">Size of the fp16 file in MiB.</param>
    /// <param name="repeats">Timed passes of each reader.</param>
    /// <param name="workDir">Where the file is written (null: a temporary directory, removed afterwards).</param>
    public void Run(int sizeMb, int repeats, string? workDir)
    {
        string root = workDir ?? Path.Combine(Path.GetTempPath(), "evomerge-bench-read-" + Environment.ProcessId);
        bool cleanup = workDir is null;
        Directory.CreateDirectory(root);
        try
        {
            string path = WriteFile(root, sizeMb);
            long bytes = new FileInfo(path).Length;
            using var file = SafetensorsFile.Open(path);
            var destinations = file.Tensors.Select(t => torch.empty(t.Shape, t.DType.ToScalarType())).ToList();
            var buffer = GC.AllocateUninitializedArray<byte>(checked((int)Math.Min(bytes, int.MaxValue - 64)));
            var fp32 = file.Tensors.Select(t => torch.empty(t.Shape, torch.ScalarType.Float32)).ToList();

            double PlainCopy()
            {
                var watch = Stopwatch.StartNew();
                using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                int offset = 0, read;
                while ((read = stream.Read(buffer, offset, Math.Min(1 << 24, buffer.Length - offset))) > 0)
                {
                    offset += read;
                    if (offset == buffer.Length) offset = 0;
                }
                return watch.Elapsed.TotalSeconds;
            }

            double Safetensors(List<torch.Tensor> into)
            {
                var watch = Stopwatch.StartNew();
                for (int i = 0; i < file.Tensors.Count; i++) file.ReadInto(file.Tensors[i].Name, into[i]);
                return watch.Elapsed.TotalSeconds;
            }

            PlainCopy();
            Safetensors(destinations);
            Safetensors(fp32);
            double plain = double.MaxValue, ours = double.MaxValue, converted = double.MaxValue;
            for (int r = 0; r < Math.Max(1, repeats); r++)
            {
                plain = Math.Min(plain, PlainCopy());
                ours = Math.Min(ours, Safetensors(destinations));
                converted = Math.Min(converted, Safetensors(fp32));
            }

            double gb = bytes / 1e9;
            var inv = CultureInfo.InvariantCulture;
            output.WriteLine(string.Create(inv, $"file: {path} ({bytes / (double)(1 << 20):F0} MiB fp16, {file.Tensors.Count} tensors), best of {repeats}, page cache warm"));
            output.WriteLine(string.Create(inv, $"{"reader",-46} {"seconds",8} {"GB/s",7} {"vs copy",8}"));
            output.WriteLine(string.Create(inv, $"{"plain file copy into memory (FileStream.Read)",-46} {plain,8:F3} {gb / plain,7:F2} {1.0,8:P0}"));
            output.WriteLine(string.Create(inv, $"{"safetensors ReadInto, fp16 tensors",-46} {ours,8:F3} {gb / ours,7:F2} {plain / ours,8:P0}"));
            output.WriteLine(string.Create(inv, $"{"safetensors ReadInto, converted to fp32",-46} {converted,8:F3} {gb / converted,7:F2} {plain / converted,8:P0}"));
            output.WriteLine(string.Create(inv, $"target: fp16 read >= 70% of the copy rate -> {(plain / ours >= 0.7 ? "met" : "NOT met")}"));
            foreach (var t in destinations.Concat(fp32)) t.Dispose();
        }
        finally
        {
            if (cleanup) Directory.Delete(root, recursive: true);
        }
    }

    private static string WriteFile(string root, int sizeMb)
    {
        const long tensorElements = 16L << 20; // 32 MiB per fp16 tensor
        long total = (long)sizeMb << 20;
        int count = (int)Math.Max(1, total / (tensorElements * 2));
        var plan = Enumerable.Range(0, count).Select(i => new TensorSpec($"model.layers.{i}.mlp.up_proj.weight", DType.F16, [4096, tensorElements / 4096])).ToList();
        var bytes = new byte[tensorElements * 2];
        var random = new Random(1234);
        using var writer = new SafetensorsWriter(root, plan);
        foreach (var spec in plan)
        {
            random.NextBytes(bytes);
            for (int i = 1; i < bytes.Length; i += 2) bytes[i] &= 0x3B; // keep values finite and small
            writer.Write(spec.Name, bytes);
        }
        writer.Complete();
        return Path.Combine(root, ModelWeights.SingleFileName);
    }
}
