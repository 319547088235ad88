using EvoMerge.Evaluation;
using Xunit;

namespace EvoMerge.Tests.Evaluation;

/// <summary>
/// datasets/examples is exactly what <see cref="ExampleDatasets"/> writes, and every example task loads.
/// Set EVOMERGE_REGENERATE_FIXTURES=1 to rewrite it.
/// </summary>
public sealed class ExampleDatasetTests
{
    private static string ExampleDirectory([System.Runtime.CompilerServices.CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", "..", "datasets", "examples"));

    [Fact]
    public void ExampleDatasetsAreReproducible()
    {
        if (Environment.GetEnvironmentVariable("EVOMERGE_REGENERATE_FIXTURES") == "1") ExampleDatasets.Write(ExampleDirectory());

        using var fresh = new TempDirectory();
        ExampleDatasets.Write(fresh.Path);
        foreach (string file in Directory.GetFiles(fresh.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal).Cast<string>())
        {
            string committed = Path.Combine(ExampleDirectory(), file);
            Assert.True(File.Exists(committed), $"{committed} is missing (run with EVOMERGE_REGENERATE_FIXTURES=1)");
            Assert.True(File.ReadAllBytes(fresh.Combine(file)).AsSpan().SequenceEqual(File.ReadAllBytes(committed)), $"{committed} differs from what ExampleDatasets writes");
        }
    }

    [Fact]
    public void ExampleTasksLoadWithTwentyDocuments()
    {
        var tasks = ExampleDatasets.TaskFiles.Select(f => EvalTask.Load(Path.Combine(ExampleDirectory(), f))).ToList();
        Assert.All(tasks, t => Assert.Equal(ExampleDatasets.Rows, t.Documents.Count));
        var choice = Assert.IsType<MultipleChoiceDocument>(tasks[0].Documents[0]);
        Assert.StartsWith("Question: What is ", choice.Context);
        Assert.Equal(4, choice.Choices.Count);
        int sum = choice.Context["Question: What is ".Length..choice.Context.IndexOf('?')].Split(" + ").Sum(int.Parse);
        Assert.Equal(sum.ToString(System.Globalization.CultureInfo.InvariantCulture), choice.Choices[choice.Answer]);
        var answer = Assert.IsType<GenerationDocument>(tasks[1].Documents[0]);
        Assert.Equal(3, answer.Context.Split("\n\n").Length);
        Assert.Equal(EvalTaskKind.Perplexity, tasks[2].Kind);
    }
}
