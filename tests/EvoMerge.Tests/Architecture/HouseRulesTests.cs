using System.Text.RegularExpressions;
using System.Xml.Linq;
using EvoMerge.Merging;
using Xunit;

namespace EvoMerge.Tests.Architecture;

/// <summary>
/// The house rules of issue 17, read from the repository's own files: Search names no merge method, Optimization is a
/// leaf, Cluster does not reach into Host, and the CLI stays a thin layer.
/// </summary>
public class HouseRulesTests
{
    private static IEnumerable<string> SourceFiles(string project) =>
        Directory.EnumerateFiles(RepositoryPaths.Combine("src", project), "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

    private static IReadOnlyList<string> ProjectReferences(string project) =>
        [.. XDocument.Load(RepositoryPaths.Combine("src", project, project + ".csproj")).Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value))];

    [Fact]
    public void NoStringLiteralInSearchNamesAMergeMethod()
    {
        var names = string.Join("|", MergeMethodRegistry.Default.Names.Select(Regex.Escape));
        var method = new Regex($@"(?<![\w-])({names})(?![\w-])");
        var literal = new Regex(@"""(?:[^""\\]|\\.)*""");
        var found = new List<string>();
        foreach (string file in SourceFiles("EvoMerge.Search"))
        {
            foreach (var (line, number) in File.ReadLines(file).Select((l, i) => (l, i + 1)))
            {
                string code = line.TrimStart();
                if (code.StartsWith("//", StringComparison.Ordinal)) continue;
                foreach (Match m in literal.Matches(line))
                    if (method.Match(m.Value) is { Success: true } hit) found.Add($"{Path.GetFileName(file)}:{number}: {hit.Value}");
            }
        }
        Assert.Empty(found);
    }

    [Fact]
    public void OptimizationIsALeafAndClusterDoesNotReferenceHost()
    {
        Assert.Empty(ProjectReferences("EvoMerge.Optimization"));
        Assert.DoesNotContain("EvoMerge.Host", ProjectReferences("EvoMerge.Cluster"));
        Assert.DoesNotContain(SourceFiles("EvoMerge.Cluster"), f => File.ReadAllText(f).Contains("using EvoMerge.Host", StringComparison.Ordinal));
    }

    [Fact]
    public void TheCliHasAtMostAThousandLines()
    {
        int lines = SourceFiles("EvoMerge.Cli").Sum(f => File.ReadLines(f).Count());
        Assert.InRange(lines, 1, 1000);
    }
}
