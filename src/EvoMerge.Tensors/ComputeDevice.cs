using System.Globalization;
using TorchSharp;

namespace EvoMerge.Tensors;

/// <summary>
/// Where tensors are computed: <c>cpu</c> (default, and the only device of the default build, which references
/// TorchSharp-cpu) or <c>cuda[:N]</c> on a build made with <c>-p:TorchBackend=cuda</c> (TorchSharp-cuda-linux).
/// <see cref="Use"/> makes the device torch's default for the process, so every tensor EvoMerge creates without
/// naming a device (candidate models, merge buffers, the resident inputs sources are read into, scoring batches) is
/// made there.
/// </summary>
public static class ComputeDevice
{
    /// <summary>True on a build without the CUDA backend (the default: <c>TorchBackend</c> is <c>cpu</c>).</summary>
    public static bool CpuOnlyBuild =>
#if TORCH_CUDA
        false;
#else
        true;
#endif

    /// <summary>The device new tensors are made on (torch's default device).</summary>
    public static torch.Device Current => torch.get_default_device();

    /// <summary>
    /// Parses "cpu", "cuda" or "cuda:N" (case and surrounding blanks ignored; null or blank is cpu); an unknown name,
    /// CUDA on a CPU-only build and CUDA without a visible GPU are an <see cref="ArgumentException"/> naming <paramref name="field"/>.
    /// </summary>
    public static torch.Device Parse(string? name, string field)
    {
        string n = string.IsNullOrWhiteSpace(name) ? "cpu" : name.Trim().ToLowerInvariant();
        if (n == "cpu") return torch.CPU;
        bool cuda = n == "cuda" || (n.StartsWith("cuda:", StringComparison.Ordinal) && int.TryParse(n["cuda:".Length..], NumberStyles.None, CultureInfo.InvariantCulture, out _));
        if (!cuda) throw new ArgumentException($"{field} '{name}': expected cpu, cuda or cuda:N");
        if (CpuOnlyBuild) throw new ArgumentException($"{field} '{name}': this build is CPU-only (TorchSharp-cpu); rebuild with -p:TorchBackend=cuda to use a GPU");
        if (!torch.cuda.is_available()) throw new ArgumentException($"{field} '{name}': no CUDA device is visible to this process");
        return new torch.Device(n);
    }

    /// <summary>Parses <paramref name="name"/> (see <see cref="Parse"/>) and makes it the device new tensors are made on in this process.</summary>
    public static torch.Device Use(string? name, string field)
    {
        var device = Parse(name, field);
        torch.set_default_device(device);
        return device;
    }
}
