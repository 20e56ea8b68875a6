namespace Pacer.Gateway.Alerts;

/// <summary>The conditions Pacer alerts on; <see cref="AlertRuleNames"/> gives each its name on the wire.</summary>
internal enum AlertRule
{
    /// <summary>At least <see cref="AlertOptions.UpstreamRateLimited"/> 429s from the upstream within the window.</summary>
    UpstreamRateLimited,

    /// <summary>An admission waited longer than <see cref="AlertOptions.QueueWait"/> within the window.</summary>
    QueueWait,

    /// <summary>Requests could not reach the upstream and none has reached it since.</summary>
    UpstreamUnreachable,

    /// <summary>A user has spent <see cref="AlertOptions.BudgetWarningPercent"/> of its budget.</summary>
    BudgetWarning,

    /// <summary>A user has spent all of its budget.</summary>
    BudgetExhausted,

    /// <summary>The shared limiter store (Redis) cannot be reached: its failure policy is in force.</summary>
    SharedStoreDegraded,
}
