using System.Diagnostics;
using EvoMerge.Cli;
using EvoMerge.Demo;
using EvoMerge.Evaluation;
using EvoMerge.FuzzCorpus;
using EvoMerge.Merging.Execution;
using EvoMerge.Merging.Recipes;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Proxy;
using EvoMerge.Search.Runs;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;

namespace EvoMerge.Tests.FuzzCorpus;

/// <summary>
/// Every file of the committed fuzz corpus goes through the entry point the CLI uses for it, in process:
/// safetensors through <c>inspect</c> (ModelDirectory, ModelSummary) and the reader (every tensor loaded),
/// search configs through SearchConfigReader and the search setup (models opened, tasks loaded), tasks through
/// EvalTask.Load (task reader, SafeParquetReader), recipes through RecipeReader, MergePlanner and a merge into the
/// manifest's output. For each: only the CLI's user-error exceptions (<see cref="EvoMergeCommandLine.IsUserError"/>),
/// on one line; under <see cref="Limit"/>; refused where the corpus says it must be; and afterwards no input (models,
/// tasks, corpus files, links, a user's directory or file given as output) has changed in bytes, time, or entries.
/// </summary>
public sealed class FuzzCorpusBatteryTests(ITestOutputHelper log) : IDisposable
{
    /// <summary>The most one case may take.</summary>
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);

    private readonly TempDirectory _workspace = new("evomerge-fuzz");

    public void Dispose() => _workspace.Dispose();

    private string W(params string[] parts) => _workspace.Combine(parts);

    [Fact]
    public async Task EveryCorpusFileIsAUserErrorOrReadsWithoutWritingAnInput()
    {
        string corpus = RepositoryPaths.Combine("tests", "fuzz-corpus");
        var manifest = CorpusManifest.Read(corpus);
        TinySpecialists.Write(_workspace.Path);
        CopyDirectory(corpus, W("corpus"));
        foreach (string folder in new[] { "search-configs", "recipes" })
        {
            Directory.CreateSymbolicLink(W("corpus", folder, "models"), W("models"));
            Directory.CreateSymbolicLink(W("corpus", folder, "tasks"), W("tasks"));
        }
        foreach (string folder in new[] { "fresh", "links", "targets", "st" }) Directory.CreateDirectory(W(folder));

        AcceptsTheValidInputsTheMutationsStartFrom();
        var runs = manifest.Cases.Select((c, i) => (Case: c, Index: i, Run: Prepare(c, i))).ToList();
        string[] inputs = [W("models"), W("tasks"), W("corpus"), W("links"), W("targets"), W("st")];
        var before = InputSnapshot.Of(inputs);
        Assert.True(before.Count > 2 * manifest.Cases.Count);

        var failures = new List<string>();
        var refused = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (c, index, run) in runs)
        {
            string name = $"{c.File} ({c.Kind}{(c.Output is null ? "" : ", output " + c.Output)})";
            var clock = Stopwatch.StartNew();
            var task = Task.Run(run);
            try
            {
                await task.WaitAsync(Limit);
                if (c.MustFail) failures.Add($"{name}: accepted, but the corpus says it must be refused");
            }
            catch (TimeoutException) when (!task.IsCompleted)
            {
                failures.Add($"{name}: still running after {Limit.TotalSeconds} s");
                continue;
            }
            catch (Exception error)
            {
                refused[c.Entry] = refused.GetValueOrDefault(c.Entry) + 1;
                if (!EvoMergeCommandLine.IsUserError(error)) failures.Add($"{name}: unhandled {error.GetType().Name}: {error.Message}");
                else if (error.Message.Contains('\n')) failures.Add($"{name}: a message of more than one line: {error.Message}");
                if (c.Output == RecipeOutput.Fresh && Path.Exists(W("fresh", index.ToString(System.Globalization.CultureInfo.InvariantCulture))))
                    failures.Add($"{name}: the refused merge left its output directory behind");
            }
            if (clock.Elapsed > Limit) failures.Add($"{name}: took {clock.Elapsed.TotalSeconds:0.0} s");
        }

        foreach (var group in manifest.Cases.GroupBy(c => c.Entry))
            log.WriteLine($"{group.Key}: {group.Count()} files, {refused.GetValueOrDefault(group.Key)} refused, {group.Count(c => c.MustFail)} must be");
        var differences = before.Differences(InputSnapshot.Of(inputs));
        Assert.True(failures.Count == 0 && differences.Count == 0,
            $"{failures.Count} of {manifest.Cases.Count} cases failed:\n{string.Join("\n", failures)}\n{differences.Count} inputs changed:\n{string.Join("\n", differences)}");
    }

    /// <summary>
    /// The harness's control: the valid file each category mutates goes through the same entry point without an
    /// error (else every mutation would be refused for the wrong reason).
    /// </summary>
    private void AcceptsTheValidInputsTheMutationsStartFrom()
    {
        string model = W("valid", "model");
        Directory.CreateDirectory(model);
        File.Copy(W("models", "base", "config.json"), Path.Combine(model, "config.json"));
        File.WriteAllBytes(Path.Combine(model, ModelWeights.SingleFileName), SafetensorsMutations.Valid());
        Inspect(model, Path.Combine(model, ModelWeights.SingleFileName));

        File.WriteAllText(W("valid-search.yml"), SearchConfigMutations.Valid);
        SetUp(W("valid-search.yml"));

        File.WriteAllText(W("valid", "task.yml"), TaskMutations.ValidYaml);
        File.WriteAllBytes(W("valid", TaskMutations.DataName), TaskMutations.ValidParquet());
        Assert.Equal(6, EvalTask.Load(W("valid", "task.yml")).Documents.Count);

        File.WriteAllText(W("valid-recipe.yml"), RecipeMutations.Valid);
        Merge(W("valid-recipe.yml"), W("valid", "merged"), allowOverwrite: false);
        Assert.True(File.Exists(W("valid", "merged", ModelWeights.SingleFileName)));
    }

    /// <summary>Lays out what case <paramref name="index"/> needs (model directory, links, output) and returns the run.</summary>
    private Action Prepare(CorpusEntry c, int index)
    {
        string path = W(["corpus", .. c.File.Split('/')]);
        string id = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        switch (c.Entry)
        {
            case CorpusEntry.Safetensors:
                string model = W("st", id);
                Directory.CreateDirectory(model);
                File.Copy(W("models", "base", "config.json"), Path.Combine(model, "config.json"));
                File.CreateSymbolicLink(Path.Combine(model, ModelWeights.SingleFileName), path);
                return () => Inspect(model, path);
            case CorpusEntry.SearchConfig:
                return () => SetUp(path);
            case CorpusEntry.Task:
                return () => EvalTask.Load(path);
            case CorpusEntry.Recipe:
                string output = Output(c.Output!, id);
                return () => Merge(path, output, c.AllowOverwrite);
            default:
                throw new InvalidDataException($"{c.File}: unknown entry '{c.Entry}'");
        }
    }

    /// <summary>What <c>inspect</c> does, then every tensor loaded as stored and as float32 (what a merge reads).</summary>
    private static void Inspect(string model, string weights)
    {
        try
        {
            using var directory = ModelDirectory.Open(model);
            var summary = ModelSummary.Of(directory);
            _ = summary.ToText() + summary.ToJson();
        }
        finally
        {
            ReadEveryTensor(weights);
        }
    }

    private static void ReadEveryTensor(string weights)
    {
        try
        {
            using var file = SafetensorsFile.Open(weights);
            foreach (var t in file.Tensors)
            {
                using var loaded = file.Load(t.Name);
                using var converted = file.Load(t.Name, torch.ScalarType.Float32);
            }
        }
        catch (Exception e) when (EvoMergeCommandLine.IsUserError(e))
        {
        }
    }

    /// <summary>What <c>search --dry-run</c> checks before it measures: the config read, models opened, tasks loaded.</summary>
    private static void SetUp(string path)
    {
        var config = SearchConfigReader.ReadFile(path);
        SearchSetup.Create(config, SearchSetup.DeriveInfo(config, Path.GetDirectoryName(path)!));
    }

    /// <summary>What <c>merge RECIPE OUT [--allow-overwrite]</c> does.</summary>
    private static void Merge(string recipe, string output, bool allowOverwrite)
    {
        using var plan = MergePlanner.Build(RecipeReader.ReadFile(recipe));
        using var sink = ModelDirectorySink.Create(plan, output, allowOverwrite: allowOverwrite);
        var options = new MergeExecutionOptions { Seed = 1 };
        using var proxy = TaskProxyActivations.ForRecipe(plan.Recipe);
        if (proxy is not null) options = options with { ProxyActivations = proxy };
        using var executor = new MergeExecutor(plan, options);
        executor.Run(sink);
    }

    /// <summary>The output directory named by <paramref name="kind"/> (see <see cref="RecipeOutput"/>), links made here.</summary>
    private string Output(string kind, string id)
    {
        string link = W("links", id);
        switch (kind)
        {
            case RecipeOutput.Fresh: return W("fresh", id);
            case "source": return W("models", "a");
            case "base": return W("models", "base");
            case "inside-source": return W("models", "a", "merged");
            case "contains-inputs": return W("models");
            case "workspace": return _workspace.Path;
            case "dotdot-into-source": return W("fresh", "x" + id) + "/../../models/b";
            case "link-to-source":
                Directory.CreateSymbolicLink(link, W("models", "a"));
                return link;
            case "link-to-models-then-base":
                Directory.CreateSymbolicLink(link, W("models"));
                return Path.Combine(link, "base");
            case "link-chain-to-source":
                Directory.CreateSymbolicLink(link + "-2", W("models", "b"));
                Directory.CreateSymbolicLink(link, link + "-2");
                return link;
            case "link-then-dotdot":
                Directory.CreateSymbolicLink(link, W("models", "a"));
                return link + "/../b";
            case "inside-link-to-source":
                Directory.CreateSymbolicLink(link, W("models", "a"));
                return Path.Combine(link, "sub");
            case "non-empty":
                Directory.CreateDirectory(W("targets", id));
                File.WriteAllText(W("targets", id, "notes.txt"), "a user's file");
                return W("targets", id);
            case "existing-file":
                File.WriteAllText(W("targets", id), "a user's file");
                return W("targets", id);
            default:
                throw new InvalidDataException($"unknown recipe output '{kind}'");
        }
    }

    private static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (string file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        foreach (string directory in Directory.GetDirectories(from)) CopyDirectory(directory, Path.Combine(to, Path.GetFileName(directory)));
    }
}
