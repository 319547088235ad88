namespace EvoMerge.Merging.Recipes;

/// <summary>
/// A <c>parameters:</c> map of one recipe level (top level, a slice or a source): setting per parameter name, in
/// the order written, with the YAML line of each name and a label for messages (e.g. "models[1].parameters").
/// </summary>
public sealed class RecipeParameters
{
    private readonly Dictionary<string, (ParameterSetting Setting, int Line)> _settings;

    public RecipeParameters(string label, IEnumerable<(string Name, ParameterSetting Setting, int Line)> settings)
    {
        Label = label;
        _settings = new Dictionary<string, (ParameterSetting, int)>(StringComparer.Ordinal);
        foreach (var (name, setting, line) in settings) _settings[name] = (setting, line);
    }

    /// <summary>Where these parameters were written, e.g. "parameters" or "slices[0].sources[1].parameters".</summary>
    public string Label { get; }

    /// <summary>Parameter names in the order written.</summary>
    public IEnumerable<string> Names => _settings.Keys;

    /// <summary>No parameters at this level.</summary>
    public static RecipeParameters None(string label) => new(label, []);

    /// <summary>The setting of a parameter, when this level sets it.</summary>
    public ParameterSetting? Get(string name) => _settings.TryGetValue(name, out var s) ? s.Setting : null;

    /// <summary>The YAML line where the parameter's name was written.</summary>
    public int LineOf(string name) => _settings[name].Line;
}
