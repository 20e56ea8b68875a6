using Pacer.Configuration;

namespace Pacer.Limiting;

/// <summary>
/// Where the limiter keeps the state that a shared store could hold for several processes: the operator's
/// request-rate window and pacing, the concurrency count, per-(key, model class) token buckets learned from headers or
/// set by the operator, and cooldowns. Each member is one atomic decision (a Redis store would run each as one
/// script on server time). Times are durations or ticks of the engine's monotonic clock
/// (<see cref="TimeSpan.Ticks"/> units); the fair queue of waiters stays in the engine's process.
/// </summary>
public interface ILimiterStore
{
    /// <summary>
    /// Decides whether a request of <paramref name="cost"/> for <paramref name="bucket"/> may be admitted at
    /// <paramref name="now"/> under <paramref name="policy"/>; when <paramref name="commit"/> is true and it may, takes
    /// its reservation (one request, one concurrency slot, its input and output tokens) in the same step.
    /// </summary>
    AdmissionDecision TryAdmit(BucketKey bucket, RequestCost cost, PacerOptions policy, long now, bool commit);

    /// <summary>
    /// Reconciles an admitted request with its real usage: refunds or charges the difference to the operator's token
    /// budgets and the learned output budget, and to the learned input budget unless a response already showed what
    /// the server <paramref name="counted"/> of it (the API counts input at once, output as it is produced or, under
    /// the reserving accounting, as <c>max_tokens</c> on arrival, refunded at the end).
    /// </summary>
    void Complete(BucketKey bucket, RequestCost reserved, TokenUsage usage, ServerCount counted, PacerOptions policy, long now);

    /// <summary>
    /// Ends an admitted request: frees its concurrency slot; when it was never <paramref name="completed"/>, returns its
    /// token reservation (the request itself still counts against requests per minute). <paramref name="held"/> is
    /// what it holds: its reservation, or its real usage once completed; what the server <paramref name="counted"/> of
    /// it is not refunded (the server's figure stands). It only ever refunds, so <paramref name="now"/> may be the
    /// engine's last clock reading rather than a fresh one.
    /// </summary>
    void Release(BucketKey bucket, RequestCost held, bool completed, ServerCount counted, PacerOptions policy, long now);

    /// <summary>
    /// Notes that the server's count now includes an admitted request holding <paramref name="held"/> (a response to it,
    /// or to a request sent after it, came): what it holds is no longer subtracted from the server's remaining.
    /// <paramref name="counted"/> says whether that includes its output reservation. <see cref="ServerCount.Produced"/>
    /// comes only after <see cref="ServerCount.RequestAndInput"/> was confirmed for the same request, and confirms its
    /// output hold alone; its <see cref="Complete"/> then leaves the learned output budget as the server reported it.
    /// </summary>
    void Confirm(BucketKey bucket, RequestCost held, ServerCount counted, long now);

    /// <summary>
    /// Corrects the learned budgets of <paramref name="bucket"/> to what a response says: each becomes the server's
    /// remaining less what requests not yet counted by the server hold (see <see cref="Confirm"/>). When
    /// <paramref name="outputReservedOnArrival"/>, the upstream refuses whenever less than <c>max_tokens</c> remains, so
    /// the output remaining, rounded by the API, is taken at the low end of its rounding, as the input remaining is.
    /// </summary>
    void Observe(BucketKey bucket, RateLimitObservation observation, bool outputReservedOnArrival, long now);

    /// <summary>Blocks every admission for <paramref name="bucket"/> until <paramref name="until"/> (kept if later than an existing cooldown).</summary>
    void Cooldown(BucketKey bucket, long until);

    /// <summary>Reads the requests in flight and in the 60-second window at <paramref name="now"/> (queued: 0, the engine knows them).</summary>
    LimiterLoad Load(long now);

    /// <summary>Reads the state at <paramref name="now"/>; <paramref name="wallNow"/> is the same moment on the wall clock.</summary>
    LimiterStoreSnapshot Snapshot(PacerOptions policy, long now, DateTimeOffset wallNow);
}
