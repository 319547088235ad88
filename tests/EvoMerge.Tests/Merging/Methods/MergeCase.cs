using EvoMerge.Merging;
using EvoMerge.Merging.Sparsification;
using TorchSharp;

namespace EvoMerge.Tests.Merging.Methods;

/// <summary>
/// Builds a <see cref="MergeContext"/> for one method the way the recipe resolver would: declared defaults are
/// applied to every parameter the test does not set.
/// </summary>
internal sealed class MergeCase
{
    private readonly List<MergeInput> _models = [];
    private readonly Dictionary<string, double> _global = new(StringComparer.Ordinal);
    private MergeInput? _base;

    private MergeCase(IMergeMethod method)
    {
        Method = method;
    }

    public IMergeMethod Method { get; }

    public string TensorName { get; set; } = "model.layers.0.mlp.up_proj.weight";

    public bool IsEmbedding { get; set; }

    public torch.Generator? Random { get; set; }

    public Func<MergeInput, torch.Tensor?>? ProxyInputs { get; set; }

    public LayerStatistics? LayerStatistics { get; set; }

    public MergeFactorCache? Factors { get; set; }

    public torch.Tensor? Destination { get; set; }

    public static MergeCase For(string method) => new(MergeMethodRegistry.Default.Get(method));

    public MergeCase Base(torch.Tensor tensor, params (string Name, double Value)[] parameters)
    {
        _base = Input("base", tensor, parameters, null);
        return this;
    }

    public MergeCase Model(torch.Tensor tensor, params (string Name, double Value)[] parameters) =>
        Model(tensor, null, parameters);

    public MergeCase Model(torch.Tensor tensor, MagnitudeOrder? magnitudes, params (string Name, double Value)[] parameters)
    {
        _models.Add(Input($"model{_models.Count + 1}", tensor, parameters, magnitudes));
        return this;
    }

    public MergeCase Global(params (string Name, double Value)[] parameters)
    {
        foreach (var (name, value) in parameters)
            _global[name] = value;
        return this;
    }

    public MergeContext Build() => new()
    {
        TensorName = TensorName,
        IsEmbedding = IsEmbedding,
        Base = _base,
        Models = _models,
        Global = new ParameterValues(WithDefaults(_global, ParameterScope.Global)),
        Random = Random,
        ProxyInputs = ProxyInputs,
        LayerStatistics = LayerStatistics,
        Factors = Factors,
        Destination = Destination,
    };

    public torch.Tensor Merge() => Method.Merge(Build());

    private MergeInput Input(string name, torch.Tensor tensor, (string Name, double Value)[] parameters, MagnitudeOrder? magnitudes) =>
        new(name, tensor, new ParameterValues(WithDefaults(parameters.ToDictionary(p => p.Name, p => p.Value), ParameterScope.PerModel)), magnitudes);

    private Dictionary<string, double> WithDefaults(Dictionary<string, double> given, ParameterScope scope)
    {
        var values = new Dictionary<string, double>(given, StringComparer.Ordinal);
        foreach (var parameter in Method.Parameters.Where(p => p.Scope == scope && p.Default is not null))
            values.TryAdd(parameter.Name, parameter.Default!.Value);
        return values;
    }
}
