namespace Pacer.Limiting;

/// <summary>What one response said about one upstream budget (<c>anthropic-ratelimit-*-limit</c>, <c>-remaining</c>, <c>-reset</c>).</summary>
/// <param name="Limit">The budget per minute; 0 when the response did not say.</param>
/// <param name="Remaining">What remains now, as the server counts it.</param>
/// <param name="ResetIn">How long until the budget is full again, when the response said.</param>
public readonly record struct BudgetObservation(long Limit, long Remaining, TimeSpan? ResetIn)
{
    /// <summary>Gets a value indicating whether the response carried this budget.</summary>
    public bool IsKnown => Limit > 0;
}
