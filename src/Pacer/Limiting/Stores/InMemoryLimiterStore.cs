using Pacer.Configuration;

namespace Pacer.Limiting;

/// <summary>
/// The limiter's state in this process, thread-safe: every member is atomic under one lock, so several limiters may
/// share one store. Nothing grows with the request rate. A <see cref="Limiter"/> created without a store keeps the
/// same state without this lock, under its own.
/// </summary>
public sealed class InMemoryLimiterStore : ILimiterStore
{
    private readonly Lock _gate = new();
    private readonly UnsharedLimiterStore _state = new();

    /// <summary>Gets how many (key, model class) states are kept.</summary>
    internal int BucketCount
    {
        get
        {
            lock (_gate)
            {
                return _state.BucketCount;
            }
        }
    }

    /// <inheritdoc />
    public AdmissionDecision TryAdmit(BucketKey bucket, RequestCost cost, PacerOptions policy, long now, bool commit)
    {
        lock (_gate)
        {
            return _state.TryAdmit(bucket, cost, policy, now, commit);
        }
    }

    /// <inheritdoc />
    public void Complete(BucketKey bucket, RequestCost reserved, TokenUsage usage, ServerCount counted, PacerOptions policy, long now)
    {
        lock (_gate)
        {
            _state.Complete(bucket, reserved, usage, counted, policy, now);
        }
    }

    /// <inheritdoc />
    public void Release(BucketKey bucket, RequestCost held, bool completed, ServerCount counted, PacerOptions policy, long now)
    {
        lock (_gate)
        {
            _state.Release(bucket, held, completed, counted, policy, now);
        }
    }

    /// <inheritdoc />
    public void Confirm(BucketKey bucket, RequestCost held, ServerCount counted, long now)
    {
        lock (_gate)
        {
            _state.Confirm(bucket, held, counted, now);
        }
    }

    /// <inheritdoc />
    public void Observe(BucketKey bucket, RateLimitObservation observation, bool outputReservedOnArrival, long now)
    {
        lock (_gate)
        {
            _state.Observe(bucket, observation, outputReservedOnArrival, now);
        }
    }

    /// <inheritdoc />
    public void Cooldown(BucketKey bucket, long until)
    {
        lock (_gate)
        {
            _state.Cooldown(bucket, until);
        }
    }

    /// <inheritdoc />
    public LimiterLoad Load(long now)
    {
        lock (_gate)
        {
            return _state.Load(now);
        }
    }

    /// <inheritdoc />
    public LimiterStoreSnapshot Snapshot(PacerOptions policy, long now, DateTimeOffset wallNow)
    {
        lock (_gate)
        {
            return _state.Snapshot(policy, now, wallNow);
        }
    }
}
