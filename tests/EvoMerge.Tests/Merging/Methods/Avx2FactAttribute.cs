using System.Runtime.Intrinsics.X86;
using Xunit;

namespace EvoMerge.Tests.Merging.Methods;

/// <summary>A fact that needs x86 AVX2 (della's vectorised row decisions); Skipped with its reason elsewhere.</summary>
public sealed class Avx2FactAttribute : FactAttribute
{
    /// <summary>Sets the skip reason when this processor has no AVX2.</summary>
    public Avx2FactAttribute()
    {
        if (!Avx2.IsSupported) Skip = "this processor has no AVX2; della's vectorised row decisions do not run here";
    }
}
