using EvoMerge.Optimization;
using EvoMerge.Optimization.Pareto;
using EvoMerge.Search.Runs;
using EvoMerge.Search.Scoring;
using Xunit;

namespace EvoMerge.Tests.Search.Runs;

/// <summary>
/// The run store on hand-made values: what it writes is read back whole, a stray temporary file never counts, and on
/// resume the journal is cut back to the checkpoint. The expected texts are written out here by hand.
/// </summary>
public class RunStoreTests
{
    private static readonly string[] Objectives = ["a", "b"];

    [Theory]
    [InlineData("[]", " ()")]
    [InlineData("{\"Seed\": \"secret-bytes\"}", " (at $.Seed: ")]
    [InlineData("{", " (")]
    public void ADamagedRunJsonIsOneLineNamingTheFileWithoutQuotingIt(string text, string detail)
    {
        using var directory = new TempDirectory("evomerge-store");
        var files = new RunFiles(directory.Path);
        File.WriteAllText(files.Run, text);

        var error = Assert.Throws<InvalidDataException>(() => RunStore.ReadInfo(files));

        Assert.StartsWith($"{files.Run}: not a run.json written by evomerge", error.Message);
        Assert.Contains(detail.Replace(" ()", "", StringComparison.Ordinal), error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void ACheckpointWrittenIsReadBackWhole()
    {
        using var directory = new TempDirectory("evomerge-store");
        var optimizer = OptimizerRegistry.Create("random", new GeneSpace(2, [3]), seed: 11);
        var genome = new Genome([0.25, 0.5], [2]);
        var checkpoint = Checkpoint(generation: 3, rowGroups: 0, optimizer.SaveState(), genome);

        new RunStore(directory.Path, Objectives, 0).WriteCheckpoint(checkpoint, "{\"members\": []}");
        var store = new RunStore(directory.Path, Objectives, 0);
        var read = store.LoadCheckpoint();

        Assert.NotNull(read);
        Assert.Equal(3, read.Generation);
        Assert.Equal(17, read.EvaluationsScored);
        Assert.Equal(12.5, read.ElapsedSeconds);
        Assert.Equal(0, read.EvaluationRowGroups);
        Assert.Equal(0, store.JournalRowGroups);
        Assert.Equal("0123456789abcdef:1:2:3:0:0", read.ScreeningRandom);
        Assert.Equal([0.1, 0.2], read.Reference!);
        var told = Assert.Single(read.Population);
        Assert.Equal(genome, told.Genome);
        Assert.Equal([1.5, double.PositiveInfinity], told.Objectives);
        Assert.Equal(0.0, told.ConstraintViolation);
        var entry = Assert.Single(read.Archive);
        Assert.Equal("h1", entry.Key);
        Assert.Equal([-1.0, -0.5], entry.Objectives);
        Assert.Equal("h1", entry.Payload.Hash);
        Assert.Equal(genome, entry.Payload.Genome);
        Assert.Equal([1.0, 0.5], entry.Payload.Objectives);
        Assert.Equal(2, entry.Payload.Generation);
        var statistics = Assert.Single(read.Statistics);
        Assert.Equal(2, statistics.Generation);
        Assert.Equal(0.75, statistics.Hypervolume);
        Assert.Equal([double.NaN, -1.0], statistics.Best);
        // The restored optimizer continues as the original would: it asks for the same batch.
        Assert.Equal(optimizer.Ask(), OptimizerRegistry.Restore(read.Optimizer).Ask());
        // The derived files: archive.json as given, population.json in the checkpoint's field names.
        Assert.Equal("{\"members\": []}\n", File.ReadAllText(store.Files.Archive));
        Assert.Equal("""
            [
              {
                "Genome": {
                  "Reals": [
                    0.25,
                    0.5
                  ],
                  "Categories": [
                    2
                  ]
                },
                "Objectives": [
                  1.5,
                  "Infinity"
                ],
                "ConstraintViolation": 0
              }
            ]

            """.ReplaceLineEndings("\n"), File.ReadAllText(store.Files.Population));
        Assert.StartsWith("[\n  {\n    \"Generation\": 2,\n", File.ReadAllText(store.Files.Statistics));
    }

    [Fact]
    public void ATornTemporaryFileBesideTheCheckpointIsIgnored()
    {
        using var directory = new TempDirectory("evomerge-store");
        var state = OptimizerRegistry.Create("random", new GeneSpace(1, []), seed: 1).SaveState();
        var store = new RunStore(directory.Path, Objectives, 0);
        store.WriteCheckpoint(Checkpoint(generation: 1, rowGroups: 0, state, Genome.OfReals(0.5)), "{}");
        // What a crash in the middle of writing generation 2's checkpoint leaves: a half-written temporary file.
        File.WriteAllText(Path.Combine(directory.Path, ".checkpoint.json.0badc0de.evomerge-tmp"), "{\n  \"Version\": 1,\n  \"Generation\": 2,\n  \"Evalua");

        var read = new RunStore(directory.Path, Objectives, 0).LoadCheckpoint();

        Assert.NotNull(read);
        Assert.Equal(1, read.Generation);
    }

    [Fact]
    public void ACheckpointThatIsNotJsonIsRefusedWithItsPath()
    {
        using var directory = new TempDirectory("evomerge-store");
        var store = new RunStore(directory.Path, Objectives, 0);
        File.WriteAllText(store.Files.Checkpoint, "{ \"Generation\": ");

        var e = Assert.Throws<InvalidDataException>(() => store.LoadCheckpoint());

        Assert.Contains("checkpoint.json: not a valid checkpoint", e.Message);
    }

    [Fact]
    public void OnResumeTheJournalIsCutBackToTheCheckpointAndTheCacheHoldsItsScoredRecipes()
    {
        using var directory = new TempDirectory("evomerge-store");
        var state = OptimizerRegistry.Create("random", new GeneSpace(1, []), seed: 1).SaveState();
        var store = new RunStore(directory.Path, Objectives, 0);
        store.AppendGeneration([
            Row(0, 0, "h0", cached: false, EvaluationStatus.Scored, [0.75, 0.5], "{\"a\":{\"acc\":[1,0,1,1]}}"),
            Row(0, 1, "h0", cached: true, EvaluationStatus.Scored, [0.75, 0.5], ""),
            Row(0, 2, "", cached: false, EvaluationStatus.Failed, [double.NaN, double.NaN], "", reason: "invalid genome: x"),
            Row(0, 3, "h2", cached: false, EvaluationStatus.Screened, [0.25, double.NaN], "", reason: "screened out"),
        ]);
        Assert.Equal(1, store.JournalRowGroups);
        store.WriteCheckpoint(Checkpoint(generation: 1, rowGroups: store.JournalRowGroups, state, Genome.OfReals(0.5)), "{}");
        // Generation 1 reaches the journal, then the process dies before its checkpoint.
        store.AppendGeneration([Row(1, 0, "h3", cached: false, EvaluationStatus.Scored, [1.0, 1.0], "")]);
        string journal = store.Files.Evaluations;
        Assert.Equal(2, new EvaluationLog(journal, Objectives, 0).RowGroupCount());

        var resumed = new RunStore(directory.Path, Objectives, 0);
        var checkpoint = resumed.LoadCheckpoint();
        var cache = resumed.LoadCache();

        Assert.Equal(1, checkpoint!.Generation);
        Assert.Equal(1, resumed.JournalRowGroups);
        Assert.Equal(1, new EvaluationLog(journal, Objectives, 0).RowGroupCount());
        Assert.Equal(["h0", "h2"], cache.Keys);
        Assert.Equal(EvaluationStatus.Scored, cache["h0"].Status);
        Assert.Null(cache["h0"].Reason);
        Assert.Equal([0.75, 0.5], cache["h0"].Objectives);
        Assert.Equal([1.0, 0.0, 1.0, 1.0], cache["h0"].ItemScores["a"]["acc"]);
        Assert.Equal(40, cache["h0"].ItemsEvaluated);
        Assert.Equal(EvaluationStatus.Screened, cache["h2"].Status);
        Assert.Equal("screened out", cache["h2"].Reason);
        Assert.Empty(cache["h2"].ItemScores);
    }

    [Fact]
    public void WithoutACheckpointTheJournalIsDroppedAndTheRunStartsOver()
    {
        using var directory = new TempDirectory("evomerge-store");
        var store = new RunStore(directory.Path, Objectives, 0);
        store.AppendGeneration([Row(0, 0, "h0", cached: false, EvaluationStatus.Scored, [0.75, 0.5], "")]);

        var resumed = new RunStore(directory.Path, Objectives, 0);

        Assert.Null(resumed.LoadCheckpoint());
        Assert.Empty(resumed.LoadCache());
        Assert.Equal(0, resumed.JournalRowGroups);
        Assert.False(File.Exists(store.Files.Evaluations));
    }

    [Fact]
    public void BeginRecordsTheConfigTextAndTheSeedsAndTheDirectoryThenHoldsASearch()
    {
        using var directory = new TempDirectory("evomerge-store");
        Assert.False(RunStore.HoldsSearch(directory.Path));
        var info = new RunInfo("/configs/s.yml", "/configs", 5, 5, 5320248114040590185, 5);
        var store = new RunStore(directory.Path, Objectives, 0);

        store.Begin("seed: 5\n# as given\n", info);

        Assert.True(RunStore.HoldsSearch(directory.Path));
        Assert.Equal("seed: 5\n# as given\n", File.ReadAllText(store.Files.Config));
        Assert.Equal(info, RunStore.ReadInfo(store.Files));
        Assert.Equal("""
            {
              "ConfigFile": "/configs/s.yml",
              "ConfigDirectory": "/configs",
              "Seed": 5,
              "OptimizerSeed": 5,
              "ScreeningSeed": 5320248114040590185,
              "MergeSeed": 5
            }

            """.ReplaceLineEndings("\n"), File.ReadAllText(store.Files.Run));
    }

    private static SearchCheckpoint Checkpoint(int generation, int rowGroups, OptimizerState optimizer, Genome genome) => new()
    {
        Generation = generation,
        EvaluationsScored = 17,
        ElapsedSeconds = 12.5,
        Optimizer = optimizer,
        ScreeningRandom = "0123456789abcdef:1:2:3:0:0",
        Population = [new EvaluatedGenome(genome, [1.5, double.PositiveInfinity], 0.0)],
        Archive = [new ParetoArchiveEntry<ArchiveMember>("h1", [-1.0, -0.5], 0.0, new ArchiveMember("h1", genome, [1.0, 0.5], [], 2))],
        Reference = [0.1, 0.2],
        Statistics =
        [
            new GenerationStatistics
            {
                Generation = 2, Candidates = 6, Scored = 4, CacheHits = 2, Screened = 1, Failed = 0, ItemEvaluations = 96,
                ItemEvaluationsSaved = 12, FrontSize = 1, Hypervolume = 0.75, Reference = [0.1, 0.2], Best = [double.NaN, -1.0],
                Mean = [double.NaN, -1.0], Seconds = 1, MaterializeSeconds = 0.25, ScoreSeconds = 0.5,
            },
        ],
        EvaluationRowGroups = rowGroups,
    };

    private static EvaluationRecord Row(int generation, int index, string hash, bool cached, EvaluationStatus status, double[] objectives,
        string itemScores, string reason = "") => new()
    {
        Generation = generation,
        Index = index,
        Genome = "0.5|",
        RecipeHash = hash,
        Status = status,
        Reason = reason,
        Cached = cached,
        Objectives = objectives,
        Constraints = [],
        ConstraintViolation = status == EvaluationStatus.Failed ? double.PositiveInfinity : 0.0,
        ItemsEvaluated = cached ? 0 : 40,
        ItemsSaved = 0,
        ItemScores = itemScores,
    };
}
