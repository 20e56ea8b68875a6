using System.Data.Common;
using System.Globalization;

namespace Pacer.Usage;

/// <summary>Converts between <see cref="UsageRecord"/> and rows, the same way for every store.</summary>
internal static class UsageRows
{
    private const long TicksPerMicrosecond = TimeSpan.TicksPerMicrosecond;

    public static (string Name, object? Value)[] Values(UsageRecord r) =>
    [
        ("started_ms", r.Time.ToUnixTimeMilliseconds()),
        ("user_id", r.User),
        ("endpoint", r.Endpoint),
        ("model", r.Model),
        ("request_id", r.RequestId),
        ("attempts", r.Attempts),
        ("status", r.StatusCode),
        ("streamed", r.Streamed ? 1 : 0),
        ("input_tokens", (long)r.InputTokens),
        ("output_tokens", (long)r.OutputTokens),
        ("cache_write_5m_tokens", (long)r.CacheWrite5mTokens),
        ("cache_write_1h_tokens", (long)r.CacheWrite1hTokens),
        ("cache_read_tokens", (long)r.CacheReadTokens),
        ("cost_pico", r.CostUsd is { } cost ? ToPicos(cost) : null),
        ("credits", r.Credits),
        ("queue_us", r.QueueTime.Ticks / TicksPerMicrosecond),
        ("latency_us", r.Latency.Ticks / TicksPerMicrosecond),
    ];

    public static long ToPicos(decimal usd) => (long)decimal.Round(usd * UsageSql.PicosPerUsd, MidpointRounding.AwayFromZero);

    public static decimal FromPicos(long picos) => Trim((decimal)picos / UsageSql.PicosPerUsd);

    /// <summary>Drops trailing zeros (0.016500000000 becomes 0.0165) so that JSON and CSV show the exact cost plainly.</summary>
    public static decimal Trim(decimal value) => value / 1.000000000000000000000000000m;

    public static UsageRecord ReadRecord(DbDataReader reader) => new()
    {
        Time = DateTimeOffset.FromUnixTimeMilliseconds(Long(reader, 0)),
        User = reader.GetString(1),
        Endpoint = reader.GetString(2),
        Model = reader.GetString(3),
        RequestId = reader.IsDBNull(4) ? null : reader.GetString(4),
        Attempts = (int)Long(reader, 5),
        StatusCode = (int)Long(reader, 6),
        Streamed = Long(reader, 7) != 0,
        InputTokens = (int)Long(reader, 8),
        OutputTokens = (int)Long(reader, 9),
        CacheWrite5mTokens = (int)Long(reader, 10),
        CacheWrite1hTokens = (int)Long(reader, 11),
        CacheReadTokens = (int)Long(reader, 12),
        CostUsd = reader.IsDBNull(13) ? null : FromPicos(Long(reader, 13)),
        Credits = reader.IsDBNull(14) ? null : Long(reader, 14),
        QueueTime = TimeSpan.FromTicks(Long(reader, 15) * TicksPerMicrosecond),
        Latency = TimeSpan.FromTicks(Long(reader, 16) * TicksPerMicrosecond),
    };

    public static UsageTotals ReadTotals(DbDataReader reader, IReadOnlyList<UsageGroup> groups)
    {
        var totals = new UsageTotals();
        for (var i = 0; i < groups.Count; i++)
        {
            totals = groups[i] switch
            {
                UsageGroup.User => totals with { User = reader.GetString(i) },
                UsageGroup.Endpoint => totals with { Endpoint = reader.GetString(i) },
                UsageGroup.Model => totals with { Model = reader.GetString(i) },
                _ => totals with { Day = DateOnly.FromDateTime(DateTimeOffset.FromUnixTimeMilliseconds(Long(reader, i) * UsageSql.MillisecondsPerDay).UtcDateTime) },
            };
        }

        var n = groups.Count;
        return totals with
        {
            Requests = Long(reader, n),
            FailedRequests = Long(reader, n + 1),
            UnpricedRequests = Long(reader, n + 2),
            InputTokens = Long(reader, n + 3),
            OutputTokens = Long(reader, n + 4),
            CacheWrite5mTokens = Long(reader, n + 5),
            CacheWrite1hTokens = Long(reader, n + 6),
            CacheReadTokens = Long(reader, n + 7),
            CostUsd = Trim(((Decimal(reader, n + 8) * 1_000_000m) + Decimal(reader, n + 9)) / UsageSql.PicosPerUsd),
            Credits = Long(reader, n + 10),
        };
    }

    public static UsageReport Report(UsageQuery query, List<UsageTotals> rows)
    {
        // An aggregate without GROUP BY yields one row even when nothing matched.
        if (query.GroupBy.Count == 0 && rows.Count == 1 && rows[0].Requests == 0)
        {
            rows.Clear();
        }

        rows.Sort((a, b) => Compare(a, b, query.GroupBy));
        var total = rows.Aggregate(new UsageTotals(), (sum, row) => sum.Add(row));
        return new UsageReport { Query = query, Rows = rows, Total = total };
    }

    public static UserBudget ReadBudget(DbDataReader reader) => new(
        reader.GetString(0),
        Long(reader, 1),
        string.Equals(reader.GetString(2), "month", StringComparison.Ordinal) ? BudgetPeriod.Month : BudgetPeriod.Day);

    private static int Compare(UsageTotals a, UsageTotals b, IReadOnlyList<UsageGroup> groups)
    {
        foreach (var group in groups)
        {
            var order = group switch
            {
                UsageGroup.User => string.CompareOrdinal(a.User, b.User),
                UsageGroup.Endpoint => string.CompareOrdinal(a.Endpoint, b.Endpoint),
                UsageGroup.Model => string.CompareOrdinal(a.Model, b.Model),
                _ => Nullable.Compare(a.Day, b.Day),
            };
            if (order != 0)
            {
                return order;
            }
        }

        return 0;
    }

    private static long Long(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? 0 : Convert.ToInt64(reader.GetValue(ordinal), CultureInfo.InvariantCulture);

    private static decimal Decimal(DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? 0 : Convert.ToDecimal(reader.GetValue(ordinal), CultureInfo.InvariantCulture);
}
