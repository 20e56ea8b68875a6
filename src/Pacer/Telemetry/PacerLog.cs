using Microsoft.Extensions.Logging;
using Pacer.Retrying;

namespace Pacer.Telemetry;

/// <summary>
/// Every log line of the engine, source-generated with structured fields. The first five are the seed's console lines.
/// No line carries a header value, a body or a key: only paths, counts, statuses and delays.
/// </summary>
internal static partial class PacerLog
{
    [LoggerMessage(EventId = 1, EventName = "Attempt", Level = LogLevel.Information, Message = "🔄 Attempt {Attempt}/{Attempts} for {Endpoint}")]
    public static partial void Attempt(ILogger logger, int attempt, int attempts, string endpoint);

    [LoggerMessage(EventId = 2, EventName = "CurrentRequests", Level = LogLevel.Information, Message = "📊 Current requests: {CurrentRequests}/{MaxConcurrentRequests}")]
    public static partial void CurrentRequests(ILogger logger, int currentRequests, int maxConcurrentRequests);

    [LoggerMessage(EventId = 3, EventName = "RecentRequests", Level = LogLevel.Information, Message = "📈 Recent requests: {RecentRequests}/{MaxRequestsPerMinute}")]
    public static partial void RecentRequests(ILogger logger, int recentRequests, int maxRequestsPerMinute);

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
}
