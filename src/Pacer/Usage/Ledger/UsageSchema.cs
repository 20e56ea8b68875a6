namespace Pacer.Usage;

/// <summary>
/// The ledger's tables, the same on SQLite and PostgreSQL except for the identity column. Times are Unix
/// milliseconds (UTC), costs integer picodollars (exact for prices with up to five decimals, batch discount
/// included), durations microseconds. Versions only grow; each step runs once, recorded in <c>pacer_schema_versions</c>.
/// </summary>
internal static class UsageSchema
{
    public const string Component = "usage";

    public const string VersionTable = """
        CREATE TABLE IF NOT EXISTS pacer_schema_versions (
            component TEXT NOT NULL PRIMARY KEY,
            version INTEGER NOT NULL,
            applied_ms BIGINT NOT NULL)
        """;

    /// <summary>Gets the steps: version 1 creates the records and budgets tables.</summary>
    public static IReadOnlyList<(int Version, string[] Statements)> Migrations(string identityColumn) =>
    [
        (1,
        [
            $"""
            CREATE TABLE usage_records (
                id {identityColumn},
                started_ms BIGINT NOT NULL,
                user_id TEXT NOT NULL,
                endpoint TEXT NOT NULL,
                model TEXT NOT NULL,
                request_id TEXT NULL,
                attempts INTEGER NOT NULL,
                status INTEGER NOT NULL,
                streamed INTEGER NOT NULL,
                input_tokens BIGINT NOT NULL,
                output_tokens BIGINT NOT NULL,
                cache_write_5m_tokens BIGINT NOT NULL,
                cache_write_1h_tokens BIGINT NOT NULL,
                cache_read_tokens BIGINT NOT NULL,
                cost_pico BIGINT NULL,
                credits BIGINT NULL,
                queue_us BIGINT NOT NULL,
                latency_us BIGINT NOT NULL)
            """,
            "CREATE INDEX usage_records_started ON usage_records (started_ms)",
            "CREATE INDEX usage_records_user_started ON usage_records (user_id, started_ms)",
            """
            CREATE TABLE usage_budgets (
                user_id TEXT NOT NULL PRIMARY KEY,
                credits BIGINT NOT NULL,
                period TEXT NOT NULL,
                updated_ms BIGINT NOT NULL)
            """,
        ]),
    ];

    public static int LatestVersion => Migrations("x")[^1].Version;
}
