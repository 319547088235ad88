using EvoMerge.Search.Materialization;
using EvoMerge.Tensors;
using EvoMerge.Tests.Inference.Decoder;
using TorchSharp;
using Xunit;

namespace EvoMerge.Tests.Search.Materialization;

/// <summary>
/// A search over multimodal gemma3 checkpoints is refused with a one-line error naming config.json and model_type
/// (the decoder evaluates their text part, but candidates are not yet materialised over their multimodal names).
/// </summary>
public sealed class MultimodalSearchRefusalTests
{
    [Fact]
    public void Materialising_candidates_of_a_multimodal_gemma3_base_is_a_one_line_error()
    {
        string model = DecoderReferenceCase.Load("gemma3-multimodal").Directory;
        var error = Assert.Throws<ModelConfigException>(() => new CandidateMaterializer(model, [model], torch.ScalarType.Float32).Dispose());
        Assert.Equal($"{Path.Combine(model, "config.json")}: field 'model_type' 'gemma3' (multimodal) is merged and evaluated but not searched yet: search its text decoder saved as a gemma3_text model",
            error.Message);
    }
}
