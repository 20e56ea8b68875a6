using System.Threading.RateLimiting;

namespace Pacer.Limiting;

/// <summary>
/// The limiter behind <see cref="System.Threading.RateLimiting"/>'s abstraction, partitioned by request, so that code
/// written for a <see cref="PartitionedRateLimiter{TResource}"/> (Polly's rate-limiter strategy, ASP.NET Core's
/// middleware) can drive Pacer. One permit is one request; its lease holds the <see cref="Permit"/> until disposed.
/// A rejection becomes a failed lease carrying <see cref="MetadataName.RetryAfter"/> and
/// <see cref="MetadataName.ReasonPhrase"/>.
/// </summary>
public sealed class PacerRateLimiter : PartitionedRateLimiter<AcquireRequest>
{
    private readonly Limiter _limiter;
    private readonly bool _ownsLimiter;
    private long _successful;
    private long _failed;

    /// <summary>Wraps <paramref name="limiter"/>; with <paramref name="ownsLimiter"/>, disposing this disposes it.</summary>
    public PacerRateLimiter(Limiter limiter, bool ownsLimiter = false)
    {
        ArgumentNullException.ThrowIfNull(limiter);
        _limiter = limiter;
        _ownsLimiter = ownsLimiter;
    }

    /// <inheritdoc />
    public override RateLimiterStatistics? GetStatistics(AcquireRequest resource)
    {
        var load = _limiter.Load();
        return new RateLimiterStatistics
        {
            CurrentAvailablePermits = Math.Max(0, _limiter.Options.MaxConcurrentRequests - load.CurrentRequests),
            CurrentQueuedCount = load.QueuedRequests,
            TotalSuccessfulLeases = Volatile.Read(ref _successful),
            TotalFailedLeases = Volatile.Read(ref _failed),
        };
    }

    /// <inheritdoc />
    protected override RateLimitLease AttemptAcquireCore(AcquireRequest resource, int permitCount)
    {
        CheckCount(permitCount);
        if (permitCount == 0)
        {
            return _limiter.WouldAdmit(resource) ? PermitLease.Empty : RejectedLease.NotNow;
        }

        return _limiter.TryAcquire(resource, out var permit) ? Succeeded(permit) : Failed(RejectedLease.NotNow);
    }

    /// <inheritdoc />
    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(AcquireRequest resource, int permitCount, CancellationToken cancellationToken)
    {
        CheckCount(permitCount);
        if (permitCount == 0)
        {
            return AttemptAcquireCore(resource, 0);
        }

        try
        {
            return Succeeded(await _limiter.AcquireAsync(resource, cancellationToken).ConfigureAwait(false));
        }
        catch (PacerRejectedException rejection)
        {
            return Failed(new RejectedLease(rejection.RetryAfter, rejection.Message));
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing && _ownsLimiter)
        {
            _limiter.Dispose();
        }

        base.Dispose(disposing);
    }

    private PermitLease Succeeded(Permit permit)
    {
        Interlocked.Increment(ref _successful);
        return new PermitLease(permit);
    }

    private RejectedLease Failed(RejectedLease lease)
    {
        Interlocked.Increment(ref _failed);
        return lease;
    }

    private static void CheckCount(int permitCount) =>
        ArgumentOutOfRangeException.ThrowIfGreaterThan(permitCount, 1, nameof(permitCount));
}
