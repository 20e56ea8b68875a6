namespace Pacer.Gateway.Alerts;

/// <summary>The alert lines: one when an episode starts, one when it ends. No secret: rule, user, message.</summary>
internal static partial class AlertLog
{
    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Alert {Rule} firing ({Severity}){Subject}: {Message}")]
    public static partial void Fired(ILogger logger, string rule, string severity, string subject, string message);

    [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "Alert {Rule} resolved{Subject} after {DurationMs} ms")]
    public static partial void Resolved(ILogger logger, string rule, string subject, long durationMs);

    [LoggerMessage(EventId = 42, Level = LogLevel.Warning, Message = "Alert webhook: {Rule} ({State}) not delivered after {Attempts} attempts; last error: {Error}")]
    public static partial void WebhookFailed(ILogger logger, string rule, string state, int attempts, string error);

    [LoggerMessage(EventId = 43, Level = LogLevel.Warning, Message = "Alert webhook: queue full ({Capacity}); {Rule} ({State}) dropped")]
    public static partial void WebhookDropped(ILogger logger, int capacity, string rule, string state);

    [LoggerMessage(EventId = 45, Level = LogLevel.Error, Message = "Live sample or alert evaluation failed ({Type}): {Error}")]
    public static partial void MonitorFailed(ILogger logger, string type, string error);

    [LoggerMessage(EventId = 44, Level = LogLevel.Warning, Message = "Alert rules could not read the budgets: {Error}")]
    public static partial void BudgetsUnreadable(ILogger logger, string error);
}
