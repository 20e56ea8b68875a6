using System.Globalization;

namespace Pacer.Limiting;

/// <summary>
/// For <c>OutputReservation = auto</c>: learns, per (key, model class), whether the upstream reserves a request's whole
/// <c>max_tokens</c> against its output-tokens budget when the request arrives (the early-2025 accounting) rather than
/// counting output as it is produced (the 2026 accounting). Under "count as produced" the API refuses on output tokens
/// only when the bucket is empty, and never before replies have been produced; under "reserve max_tokens" it refuses
/// whenever less than the request's <c>max_tokens</c> remains. A 429 counts when neither requests nor input tokens
/// explain it and the output tokens remaining (rounded) are below the request's <c>max_tokens</c>:
/// <list type="bullet">
/// <item>one such 429 whose output remaining is above zero is proof (an empty bucket reads 0);</item>
/// <item><see cref="SuspicionThreshold"/> such 429s within <see cref="SuspicionWindow"/> whose output remaining reads 0
/// (which rounding makes ambiguous) switch too: whatever the accounting, the estimate is then not keeping the
/// output budget, and holding <c>max_tokens</c> is the safe side.</item>
/// </list>
/// Such a bucket reserves <c>max_tokens</c> from then on, for the life of the limiter: the accounting is a property of
/// the API, and probing it again would cost 429s. The flag is kept in the limiter's store too, so that what one holder learns all obey. Runs under the limiter's lock; not thread-safe.
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

    private readonly HashSet<BucketKey> _reservingMaxTokens = [];
    private readonly Dictionary<BucketKey, Suspicion> _suspicions = [];
    private BucketKey _pendingBucket;
    private Evidence? _pending;
    private long _pendingAt;

    /// <summary>Takes what the store says another holder learned: the bucket reserves <c>max_tokens</c>.</summary>
    public void Adopt(BucketKey bucket)
    {
        if (_reservingMaxTokens.Add(bucket))
        {
            _suspicions.Remove(bucket);
        }
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
        _pendingBucket = bucket;
        _pendingAt = now;
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
        return evidence.IsProof
            ? evidence.Seen
            : string.Create(CultureInfo.InvariantCulture, $"{SuspicionThreshold} 429s within {SuspicionWindow.TotalSeconds:0} s refused on output tokens alone, the last {evidence.Seen}");
    }

    /// <summary>Forgets what was learned (the operator changed <c>OutputReservation</c>).</summary>
    public void Clear()
    {
        _reservingMaxTokens.Clear();
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

    /// <summary>What one 429 showed: proof of the reserving accounting, or a suspicion of it.</summary>
    internal sealed record Evidence(bool IsProof, string Seen);

    private readonly record struct Suspicion(int Count, long Since);
}
