namespace EvoMerge.Demo.Training;

/// <summary>
/// AdamW settings of one training run: steps of <see cref="BatchSize"/> sequences, a linear warm-up to
/// <see cref="LearningRate"/> then cosine decay to a tenth of it, gradients clipped to norm 1, and the seed of the
/// data stream.
/// </summary>
public sealed record TrainingSettings(int Steps, int BatchSize, double LearningRate, int WarmupSteps, double WeightDecay, long Seed)
{
    /// <summary>The learning rate at step <paramref name="step"/> (0-based).</summary>
    public double LearningRateAt(int step)
    {
        if (step < WarmupSteps) return LearningRate * (step + 1) / WarmupSteps;
        double progress = Steps <= WarmupSteps ? 1.0 : (double)(step - WarmupSteps) / (Steps - WarmupSteps);
        return LearningRate * (0.1 + 0.9 * 0.5 * (1.0 + Math.Cos(Math.PI * progress)));
    }
}
