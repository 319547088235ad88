namespace EvoMerge.Demo.Training;

/// <summary>
/// One row of a skill dataset: the question, its answer, four answer choices and the index of the correct one.
/// Models see it as <see cref="Text"/>: <c>"{question} = {answer}\n"</c>.
/// </summary>
public sealed record SkillExample(string Question, string Answer, string[] Choices, long Label)
{
    /// <summary>The training text with the given answer (the correct one by default).</summary>
    public string Text(string? answer = null) => $"{Question} = {answer ?? Answer}\n";
}
