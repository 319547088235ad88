using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// Tests that compare two measured times of the built CLI (e.g. the dry run's estimate against a real search): they
/// run alone within this project, so the other integration tests do not load one of the two measurements and not the
/// other.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "timing";
}
