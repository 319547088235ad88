namespace EvoMerge.Merging;

/// <summary>One search gene as the registered methods declare it: its parameter name and scope, range and bounds, and which methods use it.</summary>
/// <param name="Name">The parameter name (and the key of <c>genome.ranges</c>).</param>
/// <param name="Scope">Per model (one gene per source and group) or global (one per group).</param>
/// <param name="Gene">Default range, bounds and description (as the first declaring method gives them).</param>
/// <param name="Methods">The searchable methods that declare it, in registration order.</param>
public sealed record DeclaredGene(string Name, ParameterScope Scope, SearchGene Gene, IReadOnlyList<string> Methods);
