using System.CommandLine;
using EvoMerge.Search.Runs;

namespace EvoMerge.Cli;

/// <summary>
/// <c>evomerge export RUN_DIR --member K|best --out DIR [--verify] [--allow-overwrite]</c>: writes an archive member as a merged model (HF
/// layout) with its recipe and a model card; <c>--verify</c> re-scores the written model and compares with the archive.
/// <c>evomerge export RUN_DIR --list</c> lists the members with their scores and marks <c>best</c>.
/// </summary>
public static class ExportCommand
{
    public static Command Create()
    {
        var dir = new Argument<DirectoryInfo>("RUN_DIR") { Description = "A search's run directory." };
        var member = new Option<string>("--member") { Description = "Archive member index (as --list and archive.json number them), or best: the member the demo table reports (highest dev average among the feasible members)." };
        var output = new Option<DirectoryInfo>("--out") { Description = "Output model directory (required with --member)." };
        var list = new Option<bool>("--list") { Description = "List the archive's members (index, hash, objective values, dev average, feasibility, generation; best marked) and write nothing." };
        var verify = new Option<bool>("--verify") { Description = "Re-score the exported model and compare with the archived scores (exit 1 on a mismatch)." };
        var overwrite = new Option<bool>("--allow-overwrite") { Description = "Replace the model files of a non-empty DIR (never a model of the run)." };
        var command = new Command("export", "Write a Pareto-front member as a merged model: evomerge export RUN_DIR --member K|best --out DIR; list them: --list.") { dir, member, output, list, verify, overwrite };
        command.SetAction(parse =>
        {
            string run = parse.GetValue(dir)!.FullName;
            var setup = ModelExporter.OpenRun(run);
            var archive = RunArchive.Read(run);
            if (parse.GetValue(list))
            {
                Console.Write(ArchiveListing.Format(setup.Config, archive, ReportedMemberRule.Find(setup.Config, archive)));
                return 0;
            }
            var (index, why) = ExportMemberChoice.Resolve(parse.GetValue(member), setup.Config, archive);
            string outDir = parse.GetValue(output)?.FullName ?? throw new ArgumentException("--out: required with --member (the directory to write the model into)");
            var chosen = ModelExporter.Export(setup, archive, index, outDir, parse.GetValue(overwrite));
            Console.WriteLine($"exported member {index} ({chosen.Hash[..12]}{(why.Length > 0 ? "; " + why : "")}) to {outDir}");
            if (!parse.GetValue(verify)) return 0;
            var (lines, same) = ExportVerification.Compare(setup, chosen, outDir);
            foreach (string line in lines) Console.WriteLine(line);
            return same ? 0 : 1;
        });
        return command;
    }
}
