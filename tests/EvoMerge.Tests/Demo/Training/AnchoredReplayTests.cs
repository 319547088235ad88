using System.Text.Json.Nodes;
using EvoMerge.Demo.Training;
using EvoMerge.Evaluation;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Demo.Training;

/// <summary>
/// Anchored rows (<see cref="TrainingSequence.Anchored"/>): their loss is KL(reference ‖ model), so training a model
/// equal to its reference on them alone keeps its predictions there (cross-entropy on the same rows moves them), and a fine-tune that mixes them in stays closer to the reference on their
/// prompts than the same fine-tune without them.
/// </summary>
public sealed class AnchoredReplayTests
{
    private const string Own = "add 12+30 = 42\n";
    private const string Other = "reverse abcd = dcba\n";
    private static readonly int OtherFirstTarget = 1 + "reverse abcd =".Length;

    private static JsonObject SmallConfig() => TrainingConstraintsTests.SmallConfig();

    private static TrainingSettings Settings(int steps) => new(steps, 4, 1e-2, 1, 0.0, 5);

    /// <summary>Mean KL(reference ‖ model) over the answer positions of <see cref="Other"/>.</summary>
    private static double DivergenceOnOther(TrainableDecoder model, TrainableDecoder reference)
    {
        using var scope = torch.NewDisposeScope();
        using var noGrad = torch.no_grad();
        var tokens = DemoModelTraining.Encode(Other).Select(t => (long)t).ToArray();
        var input = torch.tensor(tokens[..^1], [1, tokens.Length - 1]);
        var p = torch.nn.functional.log_softmax(reference.Logits(input), 2)[0, (OtherFirstTarget - 1)..];
        var q = torch.nn.functional.log_softmax(model.Logits(input), 2)[0, (OtherFirstTarget - 1)..];
        return (p.exp() * (p - q)).sum(1).mean().item<float>();
    }

    [Fact]
    public void AnchoredRowsAloneKeepAModelEqualToItsReferenceOnThem()
    {
        using var reference = TrainableDecoder.Initialize(SmallConfig(), seed: 21);
        using var anchoredModel = TrainableDecoder.Initialize(SmallConfig(), seed: 21);
        var anchored = new TrainingSequence(DemoModelTraining.Encode(Other), OtherFirstTarget, Anchored: true);
        var losses = DecoderTrainer.Train(anchoredModel, _ => anchored, Settings(10), ByteTokenizerFiles.PadId, reference: reference);
        Assert.All(losses, l => Assert.False(double.IsNaN(l)));
        double kept = DivergenceOnOther(anchoredModel, reference);

        using var taughtModel = TrainableDecoder.Initialize(SmallConfig(), seed: 21);
        var taught = new TrainingSequence(DemoModelTraining.Encode(Other), OtherFirstTarget);
        DecoderTrainer.Train(taughtModel, _ => taught, Settings(10), ByteTokenizerFiles.PadId, reference: reference);
        double moved = DivergenceOnOther(taughtModel, reference);

        Assert.True(moved > 1e-2, $"cross-entropy on the row should move its predictions (KL {moved})");
        Assert.True(kept < moved / 100, $"anchored KL {kept} vs taught {moved}");
    }

    [Fact]
    public void AnchoredRowsWithoutAReferenceAreAnError()
    {
        using var model = TrainableDecoder.Initialize(SmallConfig(), seed: 23);
        var anchored = new TrainingSequence(DemoModelTraining.Encode(Other), OtherFirstTarget, Anchored: true);
        var error = Assert.Throws<InvalidOperationException>(() => DecoderTrainer.Train(model, _ => anchored, Settings(1), ByteTokenizerFiles.PadId));
        Assert.Contains("reference model", error.Message);
    }

    [Fact]
    public void AnchoringKeepsTheOtherPromptCloserToTheReference()
    {
        double Fine(bool anchor)
        {
            using var model = TrainableDecoder.Initialize(SmallConfig(), seed: 22);
            using var reference = TrainableDecoder.Initialize(SmallConfig(), seed: 22);
            var own = new TrainingSequence(DemoModelTraining.Encode(Own), 1 + "add 12+30 =".Length);
            var other = new TrainingSequence(DemoModelTraining.Encode(Other), OtherFirstTarget, Anchored: true);
            TrainingSequence Sample(SeededRandom random) => anchor && random.Next(2) == 0 ? other : own;
            DecoderTrainer.Train(model, Sample, Settings(40), ByteTokenizerFiles.PadId, reference: anchor ? reference : null);
            return DivergenceOnOther(model, reference);
        }

        double free = Fine(anchor: false), anchored = Fine(anchor: true);
        Assert.True(free > 1e-3, $"the plain fine-tune should move the other prompt's predictions (KL {free})");
        Assert.True(anchored < free / 3, $"anchored KL {anchored} vs plain {free}");
    }

    [Fact]
    public void StatementsStateTheFactWithoutTheQuestionForm()
    {
        foreach (var skill in SyntheticSkill.All)
        {
            foreach (var example in skill.Splits().Train.Take(50))
            {
                string statement = skill.Statement(example);
                Assert.EndsWith($" {example.Answer}.\n", statement);
                Assert.DoesNotContain(" =", statement);
                Assert.DoesNotContain(example.Question, statement);
            }
        }
        var addition = SyntheticSkill.All.Single(s => s.Name == "addition");
        var first = addition.Splits().Train[0];
        string[] terms = first.Question["add ".Length..].Split('+');
        Assert.Equal($"the sum of {terms[0]} and {terms[1]} is {int.Parse(terms[0]) + int.Parse(terms[1])}.\n", addition.Statement(first));
    }

    [Fact]
    public void TheStatementsMixtureNeverShowsTheQuestionFormAndThePartialOneShowsCorrectAnswers()
    {
        var splits = SyntheticSkill.All.Select(s => s.Splits().Train).ToList();
        var random = new SeededRandom(3);
        var statements = DemoModelTraining.BaseSampler(splits, BaseMixture.Named("statements"));
        var texts = Enumerable.Range(0, 400).Select(_ => Decode(statements(random).Tokens)).ToList();
        Assert.DoesNotContain(texts, t => t.Contains(" = "));
        Assert.Contains(texts, t => t.StartsWith("the sum of", StringComparison.Ordinal));
        Assert.Contains(texts, t => t.StartsWith("the seat of", StringComparison.Ordinal));

        var allCorrect = DemoModelTraining.BaseSampler(splits, BaseMixture.Named("partial").WithOverrides(1.0, null));
        var answers = splits.SelectMany(s => s).ToDictionary(e => e.Question, e => e.Answer);
        var questions = Enumerable.Range(0, 400).Select(_ => Decode(allCorrect(random).Tokens)).Where(t => t.Contains(" = ")).ToList();
        Assert.NotEmpty(questions);
        foreach (string text in questions)
        {
            string[] parts = text.TrimEnd('\n').Split(" = ");
            Assert.Equal(answers[parts[0]], parts[1]);
        }
    }

    private static string Decode(int[] tokens) => System.Text.Encoding.UTF8.GetString([.. tokens.Skip(1).Select(t => (byte)t)]);
}
