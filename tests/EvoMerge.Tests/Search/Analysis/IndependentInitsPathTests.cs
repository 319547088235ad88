using System.Globalization;
using EvoMerge.Demo.Training;
using EvoMerge.Evaluation;
using EvoMerge.Search.Analysis;
using EvoMerge.Tensors;
using TorchSharp;
using Xunit;
using Xunit.Abstractions;

namespace EvoMerge.Tests.Search.Analysis;

/// <summary>
/// The basin verdict on genuinely trained models (docs/analyze.md, "Interpolation paths"): two tiny decoders of one
/// architecture trained with the demo's trainer on the same template sentences from different random inits, and two
/// fine-tunes of the first (each adding a skill's questions to the sentences). <c>analyze</c> with a word-perplexity
/// task on held-out sentences must find the barrier on every path to the second init and on none between the first,
/// its fine-tunes and each other.
/// </summary>
public sealed class IndependentInitsPathTests(IndependentInitsPathTests.TrainedModels models, ITestOutputHelper output)
    : IClassFixture<IndependentInitsPathTests.TrainedModels>
{
    /// <summary>Trains the four models once, writes them and the task, and runs the analysis.</summary>
    public sealed class TrainedModels : IDisposable
    {
        private static readonly TinyDecoderSpec Shape = DemoModelTraining.Spec with
        {
            Layers = 2, HiddenSize = 64, IntermediateSize = 128, MaxPositionEmbeddings = 64, DType = torch.ScalarType.Float32,
        };

        private readonly TempDirectory _temp = new();

        public TrainedModels()
        {
            var sentences = Sentences();
            var splits = SyntheticSkill.All.Select(s => s.Splits().Train).ToList();
            var pretraining = new TrainingSettings(Steps: 300, BatchSize: 16, LearningRate: 3e-3, WarmupSteps: 20, WeightDecay: 0.0, Seed: 41);
            Train("init-a", TrainableDecoder.Initialize(Config(), seed: 1), sentences, pretraining);
            Train("init-b", TrainableDecoder.Initialize(Config(), seed: 2), sentences, pretraining);
            for (int skill = 0; skill < 2; skill++)
            {
                var own = DemoModelTraining.AnswerSampler([splits[skill]]);
                Train($"tune-{SyntheticSkill.All[skill].Name}", TrainableDecoder.FromDirectory(_temp.Combine("init-a")),
                    random => random.Chance(0.5) ? own(random) : sentences(random),
                    new TrainingSettings(Steps: 80, BatchSize: 16, LearningRate: 1e-3, WarmupSteps: 5, WeightDecay: 0.0, Seed: 50 + skill));
            }
            string data = _temp.Combine("held-out.parquet");
            var heldOut = new SeededRandom(99);
            ParquetColumns.Write(data, [("text", Enumerable.Range(0, 40).Select(_ => GenericText.Sentence(heldOut).TrimEnd('\n')).ToArray())]);
            string task = _temp.Combine("held-out.yml");
            File.WriteAllText(task, "name: held-out\nkind: perplexity\ndata: held-out.parquet\ntext_column: text\n");
            Report = ModelAnalysis.Run(_temp.Combine("init-a"), [_temp.Combine("tune-addition"), _temp.Combine("tune-reversal"), _temp.Combine("init-b")], [task], _ => { });
        }

        /// <summary>The analysis of base init-a with models tune-addition, tune-reversal, init-b.</summary>
        public AnalysisReport Report { get; }

        public void Dispose() => _temp.Dispose();

        private static Func<SeededRandom, TrainingSequence> Sentences() => random => new TrainingSequence(DemoModelTraining.Encode(GenericText.Sentence(random)), 1);

        private static System.Text.Json.Nodes.JsonObject Config()
        {
            var config = Shape.ToConfigJson();
            config["bos_token_id"] = ByteTokenizerFiles.BosId;
            config["eos_token_id"] = ByteTokenizerFiles.EosId;
            config["pad_token_id"] = ByteTokenizerFiles.PadId;
            return config;
        }

        private void Train(string name, TrainableDecoder model, Func<SeededRandom, TrainingSequence> sampler, TrainingSettings settings)
        {
            using (model)
            {
                DecoderTrainer.Train(model, sampler, settings, ByteTokenizerFiles.PadId);
                string directory = _temp.Combine(name);
                Directory.CreateDirectory(directory);
                File.WriteAllText(Path.Combine(directory, "config.json"), Config().ToJsonString());
                var weights = model.Export(Shape.DType);
                SafetensorsWriter.WriteModel(directory, weights);
                foreach (var (_, t) in weights) t.Dispose();
                ByteTokenizerFiles.Write(directory);
            }
        }
    }

    private void Show()
    {
        foreach (var path in models.Report.Paths)
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{path.From} → {path.To}: {string.Join(" ", path.Values.Select(v => v.ToString("0.###", CultureInfo.InvariantCulture)))}; barrier {path.Barrier:0.###} noise {path.Noise:0.###}"));
    }

    [Fact]
    public void EveryPathToTheOtherInitShowsTheBarrier()
    {
        Show();
        var report = models.Report;
        foreach (string from in new[] { "init-a", "tune-addition", "tune-reversal" })
        {
            var path = report.Paths.Single(p => p.From == from && p.To == "init-b");
            Assert.Equal("word_perplexity", path.Metric);
            Assert.True(path.HasBarrier, $"{from} → init-b: {string.Join(" ", path.Values)}");
        }
        Assert.False(report.Checks.Single(c => c.Model == "init-b" && c.Aspect == "base match").Passed);
        Assert.Equal("none", report.Recommendation.Method);
        Assert.Contains("init-a → init-b", report.ToText(), StringComparison.Ordinal);
        Assert.Contains("BARRIER (different basins)", report.ToText(), StringComparison.Ordinal);
    }

    [Fact]
    public void NoPathBetweenTheFirstInitAndItsFineTunesShowsOne()
    {
        Show();
        var report = models.Report;
        var within = report.Paths.Where(p => p.From != "init-b" && p.To != "init-b").ToList();
        Assert.Equal(3, within.Count); // init-a → each fine-tune, and fine-tune → fine-tune
        Assert.All(within, p => Assert.False(p.HasBarrier, $"{p.From} → {p.To}: {string.Join(" ", p.Values)}"));
        Assert.All(new[] { "tune-addition", "tune-reversal" }, m => Assert.True(report.Checks.Single(c => c.Model == m && c.Aspect == "base match").Passed));
    }
}
