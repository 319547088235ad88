using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace EvoMerge.IntegrationTests;

/// <summary><c>evomerge eval</c> as a child process on the tiny-llama fixture with a 64-token tokenizer.</summary>
public class EvalCommandTests
{
    private static string Fixture => Path.Combine(CliRunner.RepositoryRoot, "tests", "fixtures", "tiny-llama");

    internal static string Example(string file) => Path.Combine(CliRunner.RepositoryRoot, "datasets", "examples", file);

    /// <summary>The fixture's files plus a character-level Metaspace BPE tokenizer that fits its 64-token vocabulary.</summary>
    internal static void WriteModel(string directory)
    {
        foreach (string file in Directory.GetFiles(Fixture)) File.Copy(file, Path.Combine(directory, Path.GetFileName(file)));
        var tokens = new List<string> { "<unk>", "<s>", "</s>", "▁" };
        tokens.AddRange("0123456789abcdefghijklmnopqrstuvwxyz?:+.-".Select(c => c.ToString()));
        tokens.Add("\n");
        (string, string)[] merges = [("▁", "t"), ("h", "e"), ("▁t", "he"), ("i", "s"), ("▁", "is"), ("▁", "a")];
        tokens.AddRange(merges.Select(m => m.Item1 + m.Item2));
        var vocab = new JsonObject();
        for (int i = 0; i < tokens.Count; i++) vocab[tokens[i]] = i;
        JsonObject Added(int id) => new() { ["id"] = id, ["content"] = tokens[id], ["special"] = true, ["normalized"] = false };
        JsonObject Metaspace() => new() { ["type"] = "Metaspace", ["replacement"] = "▁", ["prepend_scheme"] = "first", ["split"] = true };
        var tokenizer = new JsonObject
        {
            ["added_tokens"] = new JsonArray(Added(0), Added(1), Added(2)),
            ["pre_tokenizer"] = Metaspace(),
            ["decoder"] = Metaspace(),
            ["model"] = new JsonObject
            {
                ["type"] = "BPE", ["unk_token"] = "<unk>", ["fuse_unk"] = true, ["byte_fallback"] = false, ["vocab"] = vocab,
                ["merges"] = new JsonArray(merges.Select(m => (JsonNode)JsonValue.Create($"{m.Item1} {m.Item2}")!).ToArray()),
            },
        };
        Assert.True(tokens.Count <= 64);
        File.WriteAllText(Path.Combine(directory, "tokenizer.json"), tokenizer.ToJsonString());
        File.WriteAllText(Path.Combine(directory, "tokenizer_config.json"), """{"bos_token": "<s>", "eos_token": "</s>", "add_bos_token": true}""");
    }

    [Fact]
    public void EvalPrintsATableAndWritesResultsAndSamples()
    {
        using var dir = new TempDirectory();
        string model = dir.Combine("model");
        Directory.CreateDirectory(model);
        WriteModel(model);
        string results = dir.Combine("results.json"), samples = dir.Combine("samples.jsonl");

        var run = CliRunner.Run(TimeSpan.FromMinutes(3), "eval", model,
            "--task", Example("arithmetic-choice.yml"), "--task", Example("arithmetic-answer.yml"), "--task", Example("sentences.yml"),
            "--limit", "5", "--output", results, "--log-samples", samples, "--device", "cpu");
        Assert.True(run.ExitCode == 0, run.Stderr);

        var table = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Matches(@"^task\s+metric\s+value\s+stderr\s+n$", table[0]);
        foreach (var (task, metric) in new[] { ("arithmetic-choice", "acc"), ("arithmetic-choice", "acc_norm"), ("arithmetic-answer", "exact_match"), ("sentences", "word_perplexity"), ("sentences", "bits_per_byte") })
            Assert.Contains(table, line => System.Text.RegularExpressions.Regex.IsMatch(line, $@"^{task}\s+{metric}\s+\d+\.\d{{4}}\s+(\d+\.\d{{4}}|-)\s+5$"));

        using var json = JsonDocument.Parse(File.ReadAllText(results));
        var tasks = json.RootElement.GetProperty("tasks").EnumerateArray().ToList();
        Assert.Equal(["arithmetic-choice", "arithmetic-answer", "sentences"], tasks.Select(t => t.GetProperty("name").GetString()));
        Assert.All(tasks, t => Assert.Equal(5, t.GetProperty("documents").GetInt32()));
        double acc = tasks[0].GetProperty("metrics").GetProperty("acc").GetProperty("value").GetDouble();
        Assert.InRange(acc, 0, 1);
        double bitsPerByte = tasks[2].GetProperty("metrics").GetProperty("bits_per_byte").GetProperty("value").GetDouble();
        Assert.True(bitsPerByte > 0);

        var lines = File.ReadAllLines(samples);
        Assert.Equal(15, lines.Length);
        var docs = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var choice = docs.Where(d => d.GetProperty("task").GetString() == "arithmetic-choice").ToList();
        Assert.Equal([0, 1, 2, 3, 4], choice.Select(d => d.GetProperty("doc_index").GetInt32()));
        Assert.All(choice, d =>
        {
            var lls = d.GetProperty("loglikelihoods").EnumerateArray().Select(e => e.GetDouble()).ToList();
            Assert.Equal(4, lls.Count);
            Assert.All(lls, ll => Assert.True(ll < 0));
            Assert.Equal(lls.IndexOf(lls.Max()), d.GetProperty("prediction").GetInt32());
            Assert.Equal(4, d.GetProperty("is_greedy").GetArrayLength());
            Assert.InRange(d.GetProperty("answer").GetInt32(), 0, 3);
        });
        double meanAcc = choice.Average(d => d.GetProperty("prediction").GetInt32() == d.GetProperty("answer").GetInt32() ? 1.0 : 0.0);
        Assert.Equal(meanAcc, acc, 12);
        var answer = docs.First(d => d.GetProperty("task").GetString() == "arithmetic-answer");
        foreach (string field in new[] { "generated", "extracted", "target", "correct" }) Assert.True(answer.TryGetProperty(field, out _), field);
        var sentence = docs.First(d => d.GetProperty("task").GetString() == "sentences");
        Assert.True(sentence.GetProperty("loglikelihood").GetDouble() < 0);
        Assert.True(sentence.GetProperty("tokens").GetInt32() > 0);
    }

    [Fact]
    public void BadTaskFilesGiveOneLineErrors()
    {
        using var dir = new TempDirectory();
        string model = dir.Combine("model");
        Directory.CreateDirectory(model);
        WriteModel(model);
        string yaml = dir.Combine("bad.yml");
        File.WriteAllText(yaml, $"name: bad\nkind: multiple_choice\ndata: {Example("arithmetic-choice.parquet")}\nprompt: '{{question}}'\nchoices_column: choices\nanswer_column: answer\nshuffle: true\n");
        var unknownKey = CliRunner.Run("eval", model, "--task", yaml);
        Assert.Equal(1, unknownKey.ExitCode);
        string line = Assert.Single(unknownKey.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"evomerge: error: {yaml}:7: shuffle: unknown key", line);

        File.WriteAllText(yaml, $"name: bad\nkind: multiple_choice\ndata: {Example("arithmetic-choice.parquet")}\nprompt: '{{question}}'\nchoices_column: question\nanswer_column: answer\n");
        var wrongType = CliRunner.Run("eval", model, "--task", yaml);
        Assert.Equal(1, wrongType.ExitCode);
        Assert.Equal($"evomerge: error: {Example("arithmetic-choice.parquet")}: column 'question' (choices_column): has type string but choices_column needs list<string>",
            Assert.Single(wrongType.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));

        var noTask = CliRunner.Run("eval", model);
        Assert.NotEqual(0, noTask.ExitCode);
        var badDevice = CliRunner.Run("eval", model, "--task", Example("sentences.yml"), "--device", "tpu");
        Assert.Equal(1, badDevice.ExitCode);
        Assert.Contains("device 'tpu'", badDevice.Stderr);
    }

    [Fact]
    public void CorruptParquetDataGivesOneLineErrorsThatQuoteNoBytes()
    {
        using var dir = new TempDirectory();
        string model = dir.Combine("model");
        Directory.CreateDirectory(model);
        WriteModel(model);
        string data = dir.Combine("data.parquet"), yaml = dir.Combine("task.yml");
        File.WriteAllText(yaml, "name: corrupt\nkind: multiple_choice\ndata: data.parquet\nprompt: '{question}'\nchoices_column: choices\nanswer_column: answer\n");
        var valid = File.ReadAllBytes(Example("arithmetic-choice.parquet"));

        File.WriteAllText(data, "question,answer\nwhat is two plus two?,4\n");
        var text = CliRunner.Run("eval", model, "--task", yaml);
        Assert.Equal(1, text.ExitCode);
        Assert.Equal($"evomerge: error: {data}: is not a Parquet file (it does not start with the PAR1 magic)",
            Assert.Single(text.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));

        var negative = (byte[])valid.Clone();
        BitConverter.TryWriteBytes(negative.AsSpan(negative.Length - 8, 4), -1);
        File.WriteAllBytes(data, negative);
        var footer = CliRunner.Run("eval", model, "--task", yaml);
        Assert.Equal(1, footer.ExitCode);
        Assert.Equal($"evomerge: error: {data}: has a negative footer length (-1)",
            Assert.Single(footer.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }
}
