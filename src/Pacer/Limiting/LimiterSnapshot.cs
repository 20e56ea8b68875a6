namespace Pacer.Limiting;

/// <summary>
/// The limiter's state at one moment. The first four fields are the seed's <c>currentStatus</c>:
/// <list type="bullet">
/// <item><see cref="RecentRequests"/> and <see cref="RequestsInLastMinute"/>: admissions in the sliding 60 seconds before <see cref="Timestamp"/> (the same number; the seed names it twice).</item>
/// <item><see cref="CurrentRequests"/>: requests admitted and not yet finished (for a stream: until its end).</item>
/// <item><see cref="TimeUntilReset"/>: milliseconds until the oldest admission in the window leaves it, so that one more request fits; 0 when the window is empty.</item>
/// </list>
/// </summary>
public sealed record LimiterSnapshot
{
    /// <summary>Gets the admissions in the last 60 seconds.</summary>
    public required int RecentRequests { get; init; }

    /// <summary>Gets the requests in flight.</summary>
    public required int CurrentRequests { get; init; }

    /// <summary>Gets the admissions in the last 60 seconds (same as <see cref="RecentRequests"/>).</summary>
    public required int RequestsInLastMinute { get; init; }

    /// <summary>Gets the milliseconds until the oldest admission leaves the 60-second window; 0 when it is empty.</summary>
    public required long TimeUntilReset { get; init; }

    /// <summary>Gets the requests waiting for admission.</summary>
    public required int QueuedRequests { get; init; }

    /// <summary>Gets the callers with requests waiting.</summary>
    public required int QueuedUsers { get; init; }

    /// <summary>Gets the interactive requests waiting for admission (part of <see cref="QueuedRequests"/>).</summary>
    public int QueuedInteractive { get; init; }

    /// <summary>Gets the batch requests waiting for admission (part of <see cref="QueuedRequests"/>).</summary>
    public int QueuedBatch { get; init; }

    /// <summary>Gets every learned upstream bucket.</summary>
    public required IReadOnlyList<UpstreamBucketSnapshot> UpstreamBuckets { get; init; }

    /// <summary>Gets the running totals.</summary>
    public required PacerTotalsSnapshot Totals { get; init; }

    /// <summary>Gets when the snapshot was taken.</summary>
    public required DateTimeOffset Timestamp { get; init; }
}

/// <summary>What Pacer knows of one upstream budget (per upstream key and model class).</summary>
public sealed record UpstreamBucketSnapshot
{
    /// <summary>Gets a short, non-secret identifier of the upstream key.</summary>
    public required string KeyId { get; init; }

    /// <summary>Gets the model class, for example <c>claude-sonnet-4</c>.</summary>
    public required string ModelClass { get; init; }

    /// <summary>Gets the requests-per-minute budget.</summary>
    public required BudgetSnapshot Requests { get; init; }

    /// <summary>Gets the input-tokens-per-minute budget.</summary>
    public required BudgetSnapshot InputTokens { get; init; }

    /// <summary>Gets the output-tokens-per-minute budget.</summary>
    public required BudgetSnapshot OutputTokens { get; init; }

    /// <summary>Gets the end of the cooldown after a 429, or null when not cooling down.</summary>
    public DateTimeOffset? CooldownUntil { get; init; }

    /// <summary>Gets a value indicating whether the upstream was learned to reserve <c>max_tokens</c> on arrival for this bucket (<c>OutputReservation</c> <c>auto</c>).</summary>
    public bool OutputReservedOnArrival { get; init; }
}

/// <summary>One budget: limit, what remains now (after local reservations), and when it is full again.</summary>
/// <param name="Limit">The limit per minute, or null when not yet learned.</param>
/// <param name="Remaining">What remains now, or null when not yet learned.</param>
/// <param name="Reset">When the budget is full again, or null when unknown.</param>
public sealed record BudgetSnapshot(long? Limit, long? Remaining, DateTimeOffset? Reset);

/// <summary>Totals since start.</summary>
public sealed record PacerTotalsSnapshot
{
    /// <summary>Gets the requests started (each counted once, however many attempts).</summary>
    public required long Requests { get; init; }

    /// <summary>Gets the attempts sent upstream.</summary>
    public required long Attempts { get; init; }

    /// <summary>Gets the retries (attempts after the first).</summary>
    public required long Retries { get; init; }

    /// <summary>Gets the 429 responses received from upstream.</summary>
    public required long RateLimited { get; init; }

    /// <summary>Gets the requests that ended in failure (final error status, exception or rejection).</summary>
    public required long Failures { get; init; }

    /// <summary>Gets the requests rejected by the limiter without being sent.</summary>
    public required long Rejections { get; init; }
}
