using Pacer.Limiting;
using Pacer.Usage;

namespace Pacer.Http;

/// <summary>What happened to one request, reported once when it ends (for a stream: when the stream ends).</summary>
public sealed record RequestOutcome
{
    /// <summary>Gets when the request started.</summary>
    public required DateTimeOffset Started { get; init; }

    /// <summary>Gets the caller identity.</summary>
    public required string User { get; init; }

    /// <summary>Gets the application endpoint (or the request path).</summary>
    public required string Endpoint { get; init; }

    /// <summary>Gets the model requested.</summary>
    public required string Model { get; init; }

    /// <summary>Gets the upstream <c>request-id</c> of the last attempt, if any.</summary>
    public string? RequestId { get; init; }

    /// <summary>Gets the attempts sent upstream.</summary>
    public required int Attempts { get; init; }

    /// <summary>Gets the final HTTP status, or 0 when no response was received.</summary>
    public required int StatusCode { get; init; }

    /// <summary>Gets the tokens used, when the response reported them.</summary>
    public TokenUsage? Usage { get; init; }

    /// <summary>
    /// Gets the split of <see cref="TokenUsage.CacheCreationInputTokens"/> into 5-minute and 1-hour cache writes, when
    /// the response's <c>usage.cache_creation</c> gave it; null otherwise (every cache write is then a 5-minute write).
    /// </summary>
    public CacheCreation? CacheCreation { get; init; }

    /// <summary>Gets the time spent waiting for admission, over all attempts.</summary>
    public required TimeSpan QueueTime { get; init; }

    /// <summary>Gets the time from start to end (for a stream: its last byte).</summary>
    public required TimeSpan Latency { get; init; }

    /// <summary>Gets a value indicating whether the response was a stream.</summary>
    public bool Streamed { get; init; }

    /// <summary>Gets a short error description when the request failed; never contains a secret.</summary>
    public string? Error { get; init; }
}
