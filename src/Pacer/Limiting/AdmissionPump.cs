using Pacer.Configuration;

namespace Pacer.Limiting;

/// <summary>
/// Serves the waiters: admits them round-robin by user while the budgets allow, rejects those that can no longer be
/// admitted in time, and keeps one timer set for the earliest moment anything can change. Every member runs under the
/// limiter's lock.
/// </summary>
internal sealed class AdmissionPump
{
    // How deep into one user's lane a pass looks for a waiter whose bucket is open.
    private const int LaneScan = 32;

    private readonly Limiter _owner;
    private readonly ILimiterStore _store;
    private readonly ITimer _timer;
    private readonly List<BucketKey> _blocked = [];
    private long _armedAt = long.MaxValue;
    private bool _stopped;

    public AdmissionPump(Limiter owner, ILimiterStore store, TimeProvider time, TimeSpan releasePoll)
    {
        _owner = owner;
        _store = store;
        ReleasePoll = releasePoll.Ticks;
        _timer = time.CreateTimer(static state => ((AdmissionPump)state!)._owner.OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public FairQueue Queue { get; } = new();

    /// <summary>
    /// Gets how often waiters blocked only by concurrency look again, in ticks; 0 when every release is this limiter's
    /// own (it wakes them). A store shared with other processes frees slots this limiter does not see.
    /// </summary>
    public long ReleasePoll { get; }

    /// <summary>Gets when waiters blocked by a shared limit should look again, or <see cref="long.MaxValue"/> for "on a release".</summary>
    public long SharedWakeAt(AdmissionDecision decision, long now) =>
        decision.SharedRetryAfter > TimeSpan.Zero ? now + decision.SharedRetryAfter.Ticks
        : ReleasePoll > 0 ? now + ReleasePoll
        : long.MaxValue;

    /// <summary>Notes that the timer fired, so the next <see cref="Pump"/> sets it again.</summary>
    public void TimerFired() => _armedAt = long.MaxValue;

    /// <summary>Stops the timer and takes out every waiter.</summary>
    public List<Waiter> Stop()
    {
        _stopped = true;
        _timer.Dispose();
        return Queue.Drain();
    }

    public void Pump(PacerOptions policy, long now)
    {
        if (Queue.Count == 0)
        {
            Arm(long.MaxValue, now);
            return;
        }

        while (Queue.TryTakeExpired(now, out var expired))
        {
            _owner.Reject(expired, Rejections.TooLate(_store.TryAdmit(expired.Bucket, expired.Cost, policy, now, commit: false), passed: true));
        }

        // A bucket whose first waiter must wait stays closed to later waiters in this pass, so that a large
        // request is not starved by small ones drawing on the same budget.
        _blocked.Clear();
        Queue.BeginPass(policy.BatchMinShare);
        var wakeAt = long.MaxValue;
        var misses = 0;
        while (Queue.Cursor is { } lane && misses < Queue.Users)
        {
            switch (ServeLane(lane, policy, now, ref wakeAt))
            {
                case LaneOutcome.Served:
                    misses = 0;
                    break;
                case LaneOutcome.Rejected:
                    break;
                case LaneOutcome.Blocked:
                    Queue.Skip();
                    misses++;
                    break;
                default:
                    misses = int.MaxValue;
                    break;
            }
        }

        var expiry = Queue.NextExpiry();
        Arm(Math.Min(wakeAt, expiry == long.MaxValue ? expiry : expiry + 1), now);
    }

    /// <summary>
    /// Admits the first waiter of the lane whose budgets allow it. Within a lane, a waiter passes earlier ones only
    /// when their buckets are blocked and its own is not, so order is FIFO per user and bucket.
    /// </summary>
    private LaneOutcome ServeLane(Lane lane, PacerOptions policy, long now, ref long wakeAt)
    {
        var waiter = lane.Head;
        for (var scanned = 0; waiter is not null && scanned < LaneScan; scanned++, waiter = waiter.Next)
        {
            if (_blocked.Contains(waiter.Bucket))
            {
                continue;
            }

            var decision = _store.TryAdmit(waiter.Bucket, _owner.CostNow(waiter), policy, now, commit: true);
            if (decision.Admitted)
            {
                Queue.DequeueServed(waiter);
                _owner.Grant(waiter, now);
                return LaneOutcome.Served;
            }

            if (decision.Status == AdmissionStatus.TooLarge || now + decision.RetryAfter.Ticks > waiter.ExpiresAt)
            {
                Queue.Remove(waiter);
                _owner.Reject(waiter, decision.Status == AdmissionStatus.TooLarge
                    ? Rejections.TooLarge(waiter.Cost, decision)
                    : Rejections.TooLate(decision, passed: false));
                return LaneOutcome.Rejected;
            }

            if (decision.BlockedForAll)
            {
                wakeAt = Math.Min(wakeAt, SharedWakeAt(decision, now));
                return LaneOutcome.Stop;
            }

            wakeAt = Math.Min(wakeAt, now + decision.RetryAfter.Ticks);
            _blocked.Add(waiter.Bucket);
        }

        return LaneOutcome.Blocked;
    }

    /// <summary>Makes the timer fire by <paramref name="due"/> at the latest, without a pass over the waiters.</summary>
    public void ArmNoLaterThan(long due, long now)
    {
        if (due < _armedAt)
        {
            Arm(due, now);
        }
    }

    private void Arm(long due, long now)
    {
        if (due == _armedAt || _stopped)
        {
            return;
        }

        _armedAt = due;
        _timer.Change(due == long.MaxValue ? Timeout.InfiniteTimeSpan : TimeSpan.FromTicks(Math.Max(1, due - now)), Timeout.InfiniteTimeSpan);
    }

    private enum LaneOutcome
    {
        Served,
        Rejected,
        Blocked,
        Stop,
    }
}
