using System.Globalization;

namespace Pacer.Usage;

/// <summary>A user's credit budget: at most <see cref="Credits"/> credits per <see cref="Period"/>.</summary>
/// <param name="User">The user it applies to.</param>
/// <param name="Credits">The credits allowed per period (zero refuses every priced request).</param>
/// <param name="Period">The period after which the budget starts afresh.</param>
public sealed record UserBudget(string User, long Credits, BudgetPeriod Period)
{
    /// <summary>Gets the start of the period that contains <paramref name="moment"/> (UTC).</summary>
    public DateTimeOffset PeriodStart(DateTimeOffset moment)
    {
        var utc = moment.UtcDateTime;
        return Period == BudgetPeriod.Day
            ? new DateTimeOffset(utc.Year, utc.Month, utc.Day, 0, 0, 0, TimeSpan.Zero)
            : new DateTimeOffset(utc.Year, utc.Month, 1, 0, 0, 0, TimeSpan.Zero);
    }

    /// <summary>Gets the moment the period that contains <paramref name="moment"/> ends and the budget resets (UTC).</summary>
    public DateTimeOffset ResetsAt(DateTimeOffset moment)
    {
        var start = PeriodStart(moment);
        return Period == BudgetPeriod.Day ? start.AddDays(1) : start.AddMonths(1);
    }

    /// <summary>Gets the period as the admin API writes it: <c>day</c> or <c>month</c>.</summary>
    public string PeriodName => Period == BudgetPeriod.Day ? "day" : "month";

    internal string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"{Credits}-credit {(Period == BudgetPeriod.Day ? "daily" : "monthly")} budget");
}
