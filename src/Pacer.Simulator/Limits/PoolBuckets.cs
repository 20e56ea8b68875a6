namespace Pacer.Simulator.Limits;

/// <summary>The buckets of one API key for one model pool: requests, input tokens and output tokens per minute.</summary>
internal sealed class PoolBuckets(string pool, PoolLimits limits, double burstSeconds, DateTimeOffset now)
{
    public string Pool { get; } = pool;

    public TokenBucket Requests { get; } = new(limits.RequestsPerMinute, burstSeconds, now);

    public TokenBucket InputTokens { get; } = new(limits.InputTokensPerMinute, burstSeconds, now);

    public TokenBucket OutputTokens { get; } = new(limits.OutputTokensPerMinute, burstSeconds, now);

    /// <summary>Guards the three buckets: a decision reads and takes from all of them at once.</summary>
    public Lock Gate { get; } = new();

    /// <summary>Reads the buckets; the caller holds <see cref="Gate"/>.</summary>
    public LimitReading Read(DateTimeOffset now) =>
        new(BucketReading.Of(Requests, now), BucketReading.Of(InputTokens, now), BucketReading.Of(OutputTokens, now));
}
