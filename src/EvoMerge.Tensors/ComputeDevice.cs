using TorchSharp;

namespace EvoMerge.Tensors;

/// <summary>
/// Where tensors are computed: <c>cpu</c> (default, and the only device the bundled TorchSharp-cpu package can
/// use) or <c>cuda[:N]</c> when the application references a CUDA build of TorchSharp.
/// </summary>
public static class ComputeDevice
{
    /// <summary>Parses "cpu", "cuda" or "cuda:N"; unknown names and CUDA without a CUDA backend are errors.</summary>
    public static torch.Device Parse(string? name)
    {
        string n = string.IsNullOrWhiteSpace(name) ? "cpu" : name.Trim().ToLowerInvariant();
        if (n == "cpu") return torch.CPU;
        if (n == "cuda" || n.StartsWith("cuda:", StringComparison.Ordinal))
        {
            if (!torch.cuda.is_available())
                throw new ArgumentException($"device '{name}': CUDA is not available (this build references TorchSharp-cpu; reference TorchSharp-cuda-linux to use a GPU)");
            return new torch.Device(n);
        }
        throw new ArgumentException($"device '{name}': expected 'cpu', 'cuda' or 'cuda:N'");
    }
}
