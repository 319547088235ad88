using EvoMerge.Optimization;
using EvoMerge.Optimization.Pareto;
using Xunit;

namespace EvoMerge.Tests.Optimization.Pareto;

public sealed class ParetoArchiveTests
{
    [Fact]
    public void KeepsOnlyNonDominatedPoints()
    {
        var archive = new ParetoArchive<int>();
        Assert.True(archive.Add("a", [1.0, 3.0], 0.0, 1));
        Assert.True(archive.Add("b", [3.0, 1.0], 0.0, 2));
        Assert.False(archive.Add("c", [3.0, 3.0], 0.0, 3));
        Assert.True(archive.Add("d", [2.0, 2.0], 0.0, 4));
        Assert.Equal(["a", "d", "b"], archive.Entries.Select(e => e.Key));
        Assert.True(archive.Add("e", [1.0, 1.0], 0.0, 5));
        Assert.Equal(["e"], archive.Entries.Select(e => e.Key));
        Assert.Equal(5, archive.Entries[0].Payload);
        Assert.False(archive.Contains("a"));
    }

    [Fact]
    public void WeaklyDominatedPointIsRejectedButEqualObjectivesUnderAnotherKeyAreKept()
    {
        var archive = new ParetoArchive<string>();
        archive.Add("a", [1.0, 2.0], 0.0, "a");
        Assert.False(archive.Add("b", [1.0, 2.5], 0.0, "b"));
        Assert.True(archive.Add("c", [1.0, 2.0], 0.0, "c"));
        Assert.Equal(2, archive.Count);
    }

    [Fact]
    public void DuplicateKeysAreIgnored()
    {
        var archive = new ParetoArchive<int>();
        Assert.True(archive.Add("a", [1.0, 3.0], 0.0, 1));
        Assert.False(archive.Add("a", [0.0, 0.0], 0.0, 2));
        Assert.Single(archive.Entries);
        Assert.Equal(1, archive.Entries[0].Payload);
        Assert.Equal([1.0, 3.0], archive.Entries[0].Objectives);
    }

    [Fact]
    public void InfeasiblePointsOnlyWhileNothingIsFeasible()
    {
        var archive = new ParetoArchive<int>();
        Assert.True(archive.Add("x", [0.0, 0.0], 2.0, 0));
        Assert.True(archive.Add("y", [0.0, 0.0], 1.0, 0));
        Assert.Equal(["y"], archive.Entries.Select(e => e.Key));
        Assert.False(archive.Add("z", [-5.0, -5.0], 1.5, 0));
        Assert.True(archive.Add("f", [9.0, 9.0], 0.0, 0));
        Assert.Equal(["f"], archive.Entries.Select(e => e.Key));
        Assert.False(archive.Add("w", [-9.0, -9.0], 0.001, 0));
        Assert.False(archive.Add("failed", [double.PositiveInfinity, double.PositiveInfinity], double.PositiveInfinity, 0));
        Assert.All(archive.Entries, e => Assert.True(e.IsFeasible));
    }

    [Fact]
    public void NaNObjectivesCountAsInfinite()
    {
        var archive = new ParetoArchive<int>();
        archive.Add("a", [1.0, 0.5], 0.0, 0);
        Assert.False(archive.Add("nan", [double.NaN, 0.5], 0.0, 0));
        Assert.True(archive.Add("b", [0.5, 1.0], 0.0, 0));
        var other = new ParetoArchive<int>();
        Assert.True(other.Add("nan", [double.NaN, 0.5], 0.0, 0));
        Assert.Equal(double.PositiveInfinity, other.Entries[0].Objectives[0]);
    }

    [Fact]
    public void EntriesDoNotDependOnInsertionOrder()
    {
        var random = new SearchRandom(11);
        var points = Enumerable.Range(0, 60)
            .Select(i => (Key: $"p{i}", Objectives: new[] { random.NextDouble(), random.NextDouble(), random.NextDouble() }))
            .ToList();
        var first = new ParetoArchive<int>();
        foreach (var (key, objectives) in points)
        {
            first.Add(key, objectives, 0.0, 0);
        }
        random.Shuffle(points);
        var second = new ParetoArchive<int>();
        foreach (var (key, objectives) in points)
        {
            second.Add(key, objectives, 0.0, 0);
        }
        Assert.Equal(first.Entries.Select(e => e.Key), second.Entries.Select(e => e.Key));
        foreach (var a in first.Entries)
        {
            foreach (var b in first.Entries)
            {
                Assert.False(Dominance.Dominates(a.Objectives, b.Objectives));
            }
        }
        var restored = new ParetoArchive<int>(first.Entries);
        Assert.Equal(first.Entries.Select(e => e.Key), restored.Entries.Select(e => e.Key));
    }

    [Fact]
    public void ObjectiveCountMustStayTheSame()
    {
        var archive = new ParetoArchive<int>();
        archive.Add("a", [1.0, 2.0], 0.0, 0);
        Assert.Throws<ArgumentException>(() => archive.Add("b", [1.0], 0.0, 0));
    }
}
