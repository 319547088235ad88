using EvoMerge.Merging.Recipes;
using Xunit;

namespace EvoMerge.Tests.Merging.Recipes;

public class NearestNameTests
{
    [Theory]
    [InlineData("densty", "density", 1)]
    [InlineData("wieght", "weight", 1)]
    [InlineData("lamda", "lambda", 1)]
    [InlineData("weight", "t", 5)]
    [InlineData("", "abc", 3)]
    [InlineData("kitten", "sitting", 3)]
    public void Distance_counts_insertions_deletions_substitutions_and_neighbour_swaps(string a, string b, int expected)
    {
        Assert.Equal(expected, NearestName.Distance(a, b));
        Assert.Equal(expected, NearestName.Distance(b, a));
    }

    [Theory]
    [InlineData("densty", "density")]
    [InlineData("wieght", "weight")]
    [InlineData("normalise", "normalize")]
    [InlineData("lamda", "lambda")]
    [InlineData("x", null)]
    [InlineData("gamma", null)]
    [InlineData("epsilon", null)]
    public void A_name_at_most_two_edits_from_a_longer_candidate_is_suggested(string name, string? expected) =>
        Assert.Equal(expected, NearestName.Find(name, ["t", "weight", "density", "normalize", "lambda"]));
}
