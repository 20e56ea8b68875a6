namespace Pacer.Gateway.Alerts;

/// <summary>The names and severities of <see cref="AlertRule"/>s, as the dashboard, the log and the webhook show them.</summary>
internal static class AlertRuleNames
{
    public static string Name(AlertRule rule) => rule switch
    {
        AlertRule.UpstreamRateLimited => "upstream_429s",
        AlertRule.QueueWait => "queue_wait",
        AlertRule.UpstreamUnreachable => "upstream_unreachable",
        AlertRule.BudgetWarning => "budget_warning",
        AlertRule.BudgetExhausted => "budget_exhausted",
        AlertRule.SharedStoreDegraded => "shared_store_degraded",
        _ => throw new ArgumentOutOfRangeException(nameof(rule)),
    };

    public static string Severity(AlertRule rule) =>
        rule is AlertRule.UpstreamUnreachable or AlertRule.BudgetExhausted or AlertRule.SharedStoreDegraded ? "critical" : "warning";
}
