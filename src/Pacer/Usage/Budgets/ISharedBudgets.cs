namespace Pacer.Usage;

/// <summary>
/// One running total per user and budget period shared by several instances (Redis: <c>RedisLimiterStore.Budgets</c>):
/// the credits charged since the total was started plus what requests in flight hold, so that instances sharing one
/// usage ledger cannot together overspend a budget. A total starts from the spending the caller read from the ledger,
/// and lives a few minutes before it is started again from the ledger (a crashed instance's holds then go away).
/// </summary>
public interface ISharedBudgets
{
    /// <summary>
    /// Adds <paramref name="credits"/> to the total of <paramref name="user"/> for the period starting at
    /// <paramref name="periodStart"/> when it stays within <paramref name="limit"/> (starting the total at
    /// <paramref name="spent"/> when there is none); returns the total after, or null when the budget would be passed.
    /// </summary>
    ValueTask<long?> TryAddAsync(string user, DateTimeOffset periodStart, long credits, long limit, long spent, CancellationToken cancellationToken = default);

    /// <summary>Adds <paramref name="credits"/> (negative: returns a hold) to an existing total; a total that has gone is left to start again.</summary>
    ValueTask AddAsync(string user, DateTimeOffset periodStart, long credits, CancellationToken cancellationToken = default);
}
