namespace Pacer.Telemetry;

/// <summary>
/// The <c>System.Diagnostics.Metrics</c> meter of the engine and the names of its instruments, for
/// <c>MeterListener</c>s and OpenTelemetry (<c>.AddMeter(PacerMeter.Name)</c>).
/// </summary>
public static class PacerMeter
{
    /// <summary>The meter name: <c>Pacer</c>.</summary>
    public const string Name = "Pacer";

    /// <summary>Counter of requests that ended, tagged <see cref="OutcomeTag"/> and <see cref="StatusCodeTag"/>.</summary>
    public const string Requests = "pacer.requests";

    /// <summary>Counter of attempts sent upstream.</summary>
    public const string Attempts = "pacer.attempts";

    /// <summary>Counter of retries (attempts after the first), tagged <see cref="ReasonTag"/>.</summary>
    public const string Retries = "pacer.retries";

    /// <summary>Counter of 429 responses received from upstream.</summary>
    public const string RateLimited = "pacer.rate_limited";

    /// <summary>Histogram of the time one admission waited in the limiter's queue, in seconds.</summary>
    public const string QueueWait = "pacer.queue.wait";

    /// <summary>Observable gauge of requests admitted and not yet finished (a stream counts until its end).</summary>
    public const string InFlight = "pacer.requests.in_flight";

    /// <summary>Observable gauge of requests waiting for admission.</summary>
    public const string Queued = "pacer.requests.queued";

    /// <summary>Observable gauge of requests waiting for admission in each priority class, tagged <see cref="PriorityTag"/>.</summary>
    public const string QueuedByPriority = "pacer.requests.queued_by_priority";

    /// <summary>Counter of tokens reserved at admission, tagged <see cref="TokenTypeTag"/> (<c>input</c>, <c>output</c>).</summary>
    public const string TokensReserved = "pacer.tokens.reserved";

    /// <summary>Counter of tokens the responses reported, tagged <see cref="TokenTypeTag"/> (<c>input</c>, <c>output</c>, <c>cache_creation</c>, <c>cache_read</c>).</summary>
    public const string TokensUsed = "pacer.tokens.used";

    /// <summary>Tag: how a request ended: <c>success</c>, <c>error</c> (a final error status), <c>exception</c>, <c>rejected</c> or <c>canceled</c>.</summary>
    public const string OutcomeTag = "pacer.outcome";

    /// <summary>Tag: the final HTTP status (0 when none).</summary>
    public const string StatusCodeTag = "http.response.status_code";

    /// <summary>Tag: why an attempt was retried, for example <c>retryable_status</c> or <c>connection_failure</c>.</summary>
    public const string ReasonTag = "pacer.retry.reason";

    /// <summary>Tag: the kind of token.</summary>
    public const string TokenTypeTag = "pacer.token.type";

    /// <summary>Tag: the model named in the request.</summary>
    public const string ModelTag = "pacer.model";

    /// <summary>Tag: the priority class of waiting requests, <c>interactive</c> or <c>batch</c>.</summary>
    public const string PriorityTag = "pacer.priority";
}
