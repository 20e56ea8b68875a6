using System.Collections.Concurrent;
using Pacer.Simulator.Options;

namespace Pacer.Simulator.Limits;

/// <summary>
/// The simulator's rate limits: continuous token buckets per API key and model pool (RPM, ITPM, OTPM), and one
/// requests bucket per key for <c>count_tokens</c>. A request is admitted only when every bucket can pay for it,
/// and then pays all at once.
/// </summary>
internal sealed class RateLimiter(LimitOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<(string Key, string Pool), PoolBuckets> _pools = new();
    private readonly ConcurrentDictionary<string, TokenBucket> _countTokens = new(StringComparer.Ordinal);

    public OutputAccounting Accounting => options.OutputAccounting;

    /// <summary>Decides on one Messages request costing <paramref name="inputTokens"/> and up to <paramref name="maxTokens"/>.</summary>
    public LimitDecision TryAdmit(string keyId, string pool, long inputTokens, long maxTokens)
    {
        var buckets = Buckets(keyId, pool);
        var outputAsk = options.OutputAccounting == OutputAccounting.Reserve ? maxTokens : 1;
        lock (buckets.Gate)
        {
            var now = time.GetUtcNow();
            (LimitKind Kind, TokenBucket Bucket, long Ask)[] checks =
            [
                (LimitKind.Requests, buckets.Requests, 1),
                (LimitKind.InputTokens, buckets.InputTokens, inputTokens),
                (LimitKind.OutputTokens, buckets.OutputTokens, outputAsk),
            ];

            LimitKind? exceeded = null;
            long asked = 0, limit = 0;
            var wait = TimeSpan.Zero;
            var neverFits = false;
            foreach (var (kind, bucket, ask) in checks)
            {
                var until = bucket.TimeUntil(ask, now);
                if (until <= TimeSpan.Zero)
                {
                    continue;
                }

                if (exceeded is null)
                {
                    (exceeded, asked, limit) = (kind, ask, bucket.Limit);
                }

                neverFits |= !bucket.CanEverFit(ask);
                wait = until > wait ? until : wait;
            }

            if (exceeded is not null)
            {
                return new LimitDecision(buckets.Read(now), null, exceeded, asked, limit, wait, neverFits);
            }

            buckets.Requests.Take(1, now);
            buckets.InputTokens.Take(inputTokens, now);
            if (options.OutputAccounting == OutputAccounting.Reserve)
            {
                buckets.OutputTokens.Take(maxTokens, now);
            }

            var lease = new OutputLease(buckets, options.OutputAccounting, maxTokens, time);
            return new LimitDecision(buckets.Read(now), lease, null, 0, 0, TimeSpan.Zero, false);
        }
    }

    /// <summary>Decides on one <c>count_tokens</c> request (its own requests bucket per key).</summary>
    public LimitDecision TryAdmitCountTokens(string keyId, string pool)
    {
        var bucket = _countTokens.GetOrAdd(keyId, _ => new TokenBucket(options.CountTokensRequestsPerMinute, options.BurstSeconds, time.GetUtcNow()));
        var reading = Read(keyId, pool);
        lock (bucket)
        {
            var now = time.GetUtcNow();
            var wait = bucket.TimeUntil(1, now);
            if (wait > TimeSpan.Zero)
            {
                return new LimitDecision(reading with { Requests = BucketReading.Of(bucket, now) }, null, LimitKind.Requests, 1, bucket.Limit, wait, false);
            }

            bucket.Take(1, now);
            return new LimitDecision(reading with { Requests = BucketReading.Of(bucket, now) }, null, null, 0, 0, TimeSpan.Zero, false);
        }
    }

    /// <summary>The buckets of a key and pool as they are now, without taking anything.</summary>
    public LimitReading Read(string keyId, string pool)
    {
        var buckets = Buckets(keyId, pool);
        lock (buckets.Gate)
        {
            return buckets.Read(time.GetUtcNow());
        }
    }

    /// <summary>Forgets every bucket: every key starts full again.</summary>
    public void Reset()
    {
        _pools.Clear();
        _countTokens.Clear();
    }

    private PoolBuckets Buckets(string keyId, string pool) =>
        _pools.GetOrAdd((keyId, pool), k => new PoolBuckets(k.Pool, LimitsOf(k.Pool), options.BurstSeconds, time.GetUtcNow()));

    private PoolLimits LimitsOf(string pool)
    {
        var custom = options.Pools.FirstOrDefault(p => string.Equals(p.Name, pool, StringComparison.OrdinalIgnoreCase));
        return new PoolLimits(
            custom?.RequestsPerMinute ?? options.RequestsPerMinute,
            custom?.InputTokensPerMinute ?? options.InputTokensPerMinute,
            custom?.OutputTokensPerMinute ?? options.OutputTokensPerMinute);
    }
}
