namespace Pacer.Gateway.Dashboard;

/// <summary>
/// What the gateway's own answers add to the limiter's totals, counted as each proxied request ends: 429s passed on to
/// callers, requests that could not reach the upstream, requests it answered, and the longest queue wait. Lock-free.
/// </summary>
internal sealed class TrafficTally
{
    private long _passedOnRateLimited;
    private long _unreachable;
    private long _answered;
    private long _longestQueueMs;

    /// <summary>Gets the upstream 429s that reached the caller after every retry, since start.</summary>
    public long PassedOnRateLimited => Volatile.Read(ref _passedOnRateLimited);

    /// <summary>Gets the requests that ended because the upstream could not be reached or did not answer, since start.</summary>
    public long Unreachable => Volatile.Read(ref _unreachable);

    /// <summary>Gets the requests the upstream answered (any status), since start.</summary>
    public long Answered => Volatile.Read(ref _answered);

    /// <summary>Counts one proxied request that ended.</summary>
    /// <param name="status">The status the caller got.</param>
    /// <param name="attempts">Attempts sent upstream (0 when the gateway answered itself).</param>
    /// <param name="queueMilliseconds">Time the request waited for admission, over all attempts.</param>
    /// <param name="outcome">The outcome of the request's log line (<c>upstream_unreachable</c>, <c>upstream_timeout</c>, ...).</param>
    /// <param name="elapsed">The request's whole time in the gateway.</param>
    public void Ended(int status, int attempts, long queueMilliseconds, string outcome, TimeSpan elapsed)
    {
        // A request the limiter refused spent its time waiting for admission (its queue header says 0).
        if (outcome.StartsWith("rejected_", StringComparison.Ordinal))
        {
            queueMilliseconds = Math.Max(queueMilliseconds, (long)elapsed.TotalMilliseconds);
        }

        if (outcome is "upstream_unreachable" or "upstream_timeout")
        {
            Interlocked.Increment(ref _unreachable);
        }
        else if (attempts > 0)
        {
            Interlocked.Increment(ref _answered);
            if (status == StatusCodes.Status429TooManyRequests)
            {
                Interlocked.Increment(ref _passedOnRateLimited);
            }
        }

        var longest = Volatile.Read(ref _longestQueueMs);
        while (queueMilliseconds > longest)
        {
            var seen = Interlocked.CompareExchange(ref _longestQueueMs, queueMilliseconds, longest);
            if (seen == longest)
            {
                break;
            }

            longest = seen;
        }
    }

    /// <summary>Returns the longest queue wait since the previous call, and starts again from zero.</summary>
    public TimeSpan TakeLongestQueueWait() => TimeSpan.FromMilliseconds(Interlocked.Exchange(ref _longestQueueMs, 0));
}
