namespace Pacer.Simulator.Limits;

/// <summary>
/// The answer of the buckets to one request: admitted (with the lease that settles its output tokens), or refused
/// naming the first limit hit, the amount asked and how long until the request would fit.
/// </summary>
internal sealed record LimitDecision(LimitReading Reading, OutputLease? Lease, LimitKind? Exceeded, long Asked, long Limit, TimeSpan RetryAfter, bool NeverFits)
{
    public bool Admitted => Lease is not null;

    /// <summary>Whole seconds until the request would fit, at least 1, as the <c>retry-after</c> header carries it.</summary>
    public long RetryAfterSeconds => Math.Max(1, (long)Math.Ceiling(RetryAfter.TotalSeconds));
}
