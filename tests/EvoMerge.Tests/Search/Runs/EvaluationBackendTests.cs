using EvoMerge.Search.Configuration;
using EvoMerge.Search.Runs;
using EvoMerge.Search.Scoring;
using Xunit;


namespace EvoMerge.Tests.Search.Runs;

/// <summary>The evaluation seam: who evaluates the candidates, and in which order, does not change the run.</summary>
public class EvaluationBackendTests(SpecialistsFixture fixture) : IClassFixture<SpecialistsFixture>
{
    private const string TiesGenome = "  methods: [ties, task_arithmetic]\n  layer_groups: 2\n  ranges:\n    weight: [0, 2]";

    /// <summary>Evaluates a generation's jobs last to first (as workers finishing out of order would), then yields them in job order.</summary>
    private sealed class ReversedBackend(SearchSetup setup) : IEvaluationBackend
    {
        private readonly LocalEvaluationBackend _local = new(setup);

        public int Jobs { get; private set; }

        public IEnumerable<CandidateEvaluation> Evaluate(IReadOnlyList<EvaluationJob> jobs, CancellationToken cancellation)
        {
            Jobs += jobs.Count;
            var results = new CandidateEvaluation[jobs.Count];
            for (int i = jobs.Count - 1; i >= 0; i--) results[i] = _local.Evaluate(jobs[i]);
            return results;
        }

        public void Dispose() => _local.Dispose();
    }

    [Fact]
    public void EvaluatingOutOfOrderGivesTheSameArchiveLogAndPopulation()
    {
        string extra = "evaluation:\n  cheap_first:\n    fraction: 0.5\n    confidence: 0.9";
        var inOrder = SearchConfigReader.ReadFile(fixture.Config("in-order", TiesGenome, population: 6, generations: 5, extra: extra));
        var reversed = SearchConfigReader.ReadFile(fixture.Config("reversed", TiesGenome, population: 6, generations: 5, extra: extra));
        string expectedArchive;
        using (var run = SearchRun.Start(inOrder))
        {
            run.Run();
            expectedArchive = run.ArchiveJson();
        }
        ReversedBackend? backend = null;
        using (var run = SearchRun.Start(reversed, backend: setup => backend = new ReversedBackend(setup)))
        {
            run.Run();
            Assert.Equal(expectedArchive, run.ArchiveJson());
            Assert.Equal(run.EvaluationsScored, backend!.Jobs);
        }
        static string Row(EvaluationRecord r) => string.Join('|', r.Generation, r.Index, r.RecipeHash, r.Status, r.Reason, r.Cached,
            string.Join(',', r.Objectives.Select(v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture))), r.ItemsEvaluated, r.ItemsSaved, r.ItemScores);
        var expected = new EvaluationLog(new RunFiles(inOrder.RunDirectory).Evaluations, ["a", "b"], 0).Read().Select(Row).ToList();
        var actual = new EvaluationLog(new RunFiles(reversed.RunDirectory).Evaluations, ["a", "b"], 0).Read().Select(Row).ToList();
        Assert.Equal(expected, actual);
        Assert.Contains(expected, r => r.Contains("|Screened|", StringComparison.Ordinal));
        Assert.Equal(File.ReadAllText(new RunFiles(inOrder.RunDirectory).Population), File.ReadAllText(new RunFiles(reversed.RunDirectory).Population));
    }
}
