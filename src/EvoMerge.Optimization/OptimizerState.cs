using System.Text.Json.Serialization;
using EvoMerge.Optimization.CmaEs;
using EvoMerge.Optimization.Nsga2;
using EvoMerge.Optimization.Random;

namespace EvoMerge.Optimization;

/// <summary>
/// A complete optimizer snapshot (space, settings, random state, population or distribution, pending batch);
/// serialised with the optimizer's registry name as <c>optimizer</c>. Restore with <see cref="OptimizerRegistry.Restore"/>.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "optimizer")]
[JsonDerivedType(typeof(Nsga2State), Nsga2Optimizer.OptimizerName)]
[JsonDerivedType(typeof(CmaEsState), CmaEsOptimizer.OptimizerName)]
[JsonDerivedType(typeof(RandomSearchState), RandomSearchOptimizer.OptimizerName)]
public abstract record OptimizerState
{
    /// <summary>Registry name of the optimizer this state belongs to.</summary>
    [JsonIgnore]
    public abstract string OptimizerName { get; }
}
