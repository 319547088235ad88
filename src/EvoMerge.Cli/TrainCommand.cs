using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using EvoMerge.Demo.Training;

namespace EvoMerge.Cli;

/// <summary>
/// <c>evomerge train [--datasets DIR] [--models DIR] [--datasets-only] [--model NAME …] [--regime NAME] [--report]</c>:
/// writes the demo's skill datasets, trains its tiny models (base, one specialist per skill under a
/// <see cref="FineTuneRegime"/>, multitask) and, with
/// <c>--report</c>, evaluates every model and a task-arithmetic merge of the specialists into MODELS/README.md.
/// </summary>
public static class TrainCommand
{
    public static Command Create()
    {
        var datasets = new Option<DirectoryInfo>("--datasets") { Description = "Where the skill datasets are written.", DefaultValueFactory = _ => new DirectoryInfo("datasets") };
        var models = new Option<DirectoryInfo>("--models") { Description = "Where the trained models are written.", DefaultValueFactory = _ => new DirectoryInfo("models") };
        var datasetsOnly = new Option<bool>("--datasets-only") { Description = "Write the datasets and stop." };
        var only = new Option<string[]>("--model") { Description = "Train only these models (base, addition, reversal, capitals, multitask); specialists need base in MODELS.", AllowMultipleArgumentsPerToken = true };
        var report = new Option<bool>("--report") { Description = "Evaluate every model (and a merge of the specialists) on every task and write MODELS/README.md." };
        var skipTraining = new Option<bool>("--skip-training") { Description = "Use the models already in MODELS (with --report)." };
        var regime = new Option<string>("--regime") { Description = $"How the specialists are fine-tuned: {string.Join(", ", FineTuneRegime.All.Select(r => r.Name))}.", DefaultValueFactory = _ => FineTuneRegime.Default.Name };
        var density = new Option<double?>("--density") { Description = "Override the regime's sparse-mask density (share of each tensor's entries a specialist may change)." };
        var replay = new Option<double?>("--replay") { Description = "Override the regime's replay fraction (share of batch rows from the other skills' base mixture)." };
        var l2 = new Option<double?>("--l2-to-base") { Description = "Override the regime's L2 pull toward base (λ of λ·Σ‖θ−θ_base‖²)." };
        var learningRate = new Option<double?>("--specialist-lr") { Description = "Override the regime's specialist learning rate." };
        var freeze = new Option<bool?>("--freeze-shared") { Description = "Override whether the regime freezes embeddings, lm_head and norms (true/false)." };
        var specialistSteps = new Option<int?>("--specialist-steps") { Description = "Override the regime's steps (the same for every specialist)." };
        var mixture = new Option<string>("--base") { Description = $"What base is pre-trained on: {string.Join(", ", BaseMixture.All.Select(m => m.Name))}.", DefaultValueFactory = _ => BaseMixture.Default.Name };
        var baseCorrect = new Option<double?>("--base-correct") { Description = "Override the share of base's skill rows shown with the correct answer." };
        var baseSteps = new Option<int?>("--base-steps") { Description = "Override base's training steps." };
        var command = new Command("train", "Write the demo's synthetic skill datasets and train its tiny models (base, specialists, multitask) with AdamW.")
            { datasets, models, datasetsOnly, only, report, skipTraining, regime, density, replay, l2, learningRate, freeze, specialistSteps, mixture, baseCorrect, baseSteps };
        command.SetAction(parse =>
        {
            string datasetsPath = parse.GetValue(datasets)!.FullName, modelsPath = parse.GetValue(models)!.FullName;
            var clock = Stopwatch.StartNew();
            SkillDatasets.Write(datasetsPath);
            Console.Error.WriteLine($"wrote datasets under {datasetsPath}");
            if (parse.GetValue(datasetsOnly)) return 0;
            string[] names = parse.GetValue(only) ?? [];
            foreach (string name in names)
                if (!DemoModelTraining.ModelNames.Contains(name))
                    throw new ArgumentException($"--model '{name}': not one of {string.Join(", ", DemoModelTraining.ModelNames)}");
            if (!parse.GetValue(skipTraining))
            {
                var chosen = FineTuneRegime.Named(parse.GetValue(regime)!).WithOverrides(
                    parse.GetValue(density), parse.GetValue(replay), parse.GetValue(l2), parse.GetValue(learningRate), parse.GetValue(freeze),
                    parse.GetValue(specialistSteps));
                var baseMixture = BaseMixture.Named(parse.GetValue(mixture)!).WithOverrides(parse.GetValue(baseCorrect), parse.GetValue(baseSteps));
                DemoModelTraining.TrainAll(modelsPath, names.Length == 0 ? null : names, line => Console.Error.WriteLine(line), chosen, baseMixture);
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trained in {clock.Elapsed.TotalSeconds:0}s"));
            }
            if (parse.GetValue(report)) DemoModelReport.Write(datasetsPath, modelsPath, line => Console.Error.WriteLine(line));
            return 0;
        });
        return command;
    }
}
