using EvoMerge.Cluster;
using EvoMerge.Optimization;
using EvoMerge.Search.Configuration;
using EvoMerge.Search.Runs;
using EvoMerge.Tests.Search;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace EvoMerge.Tests.Cluster;

/// <summary>
/// A worker composes each candidate's recipe from the genome it is sent and checks it against the recipe hash the
/// orchestrator dispatched: a different hash (another config, other sources or another program version) is reported
/// as an error and nothing is evaluated, so the orchestrator never records a score of another recipe under the
/// candidate's hash (it takes the worker out as unusable and re-queues the candidate; see <see cref="WorkerPoolTests"/>).
/// </summary>
public sealed class WorkerRecipeHashTests(SpecialistsFixture fixture) : IClassFixture<SpecialistsFixture>
{
    [Fact]
    public void AWorkerRefusesACandidateWhoseRecipeHashDiffersFromTheOneItComposes()
    {
        string configPath = fixture.Config("hash", "  methods: [ties, task_arithmetic]\n  layer_groups: 2", population: 4, generations: 1);
        var config = SearchConfigReader.ReadFile(configPath);
        var setup = SearchSetup.Create(config, SearchSetup.DeriveInfo(config, fixture.Layout.Root));
        var session = WorkSession.Of(setup);
        var genome = setup.Layout.Space.RandomGenome(new SearchRandom(1));
        string composed = setup.Composer.Compose(setup.Layout.Decode(genome)).Hash;
        string dispatched = new('0', 64);
        CandidateWork Work(int index, string hash) => new()
        {
            Session = session, Generation = 0, Index = index, Attempt = 1, Reals = genome.Reals, Categories = genome.Categories, Hash = hash, Front = [],
        };

        var receiver = new RecordingEvaluationReceiver();
        using var worker = new WorkerEvaluationQueue("w1", null, new WorkerFileAccess([fixture.Layout.Root]), NullLogger<WorkerEvaluationQueue>.Instance);
        worker.Enqueue(Work(0, dispatched), receiver);
        worker.Enqueue(Work(1, composed), receiver);
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(2);
        while (receiver.Results.Count < 2)
        {
            Assert.True(DateTime.UtcNow < deadline, "the worker did not report both candidates");
            Thread.Sleep(50);
        }

        var refused = receiver.Results.Single(r => r.Index == 0);
        Assert.Equal($"recipe hash mismatch: this worker composes {composed[..12]}, the orchestrator 000000000000 (different config, sources or program version?)", refused.Error);
        Assert.Empty(refused.Objectives);
        Assert.Equal(0, refused.ItemsEvaluated);
        var evaluated = receiver.Results.Single(r => r.Index == 1);
        Assert.Null(evaluated.Error);
        Assert.Equal(2, evaluated.Objectives.Length);
        Assert.Equal(1, worker.Evaluated); // only the candidate whose hash matched was materialised and scored
    }
}
