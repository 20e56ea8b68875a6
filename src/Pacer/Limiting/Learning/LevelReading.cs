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
    /// responses of the goodput benchmark's <c>reserve</c> shape, about 900 tokens each time. Counted as
    /// produced, the output is learned within the same band on a bucket no larger than the step: the header is the server's level after only part of the
    /// output of the requests in flight (what they have produced so far), so taking it less their whole holds on every
    /// response put the level below the truth each time; on a bucket smaller than the rounding (headers reading 0 or
    /// 1,000) that meant pauses of 1.5–2 s with the level at 0 less the holds. The own count stands where it lies
    /// between the header less the holds and the header plus half the step less the holds. Counted as produced, the
    /// server's level also goes below empty (it admits while its bucket is not empty and charges each reply as it is
    /// produced), where its header reads 0: during a 429's cooldown, an own count lower than a header of 0 allows
    /// stands, so that an answer reading 0 then does not lift the debt beyond empty that the <c>retry-after</c> showed
    /// (the goodput benchmark's <c>tiny-output</c> shape through the gateway: 8 requests let go together when the cooldown
    /// ended, each refused again).
    /// </summary>
    public static LearnedLevels Of(in RateLimitObservation observation, bool outputReservedOnArrival)
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
                    ShownCapacity(output, RemainingRounding.Margin(output.Limit)),
                    outputReservedOnArrival ? RemainingRounding.Margin(output.Limit) : 0,
                    Band: RemainingRounding.Margin(output.Limit),
                    BandUpTo: outputReservedOnArrival ? 0 : RemainingRounding.Step,
                    UnconfirmedMayBeCounted: outputReservedOnArrival,
                    MayBeBelowEmpty: !outputReservedOnArrival)
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
