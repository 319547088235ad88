using System.Globalization;
using EvoMerge.FuzzCorpus;

// dotnet run --project tests/EvoMerge.FuzzCorpus -- [--seed N] [--out DIR]: writes the fuzz corpus (default: seed 18
// into tests/fuzz-corpus, found from the current directory upwards).
int seed = CorpusWriter.DefaultSeed;
string? output = null;
for (int i = 0; i < args.Length; i++)
{
    switch (args[i])
    {
        case "--seed" when i + 1 < args.Length:
            seed = int.Parse(args[++i], CultureInfo.InvariantCulture);
            break;
        case "--out" when i + 1 < args.Length:
            output = args[++i];
            break;
        default:
            Console.Error.WriteLine("usage: dotnet run --project tests/EvoMerge.FuzzCorpus -- [--seed N] [--out DIR]");
            return 2;
    }
}
output ??= CorpusLocation.Default();
var manifest = CorpusWriter.Write(output, seed);
foreach (var group in manifest.Cases.GroupBy(c => c.Entry)) Console.WriteLine($"{group.Key}: {group.Count()} files");
Console.WriteLine($"seed {seed}, {manifest.Cases.Count} cases in {output}");
return 0;
