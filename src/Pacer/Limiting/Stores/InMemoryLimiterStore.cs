using Pacer.Configuration;

namespace Pacer.Limiting;

/// <summary>
/// The limiter's numbers in this process, thread-safe: every operation is atomic under one lock and completes at once
/// (its <see cref="ValueTask"/> is already done), so several limiters of one process may share one store and the
/// admission path allocates nothing. Time is this store's <see cref="TimeProvider"/>. Nothing grows with the request rate:
/// the request window holds at most the largest <c>MaxRequestsPerMinute</c> in force since the start (8 KB under the
/// seed's ranges, at most 800 KB with extended ranges), allocated once when a larger policy first needs it.
/// </summary>
public sealed class InMemoryLimiterStore : ILimiterStore
{
    // Past this many (key, model class) states, idle ones are forgotten so unknown model names cannot grow memory.
    private const int SweepThreshold = 4096;

    private readonly Lock _gate;
    private readonly TimeProvider _time;
    private readonly double _ticksPerTimestamp;
    private readonly RequestPacer _pacer = new();
    private readonly Dictionary<BucketKey, BucketState> _buckets = [];
    private readonly LeaseTable _leases;
    private readonly List<(BucketKey Bucket, AdmissionDecision Decision)> _closed = [];
    private int _sweepAt = SweepThreshold;

    // Most requests go to the bucket of the previous one: compare references before hashing two strings.
    private BucketState? _last;

    /// <summary>Creates a store.</summary>
    /// <param name="timeProvider">The store's clock; <see cref="TimeProvider.System"/> by default.</param>
    /// <param name="leaseTimeToLive">How long a lease lives unless renewed; null (the default) when leases end only when released, as they can in one process.</param>
    public InMemoryLimiterStore(TimeProvider? timeProvider = null, TimeSpan? leaseTimeToLive = null)
        : this(timeProvider ?? TimeProvider.System, leaseTimeToLive, new Lock(), countLeases: false)
    {
    }

    /// <summary>
    /// Creates the store of one limiter's own, on that limiter's lock (<paramref name="gate"/>) and clock: the limiter
    /// calls <see cref="Admit(AdmissionBatch, long)"/> and <see cref="Update(in BucketUpdate, long)"/> under its lock
    /// with the time it has read, so an admission takes one lock and reads the clock once. Leases never expire.
    /// </summary>
    /// <remarks>Its leases are only counted: its one limiter frees each exactly once.</remarks>
    internal InMemoryLimiterStore(TimeProvider timeProvider, Lock gate)
        : this(timeProvider, leaseTimeToLive: null, gate, countLeases: true)
    {
    }

    private InMemoryLimiterStore(TimeProvider timeProvider, TimeSpan? leaseTimeToLive, Lock gate, bool countLeases)
    {
        if (leaseTimeToLive is { } ttl)
        {
            ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(ttl, TimeSpan.Zero, nameof(leaseTimeToLive));
        }

        _gate = gate;
        _time = timeProvider;
        _ticksPerTimestamp = _time.TimestampFrequency == TimeSpan.TicksPerSecond ? 0 : (double)TimeSpan.TicksPerSecond / _time.TimestampFrequency;
        LeaseTimeToLive = leaseTimeToLive;
        _leases = new LeaseTable(leaseTimeToLive?.Ticks ?? 0, countLeases);
    }

    /// <inheritdoc />
    public event EventHandler? CapacityFreed;

    /// <inheritdoc />
    public TimeSpan? LeaseTimeToLive { get; }

    /// <summary>Gets how many (key, model class) states are kept.</summary>
    internal int BucketCount
    {
        get
        {
            lock (_gate)
            {
                return _buckets.Count;
            }
        }
    }

    /// <inheritdoc />
    public ValueTask AdmitAsync(AdmissionBatch batch, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(batch);
        lock (_gate)
        {
            Admit(batch, Now());
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask UpdateAsync(BucketUpdate update, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(update.Policy);

        bool freed;
        lock (_gate)
        {
            freed = Update(update, Now());
        }

        // Waiters of this store's other limiters look again; the limiter that released wakes its own.
        if (freed)
        {
            CapacityFreed?.Invoke(this, EventArgs.Empty);
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// Applies an update (see <see cref="UpdateAsync"/>) at <paramref name="now"/> (this store's clock, in ticks);
    /// returns whether it freed a lease, without raising <see cref="CapacityFreed"/>. Under the store's lock.
    /// </summary>
    internal bool Update(in BucketUpdate update, long now)
    {
        var state = Get(update.Bucket, now);
        state.Refill(update.Policy, now);
        Apply(state, update.Change, update.Policy);
        var coolingDown = state.CooldownUntil > now;
        state.Requests.Learn(update.Levels.Requests, now, coolingDown);
        state.InputTokens.Learn(update.Levels.InputTokens, now, coolingDown);
        state.OutputTokens.Learn(update.Levels.OutputTokens, now, coolingDown);
        if (update.Cooldown > TimeSpan.Zero)
        {
            state.CooldownUntil = Math.Max(state.CooldownUntil, now + update.Cooldown.Ticks);
        }

        state.ReservesMaxTokens |= update.ReservesMaxTokens;
        return update.FreeLease != 0 && _leases.Free(update.LeaseOwner ?? string.Empty, update.FreeLease);
    }

    /// <summary>
    /// The update a completion or a release makes, its parts passed apart (a whole <see cref="BucketUpdate"/> is a
    /// large struct to copy): refill, <paramref name="change"/>, and the lease <paramref name="freeLease"/> of
    /// <paramref name="leaseOwner"/> freed (0 for none). The clock is read only when a budget of the bucket refills
    /// (a learned limit is known or the policy sets an operator budget): an idle bucket that has none loses nothing
    /// when it is forgotten, so its last use need not move. Returns whether a lease was freed. Under the store's lock.
    /// </summary>
    internal bool Update(BucketKey bucket, PacerOptions policy, in BudgetChange change, string leaseOwner, long freeLease)
    {
        var state = _last;
        if (state is null
            || !ReferenceEquals(state.Key.UpstreamKey, bucket.UpstreamKey)
            || !ReferenceEquals(state.Key.ModelClass, bucket.ModelClass)
            || state.Refills(policy))
        {
            var now = Now();
            state = Get(bucket, now);
            state.Refill(policy, now);
        }

        Apply(state, change, policy);
        return freeLease != 0 && _leases.Free(leaseOwner, freeLease);
    }

    /// <inheritdoc />
    public ValueTask RenewAsync(string owner, ReadOnlyMemory<long> leases, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(owner);
        lock (_gate)
        {
            _leases.Renew(owner, leases.Span, Now());
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public ValueTask ForgetOutputAccountingAsync(CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            foreach (var state in _buckets.Values)
            {
                state.ReservesMaxTokens = false;
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc />
    public LimiterLoad ReadLoad()
    {
        lock (_gate)
        {
            var now = Now();
            return new LimiterLoad(_leases.Count(now), _pacer.InWindow(now), 0);
        }
    }

    /// <inheritdoc />
    public ValueTask<LimiterStoreSnapshot> SnapshotAsync(PacerOptions policy, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(policy);
        lock (_gate)
        {
            var now = Now();
            var wallNow = _time.GetUtcNow();
            var buckets = new List<UpstreamBucketSnapshot>();
            foreach (var state in _buckets.Values)
            {
                if (!state.IsLearned && state.CooldownUntil <= now)
                {
                    continue;
                }

                state.Refill(policy, now);
                buckets.Add(new UpstreamBucketSnapshot
                {
                    KeyId = state.Key.UpstreamKey,
                    ModelClass = state.Key.ModelClass,
                    Requests = state.Requests.ToSnapshot(wallNow),
                    InputTokens = state.InputTokens.ToSnapshot(wallNow),
                    OutputTokens = state.OutputTokens.ToSnapshot(wallNow),
                    CooldownUntil = state.CooldownUntil > now ? wallNow + TimeSpan.FromTicks(state.CooldownUntil - now) : null,
                    OutputReservedOnArrival = state.ReservesMaxTokens,
                });
            }

            return ValueTask.FromResult(new LimiterStoreSnapshot(_pacer.InWindow(now), TimeSpan.FromTicks(_pacer.TicksUntilOldestLeaves(now)), _leases.Count(now), buckets));
        }
    }

    /// <summary>Decides the candidates of <paramref name="batch"/> (see <see cref="AdmitAsync"/>) at <paramref name="now"/> (this store's clock, in ticks). Under the store's lock.</summary>
    internal void Admit(AdmissionBatch batch, long now)
    {
        var policy = batch.Policy;
        _closed.Clear();
        AdmissionDecision shared = default;
        for (var i = 0; i < batch.Count; i++)
        {
            ref readonly var candidate = ref batch.Candidate(i);
            if (shared.BlockedForAll)
            {
                // Each carries its own bucket's learned accounting.
                batch.Decide(i, shared with { OutputReservedOnArrival = Get(candidate.Bucket, now).ReservesMaxTokens });
                continue;
            }

            if (Closed(candidate.Bucket) is { } head)
            {
                batch.Decide(i, head);
                continue;
            }

            var state = Get(candidate.Bucket, now);
            state.Refill(policy, now);
            var decision = Decide(state, candidate.Cost, policy, now);
            if (decision.Admitted && !batch.LookOnly)
            {
                Take(state, candidate, batch.Owner, policy, now);
            }
            else if (decision.BlockedForAll)
            {
                // The later candidates wait for the shared limit alone, not for this one's own budgets.
                shared = decision with { RetryAfter = decision.SharedRetryAfter, Blockers = decision.Blockers & AdmissionBlockers.Shared };
            }
            else if (decision.Status == AdmissionStatus.Wait)
            {
                _closed.Add((candidate.Bucket, decision));
            }

            batch.Decide(i, decision);
        }
    }

    private AdmissionDecision? Closed(BucketKey bucket)
    {
        foreach (var (key, decision) in _closed)
        {
            if (key == bucket)
            {
                return decision;
            }
        }

        return null;
    }

    private AdmissionDecision Decide(BucketState state, RequestCost cost, PacerOptions policy, long now)
    {
        var reserving = state.ReservesMaxTokens;
        if (TooLarge(state, cost, policy) is var tooLarge and not AdmissionBlockers.None)
        {
            return new AdmissionDecision(AdmissionStatus.TooLarge, TimeSpan.Zero, tooLarge, OutputReservedOnArrival: reserving);
        }

        var blockers = AdmissionBlockers.None;
        long wait = 0;
        if (_leases.Count(now) >= policy.MaxConcurrentRequests)
        {
            blockers |= AdmissionBlockers.Concurrency;
        }

        var burst = policy.LearnLimits && state.Requests.IsKnown ? RequestPacer.BurstFor(policy.MaxRequestsPerMinute, policy.Burst, state.Requests.Capacity) : policy.Burst;
        var sharedWait = _pacer.TicksUntilAdmissible(policy.MaxRequestsPerMinute, burst, now);
        Check(sharedWait, AdmissionBlockers.RequestRate, ref blockers, ref wait);
        if (state.CooldownUntil > now)
        {
            Check(state.CooldownUntil - now, AdmissionBlockers.Cooldown, ref blockers, ref wait);
        }

        if (policy.LearnLimits)
        {
            Check(state.Requests.TicksUntil(1), AdmissionBlockers.UpstreamRequests, ref blockers, ref wait);
            Check(state.InputTokens.TicksUntil(cost.InputTokens), AdmissionBlockers.UpstreamInputTokens, ref blockers, ref wait);
            Check(state.OutputTokens.TicksUntil(cost.LearnedOutputTokens), AdmissionBlockers.UpstreamOutputTokens, ref blockers, ref wait);
        }

        if (policy.InputTokensPerMinute > 0)
        {
            Check(state.OperatorInput.TicksUntil(cost.InputTokens, OperatorCapacity(policy.InputTokensPerMinute, policy), policy.InputTokensPerMinute), AdmissionBlockers.InputTokenBudget, ref blockers, ref wait);
        }

        if (policy.OutputTokensPerMinute > 0)
        {
            Check(state.OperatorOutput.TicksUntil(cost.OutputTokens, OperatorCapacity(policy.OutputTokensPerMinute, policy), policy.OutputTokensPerMinute), AdmissionBlockers.OutputTokenBudget, ref blockers, ref wait);
        }

        return blockers == AdmissionBlockers.None
            ? AdmissionDecision.Admit with { OutputReservedOnArrival = reserving }
            : new AdmissionDecision(AdmissionStatus.Wait, TimeSpan.FromTicks(wait), blockers, TimeSpan.FromTicks(sharedWait), reserving);
    }

    private static AdmissionBlockers TooLarge(BucketState state, RequestCost cost, PacerOptions policy)
    {
        var blockers = AdmissionBlockers.None;
        if (policy.InputTokensPerMinute > 0 && cost.InputTokens > policy.InputTokensPerMinute)
        {
            blockers |= AdmissionBlockers.InputTokenBudget;
        }

        if (policy.OutputTokensPerMinute > 0 && cost.OutputTokens > policy.OutputTokensPerMinute)
        {
            blockers |= AdmissionBlockers.OutputTokenBudget;
        }

        if (policy.LearnLimits && state.InputTokens.IsKnown && cost.InputTokens > state.InputTokens.Limit)
        {
            blockers |= AdmissionBlockers.UpstreamInputTokens;
        }

        if (policy.LearnLimits && state.OutputTokens.IsKnown && cost.LearnedOutputTokens > state.OutputTokens.Limit)
        {
            blockers |= AdmissionBlockers.UpstreamOutputTokens;
        }

        return blockers;
    }

    // An operator token budget holds TokenBurstSeconds of refill (a whole minute by default).
    private static double OperatorCapacity(int perMinute, PacerOptions policy) => perMinute * (double)policy.TokenBurstSeconds / 60;

    private static void Check(long ticks, AdmissionBlockers blocker, ref AdmissionBlockers blockers, ref long wait)
    {
        if (ticks > 0)
        {
            blockers |= blocker;
            wait = Math.Max(wait, ticks);
        }
    }

    private static void Apply(BucketState state, in BudgetChange change, PacerOptions policy)
    {
        if (change.IsEmpty)
        {
            return;
        }

        state.Requests.Apply(change.Requests, withinRoom: false);
        state.InputTokens.Apply(change.InputTokens, withinRoom: false);
        state.OutputTokens.Apply(change.OutputTokens, change.OutputRefundWithinRoom, change.OutputSettlement);
        SpendOperator(state, change.OperatorInputTokens, change.OperatorOutputTokens, policy);
    }

    private static void SpendOperator(BucketState state, double input, double output, PacerOptions policy)
    {
        if (policy.InputTokensPerMinute > 0)
        {
            state.OperatorInput.Spend(input);
        }

        if (policy.OutputTokensPerMinute > 0)
        {
            state.OperatorOutput.Spend(output);
        }
    }

    private void Take(BucketState state, in AdmissionCandidate candidate, string owner, PacerOptions policy, long now)
    {
        _leases.Hold(owner, candidate.LeaseId, now);
        _pacer.Admit(policy.MaxRequestsPerMinute, now);
        SpendOperator(state, candidate.Cost.InputTokens, candidate.Cost.OutputTokens, policy);
        state.Requests.Take(1);
        state.InputTokens.Take(candidate.Cost.InputTokens);
        state.OutputTokens.Take(candidate.Cost.LearnedOutputTokens);
    }

    private long Now()
    {
        var timestamp = _time.GetTimestamp();
        return _ticksPerTimestamp == 0 ? timestamp : (long)(timestamp * _ticksPerTimestamp);
    }

    private BucketState Get(BucketKey bucket, long now)
    {
        var state = _last;
        if (state is null
            || !ReferenceEquals(state.Key.UpstreamKey, bucket.UpstreamKey)
            || !ReferenceEquals(state.Key.ModelClass, bucket.ModelClass))
        {
            if (!_buckets.TryGetValue(bucket, out state))
            {
                if (_buckets.Count >= _sweepAt)
                {
                    Sweep(now);

                    // Sweep again only when the map has grown by half again, so a burst of live buckets costs linear time.
                    _sweepAt = Math.Max(SweepThreshold, _buckets.Count + (_buckets.Count / 2));
                }

                state = new BucketState(bucket);
                _buckets.Add(bucket, state);
            }

            _last = state;
        }

        state.LastUsed = Math.Max(state.LastUsed, now);
        return state;
    }

    private void Sweep(long now)
    {
        List<BucketKey>? idle = null;
        foreach (var (key, state) in _buckets)
        {
            if (state.IsIdle(now))
            {
                (idle ??= []).Add(key);
            }
        }

        if (idle is not null)
        {
            foreach (var key in idle)
            {
                _buckets.Remove(key);
            }

            _last = null;
        }
    }
}
