namespace Pacer.Simulator;

/// <summary>
/// One request the simulator received, as the control API's log shows it. The API key appears only as
/// <see cref="KeyId"/>, a truncated SHA-256; authorization headers are never recorded.
/// </summary>
public sealed record SimulatorAttempt
{
    /// <summary>Position in arrival order, from 1.</summary>
    public long Sequence { get; init; }

    /// <summary>When the request arrived (simulator time).</summary>
    public DateTimeOffset ArrivedAt { get; init; }

    /// <summary>When the answer ended (simulator time), or null while it is still open.</summary>
    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>The <c>request-id</c> the simulator gave the request.</summary>
    public string RequestId { get; init; } = "";

    /// <summary>HTTP method.</summary>
    public string Method { get; init; } = "";

    /// <summary>Request path, for example <c>/v1/messages</c>.</summary>
    public string Path { get; init; } = "";

    /// <summary><c>key_</c> and the first 12 hex digits of the key's SHA-256, or null without a key.</summary>
    public string? KeyId { get; init; }

    /// <summary>The model as the request named it (fault suffix included), or null.</summary>
    public string? Model { get; init; }

    /// <summary>Whether the request asked for a stream.</summary>
    public bool Stream { get; init; }

    /// <summary>Request headers, lower-case names, without <c>x-api-key</c> and <c>authorization</c>.</summary>
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>();

    /// <summary>Response status, or 0 when no response was sent (reset, no response, still open).</summary>
    public int Status { get; init; }

    /// <summary>What happened: <c>ok</c>, an error type such as <c>rate_limit_error</c>, or a fault such as <c>reset</c>.</summary>
    public string Outcome { get; init; } = "pending";

    /// <summary>The fault step applied, for example <c>429:2</c>, or null.</summary>
    public string? Fault { get; init; }

    /// <summary>Where the fault came from: queue, header, model or random; null without fault.</summary>
    public string? FaultSource { get; init; }

    /// <summary>Which limit refused the request (requests, input_tokens, output_tokens, acceleration, spend), or null.</summary>
    public string? LimitHit { get; init; }

    /// <summary>The <c>retry-after</c> seconds sent, or null.</summary>
    public long? RetryAfterSeconds { get; init; }

    /// <summary>Input tokens counted for the limit (input + cache creation, + cache reads for Claude 3.x).</summary>
    public long InputTokens { get; init; }

    /// <summary>Output tokens sent.</summary>
    public long OutputTokens { get; init; }

    /// <summary>The reply's stop reason, or null.</summary>
    public string? StopReason { get; init; }
}
