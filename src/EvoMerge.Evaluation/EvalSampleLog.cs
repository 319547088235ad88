using System.Text;
using System.Text.Json;

namespace EvoMerge.Evaluation;

/// <summary>
/// Writes one JSON object per scored document (JSON Lines): <c>task</c>, <c>doc_index</c>, then for multiple
/// choice <c>loglikelihoods</c> (natural log, summed over the continuation tokens, one per choice),
/// <c>is_greedy</c> (one per choice), <c>prediction</c>, <c>prediction_norm</c>, <c>answer</c>, <c>acc</c>,
/// <c>acc_norm</c>; for generate <c>generated</c>, <c>extracted</c>, <c>target</c>, <c>correct</c>; for perplexity
/// <c>loglikelihood</c>, <c>tokens</c>, <c>words</c>, <c>bytes</c>.
/// </summary>
public static class EvalSampleLog
{
    /// <summary>Writes every record of every task of <paramref name="result"/>, tasks in order.</summary>
    public static void Write(EvalResult result, Stream output)
    {
        var newline = Encoding.UTF8.GetBytes("\n");
        foreach (var task in result.Tasks)
            foreach (var record in task.Records)
            {
                using (var json = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
                    WriteRecord(json, task.Name, record);
                output.Write(newline);
            }
    }

    private static void WriteRecord(Utf8JsonWriter json, string task, DocumentRecord record)
    {
        json.WriteStartObject();
        json.WriteString("task", task);
        json.WriteNumber("doc_index", record.DocIndex);
        switch (record)
        {
            case MultipleChoiceRecord mc:
                json.WriteStartArray("loglikelihoods");
                foreach (double ll in mc.LogLikelihoods)
                {
                    if (double.IsFinite(ll)) json.WriteNumberValue(ll);
                    else json.WriteNullValue();
                }
                json.WriteEndArray();
                json.WriteStartArray("is_greedy");
                foreach (bool greedy in mc.IsGreedy) json.WriteBooleanValue(greedy);
                json.WriteEndArray();
                json.WriteNumber("prediction", mc.Prediction);
                json.WriteNumber("prediction_norm", mc.NormalizedPrediction);
                json.WriteNumber("answer", mc.Answer);
                json.WriteNumber("acc", mc.Correct ? 1 : 0);
                json.WriteNumber("acc_norm", mc.CorrectNormalized ? 1 : 0);
                break;
            case GenerationRecord g:
                json.WriteString("generated", g.Generated);
                if (g.Extracted is null) json.WriteNull("extracted");
                else json.WriteString("extracted", g.Extracted);
                json.WriteString("target", g.Target);
                json.WriteBoolean("correct", g.Correct);
                break;
            case PerplexityRecord p:
                EvalResultJson.WriteNumber(json, "loglikelihood", p.LogLikelihood);
                json.WriteNumber("tokens", p.Tokens);
                json.WriteNumber("words", p.Words);
                json.WriteNumber("bytes", p.Bytes);
                break;
        }
        json.WriteEndObject();
    }
}
