using Microsoft.Extensions.Logging;

namespace Pacer.Redis;

/// <summary>The Redis store's log lines, each once per episode.</summary>
internal static partial class RedisStoreLog
{
    [LoggerMessage(EventId = 60, EventName = "RedisDegraded", Level = LogLevel.Error,
        Message = "Redis cannot be reached ({ExceptionType}): this instance now limits itself to its share of every limit (1/{Instances}) until Redis returns")]
    public static partial void Degraded(ILogger logger, string exceptionType, int instances);

    [LoggerMessage(EventId = 61, EventName = "RedisFailedClosed", Level = LogLevel.Error,
        Message = "Redis cannot be reached ({ExceptionType}): PACER_REDIS_FAILURE=closed, every request is refused until Redis returns")]
    public static partial void FailedClosed(ILogger logger, string exceptionType);

    [LoggerMessage(EventId = 62, EventName = "RedisRecovered", Level = LogLevel.Warning,
        Message = "Redis is reachable again: the limits are shared across instances again")]
    public static partial void Recovered(ILogger logger);

    [LoggerMessage(EventId = 63, EventName = "RedisSubscribeFailed", Level = LogLevel.Warning,
        Message = "Could not subscribe to release notices on Redis ({ExceptionType}); waiters blocked on concurrency look again every second")]
    public static partial void SubscribeFailed(ILogger logger, string exceptionType);
}
