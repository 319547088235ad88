using System.Globalization;
using EvoMerge.Inference;
using EvoMerge.Tensors;
using Xunit;

namespace EvoMerge.Tests.Inference.Decoder;

/// <summary>
/// The decoder against an independent float64 reference written in Python with PyTorch
/// (<c>tests/fixtures/decoder-reference/generator/reference.py</c>, sharing no code with EvoMerge): every case's
/// per-request log-likelihoods within 2e-3 and the same greedy flags, for each family the decoder evaluates; a family
/// it does not evaluate yet is refused with a one-line error naming config.json.
/// </summary>
public sealed class PythonReferenceTests
{
    private const double Tolerance = 2e-3;

    public static TheoryData<string> Cases => new(DecoderReferenceCase.Names());

    [Theory]
    [MemberData(nameof(Cases))]
    public void Decoder_matches_the_float64_python_reference_or_refuses_the_family(string name)
    {
        var reference = DecoderReferenceCase.Load(name);
        if (!ModelConfig.SupportedModelTypes.Contains(reference.ModelType))
        {
            var refused = Assert.Throws<ModelConfigException>(() => Load(reference).Dispose());
            Assert.Contains(Path.Combine(reference.Directory, "config.json"), refused.Message);
            Assert.DoesNotContain('\n', refused.Message);
            return;
        }

        using var decoder = Load(reference);
        var single = reference.Requests.Select(r => decoder.LogLikelihood([r])[0]).ToList();
        AssertMatches(reference, single, "one request per call");
        if (!reference.LengthDependentRope)
            AssertMatches(reference, decoder.LogLikelihood(reference.Requests), "all requests in one call");
    }

    [PythonTorchFact]
    public void Regenerated_references_equal_the_committed_expected_values()
    {
        using var output = new TempDirectory("evomerge-decoder-reference");
        string generator = RepositoryPaths.Combine("tests", "fixtures", "decoder-reference", "generator");
        var names = DecoderReferenceCase.Names().ToList();
        var (exitCode, stdout, stderr) = PythonTorchFactAttribute.Run(generator,
            ["reference.py", "--out", output.Path, .. names.Select(n => Path.Combine(DecoderReferenceCase.Root, n))]);
        Assert.True(exitCode == 0, $"reference.py exited with {exitCode}: {stdout}{stderr}");

        foreach (string name in names)
        {
            var committed = DecoderReferenceCase.Load(name);
            var regenerated = DecoderReferenceCase.Load(name, output.Combine(name, "expected.json"));
            Assert.Equal(committed.Requests.Count, regenerated.Requests.Count);
            for (int i = 0; i < committed.Requests.Count; i++)
            {
                double a = committed.LogLikelihoods[i], b = regenerated.LogLikelihoods[i];
                Assert.True(Math.Abs(a - b) <= 1e-9 * Math.Max(1.0, Math.Abs(a)),
                    string.Create(CultureInfo.InvariantCulture, $"{name} request {i}: committed {a:R}, regenerated {b:R}"));
                Assert.Equal(committed.Greedy[i], regenerated.Greedy[i]);
            }
        }
    }

    private static DecoderModel Load(DecoderReferenceCase reference)
    {
        using var directory = ModelDirectory.Open(reference.Directory);
        return DecoderModel.Load(directory);
    }

    private static void AssertMatches(DecoderReferenceCase reference, IReadOnlyList<LogLikelihoodResult> results, string how)
    {
        Assert.Equal(reference.Requests.Count, results.Count);
        for (int i = 0; i < results.Count; i++)
        {
            double expected = reference.LogLikelihoods[i], actual = results[i].LogLikelihood;
            Assert.True(Math.Abs(actual - expected) <= Tolerance,
                string.Create(CultureInfo.InvariantCulture,
                    $"{reference.Name} request {i} ({how}): decoder {actual:R}, float64 reference {expected:R}, difference {actual - expected:E2}"));
            Assert.True(reference.Greedy[i] == results[i].IsGreedy,
                $"{reference.Name} request {i} ({how}): decoder greedy {results[i].IsGreedy}, reference {reference.Greedy[i]}");
        }
    }
}
