namespace Pacer.Usage;

/// <summary>Where per-user credit budgets are kept: the same store as the usage ledger.</summary>
public interface IBudgetStore
{
    /// <summary>Gets every budget, ordered by user.</summary>
    Task<IReadOnlyList<UserBudget>> ListBudgetsAsync(CancellationToken cancellationToken = default);

    /// <summary>Gets the budget of <paramref name="user"/>, or null when the user has none (unlimited).</summary>
    Task<UserBudget?> GetBudgetAsync(string user, CancellationToken cancellationToken = default);

    /// <summary>Creates or replaces a budget.</summary>
    Task SetBudgetAsync(UserBudget budget, CancellationToken cancellationToken = default);

    /// <summary>Removes the budget of <paramref name="user"/>; false when there was none.</summary>
    Task<bool> DeleteBudgetAsync(string user, CancellationToken cancellationToken = default);
}
