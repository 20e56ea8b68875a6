using Pacer.Http;

namespace Pacer.Usage;

/// <summary>One request as the usage ledger keeps it: who, what, how it went, what it used and what it cost.</summary>
public sealed record UsageRecord
{
    /// <summary>Gets when the request started (UTC).</summary>
    public required DateTimeOffset Time { get; init; }

    /// <summary>Gets the caller identity.</summary>
    public required string User { get; init; }

    /// <summary>Gets the application endpoint, for example <c>/api/generate-scene</c> (or the request path).</summary>
    public required string Endpoint { get; init; }

    /// <summary>Gets the model as the request named it.</summary>
    public required string Model { get; init; }

    /// <summary>Gets the upstream <c>request-id</c> of the last attempt, if any.</summary>
    public string? RequestId { get; init; }

    /// <summary>Gets the attempts sent upstream.</summary>
    public int Attempts { get; init; }

    /// <summary>Gets the final HTTP status, or 0 when no response was received.</summary>
    public int StatusCode { get; init; }

    /// <summary>Gets a value indicating whether the response was a stream.</summary>
    public bool Streamed { get; init; }

    /// <summary>Gets the input tokens (<c>usage.input_tokens</c>).</summary>
    public int InputTokens { get; init; }

    /// <summary>Gets the output tokens (<c>usage.output_tokens</c>).</summary>
    public int OutputTokens { get; init; }

    /// <summary>Gets the tokens written to the 5-minute cache.</summary>
    public int CacheWrite5mTokens { get; init; }

    /// <summary>Gets the tokens written to the 1-hour cache.</summary>
    public int CacheWrite1hTokens { get; init; }

    /// <summary>Gets the tokens read from the cache.</summary>
    public int CacheReadTokens { get; init; }

    /// <summary>Gets the cost in USD, or null when the model has no price (never a guess).</summary>
    public decimal? CostUsd { get; init; }

    /// <summary>Gets the credits charged, or null when the cost is unknown.</summary>
    public long? Credits { get; init; }

    /// <summary>Gets the time spent waiting for admission, over all attempts.</summary>
    public TimeSpan QueueTime { get; init; }

    /// <summary>Gets the time from start to end (for a stream: its last byte).</summary>
    public TimeSpan Latency { get; init; }

    /// <summary>Builds the record of a request's outcome priced by <paramref name="cost"/> (null when it reported no usage).</summary>
    public static UsageRecord From(RequestOutcome outcome, UsageCost? cost)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        var usage = cost?.Usage ?? outcome.Usage ?? default;
        return new UsageRecord
        {
            // Kept at the precision the ledger stores (milliseconds, microseconds), so a record reads back equal.
            Time = DateTimeOffset.FromUnixTimeMilliseconds(outcome.Started.ToUnixTimeMilliseconds()),
            User = outcome.User,
            Endpoint = outcome.Endpoint,
            Model = outcome.Model,
            RequestId = outcome.RequestId,
            Attempts = outcome.Attempts,
            StatusCode = outcome.StatusCode,
            Streamed = outcome.Streamed,
            InputTokens = usage.InputTokens,
            OutputTokens = usage.OutputTokens,
            CacheWrite5mTokens = cost?.CacheWrite5mTokens ?? usage.CacheCreationInputTokens,
            CacheWrite1hTokens = cost?.CacheWrite1hTokens ?? 0,
            CacheReadTokens = usage.CacheReadInputTokens,
            // A request that reported no usage used nothing: zero is known, not a guess. Usage left unpriced is unknown.
            CostUsd = cost is not null ? cost.TotalCost : outcome.Usage is null ? 0m : null,
            Credits = cost is not null ? cost.Credits : outcome.Usage is null ? 0 : null,
            QueueTime = TimeSpan.FromMicroseconds(Math.Floor(outcome.QueueTime.TotalMicroseconds)),
            Latency = TimeSpan.FromMicroseconds(Math.Floor(outcome.Latency.TotalMicroseconds)),
        };
    }
}
