using TorchSharp;

namespace EvoMerge.Tensors;

/// <summary>Element types a safetensors file can hold (the subset EvoMerge reads and writes).</summary>
public enum DType
{
    F64,
    F32,
    F16,
    BF16,
    I64,
    I32,
    I16,
    I8,
    U8,
    Bool,
}

/// <summary>Sizes, names and TorchSharp equivalents of <see cref="DType"/>.</summary>
public static class DTypes
{
    /// <summary>Bytes per element.</summary>
    public static int SizeOf(this DType dtype) => dtype switch
    {
        DType.F64 or DType.I64 => 8,
        DType.F32 or DType.I32 => 4,
        DType.F16 or DType.BF16 or DType.I16 => 2,
        DType.I8 or DType.U8 or DType.Bool => 1,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>The name used in safetensors headers (e.g. "BF16").</summary>
    public static string ToSafetensorsName(this DType dtype) => dtype == DType.Bool ? "BOOL" : dtype.ToString();

    /// <summary>Parses a safetensors header dtype name; false for names EvoMerge does not support.</summary>
    public static bool TryParseSafetensorsName(string name, out DType dtype)
    {
        switch (name)
        {
            case "F64": dtype = DType.F64; return true;
            case "F32": dtype = DType.F32; return true;
            case "F16": dtype = DType.F16; return true;
            case "BF16": dtype = DType.BF16; return true;
            case "I64": dtype = DType.I64; return true;
            case "I32": dtype = DType.I32; return true;
            case "I16": dtype = DType.I16; return true;
            case "I8": dtype = DType.I8; return true;
            case "U8": dtype = DType.U8; return true;
            case "BOOL": dtype = DType.Bool; return true;
            default: dtype = default; return false;
        }
    }

    /// <summary>The TorchSharp scalar type with the same bit layout.</summary>
    public static torch.ScalarType ToScalarType(this DType dtype) => dtype switch
    {
        DType.F64 => torch.ScalarType.Float64,
        DType.F32 => torch.ScalarType.Float32,
        DType.F16 => torch.ScalarType.Float16,
        DType.BF16 => torch.ScalarType.BFloat16,
        DType.I64 => torch.ScalarType.Int64,
        DType.I32 => torch.ScalarType.Int32,
        DType.I16 => torch.ScalarType.Int16,
        DType.I8 => torch.ScalarType.Int8,
        DType.U8 => torch.ScalarType.Byte,
        DType.Bool => torch.ScalarType.Bool,
        _ => throw new ArgumentOutOfRangeException(nameof(dtype), dtype, null),
    };

    /// <summary>The safetensors dtype of a TorchSharp scalar type.</summary>
    public static DType FromScalarType(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Float64 => DType.F64,
        torch.ScalarType.Float32 => DType.F32,
        torch.ScalarType.Float16 => DType.F16,
        torch.ScalarType.BFloat16 => DType.BF16,
        torch.ScalarType.Int64 => DType.I64,
        torch.ScalarType.Int32 => DType.I32,
        torch.ScalarType.Int16 => DType.I16,
        torch.ScalarType.Int8 => DType.I8,
        torch.ScalarType.Byte => DType.U8,
        torch.ScalarType.Bool => DType.Bool,
        _ => throw new NotSupportedException($"tensor dtype {type} cannot be stored in safetensors by EvoMerge"),
    };

    /// <summary>
    /// Parses a torch/HF dtype string as used in recipes and config.json ("bfloat16", "torch.float16", "float32",
    /// "bf16", "fp16", "fp32"); null when the name is unknown.
    /// </summary>
    public static torch.ScalarType? ParseTorchName(string name)
    {
        string n = name.StartsWith("torch.", StringComparison.Ordinal) ? name[6..] : name;
        return n switch
        {
            "bfloat16" or "bf16" => torch.ScalarType.BFloat16,
            "float16" or "half" or "fp16" => torch.ScalarType.Float16,
            "float32" or "float" or "fp32" => torch.ScalarType.Float32,
            "float64" or "double" or "fp64" => torch.ScalarType.Float64,
            "int64" => torch.ScalarType.Int64,
            _ => null,
        };
    }

    /// <summary>The HF config.json name of a floating scalar type ("bfloat16", "float16", "float32").</summary>
    public static string ToTorchName(torch.ScalarType type) => type switch
    {
        torch.ScalarType.BFloat16 => "bfloat16",
        torch.ScalarType.Float16 => "float16",
        torch.ScalarType.Float32 => "float32",
        torch.ScalarType.Float64 => "float64",
        torch.ScalarType.Int64 => "int64",
        _ => type.ToString().ToLowerInvariant(),
    };
}
