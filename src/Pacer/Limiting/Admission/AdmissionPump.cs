using Pacer.Configuration;

namespace Pacer.Limiting;

/// <summary>
/// Serves the waiters in passes. A pass picks, in the fair queue's order, the waiters it would admit (each lane's
/// first, then each lane's second, ...), asks the store once for all of them outside the lock, and then admits,
/// rejects or leaves each as the store decided. One pass runs at a time; an event during a pass (a new waiter, a
/// release) makes it run once more. One timer is kept for the earliest moment anything can change by itself.
/// </summary>
internal sealed class AdmissionPump
{
    /// <summary>The most waiters one pass asks about; also how deep into one user's lane a pass looks.</summary>
    public const int BatchSize = 32;

    // With leases that expire the store is shared with other processes; their releases are announced, and this poll
    // only covers a lost announcement.
    private static readonly long SharedReleasePoll = TimeSpan.FromSeconds(1).Ticks;

    private readonly IAdmissionHost _owner;
    private readonly Lock _gate;
    private readonly ILimiterStore _store;
    private readonly ITimer _timer;
    private readonly Waiter?[] _picked = new Waiter?[BatchSize];
    private readonly Lane?[] _lanes = new Lane?[BatchSize];
    private readonly Waiter?[] _laneNext = new Waiter?[BatchSize];
    private long _armedAt = long.MaxValue;
    private long _sharedBlockedUntil;
    private bool _running;
    private bool _again;
    private bool _stopped;

    public AdmissionPump(IAdmissionHost owner, Lock gate, ILimiterStore store, TimeProvider time)
    {
        _owner = owner;
        _gate = gate;
        _store = store;
        Batch = new AdmissionBatch(owner.InstanceId, BatchSize);
        _timer = time.CreateTimer(static state => ((AdmissionPump)state!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public FairQueue Queue { get; } = new();

    /// <summary>Gets the batch; only the holder of the pump (see <see cref="TryHold"/>) fills it.</summary>
    public AdmissionBatch Batch { get; }

    /// <summary>
    /// Takes the pump for one decision outside a pass (an arrival when nobody waits): true when no pass runs and nobody
    /// waits. Under the lock. The holder ends with <see cref="Settle"/> or <see cref="Release"/>.
    /// </summary>
    public bool TryHold()
    {
        if (_running || Queue.Count > 0 || _stopped)
        {
            return false;
        }

        _running = true;
        Batch.Clear();
        return true;
    }

    /// <summary>Gives the pump back after a decision that left nothing to do. Under the lock; returns whether a pass must run now.</summary>
    public bool Release(long now) => Settle(long.MaxValue, now);

    /// <summary>
    /// Gives the pump back after a decision (an arrival's that queued, or a pass's); arms the timer for
    /// <paramref name="wakeAt"/> and the next expiry. Under the lock. Returns whether a pass must run now (an event
    /// came meanwhile): the caller then calls <see cref="Run"/> outside the lock, keeping the pump.
    /// </summary>
    public bool Settle(long wakeAt, long now)
    {
        if (_again && Queue.Count > 0 && !_stopped)
        {
            _again = false;
            return true;
        }

        _again = false;
        _running = false;
        var expiry = Queue.NextExpiry();
        Arm(Math.Min(wakeAt, expiry == long.MaxValue ? expiry : expiry + 1), now);
        return false;
    }

    /// <summary>Notes a decision's shared block: no pass is useful before it ends (a release ends a concurrency block). Under the lock.</summary>
    public long NoteShared(AdmissionDecision decision, long now)
    {
        if (!decision.BlockedForAll)
        {
            return long.MaxValue;
        }

        _sharedBlockedUntil = decision.SharedRetryAfter > TimeSpan.Zero ? now + decision.SharedRetryAfter.Ticks
            : _store.LeaseTimeToLive is not null ? now + SharedReleasePoll
            : long.MaxValue;
        return _sharedBlockedUntil;
    }

    /// <summary>Forgets any shared block (the policy changed). Under the lock.</summary>
    public void Reopen() => _sharedBlockedUntil = 0;

    /// <summary>
    /// Asks for a pass, outside the lock: runs one now unless one runs already (it then runs again) or a limit shared by
    /// every request still blocks. <paramref name="released"/>: a lease was freed, which ends a concurrency block.
    /// </summary>
    public void Kick(bool released)
    {
        // Nobody waits and no pass runs (every uncontended release and completion): nothing to do but forget a
        // concurrency block, which a lone write does as well as the lock would.
        if (Queue.Count == 0 && !Volatile.Read(ref _running))
        {
            if (released)
            {
                Interlocked.CompareExchange(ref _sharedBlockedUntil, 0, long.MaxValue);
            }

            return;
        }

        lock (_gate)
        {
            if (released && _sharedBlockedUntil == long.MaxValue)
            {
                _sharedBlockedUntil = 0;
            }

            if (_running)
            {
                _again = true;
                return;
            }

            if (_stopped || Queue.Count == 0 || _owner.Now() < _sharedBlockedUntil)
            {
                return;
            }

            _running = true;
        }

        Run();
    }

    /// <summary>Runs passes until nothing more can be admitted; the caller holds the pump. Outside the lock.</summary>
    public void Run()
    {
        var passes = RunAsync();
        if (!passes.IsCompletedSuccessfully)
        {
            _ = Watch(passes);
        }
    }

    /// <summary>Stops the timers and takes out every waiter.</summary>
    public List<Waiter> Stop()
    {
        _stopped = true;
        _timer.Dispose();
        return Queue.Drain();
    }

    private async ValueTask RunAsync()
    {
        while (true)
        {
            lock (_gate)
            {
                _again = false;
                var now = _owner.Now();
                while (Queue.TryTakeExpired(now, out var expired))
                {
                    _owner.Reject(expired, Rejections.TooLate(expired.LastDecision, passed: true));
                }

                if (!Pick(_owner.Options))
                {
                    Settle(long.MaxValue, now);
                    return;
                }
            }

            try
            {
                await _store.AdmitAsync(Batch).ConfigureAwait(false);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                lock (_gate)
                {
                    // The store failed the whole pass: nothing was taken; look again shortly (waiters still expire).
                    _owner.StoreFailed(exception);
                    var now = _owner.Now();
                    if (!Settle(now + SharedReleasePoll, now))
                    {
                        return;
                    }
                }

                continue;
            }

            List<AdmissionCandidate>? orphans = null;
            lock (_gate)
            {
                var again = Serve(_owner.Now(), ref orphans);
                if (!again)
                {
                    orphans?.ForEach(_owner.Unclaimed);
                    return;
                }
            }

            orphans?.ForEach(_owner.Unclaimed);
        }
    }

    /// <summary>Fills the batch with the waiters a pass would admit, in the queue's order. Under the lock.</summary>
    private bool Pick(PacerOptions policy)
    {
        Batch.Clear();
        Batch.Policy = policy;

        // The class whose turn it is first (interactive, unless batch's minimum share is due), then the other.
        Queue.BeginPass(policy.BatchMinShare);
        PickRing(Queue.Cursor);
        PickRing(Queue.OtherCursor);
        return Batch.Count > 0;
    }

    /// <summary>Adds the waiters of one class's ring, round by round: every lane's first, then every lane's second, ...</summary>
    private void PickRing(Lane? cursor)
    {
        var lanes = 0;
        for (var lane = cursor; lane is not null && lanes < BatchSize; lane = lane.Next)
        {
            _lanes[lanes] = lane;
            _laneNext[lanes++] = lane.Head;
            if (lane.Next == cursor)
            {
                break;
            }
        }

        var added = true;
        while (added && !Batch.IsFull)
        {
            added = false;
            for (var i = 0; i < lanes && !Batch.IsFull; i++)
            {
                if (_laneNext[i] is { } waiter)
                {
                    _picked[Batch.Count] = waiter;
                    Batch.Add(new AdmissionCandidate(waiter.Bucket, waiter.LeaseId, _owner.CostNow(waiter)));
                    _laneNext[i] = waiter.Next;
                    added = true;
                }
            }
        }

        Array.Clear(_lanes, 0, lanes);
        Array.Clear(_laneNext, 0, lanes);
    }

    /// <summary>Applies the store's decisions; returns whether another pass must run now (the caller keeps the pump). Under the lock.</summary>
    private bool Serve(long now, ref List<AdmissionCandidate>? orphans)
    {
        var wakeAt = long.MaxValue;
        var admitted = false;
        Lane? blockedLane = null;
        for (var i = 0; i < Batch.Count; i++)
        {
            var waiter = _picked[i]!;
            _picked[i] = null;
            var decision = Batch.Decision(i);
            _owner.Learned(waiter.Bucket, decision);
            if (!waiter.IsQueued)
            {
                // Cancelled or expired while the store decided: what it took goes back.
                if (decision.Admitted)
                {
                    (orphans ??= []).Add(Batch.Candidate(i));
                }

                continue;
            }

            waiter.LastDecision = decision;
            var lane = waiter.Lane!;
            if (decision.Admitted)
            {
                // Served: the turn in its ring passes on, and batch's minimum share is kept count of.
                Queue.DequeueServed(waiter);
                _owner.Grant(waiter, Batch.Candidate(i).Cost, now);
                admitted = true;
            }
            else if (decision.Status == AdmissionStatus.TooLarge || now + decision.RetryAfter.Ticks > waiter.ExpiresAt)
            {
                Queue.Remove(waiter);
                _owner.Reject(waiter, decision.Status == AdmissionStatus.TooLarge
                    ? Rejections.TooLarge(waiter.Cost, decision)
                    : Rejections.TooLate(decision, passed: false));
            }
            else if (decision.BlockedForAll)
            {
                blockedLane ??= lane;
                wakeAt = Math.Min(wakeAt, NoteShared(decision, now));
            }
            else
            {
                wakeAt = Math.Min(wakeAt, now + decision.RetryAfter.Ticks);
            }
        }

        if (blockedLane is null && admitted && Queue.Count > 0)
        {
            _again = true;
        }

        return Settle(wakeAt, now);
    }

    private void OnTimer()
    {
        lock (_gate)
        {
            _armedAt = long.MaxValue;
            _sharedBlockedUntil = 0;
        }

        Kick(released: false);
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

    private async Task Watch(ValueTask passes)
    {
        try
        {
            await passes.ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            lock (_gate)
            {
                _owner.StoreFailed(exception);
                _running = false;
            }
        }
    }
}
