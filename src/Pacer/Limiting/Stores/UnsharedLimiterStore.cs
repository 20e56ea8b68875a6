using Pacer.Configuration;

namespace Pacer.Limiting;

/// <summary>
/// The limiter's state in this process, not synchronized: the limiter that owns it calls it under its own lock, so an
/// admission takes one lock, not two. <see cref="InMemoryLimiterStore"/> wraps it for sharing. Nothing grows with the
/// request rate.
/// </summary>
internal sealed class UnsharedLimiterStore : ILimiterStore
{
    // Past this many (key, model class) states, idle ones are forgotten so unknown model names cannot grow memory.
    private const int SweepThreshold = 4096;

    private readonly RequestPacer _pacer = new();
    private readonly Dictionary<BucketKey, BucketState> _buckets = [];
    private int _inFlight;
    private int _sweepAt = SweepThreshold;

    // Most requests go to the bucket of the previous one: compare references before hashing two strings.
    private BucketState? _last;

    /// <summary>Gets how many (key, model class) states are kept.</summary>
    public int BucketCount => _buckets.Count;

    /// <inheritdoc />
    public AdmissionDecision TryAdmit(BucketKey bucket, RequestCost cost, PacerOptions policy, long now, bool commit)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var state = Get(bucket, now);
        state.Refill(policy, now);
        if (TooLarge(state, cost, policy) is var tooLarge and not AdmissionBlockers.None)
        {
            return new AdmissionDecision(AdmissionStatus.TooLarge, TimeSpan.Zero, tooLarge);
        }

        var blockers = AdmissionBlockers.None;
        long wait = 0;
        if (_inFlight >= policy.MaxConcurrentRequests)
        {
            blockers |= AdmissionBlockers.Concurrency;
        }

        var shared = _pacer.TicksUntilAdmissible(policy.MaxRequestsPerMinute, policy.Burst, now);
        Check(shared, AdmissionBlockers.RequestRate, ref blockers, ref wait);
        if (state.CooldownUntil > now)
        {
            Check(state.CooldownUntil - now, AdmissionBlockers.Cooldown, ref blockers, ref wait);
        }

        if (policy.LearnLimits)
        {
            CheckLearned(ref state.Requests, 1, AdmissionBlockers.UpstreamRequests, ref blockers, ref wait);
            CheckLearned(ref state.InputTokens, cost.InputTokens, AdmissionBlockers.UpstreamInputTokens, ref blockers, ref wait);
            CheckLearned(ref state.OutputTokens, cost.LearnedOutputTokens, AdmissionBlockers.UpstreamOutputTokens, ref blockers, ref wait);
        }

        if (policy.InputTokensPerMinute > 0)
        {
            Check(state.OperatorInput.TicksUntil(cost.InputTokens, OperatorCapacity(policy.InputTokensPerMinute, policy), policy.InputTokensPerMinute), AdmissionBlockers.InputTokenBudget, ref blockers, ref wait);
        }

        if (policy.OutputTokensPerMinute > 0)
        {
            Check(state.OperatorOutput.TicksUntil(cost.OutputTokens, OperatorCapacity(policy.OutputTokensPerMinute, policy), policy.OutputTokensPerMinute), AdmissionBlockers.OutputTokenBudget, ref blockers, ref wait);
        }

        if (blockers != AdmissionBlockers.None)
        {
            return new AdmissionDecision(AdmissionStatus.Wait, TimeSpan.FromTicks(wait), blockers, TimeSpan.FromTicks(shared));
        }

        if (commit)
        {
            Take(state, cost, policy, now);
        }

        return AdmissionDecision.Admit;
    }

    /// <inheritdoc />
    public void Complete(BucketKey bucket, RequestCost reserved, TokenUsage usage, ServerCount counted, PacerOptions policy, long now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var state = Get(bucket, now);
        state.Refill(policy, now);
        double input = usage.RateLimitedInputTokens - reserved.InputTokens;
        double output = usage.OutputTokens - reserved.OutputTokens;
        SpendOperator(state, input, output, policy);
        double learnedOutput = usage.OutputTokens - reserved.LearnedOutputTokens;
        if (counted == ServerCount.None)
        {
            // The server has not told us what it charged for the input: our own reconciliation stands until it does.
            state.InputTokens.Spend(input);
            state.InputTokens.Unconfirmed = Math.Max(0, state.InputTokens.Unconfirmed + input);
        }

        // Output is counted by the API as it is produced (or reserved and refunded at the end), so it is ours to
        // reconcile even after the headers came; it stays unconfirmed unless the server counted the reservation.
        if (counted == ServerCount.Produced)
        {
            // The server's last word on this bucket already counted this answer's real output.
            return;
        }

        if (counted == ServerCount.Everything && learnedOutput < 0)
        {
            // The server gives the unused reservation back when the answer ends, before the requests admitted since
            // its last headers arrive: into a bucket near full, part of the refund is lost to its capacity.
            learnedOutput = -Math.Min(-learnedOutput, state.OutputTokens.RefundRoom);
        }

        state.OutputTokens.Spend(learnedOutput);
        if (counted != ServerCount.Everything)
        {
            state.OutputTokens.Unconfirmed = Math.Max(0, state.OutputTokens.Unconfirmed + learnedOutput);
        }
    }

    /// <inheritdoc />
    public void Release(BucketKey bucket, RequestCost held, bool completed, ServerCount counted, PacerOptions policy, long now)
    {
        ArgumentNullException.ThrowIfNull(policy);
        var state = Get(bucket, now);
        state.Refill(policy, now);
        _inFlight = Math.Max(0, _inFlight - 1);
        state.InFlight = Math.Max(0, state.InFlight - 1);
        if (!completed)
        {
            // A failed attempt returns its tokens; the request itself still counts against requests per minute.
            SpendOperator(state, -held.InputTokens, -held.OutputTokens, policy);
            if (counted is not (ServerCount.Everything or ServerCount.Produced))
            {
                state.OutputTokens.Spend(-held.LearnedOutputTokens);
            }

            if (counted == ServerCount.None)
            {
                state.InputTokens.Spend(-held.InputTokens);
            }
        }

        if (counted == ServerCount.None)
        {
            state.Requests.Confirm(1);
            state.InputTokens.Confirm(held.InputTokens);
        }

        if (counted is not (ServerCount.Everything or ServerCount.Produced))
        {
            state.OutputTokens.Confirm(held.LearnedOutputTokens);
        }
    }

    /// <inheritdoc />
    public void Confirm(BucketKey bucket, RequestCost held, ServerCount counted, long now)
    {
        var state = Get(bucket, now);
        if (counted == ServerCount.None)
        {
            return;
        }

        if (counted == ServerCount.Produced)
        {
            // Its request and input were confirmed when it reached RequestAndInput; now its output is too.
            state.OutputTokens.Confirm(held.LearnedOutputTokens);
            return;
        }

        state.Requests.Confirm(1);
        state.InputTokens.Confirm(held.InputTokens);
        if (counted == ServerCount.Everything)
        {
            state.OutputTokens.Confirm(held.LearnedOutputTokens);
        }
    }

    /// <inheritdoc />
    public void Observe(BucketKey bucket, RateLimitObservation observation, bool outputReservedOnArrival, long now)
    {
        var state = Get(bucket, now);
        if (observation.Requests.IsKnown)
        {
            state.Requests.LearnCapacity(observation.Requests, rounding: 0);
            state.Requests.Learn(observation.Requests.Limit, observation.Requests.Remaining, now);
        }

        if (observation.InputTokens.IsKnown)
        {
            var input = observation.InputTokens;
            state.InputTokens.LearnCapacity(input, RemainingRounding.Margin(input.Limit));
            var margin = RemainingRounding.InputMargin(input.Limit, state.InputTokens.Capacity);
            state.InputTokens.Learn(input.Limit, Math.Max(0, input.Remaining - margin), now);
        }

        if (observation.OutputTokens.IsKnown)
        {
            var output = observation.OutputTokens;
            var rounding = RemainingRounding.Margin(output.Limit);
            state.OutputTokens.LearnCapacity(output, rounding);

            // Counted as produced, the API refuses only an empty bucket: the rounded figure serves as it is.
            state.OutputTokens.Learn(output.Limit, Math.Max(0, output.Remaining - (outputReservedOnArrival ? rounding : 0)), now);
        }
    }

    /// <inheritdoc />
    public void Cooldown(BucketKey bucket, long until)
    {
        var state = Get(bucket, until);
        state.CooldownUntil = Math.Max(state.CooldownUntil, until);
    }

    /// <inheritdoc />
    public LimiterLoad Load(long now) => new(_inFlight, _pacer.InWindow(now), 0);

    /// <inheritdoc />
    public LimiterStoreSnapshot Snapshot(PacerOptions policy, long now, DateTimeOffset wallNow)
    {
        ArgumentNullException.ThrowIfNull(policy);
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
            });
        }

        return new LimiterStoreSnapshot(_pacer.InWindow(now), TimeSpan.FromTicks(_pacer.TicksUntilOldestLeaves(now)), _inFlight, buckets);
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

    private static void CheckLearned(ref LearnedBudget budget, double amount, AdmissionBlockers blocker, ref AdmissionBlockers blockers, ref long wait)
    {
        if (budget.IsKnown)
        {
            Check(budget.Bucket.TicksUntil(amount, budget.Size, budget.Limit), blocker, ref blockers, ref wait);
        }
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

    private void Take(BucketState state, RequestCost cost, PacerOptions policy, long now)
    {
        _inFlight++;
        state.InFlight++;
        _pacer.Admit(policy.MaxRequestsPerMinute, now);
        SpendOperator(state, cost.InputTokens, cost.OutputTokens, policy);
        state.Requests.Spend(1);
        state.InputTokens.Spend(cost.InputTokens);
        state.OutputTokens.Spend(cost.LearnedOutputTokens);
        state.Requests.Unconfirmed++;
        state.InputTokens.Unconfirmed += cost.InputTokens;
        state.OutputTokens.Unconfirmed += cost.LearnedOutputTokens;
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
