using System.Globalization;

namespace Pacer.Usage;

/// <summary>
/// Thrown before a request is sent when it would pass its user's credit budget. The message says which budget
/// and when it resets; <see cref="BillingErrorBody"/> turns it into Anthropic's 402 <c>billing_error</c>.
/// </summary>
public sealed class BudgetExceededException : Exception
{
    /// <summary>Initializes a new instance.</summary>
    public BudgetExceededException(UserBudget budget, long spent, long reserved, long requested, DateTimeOffset resetsAt)
        : base(Describe(budget, spent, reserved, requested, resetsAt))
    {
        ArgumentNullException.ThrowIfNull(budget);
        Budget = budget;
        Spent = spent;
        Reserved = reserved;
        Requested = requested;
        ResetsAt = resetsAt;
    }

    /// <summary>Gets the budget that refused the request.</summary>
    public UserBudget Budget { get; }

    /// <summary>Gets the credits already spent in the current period.</summary>
    public long Spent { get; }

    /// <summary>Gets the credits held by the user's requests in flight.</summary>
    public long Reserved { get; }

    /// <summary>Gets the most credits the refused request could have cost.</summary>
    public long Requested { get; }

    /// <summary>Gets when the period ends and the budget starts afresh (UTC).</summary>
    public DateTimeOffset ResetsAt { get; }

    private static string Describe(UserBudget budget, long spent, long reserved, long requested, DateTimeOffset resetsAt)
    {
        ArgumentNullException.ThrowIfNull(budget);
        var inFlight = reserved > 0 ? $" and {reserved} are reserved by requests in flight" : string.Empty;
        return string.Create(CultureInfo.InvariantCulture,
            $"User '{budget.User}' has spent {spent} credits of its {budget.Describe()}{inFlight}; this request may cost up to {requested} credits. " +
            $"The budget resets at {UtcText.Iso(resetsAt)}.");
    }
}
