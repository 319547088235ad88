using EvoMerge.Demo.Training;
using EvoMerge.Evaluation;
using Xunit;

namespace EvoMerge.Tests.Demo.Training;

/// <summary>
/// The committed skill datasets are exactly what <see cref="SkillDatasets"/> writes; their tasks load; splits share
/// no question (capitals: dev and test). Set EVOMERGE_REGENERATE_FIXTURES=1 to rewrite them.
/// </summary>
public sealed class SkillDatasetTests
{
    [Fact]
    public void SkillDatasetsAreReproducible()
    {
        if (Environment.GetEnvironmentVariable("EVOMERGE_REGENERATE_FIXTURES") == "1") SkillDatasets.Write(RepositoryPaths.Combine("datasets"));

        using var fresh = new TempDirectory();
        SkillDatasets.Write(fresh.Path);
        var files = Directory.GetFiles(fresh.Path, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(fresh.Path, f)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(SyntheticSkill.All.Count * 8, files.Count);
        foreach (string file in files)
        {
            string committed = Path.Combine(RepositoryPaths.Combine("datasets"), file);
            Assert.True(File.Exists(committed), $"{committed} is missing (run with EVOMERGE_REGENERATE_FIXTURES=1)");
            Assert.True(File.ReadAllBytes(fresh.Combine(file)).AsSpan().SequenceEqual(File.ReadAllBytes(committed)), $"{committed} differs from what SkillDatasets writes");
        }
    }

    [Fact]
    public void TasksLoadWithTheSplitSizes()
    {
        foreach (var skill in SyntheticSkill.All)
        {
            var tasks = SkillDatasets.TaskFiles(skill).Select(f => EvalTask.Load(Path.Combine(RepositoryPaths.Combine("datasets"), f))).ToList();
            Assert.Equal([EvalTaskKind.MultipleChoice, EvalTaskKind.MultipleChoice, EvalTaskKind.Generate, EvalTaskKind.Generate], tasks.Select(t => t.Kind));
            Assert.Equal([skill.Sizes.Dev, skill.Sizes.Test, skill.Sizes.Dev, skill.Sizes.Test], tasks.Select(t => t.Documents.Count));
            var choice = Assert.IsType<MultipleChoiceDocument>(tasks[0].Documents[0]);
            Assert.Equal(4, choice.Choices.Count);
            Assert.Equal(4, choice.Choices.Distinct().Count());
        }
    }

    [Fact]
    public void SplitsAreDisjointAndChoicesHoldTheAnswer()
    {
        foreach (var skill in SyntheticSkill.All)
        {
            var (train, dev, test) = skill.Splits();
            Assert.Equal(skill.Sizes, (train.Count, dev.Count, test.Count));
            Assert.Empty(dev.Select(r => r.Question).Intersect(test.Select(r => r.Question)));
            if (skill is not CapitalsSkill)
                Assert.Empty(train.Select(r => r.Question).Intersect(dev.Concat(test).Select(r => r.Question)));
            Assert.All(train.Concat(dev).Concat(test), r => Assert.Equal(r.Answer, r.Choices[r.Label]));
        }
    }

    [Fact]
    public void AnswersAreCorrect()
    {
        var (_, dev, _) = new AdditionSkill().Splits();
        Assert.All(dev, r => Assert.Equal(r.Question["add ".Length..].Split('+').Sum(int.Parse).ToString(System.Globalization.CultureInfo.InvariantCulture), r.Answer));
        var (_, reversed, _) = new ReversalSkill().Splits();
        Assert.All(reversed, r => Assert.Equal(new string(r.Question["reverse ".Length..].Reverse().ToArray()), r.Answer));
    }
}
