namespace Pacer.Limiting;

/// <summary>
/// Turns a response's <c>anthropic-ratelimit-*</c> headers into the levels a store sets: the capacity each proves, and
/// the margin by which the true remaining may lie below the header (the API rounds token figures to the thousand).
/// </summary>
internal static class LevelReading
{
    /// <summary>
    /// Gets the levels of <paramref name="observation"/>. When <paramref name="outputReservedOnArrival"/>, the upstream
    /// refuses whenever less than <c>max_tokens</c> remains, so the output remaining is taken at the low end of its
    /// rounding, as the input remaining always is; counted as produced, the API refuses only an empty bucket and the
    /// rounded figure serves as it is. The input margin widens from half the step to the whole step on a bucket
    /// holding fewer than <see cref="RemainingRounding.SmallBucketSteps"/> steps: there the rounding's worst case leaves
    /// no room for the local count's other errors, and each 429 costs a large share of the bucket's refill time.
    /// Reserved on arrival, the output is also learned within a band of half the step: the store keeps its own count of
    /// what it reserved and what came back, and moves it only as far as the rounded header proves it wrong. Its count is
    /// exact but for the refunds the server's full bucket could not take back, which <c>LearnedBudget.RefundRoom</c>
    /// already bounds; the low end of the rounding alone left up to 500 tokens of a few-second bucket unused. The band's
    /// upper end leaves out the holds of requests the engine cannot yet take as counted (admitted within
    /// <c>HeaderTransit</c> of the headers): reserved on arrival, they have nearly always reached the server, and taking
    /// them as not counted there made the own count look too high and dropped it to the low end 40 times in 250
    /// responses of the goodput benchmark's <c>reserve</c> shape, about 900 tokens each time. Counted as produced, the
    /// server admits while its bucket is not empty and charges each reply as it is produced, so its level goes below
    /// empty, where its header reads 0. On a bucket no larger than the step (headers reading 0 or 1,000) the own count
    /// moves only as far as the header's whole rounding requires (within half the step of it, either way; a header of 0
    /// sets no lower end): snapping it to the header each time the header changed threw away the count, 400 tokens too
    /// low when the header had just turned from 1,000 to 0. During a 429's cooldown a lower own count than a header of
    /// 0 allows stands on larger buckets too, so that an answer reading 0 then does not lift the debt beyond empty that
    /// the <c>retry-after</c> showed. A header of 0 proves no capacity there: the level below empty is unknown, and
    /// taking it as 0 had a 1,024-token reply teach a capacity of 954 tokens for a bucket of 667, and 5 requests let go
    /// together were refused. <paramref name="heldUnproduced"/> (output counted as produced, holds below
    /// <c>max_tokens</c>) marks the output level <see cref="LearnedLevel.HeldUnproduced"/>: the holds of the requests in
    /// flight do not refill away, and half of them is lent to admission.
    /// </summary>
    public static LearnedLevels Of(in RateLimitObservation observation, bool outputReservedOnArrival, bool heldUnproduced = false)
    {
        var requests = observation.Requests;
        var input = observation.InputTokens;
        var output = observation.OutputTokens;
        return new LearnedLevels(
            requests.IsKnown ? new LearnedLevel(requests.Limit, requests.Remaining, ShownCapacity(requests, 0), 0) : default,
            input.IsKnown
                ? new LearnedLevel(
                    input.Limit,
                    input.Remaining,
                    ShownCapacity(input, RemainingRounding.Margin(input.Limit)),
                    RemainingRounding.Margin(input.Limit),
                    input.Limit < RemainingRounding.Step ? 0 : RemainingRounding.Step,
                    RemainingRounding.SmallBucketSteps * RemainingRounding.Step)
                : default,
            output.IsKnown
                ? new LearnedLevel(
                    output.Limit,
                    output.Remaining,
                    outputReservedOnArrival || output.Remaining > 0 ? ShownCapacity(output, RemainingRounding.Margin(output.Limit)) : -1,
                    outputReservedOnArrival ? RemainingRounding.Margin(output.Limit) : 0,
                    Band: RemainingRounding.Margin(output.Limit),
                    BandUpTo: outputReservedOnArrival ? 0 : RemainingRounding.Step,
                    UnconfirmedMayBeCounted: outputReservedOnArrival,
                    MayBeBelowEmpty: !outputReservedOnArrival,
                    HeldUnproduced: heldUnproduced && !outputReservedOnArrival)
                : default);
    }

    /// <summary>
    /// Gets the least capacity one response proves the server's bucket has: what remained (less
    /// <paramref name="rounding"/>, how far the header may lie above the truth) plus what refills before the reset
    /// (less one second: the reset is given in whole seconds, rounded up), or the whole limit when it reads full;
    /// -1 when the response gives no reset.
    /// </summary>
    public static double ShownCapacity(BudgetObservation observation, double rounding)
    {
        if (observation.ResetIn is not { } resetIn)
        {
            return -1;
        }

        var refill = Math.Max(0, resetIn.TotalMinutes - (1.0 / 60)) * observation.Limit;
        return observation.Remaining >= observation.Limit ? observation.Limit : Math.Max(0, observation.Remaining - rounding + refill);
    }
}
