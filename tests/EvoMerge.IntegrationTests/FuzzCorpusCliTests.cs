using System.Text.Json.Nodes;
using EvoMerge.Demo;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// A sample of the fuzz corpus (tests/fuzz-corpus: the first refused cases of each kind of input, and recipes aimed
/// at an input through links) through the built CLI as child processes: exit 1, exactly one line on stderr starting
/// <c>evomerge: error: </c>, and the models and tasks unchanged. The whole corpus runs in process in
/// EvoMerge.Tests (FuzzCorpusBatteryTests).
/// </summary>
public sealed class FuzzCorpusCliTests
{
    private const int PerEntry = 3;

    [Fact]
    public void SampledCorpusFilesAreOneLineErrorsWithExitOneAndTouchNoInput()
    {
        using var temp = new TempDirectory();
        string w = temp.Path;
        TinySpecialists.Write(w);
        string corpus = Path.Combine(CliRunner.RepositoryRoot, "tests", "fuzz-corpus");
        var cases = JsonNode.Parse(File.ReadAllText(Path.Combine(corpus, "manifest.json")))!["cases"]!.AsArray()
            .Select(c => (File: (string)c!["file"]!, Entry: (string)c["entry"]!, Kind: (string)c["kind"]!, MustFail: (bool?)c["must_fail"] ?? false,
                Output: (string?)c["output"]))
            .ToList();
        var sample = cases.Where(c => c.MustFail && c.Output is null or "fresh").GroupBy(c => c.Entry).SelectMany(g => g.Take(PerEntry))
            .Concat(cases.Where(c => c.Kind is "output-link-to-source" or "output-link-to-models-then-base" or "output-non-empty"))
            .ToList();
        Assert.Equal(4 * PerEntry + 3, sample.Count);
        var before = FileTreeSnapshot.Of(Path.Combine(w, "models"), Path.Combine(w, "tasks"));

        var failures = new List<string>();
        for (int i = 0; i < sample.Count; i++)
        {
            var c = sample[i];
            string source = Path.Combine([corpus, .. c.File.Split('/')]);
            string[] args = c.Entry switch
            {
                "safetensors" => ["inspect", ModelWith(w, i, source)],
                "search_config" => ["search", Copy(source, Path.Combine(w, $"config-{i}.yml")), "--dry-run"],
                "task" => ["eval", Path.Combine(w, "models", "base"), "--task", TaskCopy(w, i, source)],
                _ => ["merge", Copy(source, Path.Combine(w, $"recipe-{i}.yml")), Output(w, i, c.Output!)],
            };
            var result = CliRunner.Run(TimeSpan.FromSeconds(60), args);
            string[] lines = result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            if (result.ExitCode != 1 || lines.Length != 1 || !lines[0].StartsWith("evomerge: error: ", StringComparison.Ordinal))
                failures.Add($"{c.File} ({c.Kind}): exit {result.ExitCode}, stderr: {result.Stderr}");
        }
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.Equal(before, FileTreeSnapshot.Of(Path.Combine(w, "models"), Path.Combine(w, "tasks")));
    }

    private static string ModelWith(string w, int i, string weights)
    {
        string model = Path.Combine(w, $"st-{i}");
        Directory.CreateDirectory(model);
        File.Copy(Path.Combine(w, "models", "base", "config.json"), Path.Combine(model, "config.json"));
        File.Copy(weights, Path.Combine(model, "model.safetensors"));
        return model;
    }

    /// <summary>Copies the task YAML and its Parquet data (same stem) into a folder of their own.</summary>
    private static string TaskCopy(string w, int i, string yaml)
    {
        string folder = Path.Combine(w, $"task-{i}");
        Directory.CreateDirectory(folder);
        string data = Path.ChangeExtension(yaml, ".parquet");
        if (File.Exists(data)) File.Copy(data, Path.Combine(folder, Path.GetFileName(data)));
        return Copy(yaml, Path.Combine(folder, Path.GetFileName(yaml)));
    }

    private static string Output(string w, int i, string kind)
    {
        string link = Path.Combine(w, $"link-{i}");
        switch (kind)
        {
            case "fresh":
                return Path.Combine(w, $"out-{i}");
            case "link-to-source":
                Directory.CreateSymbolicLink(link, Path.Combine(w, "models", "a"));
                return link;
            case "link-to-models-then-base":
                Directory.CreateSymbolicLink(link, Path.Combine(w, "models"));
                return Path.Combine(link, "base");
            default:
                string target = Path.Combine(w, $"target-{i}");
                Directory.CreateDirectory(target);
                File.WriteAllText(Path.Combine(target, "notes.txt"), "a user's file");
                return target;
        }
    }

    private static string Copy(string from, string to)
    {
        File.Copy(from, to);
        return to;
    }
}
