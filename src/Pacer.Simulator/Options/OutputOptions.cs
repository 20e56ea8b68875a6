namespace Pacer.Simulator.Options;

/// <summary>How long replies are. Lengths are drawn from the seed and the prompt, so the same request gets the same reply.</summary>
public sealed class OutputOptions
{
    /// <summary>Mean reply length in tokens (an exponential draw, capped at <c>max_tokens</c>). <value>The default is 120.</value></summary>
    public int MeanTokens { get; set; } = 120;

    /// <summary>Share of replies that run to <c>max_tokens</c> (stop_reason <c>max_tokens</c>). <value>The default is 0.05.</value></summary>
    public double MaxTokensRate { get; set; } = 0.05;

    /// <summary>Share of requests with <c>stop_sequences</c> that stop on the first one. <value>The default is 0.2.</value></summary>
    public double StopSequenceRate { get; set; } = 0.2;
}
