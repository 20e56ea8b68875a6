using Microsoft.Extensions.Logging;

namespace Pacer.Limiting;

/// <summary>The limiter's own log lines: what it learns about the upstream, and its store's failures.</summary>
internal static partial class LimiterLog
{
    [LoggerMessage(EventId = 20, EventName = "ReservesMaxTokens", Level = LogLevel.Warning,
        Message = "The upstream reserves max_tokens when a request arrives for key {KeyId}, model class {ModelClass}: {Evidence}. OutputReservation=auto now holds max_tokens for this bucket")]
    public static partial void ReservesMaxTokens(ILogger logger, string keyId, string modelClass, string evidence);

    [LoggerMessage(EventId = 22, EventName = "CountsOutputAsProduced", Level = LogLevel.Information,
        Message = "The upstream counts output as produced for key {KeyId}, model class {ModelClass}: {Evidence}. OutputReservation=auto now holds the output estimate for this bucket")]
    public static partial void CountsOutputAsProduced(ILogger logger, string keyId, string modelClass, string evidence);

    [LoggerMessage(EventId = 21, EventName = "LimiterStoreFailed", Level = LogLevel.Warning,
        Message = "The limiter's store failed ({ExceptionType}: {Reason}); waiters stay queued and are asked about again")]
    public static partial void StoreFailed(ILogger logger, string exceptionType, string reason);
}
