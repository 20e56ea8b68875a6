using Pacer.Usage;

namespace Pacer.Gateway.Alerts;

/// <summary>What the alert rules read at one moment: running totals since the gateway started, and the latest budgets.</summary>
/// <param name="Time">When the reading was taken.</param>
/// <param name="UpstreamRateLimited">429s received from the upstream since start (<c>Limiter.Totals</c>).</param>
/// <param name="Unreachable">Requests that ended because the upstream could not be reached, since start.</param>
/// <param name="Answered">Requests the upstream answered (any status), since start.</param>
/// <param name="LongestQueueWait">The longest queue wait of a request that ended since the previous reading.</param>
/// <param name="Budgets">Every budget and where its user stands, or null when not read this time (the last one holds).</param>
/// <param name="SharedStoreDegraded">True while the shared limiter store (Redis) cannot be reached; false without one.</param>
internal sealed record AlertReading(
    DateTimeOffset Time,
    long UpstreamRateLimited,
    long Unreachable,
    long Answered,
    TimeSpan LongestQueueWait,
    IReadOnlyList<BudgetStatus>? Budgets = null,
    bool SharedStoreDegraded = false);
