using Pacer.Simulator.Options;

namespace Pacer.Simulator.Limits;

/// <summary>
/// Settles an admitted request's output tokens with its pool's output bucket. In <see cref="OutputAccounting.Reserve"/>
/// mode <c>max_tokens</c> was taken at admission and the unused part is refunded at the end; in
/// <see cref="OutputAccounting.Actual"/> mode tokens are taken as they are produced.
/// </summary>
internal sealed class OutputLease(PoolBuckets buckets, OutputAccounting accounting, long reserved, TimeProvider time)
{
    private long _produced;
    private bool _finished;

    /// <summary>Output tokens produced so far.</summary>
    public long Produced => Volatile.Read(ref _produced);

    /// <summary>Records <paramref name="tokens"/> more output tokens produced.</summary>
    public void Produce(long tokens)
    {
        if (tokens <= 0)
        {
            return;
        }

        lock (buckets.Gate)
        {
            _produced += tokens;
            if (accounting == OutputAccounting.Actual && !_finished)
            {
                buckets.OutputTokens.Take(tokens, time.GetUtcNow());
            }
        }
    }

    /// <summary>Ends the request: refunds the unused reservation. Later calls do nothing.</summary>
    public void Finish()
    {
        lock (buckets.Gate)
        {
            if (_finished)
            {
                return;
            }

            _finished = true;
            if (accounting == OutputAccounting.Reserve && reserved > _produced)
            {
                buckets.OutputTokens.Give(reserved - _produced, time.GetUtcNow());
            }
        }
    }

    /// <summary>The buckets as they are now, for headers written after admission.</summary>
    public LimitReading Read()
    {
        lock (buckets.Gate)
        {
            return buckets.Read(time.GetUtcNow());
        }
    }
}
