namespace Pacer.Limiting;

/// <summary>
/// One upstream budget learned from response headers: the server's limit, a local bucket corrected to the server's
/// remaining on every response, and what requests still unknown to the server hold. Not thread-safe.
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
    /// The largest capacity the server's bucket is sure to have, as its responses show it: what remained (less the
    /// rounding) plus what refills before the reset (less the second the reset is rounded up by); 0 until a response
    /// with a reset tells. The API's bucket may hold less than a whole minute (a few seconds of refill).
    /// </summary>
    public double Capacity;

    /// <summary>What admitted requests have taken from <see cref="Bucket"/> since the server's word was last taken.</summary>
    public double SpentSinceLearn;

    /// <summary>Gets a value indicating whether the limit is known.</summary>
    public readonly bool IsKnown => Limit > 0;

    /// <summary>
    /// Gets the local bucket's capacity: the server's as far as responses have shown it, else the whole minute. Between
    /// two responses the local bucket refills no higher than the server's can.
    /// </summary>
    public readonly double Size => Capacity > 0 && Capacity < Limit ? Capacity : Limit;

    /// <summary>Brings the bucket to <paramref name="now"/> when the limit is known.</summary>
    public void Refill(long now)
    {
        if (IsKnown)
        {
            Bucket.Refill(Limit, now);
        }
    }

    /// <summary>
    /// Gets how much the server's bucket could take back if it refunded now: its debt as last learned, less its refill
    /// since (the local debt without what was spent after the learning). A refund beyond that overflows the server's
    /// capacity and is lost there, whatever requests admitted meanwhile will take once they arrive.
    /// </summary>
    public readonly double RefundRoom => Math.Max(0, Bucket.Debt - SpentSinceLearn);

    /// <summary>Spends (or with a negative amount refunds) on the bucket when the limit is known.</summary>
    public void Spend(double amount)
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

    /// <summary>Takes the server's word: the bucket holds <paramref name="remaining"/> less what is still unconfirmed.</summary>
    public void Learn(long limit, double remaining, long now)
    {
        Limit = limit;
        Bucket.Reset(Size - remaining + Unconfirmed, now);
        SpentSinceLearn = 0;
    }

    /// <summary>
    /// Raises <see cref="Capacity"/> with one response to what it proves the server's bucket holds at least: what
    /// remained (less <paramref name="rounding"/>, how far the header may lie above the truth) plus what refills before
    /// the reset (less one second: the reset is given in whole seconds, rounded up), or the whole limit when it reads
    /// full. A new limit starts again.
    /// </summary>
    public void LearnCapacity(BudgetObservation observation, double rounding)
    {
        if (observation.ResetIn is { } resetIn)
        {
            // A bucket that reads full holds the whole limit.
            var refill = Math.Max(0, resetIn.TotalMinutes - (1.0 / 60)) * observation.Limit;
            var shown = observation.Remaining >= observation.Limit ? observation.Limit : Math.Max(0, observation.Remaining - rounding + refill);
            Capacity = observation.Limit == Limit ? Math.Max(Capacity, shown) : shown;
        }
    }

    /// <summary>Removes <paramref name="amount"/> from the unconfirmed total, never below zero.</summary>
    public void Confirm(double amount) => Unconfirmed = Math.Max(0, Unconfirmed - amount);

    /// <summary>Gets the snapshot of this budget.</summary>
    public readonly BudgetSnapshot ToSnapshot(DateTimeOffset wallNow) => IsKnown
        ? new BudgetSnapshot(Limit, (long)Math.Floor(Math.Max(0, Bucket.Available(Size))), wallNow + TimeSpan.FromTicks(Bucket.TicksUntilFull(Limit)))
        : new BudgetSnapshot(null, null, null);
}
