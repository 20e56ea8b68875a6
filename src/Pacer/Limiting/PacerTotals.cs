namespace Pacer.Limiting;

/// <summary>Thread-safe running totals.</summary>
public sealed class PacerTotals
{
    private long _requests;
    private long _attempts;
    private long _retries;
    private long _rateLimited;
    private long _failures;
    private long _rejections;

    /// <summary>Counts a request started.</summary>
    public void RequestStarted() => Interlocked.Increment(ref _requests);

    /// <summary>Counts an attempt sent; attempts after the first are retries.</summary>
    public void AttemptSent(int attemptNumber)
    {
        Interlocked.Increment(ref _attempts);
        if (attemptNumber > 1)
        {
            Interlocked.Increment(ref _retries);
        }
    }

    /// <summary>Counts a 429 received from upstream.</summary>
    public void RateLimitedReceived() => Interlocked.Increment(ref _rateLimited);

    /// <summary>Counts a request that ended in failure.</summary>
    public void RequestFailed() => Interlocked.Increment(ref _failures);

    /// <summary>Counts a request rejected by the limiter.</summary>
    public void RequestRejected() => Interlocked.Increment(ref _rejections);

    /// <summary>Reads the totals.</summary>
    public PacerTotalsSnapshot Snapshot() => new()
    {
        Requests = Volatile.Read(ref _requests),
        Attempts = Volatile.Read(ref _attempts),
        Retries = Volatile.Read(ref _retries),
        RateLimited = Volatile.Read(ref _rateLimited),
        Failures = Volatile.Read(ref _failures),
        Rejections = Volatile.Read(ref _rejections),
    };
}
