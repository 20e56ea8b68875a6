using System.Globalization;

namespace Pacer.Limiting;

/// <summary>
/// For <c>OutputReservation = auto</c>: learns, per (key, model class), whether the upstream reserves a request's whole
/// <c>max_tokens</c> against its output-tokens budget when the request arrives (the early-2025 accounting) rather than
/// counting output as it is produced (the 2026 accounting). Under "count as produced" the API refuses on output tokens
/// only when the bucket is empty; under "reserve max_tokens" it refuses whenever less than the request's
/// <c>max_tokens</c> remains. So a 429 whose headers show output tokens remaining, fewer than the request's
/// <c>max_tokens</c>, while neither requests nor input tokens explain it, proves the reserving accounting. Such a bucket
/// reserves <c>max_tokens</c> from then on, for the life of the limiter (the accounting is a property of the API, and
/// probing it again would cost 429s). Runs under the limiter's lock; not thread-safe.
/// </summary>
internal sealed class OutputAccountingLearner
{
    /// <summary>How much the input estimate may fall short of the server's count before input could explain a 429.</summary>
    public const double InputEstimateSlack = 1.25;

    // The handler calls Cooldown right after observing the 429's headers; evidence older than this is not paired.
    private static readonly long PairingWindow = TimeSpan.FromSeconds(1).Ticks;

    private readonly HashSet<BucketKey> _reservingMaxTokens = [];
    private BucketKey _pendingBucket;
    private string? _pendingEvidence;
    private long _pendingAt;

    /// <summary>Gets how many buckets have switched to reserving <c>max_tokens</c>.</summary>
    public int Count => _reservingMaxTokens.Count;

    /// <summary>Gets a value indicating whether the bucket has been seen to reserve <c>max_tokens</c>.</summary>
    public bool ReservesMaxTokens(BucketKey bucket) => _reservingMaxTokens.Count > 0 && _reservingMaxTokens.Contains(bucket);

    /// <summary>
    /// Notes the headers of a refusal (a response with <c>retry-after</c>) to the request that held <paramref name="cost"/>;
    /// the evidence counts only if <see cref="Confirm"/> follows for the same bucket (the handler's call on a 429).
    /// </summary>
    public void Note(BucketKey bucket, RateLimitObservation observation, RequestCost cost, long now)
    {
        _pendingEvidence = ReservesMaxTokens(bucket) ? null : Evidence(observation, cost);
        _pendingBucket = bucket;
        _pendingAt = now;
    }

    /// <summary>A 429 for <paramref name="bucket"/>: returns the evidence when the bucket switches now, else null.</summary>
    public string? Confirm(BucketKey bucket, long now)
    {
        var evidence = _pendingEvidence;
        _pendingEvidence = null;
        if (evidence is null || _pendingBucket != bucket || now - _pendingAt > PairingWindow || !_reservingMaxTokens.Add(bucket))
        {
            return null;
        }

        return evidence;
    }

    /// <summary>Forgets what was learned (the operator changed <c>OutputReservation</c>).</summary>
    public void Clear()
    {
        _reservingMaxTokens.Clear();
        _pendingEvidence = null;
    }

    /// <summary>
    /// Tells whether a 429 with these headers, refusing a request of <paramref name="cost"/>, is explained by the
    /// reserving accounting and by nothing else; returns what was seen, or null.
    /// </summary>
    internal static string? Evidence(RateLimitObservation observation, RequestCost cost)
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

        // Output remains (counted as produced, only an empty bucket refuses), but less than max_tokens (allowing for rounding).
        if (output.Remaining <= 0 || output.Remaining >= cost.OutputTokens + RemainingRounding.Margin(output.Limit))
        {
            return null;
        }

        return string.Create(
            CultureInfo.InvariantCulture,
            $"a 429 with output-tokens remaining {output.Remaining} of {output.Limit} for a request of max_tokens {cost.OutputTokens}, while requests remaining were {requests.Remaining} and input-tokens remaining {input.Remaining} for about {cost.InputTokens} input tokens");
    }
}
