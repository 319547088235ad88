using EvoMerge.Optimization.CmaEs;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Runs;
using Xunit;

namespace EvoMerge.Tests.Search.Configuration;

/// <summary>
/// mergekit-evolve configs read by <c>evomerge search</c> and written by <c>evomerge convert</c>
/// (<see cref="MergekitEvolveImport"/>, <see cref="EvolveConfigConverter"/>): the bundled copy of mergekit's documented
/// example, task mapping, weights, defaults, warnings and errors. Expected values are worked by hand in the comments.
/// </summary>
public sealed class MergekitEvolveImportTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Models => RepositoryPaths.Combine("models");

    private static string Datasets => RepositoryPaths.Combine("datasets");

    private static EvolveImportOptions BundledTaskMap(int? maxFevals = null) => EvolveImportOptions.FromArguments(
        [$"addition={Datasets}/addition/addition-answer.yml", $"reversal={Datasets}/reversal/reversal-choice.yml", $"capitals={Datasets}/capitals/capitals-answer.yml"],
        null, maxFevals);

    private string WriteEvolve(string text, string name = "evolve.yml")
    {
        string path = _dir.Combine(name);
        File.WriteAllText(path, text);
        return path;
    }

    private static (SearchConfig Config, string Warnings) Read(string path, EvolveImportOptions options)
    {
        var warnings = new StringWriter();
        var config = MergekitEvolveImport.ReadSearchConfig(path, options, "/tmp/evolve-run", warnings);
        return (config, warnings.ToString());
    }

    private static EvolveConversion Convert(string path, EvolveImportOptions options) =>
        EvolveConfigConverter.Convert(MergekitEvolveConfig.Read(File.ReadAllText(path), path), Path.GetDirectoryName(path)!, options, Path.GetDirectoryName(path)!);

    [Fact]
    public void TheDocumentedExampleReadsAsTheSearchItDescribesAndOpens()
    {
        string file = RepositoryPaths.Combine("experiments", "mergekit-evolve", "evolve.yml");
        var (config, warnings) = Read(file, BundledTaskMap());

        Assert.Equal("", warnings);
        Assert.Equal(Path.Combine(Models, "base"), config.BaseModel);
        Assert.Equal(new[] { "addition", "reversal", "capitals" }.Select(m => Path.Combine(Models, m)), config.Models);
        Assert.Equal(["dare_ties"], config.Genome.Methods);
        Assert.Equal(2, config.Genome.LayerGroups); // layer_granularity 2 of the bundled models' 4 layers
        Assert.Equal(["addition", "reversal", "capitals"], config.Objectives.Select(o => o.Name));
        Assert.Equal(["exact_match", "acc", "exact_match"], config.Objectives.Select(o => o.Metric));
        Assert.All(config.Objectives, o => Assert.True(o.Maximize && o.DirectionGiven && o.Weight == 1));
        var cma = Assert.IsType<CmaEsSettings>(config.Optimizer);
        Assert.Equal(1.0 / 6.0, cma.InitialSigma);
        // mergekit-evolve's genome: 2 layer groups x 3 models x 3 parameter sets (filters self_attn, mlp and the rest)
        // x 2 parameters (weight, density) = 36 reals; the cma package's default population is
        // 4 + floor(3 ln 36) = 4 + floor(10.75) = 14.
        Assert.Equal(14, cma.PopulationSize);
        Assert.Equal(["self_attn", "mlp"], config.Genome.Filters);
        Assert.Equal(false, config.Genome.Normalize);
        Assert.False(cma.Restarts);
        Assert.Null(cma.ObjectiveWeights);
        Assert.Equal(100, config.Budget.Evaluations); // mergekit-evolve's --max-fevals default
        Assert.Null(config.Budget.Generations);
        Assert.Equal(0UL, config.Seed);
        Assert.Equal("/tmp/evolve-run", config.RunDirectory);
        Assert.Equal(file, config.File);

        var setup = SearchSetup.Create(config, SearchSetup.DeriveInfo(config, Path.GetDirectoryName(file)!));
        Assert.Equal(3, setup.Tasks.Count);
        Assert.Equal(7, Read(file, BundledTaskMap(maxFevals: 7)).Config.Budget.Evaluations);
    }

    [Fact]
    public void UnmappedTasksAreOneErrorListingThemAll()
    {
        string path = WriteEvolve($"""
            genome:
              models: [{Models}/addition, {Models}/reversal]
              merge_method: task_arithmetic
              base_model: {Models}/base
            tasks:
              - name: alpha
              - reversal
              - name: gamma
                weight: 2
            """);
        var options = EvolveImportOptions.FromArguments([$"reversal={Datasets}/reversal/reversal-choice.yml"], null, null);
        var e = Assert.Throws<SearchConfigException>(() => Read(path, options));
        Assert.Equal($"{path}:5: tasks: no EvoMerge task file for alpha, gamma (map each with --task-map NAME=FILE.yml, or put NAME.yml in --tasks-dir DIR)", e.Message);
    }

    [Fact]
    public void ATasksDirectoryHoldsNameDotYmlAndTheMapWinsOverIt()
    {
        string tasks = _dir.Combine("tasks");
        Directory.CreateDirectory(tasks);
        File.Copy(Path.Combine(Datasets, "reversal", "reversal-choice.yml"), Path.Combine(tasks, "reversal.yml"));
        File.Copy(Path.Combine(Datasets, "reversal", "reversal-answer.yml"), Path.Combine(tasks, "addition.yml"));
        string path = WriteEvolve($"""
            genome:
              models: [{Models}/addition, {Models}/reversal]
              merge_method: linear
              base_model: {Models}/base
            tasks: [reversal, addition]
            """);
        var options = EvolveImportOptions.FromArguments([$"addition={Datasets}/addition/addition-answer.yml"], tasks, null);
        string text = Convert(path, options).Text;
        Assert.Contains("  - {name: reversal, task: tasks/reversal.yml, metric: acc, direction: maximize}\n", text, StringComparison.Ordinal);
        string addition = Path.GetRelativePath(_dir.Path, Path.Combine(Datasets, "addition", "addition-answer.yml"));
        Assert.Contains($"  - {{name: addition, task: {addition}, metric: acc, direction: maximize}}\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void NegativeWeightsMinimiseSoCmaEsRanksByMinusMergekitsScore()
    {
        string path = WriteEvolve($"""
            genome:
              models: [{Models}/addition, {Models}/reversal]
              merge_method: ties
              base_model: {Models}/base
            tasks:
              - name: reversal
                weight: 2
              - name: text
                weight: -0.5
                metric: bits_per_byte,none
            """);
        var options = EvolveImportOptions.FromArguments([$"reversal={Datasets}/reversal/reversal-choice.yml", $"text={Datasets}/examples/sentences.yml"], null, null);
        var (config, _) = Read(path, options);
        Assert.Equal(["reversal: maximize 2", "text: minimize 0.5"], config.Objectives.Select(o => $"{o.Name}: {(o.Maximize ? "maximize" : "minimize")} {o.Weight}"));
        var weights = Assert.IsType<CmaEsSettings>(config.Optimizer).ObjectiveWeights!;
        // acc 0.6 and bits_per_byte 1.2: mergekit-evolve's score is 2 x 0.6 + (-0.5) x 1.2 = 1.2 - 0.6 = 0.6; CMA-ES
        // minimises 2 x (-0.6) + 0.5 x 1.2 = -1.2 + 0.6 = -0.6, minus that score.
        double[] values = [0.6, 1.2];
        double ranked = config.Objectives.Select((o, i) => weights[i] * o.ToMinimized(values[i])).Sum();
        Assert.Equal(-0.6, ranked, 12);
    }

    [Fact]
    public void AZeroWeightGoesToTheOptimizersObjectiveWeights()
    {
        string path = WriteEvolve($$"""
            genome:
              models: [{{Models}}/addition, {{Models}}/reversal]
              merge_method: task_arithmetic
              base_model: {{Models}}/base
            tasks:
              - {name: addition, metric: "exact_match,none", weight: 0}
              - {name: reversal, weight: 3}
            """);
        var (config, _) = Read(path, BundledTaskMap());
        Assert.Equal([0.0, 3.0], Assert.IsType<CmaEsSettings>(config.Optimizer).ObjectiveWeights!);
        Assert.All(config.Objectives, o => Assert.True(o.Maximize));
    }

    [Fact]
    public void GenomeFlagsAreWrittenOnlyWhenSetAndWidenThePopulation()
    {
        string path = WriteEvolve($"""
            genome:
              models: [{Models}/addition, {Models}/reversal]
              merge_method: ties
              base_model: {Models}/base
              layer_granularity: 2
              filters: [self_attn, mlp]
              smooth: true
              allow_negative_weights: true
              normalize: false
            random_init: true
            tasks: [reversal]
            """);
        var reversalOnly = EvolveImportOptions.FromArguments([$"reversal={Datasets}/reversal/reversal-choice.yml"], null, null);
        var conversion = Convert(path, reversalOnly);
        Assert.Contains("""
              methods: [ties]
              layer_groups: 2
              filters: [self_attn, mlp]
              smooth: true
              allow_negative_weights: true
              normalize: false
              random_init: true
            optimizer:
            """.ReplaceLineEndings("\n"), conversion.Text, StringComparison.Ordinal);
        // 2 layer groups x 2 models x 3 parameter sets (self_attn, mlp, the rest) x 2 parameters = 24 reals:
        // 4 + floor(3 ln 24) = 4 + floor(9.53) = 13.
        Assert.Contains("population_size: 13,", conversion.Text, StringComparison.Ordinal);
        Assert.Empty(conversion.Warnings);

        string plain = WriteEvolve($"""
            genome:
              models: [{Models}/addition, {Models}/reversal]
              merge_method: ties
              base_model: {Models}/base
              smooth: false
              allow_negative_weights: false
              filters: []
            random_init: false
            tasks: [reversal]
            """, "plain.yml");
        string text = Convert(plain, reversalOnly).Text;
        foreach (string key in new[] { "filters", "smooth", "allow_negative_weights", "normalize", "random_init" })
            Assert.DoesNotContain(key, text, StringComparison.Ordinal);
        // One layer group x 2 models x 1 set x 2 parameters = 4 reals: 4 + floor(3 ln 4) = 4 + floor(4.16) = 8.
        Assert.Contains("population_size: 8,", text, StringComparison.Ordinal);
    }

    [Fact]
    public void KeysWithoutAnEquivalentAreOneWarningEachNamingTheKey()
    {
        string path = WriteEvolve($"""
            genome:
              models: [{Models}/base, {Models}/addition, {Models}/reversal]
              merge_method: linear
              base_model: {Models}/base
              tokenizer_source: union
              colour: blue
            tasks:
              - name: reversal
                metric: acc,none
                extra: 1
              - name: addition
                metric: exact_match,strict-match
            limit: 50
            num_fewshot: 5
            shuffle: true
            apply_chat_template: false
            fewshot_as_multiturn: false
            batch_size: 8
            wandb: on
            """);
        var (config, warnings) = Read(path, BundledTaskMap());
        Assert.Equal([
            $"warning: {path}:6: genome.colour: not a mergekit-evolve key; ignored (as mergekit-evolve does)",
            $"warning: {path}:19: wandb: not a mergekit-evolve key; ignored (as mergekit-evolve does)",
            $"warning: {path}:10: tasks[0].extra: not a mergekit-evolve key; ignored (as mergekit-evolve does)",
            $"warning: {path}:13: limit: EvoMerge takes a task's document limit from its task YAML (limit:); ignored",
            $"warning: {path}:14: num_fewshot: EvoMerge takes few-shot counts from each task YAML (num_fewshot:); ignored",
            $"warning: {path}:15: shuffle: EvoMerge scores a task's documents in file order; ignored",
            $"warning: {path}:16: apply_chat_template: EvoMerge eval tasks score the prompt as written, without a chat template; ignored",
            $"warning: {path}:17: fewshot_as_multiturn: EvoMerge eval tasks score the prompt as written, without a chat template; ignored",
            $"warning: {path}:18: batch_size: EvoMerge batches by tokens (evaluation.batch_token_budget); ignored",
            $"warning: {path}:5: genome.tokenizer_source: 'union': an EvoMerge search scores every candidate with the base model's tokenizer; ignored",
            $"warning: {path}:2: genome.models[0]: the base model is not a source in an EvoMerge search (its task vector is zero); left out",
            $"warning: --task-map capitals: {path} has no task 'capitals'; ignored",
            $"warning: {path}:12: tasks[1].metric: lm-eval filter 'strict-match' has no EvoMerge equivalent (the task YAML's extract_regex and normalize decide); scoring exact_match",
        ], warnings.TrimEnd('\n').Split('\n'));
        Assert.Equal(new[] { "addition", "reversal" }.Select(m => Path.Combine(Models, m)), config.Models);
        Assert.Equal(["reversal", "addition"], config.Objectives.Select(o => o.Name));
    }

    [Theory]
    [InlineData("  merge_method: ties\n  base_model: B", "  merge_method: ties", "evolve.yml:1: genome: base_model is required: an EvoMerge search merges task vectors (model − base), also for ties")]
    [InlineData("  merge_method: ties\n  base_model: B", "  merge_method: linear", "evolve.yml:1: genome: base_model is required: an EvoMerge search merges task vectors (model − base), also for linear")]
    [InlineData("  merge_method: ties", "  merge_method: magic", "evolve.yml:3: genome.merge_method: 'magic' is not a merge method EvoMerge can search (")]
    [InlineData("  merge_method: ties", "  merge_method: ties\n  layer_granularity: 3", "evolve.yml:4: genome.layer_granularity: 3 does not divide the 4 layers of")]
    [InlineData("tasks: [reversal]", "tasks: []", "evolve.yml:5: tasks: lists no tasks")]
    [InlineData("tasks: [reversal]", "tasks: [reversal, {name: reversal, weight: 2}]", "evolve.yml:5: tasks[1]: task 'reversal' with metric acc is listed twice")]
    [InlineData("tasks: [reversal]", "tasks:\n  - {name: reversal, weight: heavy}", "evolve.yml:6: tasks[0].weight: must be a finite number")]
    public void BadEvolveConfigsAreOneLineNamingTheFileAndKey(string find, string replace, string expected)
    {
        string valid = $"genome:\n  models: [{Models}/addition, {Models}/reversal]\n  merge_method: ties\n  base_model: B\ntasks: [reversal]\n";
        Assert.Contains(find, valid, StringComparison.Ordinal);
        string path = WriteEvolve(valid.Replace(find, replace, StringComparison.Ordinal).Replace("base_model: B", $"base_model: {Models}/base", StringComparison.Ordinal));
        var e = Assert.Throws<SearchConfigException>(() => Read(path, BundledTaskMap()));
        Assert.StartsWith(path + expected["evolve.yml".Length..], e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void EvolveOptionsOnAnEvoMergeConfigAreAnError()
    {
        string demo = RepositoryPaths.Combine("experiments", "demo", "search.yml");
        var e = Assert.Throws<SearchConfigException>(() => Read(demo, EvolveImportOptions.FromArguments([], null, 10)));
        Assert.StartsWith($"{demo}: --task-map, --tasks-dir and --max-fevals apply to mergekit-evolve configs", e.Message, StringComparison.Ordinal);
        Assert.Equal(3, Read(demo, EvolveImportOptions.None).Config.Objectives.Count);
        Assert.Throws<ArgumentException>(() => EvolveImportOptions.FromArguments(["reversal"], null, null));
        Assert.Throws<ArgumentException>(() => EvolveImportOptions.FromArguments(["a=x.yml", "a=y.yml"], null, null));
        Assert.Throws<ArgumentException>(() => EvolveImportOptions.FromArguments([], null, 0));
    }

    [Fact]
    public void ConvertWritesAConfigThatReadsTheSameFromItsOwnDirectoryAndNeverOverwrites()
    {
        string input = RepositoryPaths.Combine("experiments", "mergekit-evolve", "evolve.yml");
        Directory.CreateDirectory(_dir.Combine("out"));
        string output = _dir.Combine("out", "search.yml");
        var warnings = new StringWriter();
        MergekitEvolveImport.WriteConverted(input, output, BundledTaskMap(maxFevals: 20), warnings);
        Assert.Equal("", warnings.ToString());

        var written = SearchConfigReader.ReadFile(output, runDirectory: "/tmp/evolve-run");
        var direct = Read(input, BundledTaskMap(maxFevals: 20)).Config;
        Assert.Equal(direct.BaseModel, written.BaseModel);
        Assert.Equal(direct.Models, written.Models);
        Assert.Equal(direct.TaskFiles, written.TaskFiles);
        Assert.Equal(20, written.Budget.Evaluations);
        Assert.Equal(direct.Optimizer, written.Optimizer);
        Assert.Contains($"base_model: {Path.GetRelativePath(_dir.Combine("out"), Path.Combine(Models, "base"))}\n", File.ReadAllText(output), StringComparison.Ordinal);

        string before = File.ReadAllText(output);
        var exists = Assert.Throws<IOException>(() => MergekitEvolveImport.WriteConverted(input, output, BundledTaskMap(), TextWriter.Null));
        Assert.Equal($"{output}: exists; remove it or name another file", exists.Message);
        Assert.Equal(before, File.ReadAllText(output));
        string copy = _dir.Combine("evolve.yml");
        File.Copy(input, copy);
        var self = Assert.Throws<IOException>(() => MergekitEvolveImport.WriteConverted(copy, copy, BundledTaskMap(), TextWriter.Null));
        Assert.Equal($"{copy}: is the mergekit-evolve config itself; write the converted config to another file", self.Message);
        Assert.Equal(File.ReadAllText(input), File.ReadAllText(copy));
    }
}
