using Microsoft.Extensions.Logging;

namespace Pacer.Limiting;

/// <summary>The limiter's own log lines: what it learns about the upstream.</summary>
internal static partial class LimiterLog
{
    [LoggerMessage(EventId = 20, EventName = "ReservesMaxTokens", Level = LogLevel.Warning,
        Message = "The upstream reserves max_tokens when a request arrives for key {KeyId}, model class {ModelClass}: {Evidence}. OutputReservation=auto now holds max_tokens for this bucket")]
    public static partial void ReservesMaxTokens(ILogger logger, string keyId, string modelClass, string evidence);
}
