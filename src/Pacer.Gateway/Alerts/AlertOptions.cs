namespace Pacer.Gateway.Alerts;

/// <summary>
/// The thresholds of the alert rules and where alerts are posted (<c>PACER_ALERT_*</c>, read with the gateway's other
/// settings by <see cref="Hosting.GatewayConfiguration"/>).
/// </summary>
internal sealed record AlertOptions
{
    /// <summary>The default of <see cref="Window"/>: one minute.</summary>
    public static readonly TimeSpan DefaultWindow = TimeSpan.FromMinutes(1);

    /// <summary>The default of <see cref="QueueWait"/>: 30 seconds.</summary>
    public static readonly TimeSpan DefaultQueueWait = TimeSpan.FromSeconds(30);

    /// <summary>The default of <see cref="UpstreamRateLimited"/>.</summary>
    public const int DefaultUpstreamRateLimited = 5;

    /// <summary>The default of <see cref="Unreachable"/>.</summary>
    public const int DefaultUnreachable = 1;

    /// <summary>The default of <see cref="BudgetWarningPercent"/>.</summary>
    public const int DefaultBudgetWarningPercent = 80;

    /// <summary>Gets where alerts are POSTed as JSON (<c>PACER_ALERT_WEBHOOK_URL</c>); null posts nothing.</summary>
    public Uri? WebhookUrl { get; init; }

    /// <summary>Gets the window the traffic rules look back over (<c>PACER_ALERT_WINDOW</c>).</summary>
    public TimeSpan Window { get; init; } = DefaultWindow;

    /// <summary>Gets how many 429s from the upstream within <see cref="Window"/> fire an alert (<c>PACER_ALERT_UPSTREAM_429S</c>).</summary>
    public int UpstreamRateLimited { get; init; } = DefaultUpstreamRateLimited;

    /// <summary>Gets the queue wait above which an admission fires an alert (<c>PACER_ALERT_QUEUE_WAIT</c>).</summary>
    public TimeSpan QueueWait { get; init; } = DefaultQueueWait;

    /// <summary>
    /// Gets how many requests within <see cref="Window"/> that could not reach the upstream, with none reaching it since,
    /// fire an alert (<c>PACER_ALERT_UNREACHABLE</c>).
    /// </summary>
    public int Unreachable { get; init; } = DefaultUnreachable;

    /// <summary>Gets the share of a user's budget, in percent, that fires a warning (<c>PACER_ALERT_BUDGET_PERCENT</c>); 100% always fires.</summary>
    public int BudgetWarningPercent { get; init; } = DefaultBudgetWarningPercent;
}
