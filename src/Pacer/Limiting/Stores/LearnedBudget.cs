namespace Pacer.Limiting;

/// <summary>
/// One upstream budget learned from response headers, as a store keeps it: the server's limit, a local bucket corrected
/// to the server's remaining on every response, and what requests still unknown to the server hold. Not thread-safe.
/// </summary>
internal struct LearnedBudget
{
    /// <summary>The server's limit per minute; 0 until a response tells it.</summary>
    public long Limit;

    /// <summary>The local bucket, whose capacity is <see cref="Size"/> and which refills at <see cref="Limit"/> per minute.</summary>
    public TokenBucket Bucket;

    /// <summary>What admitted requests hold that no response has confirmed yet (the server may not have charged it).</summary>
    public double Unconfirmed;

    /// <summary>
    /// The largest capacity the server's bucket is sure to have, as its responses show it: 0 until a response with a
    /// reset tells. The API's bucket may hold less than a whole minute (a few seconds of refill).
    /// </summary>
    public double Capacity;

    /// <summary>What admitted requests have taken from <see cref="Bucket"/> since the server's word was last taken.</summary>
    public double SpentSinceLearn;

    /// <summary>
    /// Whether what the requests in flight hold is output the server has not charged yet, as the last response showed
    /// (<see cref="LearnedLevel.HeldUnproduced"/>): the holds do not refill away, and half of them is lent to admission.
    /// </summary>
    public bool HeldUnproduced;

    /// <summary>
    /// Whether the last response's level left the own count standing within the header's rounding
    /// (<see cref="LearnedLevel.MayBeBelowEmpty"/> on a bucket within the band), so that an answer's settlement
    /// (<see cref="BudgetChange.OutputSettlement"/>) applies.
    /// </summary>
    public bool KeepsOwnCount;

    /// <summary>The share of the holds in flight that admission counts while <see cref="HeldUnproduced"/>: on average a reply in flight has produced half of its output.</summary>
    public const double UnproducedShare = 0.5;

    /// <summary>Gets a value indicating whether the limit is known.</summary>
    public readonly bool IsKnown => Limit > 0;

    /// <summary>
    /// Gets the local bucket's capacity: the server's as far as responses have shown it, else the whole minute. Between
    /// two responses the local bucket refills no higher than the server's can.
    /// </summary>
    public readonly double Size => Capacity > 0 && Capacity < Limit ? Capacity : Limit;

    /// <summary>
    /// Gets how much the server's bucket could take back if it refunded now: its debt as last learned, less its refill
    /// since (the local debt without what was spent after the learning).
    /// </summary>
    public readonly double RefundRoom => Math.Max(0, Bucket.Debt - SpentSinceLearn);

    /// <summary>
    /// Brings the bucket to <paramref name="now"/> when the limit is known. While <see cref="HeldUnproduced"/>, the debt
    /// refills to no less than the holds in flight: the server's bucket, which has not charged them, stops at full.
    /// </summary>
    public void Refill(long now)
    {
        if (IsKnown)
        {
            Bucket.Refill(Limit, now, HeldUnproduced ? Unconfirmed : 0);
        }
    }

    /// <summary>
    /// Gets the ticks until <paramref name="amount"/> may be taken; 0 when it may now or the limit is unknown. While
    /// <see cref="HeldUnproduced"/>, the holds in flight count for <see cref="UnproducedShare"/> of their size; when
    /// only an answer's end can make the room (the refill stops at the holds), the wait is at least the time the holds'
    /// counted share takes to refill, a timer behind the wake that the answer's end brings.
    /// </summary>
    public readonly long TicksUntil(double amount)
    {
        if (!IsKnown)
        {
            return 0;
        }

        if (!HeldUnproduced)
        {
            return Bucket.TicksUntil(amount, Size, Limit);
        }

        var credit = Unconfirmed * (1 - UnproducedShare);
        var missing = Bucket.Debt - credit - Math.Max(0, Size - amount);
        if (missing <= 0)
        {
            return 0;
        }

        var ticks = TokenBucket.TicksFor(missing, Limit);
        return missing <= Bucket.Debt - Unconfirmed ? ticks : Math.Max(ticks, TokenBucket.TicksFor(Unconfirmed - credit, Limit));
    }

    /// <summary>Takes what an admitted request holds: from the bucket (when known), and into the unconfirmed total.</summary>
    public void Take(double amount)
    {
        Spend(amount);
        Unconfirmed += amount;
    }

    /// <summary>
    /// Applies a delta, and a <paramref name="settlement"/> while <see cref="KeepsOwnCount"/>; a refund
    /// <paramref name="withinRoom"/> goes back no further than <see cref="RefundRoom"/>.
    /// </summary>
    public void Apply(BudgetDelta delta, bool withinRoom, double settlement = 0)
    {
        var debt = delta.Debt + (KeepsOwnCount ? settlement : 0);
        if (withinRoom && debt < 0 && IsKnown)
        {
            debt = -Math.Min(-debt, RefundRoom);
        }

        Spend(debt);
        Unconfirmed = Math.Max(0, Unconfirmed + delta.Unconfirmed);
        if (HeldUnproduced && IsKnown && Bucket.Debt < Unconfirmed)
        {
            // The server's bucket, which has not charged the holds, is no fuller than full.
            Bucket.Spend(Unconfirmed - Bucket.Debt);
        }
    }

    /// <summary>
    /// Takes the server's word: capacity first, then the level (the remaining less the margin less what is unconfirmed).
    /// <paramref name="coolingDown"/> says that the bucket waits out a 429's <c>retry-after</c>, during which a level
    /// that <see cref="LearnedLevel.MayBeBelowEmpty"/> is known to lie below empty; while the level is
    /// <see cref="LearnedLevel.HeldUnproduced"/>, the own count is exact but for the header's rounding, and a header of
    /// 0 leaves a lower own count standing at all times.
    /// </summary>
    public void Learn(in LearnedLevel level, long now, bool coolingDown = false)
    {
        if (!level.IsKnown)
        {
            return;
        }

        HeldUnproduced = level.HeldUnproduced;
        if (level.ShownCapacity >= 0)
        {
            Capacity = level.Limit == Limit ? Math.Max(Capacity, level.ShownCapacity) : level.ShownCapacity;
        }

        var margin = Capacity > 0 && Capacity < level.SmallBucketBelow ? level.SmallBucketMargin : level.Margin;
        var counted = level.Band > 0 && Limit == level.Limit && (level.BandUpTo <= 0 || (Capacity > 0 && Capacity <= level.BandUpTo));
        var readsEmpty = level.MayBeBelowEmpty && (coolingDown || level.HeldUnproduced) && level.Remaining <= 0 && Limit == level.Limit;
        Limit = level.Limit;
        var debt = Size - Math.Max(0, level.Remaining - margin) + Unconfirmed;
        KeepsOwnCount = counted && level.MayBeBelowEmpty;
        if (KeepsOwnCount)
        {
            // The own count moves only as far as the header's rounding requires; a header of 0 sets no lower end.
            var low = level.Remaining <= 0 ? double.NegativeInfinity : level.Remaining - level.Band;
            var high = Math.Max(low, Math.Min(Size, level.Remaining + level.Band - 1));
            debt = Size - Math.Clamp(Size - Bucket.Debt + Unconfirmed, low, high) + Unconfirmed;
        }
        else if (counted && Bucket.Debt <= debt && Bucket.Debt >= Size - Math.Min(Size, level.Remaining + level.Band) + (level.UnconfirmedMayBeCounted ? 0 : Unconfirmed))
        {
            // The own count stands where the rounded header cannot tell it wrong.
            debt = Bucket.Debt;
        }
        else if (readsEmpty && Bucket.Debt > debt)
        {
            // The server may be below empty, and a header reads no lower than 0: the own count stands.
            debt = Bucket.Debt;
        }

        Bucket.Reset(debt, now);
        SpentSinceLearn = 0;
    }

    /// <summary>Gets the snapshot of this budget.</summary>
    public readonly BudgetSnapshot ToSnapshot(DateTimeOffset wallNow) => IsKnown
        ? new BudgetSnapshot(Limit, (long)Math.Floor(Math.Max(0, Bucket.Available(Size))), wallNow + TimeSpan.FromTicks(Bucket.TicksUntilFull(Limit)))
        : new BudgetSnapshot(null, null, null);

    private void Spend(double amount)
    {
        if (IsKnown)
        {
            Bucket.Spend(amount);
            if (amount > 0)
            {
                SpentSinceLearn += amount;
            }
        }
    }
}
