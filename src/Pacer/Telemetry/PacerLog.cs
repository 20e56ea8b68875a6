using System.Collections;
using System.Globalization;
using Microsoft.Extensions.Logging;
using Pacer.Retrying;

namespace Pacer.Telemetry;

/// <summary>
/// Every log line of the engine, with structured fields: source-generated, but for the seed's three lines of every
/// attempt, written from typed state below. The first five are the seed's console lines.
/// No line carries a header value, a body or a key: only paths, counts, statuses and delays.
/// </summary>
internal static partial class PacerLog
{
    /// <summary>The template of <see cref="Attempt"/>: its structured fields' names.</summary>
    public const string AttemptFormat = "🔄 Attempt {Attempt}/{Attempts} for {Endpoint}";

    /// <summary>The template of <see cref="CurrentRequests"/>.</summary>
    public const string CurrentRequestsFormat = "📊 Current requests: {CurrentRequests}/{MaxConcurrentRequests}";

    /// <summary>The template of <see cref="RecentRequests"/>.</summary>
    public const string RecentRequestsFormat = "📈 Recent requests: {RecentRequests}/{MaxRequestsPerMinute}";

    private static readonly EventId AttemptEvent = new(1, "Attempt");
    private static readonly EventId CurrentRequestsEvent = new(2, "CurrentRequests");
    private static readonly EventId RecentRequestsEvent = new(3, "RecentRequests");

    // The three lines of every attempt are written from typed state, not through the generator's LoggerMessage.Define,
    // which boxes each value into an object[] and walks the template again for every line (docs/BENCHMARKS.md,
    // "Overhead"): the same events, fields and text.
    public static void Attempt(ILogger logger, int attempt, int attempts, string endpoint) =>
        Ratio(logger, AttemptEvent, new RatioLine(AttemptFormat, "🔄 Attempt ", "Attempt", attempt, "Attempts", attempts, endpoint));

    public static void CurrentRequests(ILogger logger, int currentRequests, int maxConcurrentRequests) =>
        Ratio(logger, CurrentRequestsEvent, new RatioLine(CurrentRequestsFormat, "📊 Current requests: ", "CurrentRequests", currentRequests, "MaxConcurrentRequests", maxConcurrentRequests, null));

    public static void RecentRequests(ILogger logger, int recentRequests, int maxRequestsPerMinute) =>
        Ratio(logger, RecentRequestsEvent, new RatioLine(RecentRequestsFormat, "📈 Recent requests: ", "RecentRequests", recentRequests, "MaxRequestsPerMinute", maxRequestsPerMinute, null));

    [LoggerMessage(EventId = 4, EventName = "RateLimited", Level = LogLevel.Warning, Message = "🚦 Rate limit detected on attempt {Attempt}")]
    public static partial void RateLimited(ILogger logger, int attempt);

    [LoggerMessage(EventId = 5, EventName = "Retrying", Level = LogLevel.Information, Message = "⏳ Retrying in {DelayMilliseconds}ms...")]
    public static partial void Retrying(ILogger logger, long delayMilliseconds);

    [LoggerMessage(EventId = 6, EventName = "RetryScheduled", Level = LogLevel.Debug, Message = "Retry {Retry} for {Endpoint}: {Reason}, status {StatusCode}, delay from {DelaySource}")]
    public static partial void RetryScheduled(ILogger logger, int retry, string endpoint, RetryReason reason, int statusCode, RetryDelaySource delaySource);

    [LoggerMessage(EventId = 7, EventName = "NotRetried", Level = LogLevel.Debug, Message = "Not retrying {Endpoint} after attempt {Attempt}: {Reason}, status {StatusCode}")]
    public static partial void NotRetried(ILogger logger, string endpoint, int attempt, RetryReason reason, int statusCode);

    [LoggerMessage(EventId = 13, EventName = "RetriesSpent", Level = LogLevel.Debug, Message = "Not retrying {Endpoint}: all {Attempts} attempts spent, last status {StatusCode}")]
    public static partial void RetriesSpent(ILogger logger, string endpoint, int attempts, int statusCode);

    [LoggerMessage(EventId = 8, EventName = "RequestFailed", Level = LogLevel.Warning, Message = "Request for {Endpoint} failed after {Attempts} attempt(s): status {StatusCode}, {Error}")]
    public static partial void RequestFailed(ILogger logger, string endpoint, int attempts, int statusCode, string error);

    [LoggerMessage(EventId = 9, EventName = "Rejected", Level = LogLevel.Warning, Message = "Request for {Endpoint} rejected by the limiter ({Reason}); retry after {RetryAfterMilliseconds} ms")]
    public static partial void Rejected(ILogger logger, string endpoint, string reason, long retryAfterMilliseconds);

    [LoggerMessage(EventId = 10, EventName = "AttemptFailed", Level = LogLevel.Warning, Message = "Attempt {Attempt} for {Endpoint} got no response: {ErrorType}: {Error}")]
    public static partial void AttemptFailed(ILogger logger, int attempt, string endpoint, string errorType, string error);

    [LoggerMessage(EventId = 11, EventName = "RetryTooLate", Level = LogLevel.Warning, Message = "Not waiting {DelayMilliseconds} ms to retry {Endpoint}: {Why}")]
    public static partial void RetryTooLate(ILogger logger, long delayMilliseconds, string endpoint, string why);

    [LoggerMessage(EventId = 12, EventName = "ObserverFailed", Level = LogLevel.Error, Message = "Request observer {Observer} threw; its outcome is lost")]
    public static partial void ObserverFailed(ILogger logger, string observer, Exception exception);

    private static void Ratio(ILogger logger, EventId eventId, RatioLine line)
    {
        if (logger.IsEnabled(LogLevel.Information))
        {
            logger.Log(LogLevel.Information, eventId, line, null, static (state, _) => state.ToString());
        }
    }

    /// <summary>"<c>prefix</c>first/second", and " for endpoint" when there is one; its fields with <c>{OriginalFormat}</c> last.</summary>
    private readonly struct RatioLine(string format, string prefix, string firstName, int first, string secondName, int second, string? endpoint)
        : IReadOnlyList<KeyValuePair<string, object?>>
    {
        public int Count => endpoint is null ? 3 : 4;

        public KeyValuePair<string, object?> this[int index] => index switch
        {
            0 => new(firstName, first),
            1 => new(secondName, second),
            2 when endpoint is not null => new("Endpoint", endpoint),
            _ when index == Count - 1 => new("{OriginalFormat}", format),
            _ => throw new ArgumentOutOfRangeException(nameof(index)),
        };

        public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

        public override string ToString() => endpoint is null
            ? string.Create(CultureInfo.InvariantCulture, $"{prefix}{first}/{second}")
            : string.Create(CultureInfo.InvariantCulture, $"{prefix}{first}/{second} for {endpoint}");
    }
}
