namespace Pacer.Usage;

/// <summary>
/// The split of cache writes by lifetime, as the response's optional <c>usage.cache_creation</c> object reports it
/// (<c>ephemeral_5m_input_tokens</c>, <c>ephemeral_1h_input_tokens</c>). Without it every cache write is priced
/// as a 5-minute write, the API's default lifetime.
/// </summary>
/// <param name="Ephemeral5mInputTokens">Tokens written to the 5-minute cache.</param>
/// <param name="Ephemeral1hInputTokens">Tokens written to the 1-hour cache.</param>
public readonly record struct CacheCreation(int Ephemeral5mInputTokens, int Ephemeral1hInputTokens)
{
    /// <summary>Gets every cache write, whatever its lifetime.</summary>
    public int TotalInputTokens => Ephemeral5mInputTokens + Ephemeral1hInputTokens;
}
