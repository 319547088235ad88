using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EvoMerge.Tests.Tensors;

/// <summary>
/// The test side of LoRA inputs, sharing no code with the product: float32 safetensors files read and written by hand
/// (8-byte little-endian header length, JSON header, raw little-endian floats), PEFT adapter directories with PEFT's
/// saved key names, and the dense fine-tune W + scale·(B·A) computed with plain loops in double.
/// </summary>
public static class PeftAdapterFiles
{
    /// <summary>A float32 tensor: shape and row-major values.</summary>
    public sealed record Matrix(long[] Shape, float[] Values);

    /// <summary>Every tensor of a float32 safetensors file.</summary>
    public static Dictionary<string, Matrix> Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        long headerLength = BinaryPrimitives.ReadInt64LittleEndian(bytes);
        var header = JsonNode.Parse(Encoding.UTF8.GetString(bytes, 8, (int)headerLength))!.AsObject();
        var tensors = new Dictionary<string, Matrix>(StringComparer.Ordinal);
        foreach (var (name, node) in header)
        {
            if (name == "__metadata__") continue;
            if (node!["dtype"]!.GetValue<string>() != "F32") throw new InvalidDataException($"{path}: {name} is not F32");
            long[] shape = node["shape"]!.AsArray().Select(d => d!.GetValue<long>()).ToArray();
            long begin = node["data_offsets"]![0]!.GetValue<long>();
            long end = node["data_offsets"]![1]!.GetValue<long>();
            var values = new float[(end - begin) / 4];
            for (int i = 0; i < values.Length; i++)
                values[i] = BinaryPrimitives.ReadSingleLittleEndian(bytes.AsSpan((int)(8 + headerLength + begin + 4 * i), 4));
            tensors[name] = new Matrix(shape, values);
        }
        return tensors;
    }

    /// <summary>Every tensor of a model directory (single file or shards listed by the index).</summary>
    public static Dictionary<string, Matrix> ReadModel(string directory)
    {
        var all = new Dictionary<string, Matrix>(StringComparer.Ordinal);
        foreach (string file in Directory.GetFiles(directory, "*.safetensors"))
            foreach (var (name, tensor) in Read(file)) all.Add(name, tensor);
        return all;
    }

    /// <summary>Writes float32 tensors as a safetensors file.</summary>
    public static void Write(string path, IReadOnlyList<(string Name, Matrix Tensor)> tensors)
    {
        var header = new JsonObject();
        long offset = 0;
        foreach (var (name, tensor) in tensors)
        {
            long length = tensor.Values.Length * 4L;
            header[name] = new JsonObject
            {
                ["dtype"] = "F32",
                ["shape"] = new JsonArray(tensor.Shape.Select(d => (JsonNode)d).ToArray()),
                ["data_offsets"] = new JsonArray(offset, offset + length),
            };
            offset += length;
        }
        string json = header.ToJsonString();
        json += new string(' ', (8 - json.Length % 8) % 8);
        using var stream = File.Create(path);
        var prefix = new byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(prefix, json.Length);
        stream.Write(prefix);
        stream.Write(Encoding.UTF8.GetBytes(json));
        var value = new byte[4];
        foreach (var (_, tensor) in tensors)
        {
            foreach (float v in tensor.Values)
            {
                BinaryPrimitives.WriteSingleLittleEndian(value, v);
                stream.Write(value);
            }
        }
    }

    /// <summary>Writes a PEFT adapter directory: <c>adapter_config.json</c> and <c>adapter_model.safetensors</c>.</summary>
    public static void WriteAdapter(string directory, JsonObject config, IReadOnlyList<(string Name, Matrix Tensor)> tensors)
    {
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "adapter_config.json"), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        Write(Path.Combine(directory, "adapter_model.safetensors"), tensors);
    }

    /// <summary>A PEFT LoRA adapter_config.json with the given fields set over PEFT's defaults.</summary>
    public static JsonObject Config(int r, double alpha, params (string Field, JsonNode? Value)[] fields)
    {
        var config = new JsonObject
        {
            ["peft_type"] = "LORA",
            ["task_type"] = "CAUSAL_LM",
            ["base_model_name_or_path"] = "base",
            ["r"] = r,
            ["lora_alpha"] = alpha,
            ["lora_dropout"] = 0.05,
            ["bias"] = "none",
            ["fan_in_fan_out"] = false,
            ["use_rslora"] = false,
            ["use_dora"] = false,
            ["rank_pattern"] = new JsonObject(),
            ["alpha_pattern"] = new JsonObject(),
            ["modules_to_save"] = null,
            ["inference_mode"] = true,
        };
        foreach (var (field, value) in fields) config[field] = value;
        return config;
    }

    /// <summary>A tensor of values uniform in [−0.5, 0.5) from a seeded generator.</summary>
    public static Matrix Random(Random random, params long[] shape)
    {
        var values = new float[shape.Aggregate(1L, (a, b) => a * b)];
        for (int i = 0; i < values.Length; i++) values[i] = (float)(random.NextDouble() - 0.5);
        return new Matrix(shape, values);
    }

    /// <summary>
    /// W + scale·(B·A) for W [out, in], A [r, in], B [out, r]; with <paramref name="transposed"/> (embeddings:
    /// W [vocab, dim], A [r, vocab], B [dim, r]) W + scale·(B·A)ᵀ. Sums in double, one rounding to float.
    /// </summary>
    public static Matrix Dense(Matrix w, Matrix a, Matrix b, double scale, bool transposed = false)
    {
        long rows = w.Shape[0], columns = w.Shape[1], rank = a.Shape[0];
        var values = new float[w.Values.Length];
        for (long i = 0; i < rows; i++)
        {
            for (long j = 0; j < columns; j++)
            {
                // (B·A)[p, q] = Σk B[p, k]·A[k, q]; the update of W[i, j] is (B·A)[i, j], or (B·A)[j, i] when transposed.
                long p = transposed ? j : i, q = transposed ? i : j;
                double sum = 0;
                for (long k = 0; k < rank; k++) sum += (double)b.Values[p * rank + k] * a.Values[k * a.Shape[1] + q];
                values[i * columns + j] = (float)(w.Values[i * columns + j] + scale * sum);
            }
        }
        return new Matrix(w.Shape, values);
    }

    /// <summary>The largest absolute difference between two tensors of the same shape.</summary>
    public static double MaxDifference(Matrix expected, Matrix actual)
    {
        if (!expected.Shape.SequenceEqual(actual.Shape)) throw new InvalidDataException($"shape [{string.Join(", ", actual.Shape)}] != [{string.Join(", ", expected.Shape)}]");
        double max = 0;
        for (int i = 0; i < expected.Values.Length; i++) max = Math.Max(max, Math.Abs((double)expected.Values[i] - actual.Values[i]));
        return max;
    }
}
