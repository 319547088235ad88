using System.Runtime.CompilerServices;

// The unit tests check the tokenizer's internal steps (Unicode normalization, BPE) directly.
[assembly: InternalsVisibleTo("EvoMerge.Tests")]
