using EvoMerge.Inference;
using EvoMerge.Tensors;
using TorchSharp;

namespace EvoMerge.Tests.Inference.Decoder.Families;

/// <summary>A <see cref="FamilyTestModels"/> model in a temporary directory (deleted on dispose).</summary>
internal sealed class FamilyModelDirectory : IDisposable
{
    private readonly TempDirectory _directory = new("evomerge-family-test");

    public FamilyModelDirectory(TinyArchitectureSpec spec, long seed = 5)
    {
        TinyArchitectureWriter.WriteRandom(Path, spec, seed);
        var scaled = new List<(string, torch.Tensor)>();
        try
        {
            using (var model = ModelDirectory.Open(Path))
            {
                foreach (string name in model.Weights.Names)
                {
                    var t = model.Weights.Load(name, torch.ScalarType.Float32).DetachFromDisposeScope();
                    if (t.dim() == 2 && !name.Contains("embed_tokens", StringComparison.Ordinal))
                    {
                        using var eight = 8.0f.ToScalar();
                        t.mul_(eight);
                    }
                    scaled.Add((name, t));
                }
            }
            foreach (string file in Directory.GetFiles(Path, "*.safetensors*")) File.Delete(file);
            SafetensorsWriter.WriteModel(Path, scaled);
        }
        finally
        {
            foreach (var (_, t) in scaled) t.Dispose();
        }
    }

    public string Path => _directory.Path;

    public DecoderModel Load()
    {
        using var directory = ModelDirectory.Open(Path);
        return DecoderModel.Load(directory);
    }

    public void Dispose() => _directory.Dispose();
}
