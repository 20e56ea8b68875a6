using System.Globalization;

namespace Pacer.Limiting;

/// <summary>
/// For <c>OutputReservation = auto</c>: learns, per (key, model class), whether the upstream reserves a request's whole
/// <c>max_tokens</c> against its output-tokens budget when the request arrives (the early-2025 accounting) or counts
/// output as it is produced (the 2026 accounting). Until it is shown either way, a bucket is taken as reserving (its
/// requests hold <c>max_tokens</c>): that is safe under both, and under the reserving one it keeps the 429s away that
/// would otherwise prove it. Shown as produced: a response (not a refusal) whose headers leave the server less debt,
/// by its reset or its remaining, than the <c>max_tokens</c> of the requests it had counted less its refill since
/// (<see cref="Weigh(LimiterPermit, BudgetObservation, bool, long, long)"/>); the bucket then holds the output estimate.
/// Shown as reserving: under "count as produced" the API refuses on output tokens only when the bucket is empty, and
/// never before replies have been produced; under "reserve max_tokens" it refuses whenever less than the request's
/// <c>max_tokens</c> remains. A 429 counts when neither requests nor input tokens explain it and the output tokens
/// remaining (rounded) are below the request's <c>max_tokens</c>:
/// <list type="bullet">
/// <item>one such 429 whose output remaining is above zero is proof (an empty bucket reads 0);</item>
/// <item><see cref="SuspicionThreshold"/> such 429s within <see cref="SuspicionWindow"/> whose output remaining reads 0
/// (which rounding makes ambiguous) switch too, unless a response has shown the produced accounting: whatever the
/// accounting, the estimate is then not keeping the output budget, and holding <c>max_tokens</c> is the safe side;
/// once shown produced, an empty bucket's refusal is what that accounting gives now and then.</item>
/// </list>
/// Such a bucket reserves <c>max_tokens</c> from then on, for the life of the limiter, even after it was shown to count
/// output as produced: the accounting is a property of the API, and probing it again would cost 429s. The reserving
/// flag is kept in the limiter's store too, so that what one holder learns all obey; each holder shows the produced
/// accounting to itself. Runs under the limiter's lock; not thread-safe.
/// </summary>
internal sealed class OutputAccountingLearner
{
    /// <summary>How much the input estimate may fall short of the server's count before input could explain a 429.</summary>
    public const double InputEstimateSlack = 1.25;

    /// <summary>How many output refusals with an empty-reading bucket switch a bucket.</summary>
    public const int SuspicionThreshold = 2;

    /// <summary>The window within which <see cref="SuspicionThreshold"/> refusals must fall.</summary>
    public static readonly TimeSpan SuspicionWindow = TimeSpan.FromMinutes(1);

    // The handler calls Cooldown right after observing the 429's headers; evidence older than this is not paired.
    private static readonly long PairingWindow = TimeSpan.FromSeconds(1).Ticks;

    /// <summary>
    /// How far the clocks and the server's own timing may let the reset understate the server's debt: a quarter of a
    /// second of refill (the reset itself is rounded up to a whole second, which only overstates it). A false showing
    /// costs no more than the estimate did before the accounting was proven: the first output 429 proves it.
    /// </summary>
    public static readonly TimeSpan ResetSlack = TimeSpan.FromMilliseconds(250);

    // How many refunds a bucket keeps while its accounting is unproven; older ones end the windows Weigh looks at.
    private const int MaxRefundsKept = 256;

    // Buckets whose debt beyond empty is remembered before past ones are dropped.
    private const int MaxDebtsKept = 64;

    private readonly HashSet<BucketKey> _reservingMaxTokens = [];
    private readonly HashSet<BucketKey> _countedAsProduced = [];
    private readonly Dictionary<BucketKey, Watch> _watches = [];
    private readonly Dictionary<BucketKey, Suspicion> _suspicions = [];
    private readonly Dictionary<BucketKey, List<LimiterPermit>> _awaitingEstimate = [];
    private readonly Dictionary<BucketKey, long> _debtUntil = [];
    private BucketKey _pendingBucket;
    private Evidence? _pending;
    private long _pendingAt;
    private long _pendingOutputLimit;

    /// <summary>Takes what the store says another holder learned: the bucket reserves <c>max_tokens</c>.</summary>
    public void Adopt(BucketKey bucket)
    {
        if (_reservingMaxTokens.Add(bucket))
        {
            _suspicions.Remove(bucket);
            _countedAsProduced.Remove(bucket);
            StopWatching(bucket);
        }
    }

    /// <summary>
    /// Gets a value indicating whether a request of the bucket holds its whole <c>max_tokens</c>: until the accounting
    /// is proven either way, and from the proof of the reserving one on; not once the upstream was shown to count
    /// output as produced.
    /// </summary>
    public bool HoldsMaxTokens(BucketKey bucket) => _countedAsProduced.Count == 0 || !_countedAsProduced.Contains(bucket) || ReservesMaxTokens(bucket);

    /// <summary>Gets a value indicating whether the bucket has been shown to count output as produced (and not since to reserve).</summary>
    public bool CountsAsProduced(BucketKey bucket) => _countedAsProduced.Count > 0 && _countedAsProduced.Contains(bucket) && !ReservesMaxTokens(bucket);

    /// <summary>
    /// Follows a request just admitted while its bucket's accounting is unproven: what the server holds for it under the
    /// reserving accounting (its <c>max_tokens</c>) is what a later response may show missing.
    /// </summary>
    public void Admitted(LimiterPermit permit)
    {
        var bucket = permit.Bucket;
        if (ReservesMaxTokens(bucket) || CountsAsProduced(bucket))
        {
            return;
        }

        if (!_watches.TryGetValue(bucket, out var watch))
        {
            watch = new Watch();
            _watches[bucket] = watch;
        }

        watch.Live.Add(permit);
        permit.IsWatched = true;
    }

    /// <summary>A followed request completed: under the reserving accounting the server gave back what it did not produce.</summary>
    public void Completed(LimiterPermit permit, TokenUsage usage, long now)
    {
        var unused = permit.Reserved.OutputTokens - usage.OutputTokens;
        if (!permit.IsWatched || unused <= 0 || !_watches.TryGetValue(permit.Bucket, out var watch))
        {
            return;
        }

        // A refund before every live request arrived falls in no window Weigh looks at.
        var refunds = watch.Refunds;
        var oldestLive = watch.Live.Count > 0 ? watch.Live[0].AdmittedAt : now;
        var stale = 0;
        while (stale < refunds.Count && refunds[stale].At < oldestLive)
        {
            stale++;
        }

        refunds.RemoveRange(0, stale);
        if (refunds.Count >= MaxRefundsKept)
        {
            watch.Floor = Math.Max(watch.Floor, refunds[0].At);
            refunds.RemoveAt(0);
        }

        refunds.Add(new Refund(now, permit.AdmittedAt, unused));
    }

    /// <summary>A followed request ended: it is no longer followed.</summary>
    public void Released(LimiterPermit permit)
    {
        if (permit.IsWatched)
        {
            permit.IsWatched = false;
            if (_watches.TryGetValue(permit.Bucket, out var watch))
            {
                watch.Live.Remove(permit);
            }
        }

        if (permit.AwaitsEstimate)
        {
            permit.AwaitsEstimate = false;
            if (_awaitingEstimate.TryGetValue(permit.Bucket, out var awaiting))
            {
                awaiting.Remove(permit);
            }
        }
    }

    /// <summary>
    /// Offers <paramref name="lower"/> each request of <paramref name="bucket"/> admitted holding its whole
    /// <c>max_tokens</c> before the bucket was shown to count output as produced and still holding it; forgets those for
    /// which it returns true (lowered to the estimate, or no longer the engine's to lower). The list holds only requests
    /// admitted before the proof, and empties as the estimate warms up or they end.
    /// </summary>
    public void OfferAwaitingEstimate(BucketKey bucket, Func<LimiterPermit, bool> lower)
    {
        if (_awaitingEstimate.Count == 0 || !_awaitingEstimate.TryGetValue(bucket, out var awaiting))
        {
            return;
        }

        for (var i = awaiting.Count - 1; i >= 0; i--)
        {
            if (lower(awaiting[i]))
            {
                awaiting[i].AwaitsEstimate = false;
                awaiting.RemoveAt(i);
            }
        }

        if (awaiting.Count == 0)
        {
            _awaitingEstimate.Remove(bucket);
        }
    }

    /// <summary>
    /// Weighs the output headers of a response (not a refusal) to <paramref name="answered"/>, read at <paramref name="now"/>,
    /// while its bucket's accounting is unproven. Under the reserving accounting the server's bucket holds the whole
    /// <c>max_tokens</c> of every request it admitted and has not finished, less the refill since each arrived (a
    /// finished one gives back what it did not produce); its debt is never more than the refill until its reset (plus
    /// <see cref="ResetSlack"/>), nor than its limit less the remaining (less the rounding).
    /// So when the requests in flight that the server has counted (admitted before the answered one, or
    /// <paramref name="transit"/> before the headers were read), taken from the latest back to any one of them, hold
    /// more, less the refill since that one arrived, less what the answers of earlier requests that ended since gave
    /// back, less the largest of them (one may have ended at the server and not yet here), than that debt can be, the
    /// server does not reserve <c>max_tokens</c>: it counts output as produced. The answered request itself counts
    /// only while its answer is still to come (a stream). Returns what was seen when this disproves the reserving
    /// accounting, else null; the requests it followed then await an estimate (<see cref="OfferAwaitingEstimate"/>).
    /// </summary>
    public string? Weigh(LimiterPermit answered, BudgetObservation output, bool answerComplete, long now, long transit)
    {
        var bucket = answered.Bucket;
        if (!output.IsKnown || !_watches.TryGetValue(bucket, out var watch))
        {
            return null;
        }

        var perTick = output.Limit / (double)TimeSpan.TicksPerMinute;

        // The server's debt: its capacity (at most the limit) less its remaining (at least the header less the
        // rounding), and no more than it refills until its reset.
        var debtBound = output.Limit - Math.Max(0, output.Remaining - RemainingRounding.Margin(output.Limit));
        if (output.ResetIn is { } resetIn)
        {
            debtBound = Math.Min(debtBound, perTick * (resetIn + ResetSlack).Ticks);
        }

        var cut = Math.Max(answered.AdmittedAt, now - transit);
        var excess = Excess(watch, new Window(now, cut, answerComplete ? answered : null, LessLargest: true, RefundsUpTo: long.MaxValue), perTick);
        var shown = excess > debtBound ? Shown(output, debtBound, excess, later: false) : null;
        if (shown is null && watch.Earlier is { } earlier && now - earlier.Window.At >= transit)
        {
            // Requests still in flight here a transit after those headers were still in flight at the server then:
            // none of them can have ended there unseen, so the largest is not set aside.
            watch.Earlier = null;
            var stillHeld = Excess(watch, earlier.Window, earlier.PerTick);
            shown = stillHeld > earlier.DebtBound ? Shown(earlier.Output, earlier.DebtBound, stillHeld, later: true) : null;
        }

        if (shown is null)
        {
            watch.Earlier ??= new Earlier(new Window(now, cut, Answered: null, LessLargest: false, RefundsUpTo: now + transit), perTick, debtBound, output);
            return null;
        }

        _countedAsProduced.Add(bucket);
        StopWatching(bucket);
        foreach (var permit in watch.Live)
        {
            permit.AwaitsEstimate = true;
        }

        if (watch.Live.Count > 0)
        {
            _awaitingEstimate[bucket] = watch.Live;
        }

        return shown;
    }

    private static string Shown(BudgetObservation output, double debtBound, double excess, bool later) => string.Create(
        CultureInfo.InvariantCulture,
        $"output-tokens remaining {output.Remaining} of {output.Limit}, full again in {output.ResetIn?.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture) ?? "?"} s (a debt of at most {debtBound:0}), while requests the server had counted{(later ? " and still in flight after" : string.Empty)} held {excess:0} tokens of max_tokens more than it refilled since");

    /// <summary>
    /// The most that the requests in flight the server has counted at <see cref="Window.At"/> (admitted by
    /// <see cref="Window.Cut"/>), taken from the latest back to any one of them, hold beyond what that debt can be: their
    /// <c>max_tokens</c> (less the largest, when one of them may have ended at the server unseen), less the refill since
    /// that one arrived, less what was given back since by answers of requests admitted before it. One pass over the live
    /// requests (in the order admitted, so arrivals fall as it goes back) and the refunds: a refund of a request admitted
    /// at <c>a</c>, answered at <c>b</c>, counts for an arrival <c>x</c> with <c>a &lt; x ≤ b</c>, so the sum of those
    /// is kept as <c>x</c> falls: a refund joins when <c>x</c> passes below <c>b</c> and leaves when it reaches
    /// <c>a</c>. Under the engine's lock on every response while a bucket is watched, so it must not cost requests in
    /// flight times refunds.
    /// </summary>
    private static double Excess(Watch watch, Window window, double perTick)
    {
        var refunds = watch.Refunds;
        var kept = refunds.Count;
        while (kept > 0 && refunds[kept - 1].At > window.RefundsUpTo)
        {
            kept--;
        }

        // At most MaxRefundsKept (256) of each: 4 KB of stack.
        Span<long> leaveAt = stackalloc long[kept];
        Span<double> leaving = stackalloc double[kept];
        for (var r = 0; r < kept; r++)
        {
            leaveAt[r] = refunds[r].AdmittedAt;
            leaving[r] = refunds[r].Amount;
        }

        // Refunds are kept in the order answered; their admissions are sorted here, both walked from the latest.
        leaveAt.Sort(leaving);
        int join = kept - 1, leave = kept - 1;
        double held = 0, largest = 0, givenBack = 0, excess = double.NegativeInfinity;
        var answered = window.Answered;
        var live = watch.Live;
        for (var i = live.Count - 1; i >= 0; i--)
        {
            var permit = live[i];
            var arrived = permit.AdmittedAt;
            if (arrived <= watch.Floor)
            {
                break;
            }

            if (permit.IsCompleted || arrived > window.Cut || ReferenceEquals(permit, answered))
            {
                continue;
            }

            double maxTokens = permit.Reserved.OutputTokens;
            held += maxTokens;
            largest = window.LessLargest ? Math.Max(largest, maxTokens) : 0;

            // Since this one arrived, the server refilled, and took back what the answers of earlier requests that
            // ended since did not use (a complete answer's too: it may have ended first).
            for (; join >= 0 && refunds[join].At >= arrived; join--)
            {
                givenBack += refunds[join].Amount;
            }

            for (; leave >= 0 && leaveAt[leave] >= arrived; leave--)
            {
                givenBack -= leaving[leave];
            }

            var answeredBack = answered is not null && answered.AdmittedAt < arrived ? answered.Reserved.OutputTokens : 0.0;
            excess = Math.Max(excess, held - largest - (perTick * (window.At - arrived)) - givenBack - answeredBack);
        }

        return excess;
    }

    /// <summary>Gets a value indicating whether the bucket has been seen to reserve <c>max_tokens</c>.</summary>
    public bool ReservesMaxTokens(BucketKey bucket) => _reservingMaxTokens.Count > 0 && _reservingMaxTokens.Contains(bucket);

    /// <summary>
    /// Notes the headers of a refusal (a response with <c>retry-after</c>) to the request that held <paramref name="cost"/>;
    /// the evidence counts only if <see cref="Confirm"/> follows for the same bucket (the handler's call on a 429).
    /// </summary>
    public void Note(BucketKey bucket, RateLimitObservation observation, RequestCost cost, long now)
    {
        _pending = ReservesMaxTokens(bucket) ? null : Weigh(observation, cost);
        _pendingOutputLimit = observation.OutputTokens.Limit;
        _pendingBucket = bucket;
        _pendingAt = now;
    }

    /// <summary>
    /// A 429 for <paramref name="bucket"/> that refused on output tokens with the bucket reading empty, once the bucket
    /// was shown to count output as produced: such a bucket goes below empty (it admits while it is not, and charges the
    /// replies as they are produced), and <paramref name="retryAfter"/> says how long it stays there. Returns the
    /// refill of that time, the debt beyond empty the local view must add so that it does not refill during the
    /// cooldown and admit every waiter at once when it ends; 0 otherwise. Only the part of <paramref name="retryAfter"/>
    /// beyond the debt already charged counts: several 429s of one moment (requests sent together, refused together)
    /// show the same debt, not the sum of theirs. Call before <see cref="Confirm"/>.
    /// </summary>
    public double DebtBeyondEmpty(BucketKey bucket, TimeSpan retryAfter, long now)
    {
        if (_pending is not { IsProof: false } || _pendingBucket != bucket || now - _pendingAt > PairingWindow || !CountsAsProduced(bucket))
        {
            return 0;
        }

        var until = now + Math.Max(0, retryAfter.Ticks);
        var from = _debtUntil.TryGetValue(bucket, out var charged) ? Math.Max(now, charged) : now;
        if (until <= from)
        {
            return 0;
        }

        if (_debtUntil.Count >= MaxDebtsKept)
        {
            // Past debts say nothing more; a process that serves many keys does not keep one per bucket for ever.
            foreach (var (key, end) in _debtUntil)
            {
                if (end <= now)
                {
                    _debtUntil.Remove(key);
                }
            }
        }

        _debtUntil[bucket] = until;
        return _pendingOutputLimit / 60.0 * TimeSpan.FromTicks(until - from).TotalSeconds;
    }

    /// <summary>A 429 for <paramref name="bucket"/>: returns what was seen when the bucket switches now, else null.</summary>
    public string? Confirm(BucketKey bucket, long now)
    {
        var evidence = _pending;
        _pending = null;
        if (evidence is null || _pendingBucket != bucket || now - _pendingAt > PairingWindow || ReservesMaxTokens(bucket))
        {
            return null;
        }

        if (!evidence.IsProof)
        {
            if (CountsAsProduced(bucket))
            {
                // Shown to count output as produced: a refusal reading empty is what that accounting gives now and then.
                return null;
            }

            var suspicion = _suspicions.TryGetValue(bucket, out var seen) && now - seen.Since <= SuspicionWindow.Ticks
                ? seen with { Count = seen.Count + 1 }
                : new Suspicion(1, now);
            if (suspicion.Count < SuspicionThreshold)
            {
                _suspicions[bucket] = suspicion;
                return null;
            }
        }

        _suspicions.Remove(bucket);
        _reservingMaxTokens.Add(bucket);
        _countedAsProduced.Remove(bucket);
        StopWatching(bucket);
        return evidence.IsProof
            ? evidence.Seen
            : string.Create(CultureInfo.InvariantCulture, $"{SuspicionThreshold} 429s within {SuspicionWindow.TotalSeconds:0} s refused on output tokens alone, the last {evidence.Seen}");
    }

    /// <summary>Forgets what was learned (the operator changed <c>OutputReservation</c>).</summary>
    public void Clear()
    {
        _reservingMaxTokens.Clear();
        _countedAsProduced.Clear();
        foreach (var bucket in _watches.Keys.ToArray())
        {
            StopWatching(bucket);
        }

        _suspicions.Clear();
        _pending = null;
    }

    /// <summary>
    /// Weighs a 429 with these headers, refusing a request of <paramref name="cost"/>: null when requests or input
    /// tokens may explain it or output tokens do not; else proof (output remaining above zero) or a suspicion.
    /// </summary>
    internal static Evidence? Weigh(RateLimitObservation observation, RequestCost cost)
    {
        var (requests, input, output) = (observation.Requests, observation.InputTokens, observation.OutputTokens);
        if (!requests.IsKnown || !input.IsKnown || !output.IsKnown)
        {
            return null;
        }

        // Requests remain, and the input tokens remaining (rounded to the thousand) leave room for this request's input.
        var inputRoom = input.Remaining - RemainingRounding.Margin(input.Limit);
        if (requests.Remaining < 1 || inputRoom < cost.InputTokens * InputEstimateSlack)
        {
            return null;
        }

        // Less output remains than max_tokens, allowing for the rounding.
        if (output.Remaining >= cost.OutputTokens + RemainingRounding.Margin(output.Limit))
        {
            return null;
        }

        var seen = string.Create(
            CultureInfo.InvariantCulture,
            $"a 429 with output-tokens remaining {output.Remaining} of {output.Limit} for a request of max_tokens {cost.OutputTokens}, while requests remaining were {requests.Remaining} and input-tokens remaining {input.Remaining} for about {cost.InputTokens} input tokens");
        return new Evidence(output.Remaining > 0, seen);
    }

    private void StopWatching(BucketKey bucket)
    {
        if (_watches.Remove(bucket, out var watch))
        {
            foreach (var permit in watch.Live)
            {
                permit.IsWatched = false;
            }
        }

        // Reserving again, a bucket's requests hold max_tokens: none awaits an estimate.
        if (_awaitingEstimate.Remove(bucket, out var awaiting))
        {
            foreach (var permit in awaiting)
            {
                permit.AwaitsEstimate = false;
            }
        }
    }

    /// <summary>What one 429 showed: proof of the reserving accounting, or a suspicion of it.</summary>
    internal sealed record Evidence(bool IsProof, string Seen);

    private readonly record struct Suspicion(int Count, long Since);

    /// <summary>A bucket whose accounting is unproven: its live requests in the order admitted, and the recent answers that gave tokens back.</summary>
    private sealed class Watch
    {
        public List<LimiterPermit> Live { get; } = [];

        public List<Refund> Refunds { get; } = [];

        /// <summary>Gets or sets the time before which refunds were forgotten: windows start after it.</summary>
        public long Floor { get; set; } = long.MinValue;

        /// <summary>Gets or sets the headers of an earlier response, weighed again once a transit has passed.</summary>
        public Earlier? Earlier { get; set; }
    }

    /// <summary>
    /// The requests a response's headers are weighed against: those admitted by <paramref name="Cut"/> and in flight,
    /// refilled until <paramref name="At"/>, with the refunds answered by <paramref name="RefundsUpTo"/>; the complete
    /// answer <paramref name="Answered"/> set aside (it may have been refunded first), and the largest too when
    /// <paramref name="LessLargest"/>.
    /// </summary>
    private readonly record struct Window(long At, long Cut, LimiterPermit? Answered, bool LessLargest, long RefundsUpTo);

    /// <summary>An earlier response's window, its output figures and the debt they allowed.</summary>
    private sealed record Earlier(Window Window, double PerTick, double DebtBound, BudgetObservation Output);

    /// <summary>An answer that gave back <paramref name="Amount"/> of its <c>max_tokens</c> at <paramref name="At"/>, of a request admitted at <paramref name="AdmittedAt"/>.</summary>
    private readonly record struct Refund(long At, long AdmittedAt, double Amount);
}
