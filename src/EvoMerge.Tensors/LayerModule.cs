namespace EvoMerge.Tensors;

/// <summary>
/// One stack of numbered layers of a model (mergekit's module: a text decoder, a vision tower): its name, the prefix
/// of its layer tensors with the index as "{i}" ("model.layers.{i}.", "model.vision_tower.vision_model.encoder.layers.{i}."),
/// one layer's tensor names with the index as "{i}", and its number of layers.
/// </summary>
public sealed record LayerModule(string Name, string LayerPrefix, IReadOnlyList<string> LayerTemplate, int LayerCount)
{
    /// <summary>
    /// The templates some layer of some model lacks (mergekit's optional weights of an inferred layout): merged over
    /// the inputs that hold them, not written where none does. Empty for the catalog's families.
    /// </summary>
    public IReadOnlySet<string> OptionalTemplates { get; init; } = new HashSet<string>();
}
