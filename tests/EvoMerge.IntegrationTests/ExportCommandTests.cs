using EvoMerge.Demo;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary>
/// <c>evomerge export</c> through the built CLI after a real search: an --out that is a link to a source model, the
/// run directory or a task's folder is refused with one line and the model, run and tasks keep every byte; a
/// non-empty directory is refused without --allow-overwrite and left as it was; with it the export replaces the
/// model files, keeps the user's, and leaves no temporary directory beside the output.
/// </summary>
public sealed class ExportCommandTests
{
    [Fact]
    public void ExportRefusesInputsAndNonEmptyDirectoriesAndOverwritesOnlyWithTheFlag()
    {
        using var temp = new TempDirectory();
        string w = temp.Path;
        var layout = TinySpecialists.Write(w);
        string config = Path.Combine(w, "search.yml");
        File.WriteAllText(config, layout.SearchYaml(population: 4) + "budget:\n  generations: 1\nseed: 3\nrun_dir: runs/export\n");
        var search = CliRunner.Run(TimeSpan.FromMinutes(3), "search", config, "--progress", "none", "--metrics-url", "http://127.0.0.1:0");
        Assert.True(search.ExitCode == 0, search.Stdout + search.Stderr);
        string run = Path.Combine(w, "runs", "export");
        string[] inputs = [Path.Combine(w, "models"), Path.Combine(w, "tasks"), run];
        var before = FileTreeSnapshot.Of(inputs);

        string toSource = Path.Combine(w, "to-a");
        Directory.CreateSymbolicLink(toSource, layout.SpecialistA);
        string toTasks = Path.Combine(w, "to-tasks");
        Directory.CreateSymbolicLink(toTasks, Path.Combine(w, "tasks"));
        (string Out, string Expected)[] refused =
        [
            (toSource, $"{toSource}: the output directory (via {layout.SpecialistA}) resolves to the run's source model models[0] at {layout.SpecialistA}; refusing to write over an input"),
            (run, $"{run}: the output directory resolves to the run directory at {run}; refusing to write over an input"),
            (toTasks, $"{toTasks}: the output directory (via {Path.Combine(w, "tasks")}) contains the run's task file of 'a' at {layout.TaskA}; refusing to write over an input"),
        ];
        foreach (var (output, expected) in refused)
        {
            foreach (string[] flag in new[] { Array.Empty<string>(), ["--allow-overwrite"] })
            {
                var result = CliRunner.Run(TimeSpan.FromMinutes(1), ["export", run, "--member", "0", "--out", output, .. flag]);
                Assert.Equal(1, result.ExitCode);
                Assert.Equal("evomerge: error: " + expected, Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
            }
        }
        Assert.Equal(before, FileTreeSnapshot.Of(inputs));

        string parent = Path.Combine(w, "exports");
        string target = Path.Combine(parent, "member-0");
        Directory.CreateDirectory(target);
        File.WriteAllText(Path.Combine(target, "notes.txt"), "a user's file");
        File.WriteAllText(Path.Combine(target, "README.md"), "an older card");
        var targetBefore = FileTreeSnapshot.Of(target);
        var withoutFlag = CliRunner.Run(TimeSpan.FromMinutes(1), "export", run, "--member", "0", "--out", target);
        Assert.Equal(1, withoutFlag.ExitCode);
        Assert.Equal($"evomerge: error: {target}: output directory exists and is not empty (--allow-overwrite replaces its model files)",
            Assert.Single(withoutFlag.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.Equal(targetBefore, FileTreeSnapshot.Of(target));

        var withFlag = CliRunner.Run(TimeSpan.FromMinutes(2), "export", run, "--member", "0", "--out", target, "--allow-overwrite");
        Assert.True(withFlag.ExitCode == 0, withFlag.Stdout + withFlag.Stderr);
        string[] expectedFiles = ["README.md", "config.json", "evomerge_recipe.yml", "merge.yml", "model.safetensors", "notes.txt", "tokenizer.json", "tokenizer_config.json"];
        Assert.Equal(expectedFiles, Directory.GetFileSystemEntries(target).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("a user's file", File.ReadAllText(Path.Combine(target, "notes.txt")));
        Assert.StartsWith("---", File.ReadAllText(Path.Combine(target, "README.md")), StringComparison.Ordinal);
        Assert.Equal(["member-0"], Directory.GetFileSystemEntries(parent).Select(Path.GetFileName));
        Assert.Equal(before, FileTreeSnapshot.Of(inputs));
        var inspect = CliRunner.Run(TimeSpan.FromMinutes(1), "inspect", target);
        Assert.True(inspect.ExitCode == 0, inspect.Stderr);
    }
}
