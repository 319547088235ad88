using System.CommandLine;
using EvoMerge.Benchmarks;

namespace EvoMerge.Cli;

/// <summary><c>evomerge bench inference</c>: the options of <see cref="InferenceBenchmark"/>.</summary>
public static class BenchInferenceCommand
{
    public static Command Create()
    {
        var models = new Option<string[]>("--model") { Description = "Which models to run: 20m, 100m, routed (static vs routed experts on the demo models in ./models; --questions: documents per task) (repeatable).", DefaultValueFactory = _ => ["20m", "100m"], AllowMultipleArgumentsPerToken = true };
        var questions = new Option<int>("--questions") { Description = "Multiple-choice questions in the workload (4 choices each).", DefaultValueFactory = _ => 24 };
        var budget = new Option<int>("--token-budget") { Description = "Tokens per batch for the batched scorer.", DefaultValueFactory = _ => 4096 };
        var threads = new Option<int>("--threads") { Description = "Torch intra-op threads (0: leave torch's default).", DefaultValueFactory = _ => 0 };
        var command = new Command("inference", "Compare batched log-likelihood scoring with one forward pass per request on random Llama models.") { models, questions, budget, threads };
        command.SetAction(parse => new InferenceBenchmark(Console.Out).Run(parse.GetValue(models)!, parse.GetValue(questions), parse.GetValue(budget), parse.GetValue(threads)));
        return command;
    }
}
