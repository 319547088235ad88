using System.Text.Json.Serialization;
using EvoMerge.Optimization.CmaEs;
using EvoMerge.Optimization.Nsga2;
using EvoMerge.Optimization.Random;

namespace EvoMerge.Optimization;

/// <summary>Settings of one optimizer kind; serialised with the kind's registry name as <c>optimizer</c>.</summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "optimizer")]
[JsonDerivedType(typeof(Nsga2Settings), Nsga2Optimizer.OptimizerName)]
[JsonDerivedType(typeof(CmaEsSettings), CmaEsOptimizer.OptimizerName)]
[JsonDerivedType(typeof(RandomSearchSettings), RandomSearchOptimizer.OptimizerName)]
public abstract record OptimizerSettings
{
    /// <summary>Registry name of the optimizer these settings are for.</summary>
    [JsonIgnore]
    public abstract string OptimizerName { get; }

    /// <summary>Throws <see cref="ArgumentException"/> when the settings cannot be used on <paramref name="space"/>.</summary>
    public abstract void Validate(GeneSpace space);
}
