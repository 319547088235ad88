namespace EvoMerge.Tests.Training;

/// <summary>Paths of the committed demo datasets and models, found from this source file's location.</summary>
public static class RepositoryPaths
{
    public static string Root([System.Runtime.CompilerServices.CallerFilePath] string thisFile = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(thisFile)!, "..", "..", ".."));

    public static string Datasets => Path.Combine(Root(), "datasets");

    public static string Models => Path.Combine(Root(), "models");
}
