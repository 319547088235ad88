using Xunit;

namespace EvoMerge.Tests.Search.Materialization;

/// <summary>
/// Tests that measure the whole process's memory run alone (after the parallel tests), so other tests' allocations do
/// not show up in their resident-memory windows.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MemoryMeasurementCollection
{
    /// <summary>The collection's name.</summary>
    public const string Name = "memory measurement";
}
