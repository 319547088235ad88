namespace EvoMerge.Tensors.Lora;

/// <summary>
/// How an adapter changes one base tensor: a low-rank update W + Scale·(B·A) (transposed when
/// <paramref name="Transposed"/>), or, when <paramref name="Replacement"/> is set, the adapter's whole tensor of that
/// name (<c>modules_to_save</c>, or embedding weights PEFT saved with the adapter).
/// </summary>
/// <param name="A">The adapter tensor A ([r, in]; for embeddings [r, vocab]), or null for a replacement.</param>
/// <param name="B">The adapter tensor B ([out, r]; for embeddings [dim, r]), or null for a replacement.</param>
/// <param name="Scale">α/r or α/√r.</param>
/// <param name="Transposed">Add (B·A)ᵀ: embeddings (stored [vocab, dim]) and fan_in_fan_out weights.</param>
/// <param name="Replacement">The adapter tensor that replaces the base tensor.</param>
public sealed record LoraTensorUpdate(string? A, string? B, double Scale, bool Transposed, string? Replacement);
