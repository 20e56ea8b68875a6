using System.Text.Json;

namespace Pacer.Usage;

/// <summary>Where a user stands against its budget right now, as the admin API shows it.</summary>
public sealed record BudgetStatus
{
    /// <summary>Gets the budget.</summary>
    public required UserBudget Budget { get; init; }

    /// <summary>Gets the credits spent in the current period.</summary>
    public required long Spent { get; init; }

    /// <summary>Gets the credits held by requests in flight.</summary>
    public required long Reserved { get; init; }

    /// <summary>Gets when the current period started (UTC).</summary>
    public required DateTimeOffset PeriodStart { get; init; }

    /// <summary>Gets when the budget resets (UTC).</summary>
    public required DateTimeOffset ResetsAt { get; init; }

    /// <summary>Gets the credits left (never negative).</summary>
    public long Remaining => Math.Max(0, Budget.Credits - Spent - Reserved);

    /// <summary>
    /// Writes <c>{"user":..,"credits":..,"period":"day|month","spent":..,"reserved":..,"remaining":..,"periodStart":..,"resetsAt":..}</c>.
    /// </summary>
    public void Write(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStartObject();
        writer.WriteString("user", Budget.User);
        writer.WriteNumber("credits", Budget.Credits);
        writer.WriteString("period", Budget.PeriodName);
        writer.WriteNumber("spent", Spent);
        writer.WriteNumber("reserved", Reserved);
        writer.WriteNumber("remaining", Remaining);
        writer.WriteString("periodStart", UtcText.Iso(PeriodStart));
        writer.WriteString("resetsAt", UtcText.Iso(ResetsAt));
        writer.WriteEndObject();
    }
}
