using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using EvoMerge.Search.Runs;

namespace EvoMerge.Cli;

/// <summary>
/// <c>evomerge export RUN_DIR --member K --out DIR [--verify] [--allow-overwrite]</c>: writes an archive member as a merged model (HF
/// layout) with its recipe and a model card; <c>--verify</c> re-scores the written model and compares with the archive.
/// </summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("RUN_DIR") { Description = "A search's run directory." };
        var member = new Option<int>("--member") { Description = "Archive member index (as listed in archive.json and by search/resume).", Required = true };
        var output = new Option<DirectoryInfo>("--out") { Description = "Output model directory.", Required = true };
        var verify = new Option<bool>("--verify") { Description = "Re-score the exported model and compare with the archived scores (exit 1 on a mismatch)." };
        var overwrite = new Option<bool>("--allow-overwrite") { Description = "Replace the model files of a non-empty DIR (never a model of the run)." };
        var command = new Command("export", "Write a Pareto-front member as a merged model: evomerge export RUN_DIR --member K --out DIR.") { dir, member, output, verify, overwrite };
        command.SetAction(parse =>
        {
            string run = parse.GetValue(dir)!.FullName;
            var setup = ModelExporter.OpenRun(run);
            var files = new RunFiles(run);
            if (!File.Exists(files.Checkpoint)) throw new FileNotFoundException($"{run}: no generation has completed yet (no checkpoint.json)", files.Checkpoint);
            var checkpoint = JsonSerializer.Deserialize<SearchCheckpoint>(File.ReadAllText(files.Checkpoint), SearchCheckpoint.Json)!;
            var archive = checkpoint.Archive.Select(e => e.Payload).ToArray();
            string outDir = parse.GetValue(output)!.FullName;
            var chosen = ModelExporter.Export(setup, archive, parse.GetValue(member), outDir, parse.GetValue(overwrite));
            var inv = CultureInfo.InvariantCulture;
            Console.WriteLine($"exported member {parse.GetValue(member)} ({chosen.Hash[..12]}) to {outDir}");
            if (!parse.GetValue(verify)) return 0;
            var rescored = ModelExporter.Rescore(setup, outDir);
            bool same = true;
            for (int j = 0; j < rescored.Length; j++)
            {
                bool equal = rescored[j] == chosen.Objectives[j] || Math.Abs(rescored[j] - chosen.Objectives[j]) <= 1e-9 * Math.Max(1, Math.Abs(chosen.Objectives[j]));
                same &= equal;
                Console.WriteLine(string.Create(inv, $"{setup.Config.Objectives[j].Name}: archived {chosen.Objectives[j]:R}, exported model {rescored[j]:R} {(equal ? "(same)" : "(DIFFERENT)")}"));
            }
            return same ? 0 : 1;
        });
        return command;
    }
}
