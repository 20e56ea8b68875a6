namespace Pacer.Usage;

/// <summary>How often a credit budget starts afresh (at midnight UTC, or on the first of the month UTC).</summary>
public enum BudgetPeriod
{
    /// <summary>A UTC day.</summary>
    Day,

    /// <summary>A UTC calendar month.</summary>
    Month,
}
