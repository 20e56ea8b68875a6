namespace Pacer.Limiting;

/// <summary>The tokens a response actually used, as its <c>usage</c> reports them.</summary>
/// <param name="InputTokens"><c>usage.input_tokens</c>.</param>
/// <param name="OutputTokens"><c>usage.output_tokens</c> (for a stream: the last cumulative value).</param>
/// <param name="CacheCreationInputTokens"><c>usage.cache_creation_input_tokens</c>.</param>
/// <param name="CacheReadInputTokens"><c>usage.cache_read_input_tokens</c>.</param>
public readonly record struct TokenUsage(
    int InputTokens,
    int OutputTokens,
    int CacheCreationInputTokens = 0,
    int CacheReadInputTokens = 0)
{
    /// <summary>Gets the input tokens that count against an input-tokens-per-minute limit (input plus cache writes).</summary>
    public int RateLimitedInputTokens => InputTokens + CacheCreationInputTokens;
}
