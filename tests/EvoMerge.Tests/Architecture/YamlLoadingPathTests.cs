using Xunit;

namespace EvoMerge.Tests.Architecture;

/// <summary>
/// YAML reaches the program through one bounded path: outside <c>src/EvoMerge.Tensors/Yaml</c> no source file builds
/// its own YamlDotNet parser, stream or deserializer (each would skip the size, alias and depth limits).
/// </summary>
public sealed class YamlLoadingPathTests
{
    [Fact]
    public void OnlyTheBoundedLoaderParsesYaml()
    {
        string src = RepositoryPaths.Combine("src");
        string loader = Path.Combine(src, "EvoMerge.Tensors", "Yaml") + Path.DirectorySeparatorChar;
        string[] direct = ["new YamlStream(", "new Parser(", "DeserializerBuilder", ".Load(new StringReader"];
        var offenders = Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories)
            .Where(file => !file.StartsWith(loader, StringComparison.Ordinal) && !file.Contains("/obj/", StringComparison.Ordinal))
            .SelectMany(file => direct.Where(File.ReadAllText(file).Contains).Select(call => $"{Path.GetRelativePath(src, file)}: {call}"))
            .ToList();
        Assert.True(offenders.Count == 0, string.Join("\n", offenders));
    }
}
