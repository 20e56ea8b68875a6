using System.Globalization;
using System.Text;

namespace Pacer.Usage;

/// <summary>The ledger's SQL, written once for SQLite and PostgreSQL alike (named <c>@</c> parameters, integer arithmetic).</summary>
internal static class UsageSql
{
    public const long PicosPerUsd = 1_000_000_000_000;
    public const long MillisecondsPerDay = 86_400_000;

    public static readonly string[] RecordColumns =
    [
        "started_ms", "user_id", "endpoint", "model", "request_id", "attempts", "status", "streamed", "input_tokens",
        "output_tokens", "cache_write_5m_tokens", "cache_write_1h_tokens", "cache_read_tokens", "cost_pico", "credits",
        "queue_us", "latency_us",
    ];

    public static readonly string Insert =
        $"INSERT INTO usage_records ({string.Join(", ", RecordColumns)}) VALUES ({string.Join(", ", RecordColumns.Select(c => "@" + c))})";

    public const string SelectVersion = "SELECT version FROM pacer_schema_versions WHERE component = @component";

    public const string UpsertVersion = """
        INSERT INTO pacer_schema_versions (component, version, applied_ms) VALUES (@component, @version, @applied_ms)
        ON CONFLICT (component) DO UPDATE SET version = excluded.version, applied_ms = excluded.applied_ms
        """;

    public const string UpsertBudget = """
        INSERT INTO usage_budgets (user_id, credits, period, updated_ms) VALUES (@user_id, @credits, @period, @updated_ms)
        ON CONFLICT (user_id) DO UPDATE SET credits = excluded.credits, period = excluded.period, updated_ms = excluded.updated_ms
        """;

    public const string SelectBudgets = "SELECT user_id, credits, period FROM usage_budgets";

    public const string DeleteBudget = "DELETE FROM usage_budgets WHERE user_id = @user_id";

    public static string Read(UsageQuery query) =>
        $"SELECT {string.Join(", ", RecordColumns)} FROM usage_records {Where(query)} ORDER BY started_ms, id LIMIT @limit";

    /// <summary>
    /// Totals per group. The cost is summed in two integer parts (whole micro-dollars and the picodollar rest) so
    /// that no sum overflows a 64-bit integer and the total stays exact.
    /// </summary>
    public static string Totals(UsageQuery query)
    {
        var keys = query.GroupBy.Select(Column).ToList();
        var sql = new StringBuilder("SELECT ");
        foreach (var key in keys)
        {
            sql.Append(key).Append(", ");
        }

        sql.Append("""
            COUNT(*),
            SUM(CASE WHEN status >= 200 AND status < 300 THEN 0 ELSE 1 END),
            SUM(CASE WHEN cost_pico IS NULL THEN 1 ELSE 0 END),
            SUM(input_tokens), SUM(output_tokens), SUM(cache_write_5m_tokens), SUM(cache_write_1h_tokens), SUM(cache_read_tokens),
            SUM(cost_pico / 1000000), SUM(cost_pico % 1000000), SUM(credits)
            FROM usage_records
            """).Append(' ').Append(Where(query));
        if (keys.Count > 0)
        {
            sql.Append(" GROUP BY ").Append(string.Join(", ", keys));
        }

        return sql.ToString();
    }

    private static string Where(UsageQuery query) =>
        "WHERE started_ms >= @from AND started_ms < @to" + (query.User is null ? string.Empty : " AND user_id = @user");

    private static string Column(UsageGroup group) => group switch
    {
        UsageGroup.User => "user_id",
        UsageGroup.Endpoint => "endpoint",
        UsageGroup.Model => "model",
        UsageGroup.Day => string.Create(CultureInfo.InvariantCulture, $"(started_ms / {MillisecondsPerDay})"),
        _ => throw new ArgumentOutOfRangeException(nameof(group), group, null),
    };
}
