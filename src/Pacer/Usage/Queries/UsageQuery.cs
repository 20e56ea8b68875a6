using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Pacer.Usage;

/// <summary>
/// Which usage to total: requests started in [<see cref="From"/>, <see cref="To"/>), optionally of one user,
/// grouped by any of user, endpoint, model and UTC day (in the order given).
/// </summary>
public sealed record UsageQuery
{
    /// <summary>The longest user name accepted in a query.</summary>
    public const int MaxUserLength = 256;

    /// <summary>Gets the first moment included (UTC), or null for the beginning.</summary>
    public DateTimeOffset? From { get; init; }

    /// <summary>Gets the first moment excluded (UTC), or null for no end.</summary>
    public DateTimeOffset? To { get; init; }

    /// <summary>Gets the only user included, or null for all users.</summary>
    public string? User { get; init; }

    /// <summary>Gets the grouping dimensions in order; empty gives one row of totals.</summary>
    public IReadOnlyList<UsageGroup> GroupBy { get; init; } = [];

    /// <summary>
    /// Reads a query from the text of the admin API's parameters; false with a message naming the bad parameter.
    /// <paramref name="from"/> and <paramref name="to"/> take a date (<c>2025-01-31</c>, UTC; as <c>to</c> it
    /// includes the whole day) or a date-time with <c>Z</c> or an offset (<c>2025-01-31T12:00:00Z</c>);
    /// <paramref name="groupBy"/> takes a comma-separated list of <c>user</c>, <c>endpoint</c>, <c>model</c>, <c>day</c>.
    /// </summary>
    public static bool TryParse(
        string? from,
        string? to,
        string? user,
        string? groupBy,
        [NotNullWhen(true)] out UsageQuery? query,
        [NotNullWhen(false)] out string? error)
    {
        query = null;
        if (!TryParseMoment("from", from, endOfDay: false, out var start, out error)
            || !TryParseMoment("to", to, endOfDay: true, out var end, out error))
        {
            return false;
        }

        if (start is { } s && end is { } e && s >= e)
        {
            error = $"from ({UtcText.Iso(s)}) must be before to ({UtcText.Iso(e)}).";
            return false;
        }

        user = string.IsNullOrWhiteSpace(user) ? null : user.Trim();
        if (user is not null && (user.Length > MaxUserLength || user.Any(char.IsControl)))
        {
            error = $"user must be at most {MaxUserLength} characters without control characters.";
            return false;
        }

        var groups = new List<UsageGroup>();
        foreach (var name in (groupBy ?? string.Empty).Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!Enum.TryParse<UsageGroup>(name, ignoreCase: true, out var group) || !Enum.IsDefined(group) || char.IsDigit(name[0]))
            {
                error = $"groupBy \"{name}\" is not one of: user, endpoint, model, day.";
                return false;
            }

            if (!groups.Contains(group))
            {
                groups.Add(group);
            }
        }

        query = new UsageQuery { From = start, To = end, User = user, GroupBy = groups };
        error = null;
        return true;
    }

    internal long FromMilliseconds => From?.ToUnixTimeMilliseconds() ?? long.MinValue;

    internal long ToMilliseconds => To?.ToUnixTimeMilliseconds() ?? long.MaxValue;

    private static bool TryParseMoment(string name, string? text, bool endOfDay, out DateTimeOffset? moment, [NotNullWhen(false)] out string? error)
    {
        moment = null;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
        {
            return true;
        }

        text = text.Trim();
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            var midnight = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            moment = endOfDay ? midnight.AddDays(1) : midnight;
            return true;
        }

        var hasZone = text.EndsWith('Z') || text.EndsWith('z')
            || (text.Length > 6 && text[^3] == ':' && (text[^6] == '+' || text[^6] == '-'));
        if (hasZone && text.Contains('T', StringComparison.OrdinalIgnoreCase)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            moment = parsed;
            return true;
        }

        error = $"{name} \"{text}\" is not a date (2025-01-31) or a date-time with a zone (2025-01-31T12:00:00Z).";
        return false;
    }
}
