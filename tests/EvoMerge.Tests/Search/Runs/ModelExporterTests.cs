using EvoMerge.Optimization.Pareto;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Runs;
using EvoMerge.Tensors;
using Xunit;

namespace EvoMerge.Tests.Search.Runs;

/// <summary>
/// Export never writes over a model, the run directory or a task file of the run (links and ".." resolved), needs allowOverwrite for a non-empty
/// directory (whose other files it keeps), and puts the model in place by renaming a finished sibling directory.
/// Real directories and real links; the models are compared byte for byte afterwards.
/// </summary>
public class ModelExporterTests(SpecialistsFixture fixture) : IClassFixture<SpecialistsFixture>
{
    private (SearchSetup Setup, ParetoArchiveEntry<ArchiveMember>[] Archive) Search(string name)
    {
        var config = SearchConfigReader.ReadFile(fixture.Config(name, "  methods: [ties]\n  layer_groups: 1", population: 4, generations: 1));
        using var run = SearchRun.Start(config);
        run.Run();
        return (run.Setup, [.. run.Archive]);
    }

    private static Dictionary<string, byte[]> Snapshot(string directory) =>
        Directory.GetFiles(directory, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(directory, f), File.ReadAllBytes);

    private static void AssertUnchanged(Dictionary<string, byte[]> before, string directory)
    {
        var after = Snapshot(directory);
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        foreach (var (file, bytes) in before) Assert.True(bytes.AsSpan().SequenceEqual(after[file]), $"{file} changed");
    }

    [Fact]
    public void An_output_that_is_a_link_to_a_source_or_leads_into_the_base_is_refused_even_with_allow_overwrite()
    {
        var (setup, archive) = Search("export-into-input");
        string models = Path.Combine(fixture.Layout.Root, "models");
        var before = Snapshot(models);
        string links = Path.Combine(fixture.Layout.Root, "export-links");
        Directory.CreateDirectory(links);
        Directory.CreateSymbolicLink(Path.Combine(links, "to-a"), Path.Combine(models, "a"));
        Directory.CreateSymbolicLink(Path.Combine(links, "to-models"), models);

        var source = Assert.Throws<IOException>(() => ModelExporter.Export(setup, archive, 0, Path.Combine(links, "to-a"), allowOverwrite: true));
        Assert.Equal($"{Path.Combine(links, "to-a")}: the output directory (via {Path.Combine(models, "a")}) resolves to the run's source model models[0] at {Path.Combine(models, "a")}; refusing to write over an input", source.Message);
        var intoBase = Assert.Throws<IOException>(() => ModelExporter.Export(setup, archive, 0, Path.Combine(links, "to-models", "a", "..", "base", "out")));
        Assert.Contains($"is inside the run's base model at {Path.Combine(models, "base")}", intoBase.Message);
        AssertUnchanged(before, models);
        Assert.Empty(Directory.GetFileSystemEntries(models, ".*"));
    }

    [Fact]
    public void An_output_at_into_or_around_the_run_directory_or_onto_the_task_files_is_refused_even_with_allow_overwrite()
    {
        var (setup, archive) = Search("export-run-inputs");
        string run = Path.Combine(fixture.Layout.Root, "runs", "export-run-inputs");
        string tasks = Path.Combine(fixture.Layout.Root, "tasks");
        var runBefore = Snapshot(run);
        var tasksBefore = Snapshot(tasks);
        string link = Path.Combine(fixture.Layout.Root, "export-run-links", "to-tasks");
        Directory.CreateDirectory(Path.GetDirectoryName(link)!);
        Directory.CreateSymbolicLink(link, tasks);
        const string Refusing = "; refusing to write over an input";

        var itself = Assert.Throws<IOException>(() => ModelExporter.Export(setup, archive, 0, run, allowOverwrite: true));
        Assert.Equal($"{run}: the output directory resolves to the run directory at {run}{Refusing}", itself.Message);
        string inside = Path.Combine(run, "member-0");
        var into = Assert.Throws<IOException>(() => ModelExporter.Export(setup, archive, 0, inside, allowOverwrite: true));
        Assert.Equal($"{inside}: the output directory is inside the run directory at {run}{Refusing}", into.Message);
        string runs = Path.Combine(fixture.Layout.Root, "runs");
        var around = Assert.Throws<IOException>(() => ModelExporter.Export(setup, archive, 0, runs, allowOverwrite: true));
        Assert.Equal($"{runs}: the output directory contains the run directory at {run}{Refusing}", around.Message);
        var taskFiles = Assert.Throws<IOException>(() => ModelExporter.Export(setup, archive, 0, link, allowOverwrite: true));
        Assert.Equal($"{link}: the output directory (via {tasks}) contains the run's task file of 'a' at {Path.Combine(tasks, "a.yml")}{Refusing}", taskFiles.Message);
        string onto = Path.Combine(link, "a.yml");
        var taskFile = Assert.Throws<IOException>(() => ModelExporter.Export(setup, archive, 0, onto, allowOverwrite: true));
        Assert.Equal($"{onto}: the output directory (via {Path.Combine(tasks, "a.yml")}) resolves to the run's task file of 'a' at {Path.Combine(tasks, "a.yml")}{Refusing}", taskFile.Message);

        AssertUnchanged(runBefore, run);
        AssertUnchanged(tasksBefore, tasks);
        Assert.Empty(Directory.GetFileSystemEntries(runs, ".*"));
        Assert.Empty(Directory.GetFileSystemEntries(run, ".*"));
    }

    [Fact]
    public void A_non_empty_output_needs_allow_overwrite_which_replaces_the_model_files_and_keeps_the_rest()
    {
        var (setup, archive) = Search("export-overwrite");
        string parent = Path.Combine(fixture.Layout.Root, "export-overwrite-out");
        string output = Path.Combine(parent, "model");
        Directory.CreateDirectory(Path.Combine(output, "notes"));
        File.WriteAllText(Path.Combine(output, "keep.txt"), "mine");
        File.WriteAllText(Path.Combine(output, "notes", "n.txt"), "mine too");
        File.WriteAllText(Path.Combine(output, "model-00001-of-00002.safetensors"), "an older model's shard");
        File.WriteAllText(Path.Combine(output, ModelExporter.ModelCardFileName), "an older card");

        var refused = Assert.Throws<IOException>(() => ModelExporter.Export(setup, archive, 0, output));
        Assert.Equal($"{output}: output directory exists and is not empty (--allow-overwrite replaces its model files)", refused.Message);
        Assert.Equal("an older card", File.ReadAllText(Path.Combine(output, ModelExporter.ModelCardFileName)));

        ModelExporter.Export(setup, archive, 0, output, allowOverwrite: true);
        string[] expected = ["README.md", "config.json", "evomerge_recipe.yml", "keep.txt", "merge.yml", "model.safetensors", "notes", "tokenizer.json", "tokenizer_config.json"];
        Assert.Equal(expected, Directory.GetFileSystemEntries(output).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal("mine", File.ReadAllText(Path.Combine(output, "keep.txt")));
        Assert.Equal("mine too", File.ReadAllText(Path.Combine(output, "notes", "n.txt")));
        Assert.StartsWith("---", File.ReadAllText(Path.Combine(output, ModelExporter.ModelCardFileName)), StringComparison.Ordinal);
        Assert.Equal(["model"], Directory.GetFileSystemEntries(parent).Select(Path.GetFileName));
    }

    [Fact]
    public void A_new_output_appears_complete_and_nothing_else_is_left_beside_it()
    {
        var (setup, archive) = Search("export-new");
        string parent = Path.Combine(fixture.Layout.Root, "export-new-out");
        string output = Path.Combine(parent, "nested", "model");

        ModelExporter.Export(setup, archive, 0, output);
        using (var exported = ModelDirectory.Open(output)) Assert.NotEmpty(exported.Layout.ExpectedNames());
        Assert.Equal(["model"], Directory.GetFileSystemEntries(Path.Combine(parent, "nested")).Select(Path.GetFileName));

        var bad = Assert.Throws<ArgumentException>(() => ModelExporter.Export(setup, archive, archive.Length, Path.Combine(parent, "other")));
        Assert.Contains("--member", bad.Message);
        Assert.Equal(["nested"], Directory.GetFileSystemEntries(parent).Select(Path.GetFileName));
    }
}
