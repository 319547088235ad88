namespace EvoMerge.Search.Analysis;

/// <summary>One compatibility check of a model against the base: its aspect ("architecture", "tensor shapes", "tokenizer", "base match"), whether it passed, and why.</summary>
public sealed record CompatibilityCheck(string Model, string Aspect, bool Passed, string Detail);
