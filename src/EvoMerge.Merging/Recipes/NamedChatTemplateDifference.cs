namespace EvoMerge.Merging.Recipes;

/// <summary>
/// Where a bundled chat template EvoMerge writes (<see cref="NamedChatTemplates"/>) renders differently from
/// mergekit's bundled file of the same name: <c>alpaca</c>, <c>llama3</c> and <c>exaone</c> follow their documented
/// formats where mergekit's files add or drop whitespace. Reported as one <see cref="RecipeWarning"/>.
/// </summary>
public static class NamedChatTemplateDifference
{
    /// <summary>The warning for <c>chat_template: NAME</c> at <paramref name="line"/>, or null when EvoMerge renders as mergekit.</summary>
    public static RecipeWarning? Find(string file, int line, string name) => name switch
    {
        "alpaca" => new RecipeWarning(file, line,
            "chat_template 'alpaca': mergekit's bundled alpaca.jinja renders the generation prompt after a user turn without the blank line before '### Response:'",
            "EvoMerge writes the documented Alpaca format"),
        "llama3" => new RecipeWarning(file, line,
            "chat_template 'llama3': mergekit's bundled llama3.jinja renders a newline after every <|eot_id|>",
            "EvoMerge writes Meta's documented Llama 3 format, without it"),
        "exaone" => new RecipeWarning(file, line,
            "chat_template 'exaone': mergekit's bundled exaone.jinja is indented, so it renders runs of spaces and extra newlines around every turn",
            "EvoMerge writes LG's documented EXAONE format"),
        _ => null,
    };
}
