namespace Pacer.Usage;

/// <summary>The answer to a <see cref="UsageQuery"/>: one row per group (ordered by the group keys) and the grand total.</summary>
public sealed record UsageReport
{
    /// <summary>Gets the query answered.</summary>
    public required UsageQuery Query { get; init; }

    /// <summary>Gets the rows, one per group; one row of totals when the query groups by nothing (none when nothing matched).</summary>
    public required IReadOnlyList<UsageTotals> Rows { get; init; }

    /// <summary>Gets the totals over every row.</summary>
    public required UsageTotals Total { get; init; }
}
