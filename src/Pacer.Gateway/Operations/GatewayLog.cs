namespace Pacer.Gateway.Operations;

/// <summary>The gateway's log lines, source-generated. None carries a key: users, endpoints and models only.</summary>
internal static partial class GatewayLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information,
        Message = "{Method} {Endpoint} user={User} model={Model} status={Status} attempts={Attempts} queue_ms={QueueMs} input_tokens={InputTokens} output_tokens={OutputTokens} duration_ms={DurationMs} outcome={Outcome}")]
    public static partial void Request(ILogger logger, string method, string endpoint, string user, string model, int status, int attempts, long queueMs, long inputTokens, long outputTokens, long durationMs, string outcome);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Stream on {Endpoint} ended early ({Reason}); the caller received an error event")]
    public static partial void StreamEndedEarly(ILogger logger, string endpoint, string reason);

    [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Upstream call for {Endpoint} failed: {Error}")]
    public static partial void UpstreamFailed(ILogger logger, string endpoint, string error);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "{Banner}")]
    public static partial void Banner(ILogger logger, string banner);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Pacer gateway listening on {Addresses}; upstream {Upstream}; auth {AuthMode}; store {Store}; admin API {Admin}")]
    public static partial void Started(ILogger logger, string addresses, string upstream, string authMode, string store, string admin);

    [LoggerMessage(EventId = 12, Level = LogLevel.Warning, Message = "Persisted setting skipped ({Error}); the environment's value applies")]
    public static partial void PersistedSettingSkipped(ILogger logger, string error);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "Shutting down: new requests get 529, waiting ones are released, requests in flight have {TimeoutMs} ms")]
    public static partial void ShuttingDown(ILogger logger, long timeoutMs);
}
