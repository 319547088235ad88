using EvoMerge.Merging;
using EvoMerge.Merging.Execution;
using Xunit;

namespace EvoMerge.Tests.Merging.Execution;

/// <summary>
/// The output directory never reaches an input, however it is spelled (symbolic links, "..", a parent of the
/// models), even with allowOverwrite; a failed merge leaves no directory behind that it created. Real directories
/// and real links; the inputs are compared byte for byte afterwards.
/// </summary>
public class ModelDirectorySinkTests
{
    private const string Recipe = "models:\n  - model: models/a\n    parameters: {weight: 1}\n  - model: models/b\n    parameters: {weight: 1}\n"
        + "merge_method: linear\ntokenizer_source: models/c\n";

    private static RecipeWorkspace Workspace()
    {
        var ws = new RecipeWorkspace();
        var spec = RecipeWorkspace.Spec(layers: 2);
        ws.Model(Path.Combine("models", "a"), spec, 1);
        ws.Model(Path.Combine("models", "b"), spec, 2);
        ws.Model(Path.Combine("models", "c"), spec, 3);
        return ws;
    }

    private static Dictionary<string, byte[]> Snapshot(string directory) =>
        Directory.GetFiles(directory, "*", SearchOption.AllDirectories).ToDictionary(f => Path.GetRelativePath(directory, f), File.ReadAllBytes);

    private static void AssertUnchanged(Dictionary<string, byte[]> before, string directory)
    {
        var after = Snapshot(directory);
        Assert.Equal(before.Keys.Order(StringComparer.Ordinal), after.Keys.Order(StringComparer.Ordinal));
        foreach (var (file, bytes) in before) Assert.True(bytes.AsSpan().SequenceEqual(after[file]), $"{file} changed");
    }

    private static void Merge(RecipeWorkspace ws, string output, string recipe = Recipe)
    {
        using var plan = ws.Plan(recipe);
        using var sink = ModelDirectorySink.Create(plan, output, allowOverwrite: true);
        using var executor = new MergeExecutor(plan, new MergeExecutionOptions());
        executor.Run(sink);
    }

    [Theory]
    [InlineData("a")]
    [InlineData("b")]
    [InlineData("c")]
    public void Allow_overwrite_into_a_link_to_an_input_or_the_tokenizer_source_is_refused_naming_both_paths(string model)
    {
        using var ws = Workspace();
        string input = Path.Combine(ws.Root, "models", model);
        var before = Snapshot(input);
        string link = Path.Combine(ws.Root, "out-link");
        Directory.CreateSymbolicLink(link, input);

        var error = Assert.Throws<MergeException>(() => Merge(ws, link));
        Assert.Equal($"{link}: the output directory (via {input}) resolves to the recipe's model 'models/{model}' at {input}; refusing to write over an input", error.Message);
        AssertUnchanged(before, input);
    }

    [Fact]
    public void Dot_dot_after_a_link_is_resolved_as_the_kernel_does()
    {
        using var ws = Workspace();
        string input = Path.Combine(ws.Root, "models", "a");
        var before = Snapshot(input);
        Directory.CreateDirectory(Path.Combine(ws.Root, "deep", "x"));
        Directory.CreateSymbolicLink(Path.Combine(ws.Root, "up"), Path.Combine(ws.Root, "deep", "x"));
        // Lexically ROOT/up/../../models/a is ROOT/../models/a; through the link it is ROOT/models/a.
        string output = Path.Combine(ws.Root, "up", "..", "..", "models", "a");

        var error = Assert.Throws<MergeException>(() => Merge(ws, output));
        Assert.Contains($"resolves to the recipe's model 'models/a' at {input}", error.Message);
        AssertUnchanged(before, input);
    }

    [Fact]
    public void An_output_inside_an_input_or_around_one_is_refused()
    {
        using var ws = Workspace();
        var before = Snapshot(Path.Combine(ws.Root, "models"));
        Directory.CreateSymbolicLink(Path.Combine(ws.Root, "models-link"), Path.Combine(ws.Root, "models"));

        var inside = Assert.Throws<MergeException>(() => Merge(ws, Path.Combine(ws.Root, "models-link", "b", "merged")));
        Assert.Contains($"is inside the recipe's model 'models/b' at {Path.Combine(ws.Root, "models", "b")}", inside.Message);
        var around = Assert.Throws<MergeException>(() => Merge(ws, Path.Combine(ws.Root, "models-link")));
        Assert.Contains($"contains the recipe's model 'models/a' at {Path.Combine(ws.Root, "models", "a")}", around.Message);
        AssertUnchanged(before, Path.Combine(ws.Root, "models"));
        Assert.False(Directory.Exists(Path.Combine(ws.Root, "models", "b", "merged")));
    }

    [Fact]
    public void A_failed_merge_removes_the_directories_it_created_and_keeps_one_that_existed()
    {
        using var ws = Workspace();
        // The chat template is written into the copied tokenizer_config.json, after the weights are in place: a
        // donor whose file is not JSON fails the merge at its very end.
        File.WriteAllText(Path.Combine(ws.Root, "models", "c", "tokenizer_config.json"), "not json");
        string recipe = Recipe + "chat_template: \"{% for m in messages %}{{ m.content }}{% endfor %}\"\n";

        string created = Path.Combine(ws.Root, "new");
        Assert.Throws<InvalidDataException>(() => Merge(ws, Path.Combine(created, "nested", "out"), recipe));
        Assert.False(Directory.Exists(created), "the failed merge created it and must remove it");

        string existing = Path.Combine(ws.Root, "existing");
        Directory.CreateDirectory(existing);
        Assert.Throws<InvalidDataException>(() => Merge(ws, existing, recipe));
        Assert.True(Directory.Exists(existing), "a directory that existed before stays");
    }

    [Fact]
    public void A_link_to_a_directory_that_is_no_input_is_written_through_to_its_target()
    {
        using var ws = Workspace();
        string target = Path.Combine(ws.Root, "elsewhere", "merged");
        Directory.CreateDirectory(target);
        string link = Path.Combine(ws.Root, "out-link");
        Directory.CreateSymbolicLink(link, target);

        Merge(ws, link);
        Assert.True(File.Exists(Path.Combine(target, "model.safetensors")));
        Assert.Contains("model: \"../../models/a\"", File.ReadAllText(Path.Combine(target, ModelDirectorySink.RecipeFileName)));
        Assert.NotNull(new FileInfo(link).LinkTarget);
    }
}
