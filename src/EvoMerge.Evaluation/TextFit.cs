namespace EvoMerge.Evaluation;

/// <summary>Text cut to a terminal width: progress descriptions and live display rows never wrap.</summary>
public static class TextFit
{
    /// <summary><paramref name="text"/> cut to <paramref name="width"/> characters, the last an ellipsis when it is cut.</summary>
    public static string Cut(string text, int width) => text.Length <= width ? text : width <= 1 ? text[..Math.Max(0, width)] : text[..(width - 1)] + "…";
}
