using Pacer.Configuration;

namespace Pacer.Limiting;

/// <summary>
/// One atomic change to a bucket's numbers, computed by the engine's accounting: deltas, learned levels, a cooldown,
/// the learned output accounting, and a lease to free. Each part is optional (its default changes nothing).
/// </summary>
/// <param name="Bucket">The (upstream key, model class).</param>
/// <param name="Policy">The policy in force (the operator budgets' sizes and refill rates).</param>
public readonly record struct BucketUpdate(BucketKey Bucket, PacerOptions Policy)
{
    /// <summary>Gets the deltas to apply.</summary>
    public BudgetChange Change { get; init; }

    /// <summary>Gets the levels a response's headers showed.</summary>
    public LearnedLevels Levels { get; init; }

    /// <summary>Gets how long to block every admission for the bucket from the store's now (kept if an existing cooldown ends later); zero for none.</summary>
    public TimeSpan Cooldown { get; init; }

    /// <summary>Gets a value indicating whether the upstream was learned to reserve <c>max_tokens</c> on arrival for this bucket.</summary>
    public bool ReservesMaxTokens { get; init; }

    /// <summary>Gets the owner of <see cref="FreeLease"/>.</summary>
    public string? LeaseOwner { get; init; }

    /// <summary>Gets the lease to free (the request ended), or 0 for none.</summary>
    public long FreeLease { get; init; }
}

/// <summary>A change to one learned upstream budget: to its level (its debt below full) and to what requests unknown to the server hold.</summary>
/// <param name="Debt">Added to the debt (negative refunds); the debt never goes below zero. Applied only while the limit is known.</param>
/// <param name="Unconfirmed">Added to the unconfirmed total, which never goes below zero.</param>
public readonly record struct BudgetDelta(double Debt, double Unconfirmed)
{
    /// <summary>Adds two deltas.</summary>
    public static BudgetDelta operator +(BudgetDelta left, BudgetDelta right) => new(left.Debt + right.Debt, left.Unconfirmed + right.Unconfirmed);

    /// <summary>Adds two deltas.</summary>
    public static BudgetDelta Add(BudgetDelta left, BudgetDelta right) => left + right;
}

/// <summary>The deltas of one accounting event on a bucket's budgets.</summary>
/// <param name="Requests">The learned requests budget.</param>
/// <param name="InputTokens">The learned input-tokens budget.</param>
/// <param name="OutputTokens">The learned output-tokens budget.</param>
/// <param name="OperatorInputTokens">Added to the operator's input-token budget's debt (when the policy sets one).</param>
/// <param name="OperatorOutputTokens">Added to the operator's output-token budget's debt (when the policy sets one).</param>
public readonly record struct BudgetChange(
    BudgetDelta Requests,
    BudgetDelta InputTokens,
    BudgetDelta OutputTokens,
    double OperatorInputTokens,
    double OperatorOutputTokens)
{
    /// <summary>
    /// Gets a value indicating whether a refund of learned output tokens goes back only as far as the server's bucket
    /// could take it: its debt as last learned less its refill since (the server refunds into a bucket whose capacity
    /// it cannot exceed).
    /// </summary>
    public bool OutputRefundWithinRoom { get; init; }

    /// <summary>
    /// Gets what an answer's real output differs from its hold, when headers that already counted the real output
    /// confirmed the hold (output counted as produced): added to the learned output budget's debt only where the store
    /// keeps its own count (<see cref="LearnedLevel.MayBeBelowEmpty"/> within the <see cref="LearnedLevel.Band"/>), whose
    /// count took the hold as the answer's output; where the header's level was taken, it holds the real output already.
    /// </summary>
    public double OutputSettlement { get; init; }

    /// <summary>Gets a value indicating whether the change changes nothing.</summary>
    public bool IsEmpty => this == default;

    /// <summary>Adds two changes (the room rule holds if either asks it).</summary>
    public static BudgetChange operator +(BudgetChange left, BudgetChange right) => new(
        left.Requests + right.Requests,
        left.InputTokens + right.InputTokens,
        left.OutputTokens + right.OutputTokens,
        left.OperatorInputTokens + right.OperatorInputTokens,
        left.OperatorOutputTokens + right.OperatorOutputTokens)
    {
        OutputRefundWithinRoom = left.OutputRefundWithinRoom || right.OutputRefundWithinRoom,
        OutputSettlement = left.OutputSettlement + right.OutputSettlement,
    };

    /// <summary>Adds two changes.</summary>
    public static BudgetChange Add(BudgetChange left, BudgetChange right) => left + right;
}

/// <summary>The levels one response showed for a bucket's three learned budgets.</summary>
/// <param name="Requests">Requests per minute.</param>
/// <param name="InputTokens">Input tokens per minute.</param>
/// <param name="OutputTokens">Output tokens per minute.</param>
public readonly record struct LearnedLevels(LearnedLevel Requests, LearnedLevel InputTokens, LearnedLevel OutputTokens)
{
    /// <summary>Gets a value indicating whether any level is known.</summary>
    public bool IsEmpty => !Requests.IsKnown && !InputTokens.IsKnown && !OutputTokens.IsKnown;
}

/// <summary>
/// What a response showed of one learned budget. The store raises the budget's capacity to <paramref name="ShownCapacity"/>
/// (or starts again from it when the limit changed), then sets its level to <paramref name="Remaining"/> less a margin
/// less what requests unknown to the server hold: the margin is <paramref name="SmallBucketMargin"/> while the capacity
/// is known and below <paramref name="SmallBucketBelow"/>, else <paramref name="Margin"/>. With a <paramref name="Band"/>,
/// under the same limit as before, the store keeps its own count instead where it lies between that level and
/// <paramref name="Remaining"/> + <paramref name="Band"/> less what requests unknown to the server hold (unless
/// <paramref name="UnconfirmedMayBeCounted"/>): what the rounded header allows, on a bucket no larger than
/// <paramref name="BandUpTo"/> when that is set; outside, the header's level stands. Where the level
/// <paramref name="MayBeBelowEmpty"/>, the band is the header's whole rounding instead: the own count moves only as far
/// as needed to lie within <paramref name="Band"/> of the header, either way, and a header of 0 sets no lower end.
/// </summary>
/// <param name="Limit">The server's limit per minute; 0 when the response did not show this budget.</param>
/// <param name="Remaining">The server's remaining.</param>
/// <param name="ShownCapacity">The least capacity this response proves the server's bucket has; negative when it proves none.</param>
/// <param name="Margin">How far the true remaining may lie below the header.</param>
/// <param name="SmallBucketMargin">The margin on a bucket smaller than <paramref name="SmallBucketBelow"/>.</param>
/// <param name="SmallBucketBelow">The capacity below which a bucket is small; 0 for never.</param>
/// <param name="Band">How far the true remaining may lie above the header, when the store's own count is to be kept within it; 0 for never.</param>
/// <param name="BandUpTo">The largest capacity for which the <paramref name="Band"/> applies (the capacity must be known); 0 for any capacity.</param>
/// <param name="UnconfirmedMayBeCounted">
/// Whether what requests unknown to the server hold may already be in the header's count, so that the band's upper end
/// is the header plus <paramref name="Band"/> without their holds. True for output reserved on arrival: the server counts
/// a request's <c>max_tokens</c> when the request reaches it, and the requests admitted within
/// <c>HeaderTransit</c> of the headers, which the engine cannot yet take as counted, have nearly always reached it.
/// </param>
/// <param name="MayBeBelowEmpty">
/// Whether the server's level may lie below empty, where a header reads 0: true for output counted as produced (the
/// server admits while its bucket is not empty and charges each reply's output as it is produced). While the bucket
/// waits out a 429's <c>retry-after</c>, the server is known to be below empty, and a header reading 0 shows only that
/// the level is no higher than the header's: a lower own count stands (the debt beyond empty the <c>retry-after</c>
/// showed), so that an answer reading 0 during the cooldown does not lift it back to empty. On a bucket within the
/// band, a lower own count stands at all times (see above).
/// </param>
/// <param name="HeldUnproduced">
/// Whether what the requests in flight hold is output the server has not charged yet: true for output counted as
/// produced, when the operator does not ask for whole <c>max_tokens</c> holds. The store keeps the setting with the
/// budget and, while it is set, (1) does not refill the holds away: its level less the holds refills no higher than
/// full, as the server's bucket, which has not charged them, cannot; (2) admits a request while the level covers its
/// hold and half of the holds in flight, since the server admits while its
/// bucket is not empty and a reply in flight has produced, on average, half of its output.
/// </param>
public readonly record struct LearnedLevel(long Limit, double Remaining, double ShownCapacity, double Margin, double SmallBucketMargin = 0, double SmallBucketBelow = 0, double Band = 0, double BandUpTo = 0, bool UnconfirmedMayBeCounted = false, bool MayBeBelowEmpty = false, bool HeldUnproduced = false)
{
    /// <summary>Gets a value indicating whether the response showed this budget.</summary>
    public bool IsKnown => Limit > 0;
}
