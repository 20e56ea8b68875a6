using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Pacer.Http;

namespace Pacer.Usage;

/// <summary>Reads the admin API's budget body <c>{"credits": 1000, "period": "day"}</c> (period <c>day</c> or <c>month</c>).</summary>
public static class BudgetRequest
{
    /// <summary>The most credits a budget may allow.</summary>
    public const long MaxCredits = 1_000_000_000_000;

    /// <summary>Reads a budget for <paramref name="user"/>; false with a message naming the bad field.</summary>
    public static bool TryParse(
        string user,
        ReadOnlySpan<byte> json,
        [NotNullWhen(true)] out UserBudget? budget,
        [NotNullWhen(false)] out string? error)
    {
        budget = null;
        if (string.IsNullOrWhiteSpace(user) || user.Length > UsageQuery.MaxUserLength || user.Any(char.IsControl))
        {
            error = $"user must be 1 to {UsageQuery.MaxUserLength} characters without control characters.";
            return false;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.ToArray());
        }
        catch (JsonException e)
        {
            error = $"The body is not valid JSON: {e.Message}";
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "The body must be a JSON object: {\"credits\": 1000, \"period\": \"day\"}.";
                return false;
            }

            if (JsonText.Undecodable(json, root) is { } undecodable)
            {
                error = $"The body {undecodable}.";
                return false;
            }

            if (!root.TryGetProperty("credits", out var credits) || credits.ValueKind != JsonValueKind.Number
                || !credits.TryGetInt64(out var amount) || amount is < 0 or > MaxCredits)
            {
                error = $"credits must be a whole number from 0 to {MaxCredits}.";
                return false;
            }

            var period = root.TryGetProperty("period", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            BudgetPeriod? parsed = period?.ToLowerInvariant() switch
            {
                "day" or "daily" => BudgetPeriod.Day,
                "month" or "monthly" => BudgetPeriod.Month,
                _ => null,
            };
            if (parsed is null)
            {
                error = "period must be \"day\" or \"month\" (UTC).";
                return false;
            }

            budget = new UserBudget(user.Trim(), amount, parsed.Value);
            error = null;
            return true;
        }
    }
}
