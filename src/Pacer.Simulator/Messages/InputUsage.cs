namespace Pacer.Simulator.Messages;

/// <summary>
/// How a prompt's tokens split between uncached input, cache writes (by lifetime) and cache reads; the three add up
/// to the prompt's <c>count_tokens</c> total.
/// </summary>
internal readonly record struct InputUsage(long Input, long CacheCreation5m, long CacheCreation1h, long CacheRead)
{
    public long CacheCreation => CacheCreation5m + CacheCreation1h;

    public long Total => Input + CacheCreation + CacheRead;
}
