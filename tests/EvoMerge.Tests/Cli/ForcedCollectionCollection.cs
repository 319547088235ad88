using Xunit;

namespace EvoMerge.Tests.Cli;

/// <summary>
/// Tests that force garbage collections and finalizers (to surface unobserved faulted tasks) run alone, after the
/// parallel tests: forced collections in the middle of other tests' native TorchSharp calls are not what those test.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ForcedCollectionCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "forced garbage collection";
}
