using System.Globalization;

namespace EvoMerge.Merging.Recipes;

/// <summary>
/// Resolves a recipe's parameters for one tensor as mergekit does. Global parameters are evaluated against the
/// output tensor name, looking at the slice's parameters, then the top-level parameters, then the method default.
/// Per-model parameters are evaluated against that model's input tensor name (which carries the source layer
/// index), looking at the source's parameters first, then the slice's, then the top level, then the default.
/// A level whose setting evaluates to nothing (no filter matched) is skipped; a required parameter left without a
/// value is an error, except for the base model's per-model parameters, which are never required.
/// </summary>
public sealed class ParameterResolver
{
    private readonly MergeRecipe _recipe;
    private readonly IMergeMethod _method;
    private readonly List<RecipeWarning> _warnings = [];

    /// <summary>Creates a resolver and checks every parameter the recipe sets against the method (see <see cref="Validate"/>).</summary>
    public ParameterResolver(MergeRecipe recipe, IMergeMethod method)
    {
        _recipe = recipe;
        _method = method;
        Validate();
    }

    /// <summary>Parameters the recipe sets that the method ignores, in recipe order (see <see cref="Validate"/>).</summary>
    public IReadOnlyList<RecipeWarning> Warnings => [.. _warnings.OrderBy(w => w.Line)];

    /// <summary>
    /// Checks names and types everywhere the recipe sets parameters. As in mergekit, a name the method does not
    /// declare, and a global parameter set under a model, are ignored; each is a <see cref="Warnings"/> entry naming
    /// the key and the method (with a "did you mean" when the name is close to one the method takes). Numbers and
    /// booleans must match the declared kind, and every number written (each gradient anchor, each filtered value)
    /// must lie in the parameter's <see cref="MergeParameter.Domain"/>; a gradient's interpolated values then lie in
    /// it too, as every domain is an interval. A value above the maximum of a parameter that
    /// <see cref="MergeParameter.SaturatesAboveMaximum"/> (density) is a warning instead, and is read as the maximum; so is a value
    /// outside the domain that the parameter's <see cref="MergeParameter.Unusual"/> accepts (read as written).
    /// </summary>
    private void Validate()
    {
        Check(_recipe.Parameters, perModelOnly: false);
        foreach (var module in _recipe.Slices.Select(s => s.Module).OfType<RecipeModule>().Distinct().Where(m => m.Effective != _recipe.Parameters))
            Check(module.Own, perModelOnly: false);
        foreach (var slice in _recipe.Slices)
        {
            Check(slice.Parameters, perModelOnly: false);
            foreach (var source in slice.Sources) Check(source.Parameters, perModelOnly: true);
        }
    }

    private void Check(RecipeParameters parameters, bool perModelOnly)
    {
        foreach (string name in parameters.Names)
        {
            int line = parameters.LineOf(name);
            var declared = _method.Parameters.FirstOrDefault(p => p.Name == name);
            if (declared is null)
            {
                string? near = NearestName.Find(name, _method.Parameters.Select(p => p.Name));
                string known = _method.Parameters.Count == 0 ? "none" : string.Join(", ", _method.Parameters.Select(p => p.Name));
                _warnings.Add(new RecipeWarning(_recipe.File, line, near is null
                    ? $"'{name}' in {parameters.Label} is not a parameter of {_method.Name} (its parameters: {known})"
                    : $"'{name}' in {parameters.Label} is not a parameter of {_method.Name} (did you mean '{near}'?)"));
                continue;
            }
            if (perModelOnly && declared.Scope == ParameterScope.Global)
            {
                _warnings.Add(new RecipeWarning(_recipe.File, line,
                    $"'{name}' in {parameters.Label} is a global parameter of {_method.Name}, not a per-model one (set it under the top-level or slice parameters)"));
                continue;
            }
            foreach (var (value, kind, valueLine) in parameters.Get(name)!.PlainValues())
            {
                if (kind != declared.Kind)
                    throw new RecipeException(_recipe.File, valueLine,
                        $"{parameters.Label}.{name} must be {(declared.Kind == ParameterKind.Boolean ? "true or false" : "a number")}");
                if (declared.Effective(value) != value)
                {
                    _warnings.Add(new RecipeWarning(_recipe.File, valueLine, string.Create(CultureInfo.InvariantCulture,
                        $"{parameters.Label}.{name}: {value:R} is above {declared.Domain.Maximum}, the top of {_method.Name}'s '{name}' {declared.Domain}"),
                        string.Create(CultureInfo.InvariantCulture, $"read as {declared.Domain.Maximum}, as mergekit does")));
                    continue;
                }
                if (!declared.Domain.Contains(value) && declared.Unusual is { } unusual && unusual.Accepted.Contains(value))
                {
                    _warnings.Add(new RecipeWarning(_recipe.File, valueLine, string.Create(CultureInfo.InvariantCulture,
                        $"{parameters.Label}.{name}: {value:R} is outside {declared.Domain}, the usual range of {_method.Name}'s '{name}': {unusual.Reason(value, declared.Domain)}"),
                        "merged as mergekit does"));
                    continue;
                }
                if (!declared.Domain.Contains(value))
                    throw new RecipeException(_recipe.File, valueLine,
                        $"{parameters.Label}.{name}: {value.ToString("R", CultureInfo.InvariantCulture)} is outside the allowed range {declared.Unusual?.Accepted ?? declared.Domain} of {_method.Name}'s '{name}'");
            }
        }
    }

    /// <summary>Global parameters of the method for an output tensor at layer position <paramref name="t"/>.</summary>
    public ParameterValues Global(RecipeSlice slice, string outputTensor, double t)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var parameter in _method.Parameters.Where(p => p.Scope == ParameterScope.Global))
        {
            double? value = slice.Parameters.Get(parameter.Name)?.Evaluate(outputTensor, t)
                ?? (slice.Module?.Effective ?? _recipe.Parameters).Get(parameter.Name)?.Evaluate(outputTensor, t)
                ?? parameter.Default;
            if (value is { } v) values[parameter.Name] = parameter.Effective(v);
            else if (parameter.Required)
                throw new RecipeException(_recipe.File, _recipe.MergeMethodLine,
                    $"{_method.Name} needs parameter '{parameter.Name}', but no value applies to tensor '{outputTensor}'");
        }
        return new ParameterValues(values);
    }

    /// <summary>Per-model parameters for one source's input tensor at layer position <paramref name="t"/>.</summary>
    public ParameterValues PerModel(RecipeSlice slice, RecipeSource source, bool isBase, string inputTensor, double t)
    {
        var values = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var parameter in _method.Parameters.Where(p => p.Scope == ParameterScope.PerModel))
        {
            double? value = source.Parameters.Get(parameter.Name)?.Evaluate(inputTensor, t)
                ?? slice.Parameters.Get(parameter.Name)?.Evaluate(inputTensor, t)
                ?? (slice.Module?.Effective ?? _recipe.Parameters).Get(parameter.Name)?.Evaluate(inputTensor, t)
                ?? parameter.Default;
            if (value is { } v) values[parameter.Name] = parameter.Effective(v);
            else if (parameter.Required && !isBase)
                throw new RecipeException(_recipe.File, source.Line,
                    $"model '{source.Model.Name}' ({source.Label}) has no value for required parameter '{parameter.Name}' of {_method.Name} (tensor '{inputTensor}')");
        }
        return new ParameterValues(values);
    }

    /// <summary>
    /// The layer position of layer <paramref name="index"/> in a slice of <paramref name="length"/> layers:
    /// index/(length−1), or 1 when the slice has one layer. Embeddings and head tensors use 0.
    /// </summary>
    public static double LayerPosition(int index, int length) => length == 1 ? 1.0 : (double)index / (length - 1);

    /// <summary>Formats a resolved value for reports ("0.25", "true").</summary>
    public static string Format(MergeParameter parameter, double value) =>
        parameter.Kind == ParameterKind.Boolean ? (value != 0 ? "true" : "false") : value.ToString("G6", CultureInfo.InvariantCulture);
}
