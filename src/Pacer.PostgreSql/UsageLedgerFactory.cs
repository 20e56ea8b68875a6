using System.Data.Common;
using Microsoft.Extensions.Logging;
using Pacer.Usage;

namespace Pacer.PostgreSql;

/// <summary>
/// Opens the usage ledger a connection string names: PostgreSQL for <c>Host=</c>/<c>Server=</c> keywords or a
/// <c>postgres://</c> URI; SQLite for <c>Data Source=</c>/<c>Filename=</c> or a plain file path.
/// </summary>
public static class UsageLedgerFactory
{
    /// <summary>Opens the ledger (creating or migrating its schema) on the store <paramref name="connectionStringOrPath"/> names.</summary>
    public static async Task<SqlUsageLedger> CreateAsync(
        string connectionStringOrPath,
        UsageLedgerOptions? options = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        var (kind, normalized) = Classify(connectionStringOrPath);
        return kind == UsageStoreKind.PostgreSql
            ? await PostgresUsageLedger.OpenAsync(normalized, options, logger, cancellationToken).ConfigureAwait(false)
            : await SqliteUsageLedger.OpenAsync(normalized, options, logger, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Opens the ledger synchronously, for startup code that cannot await.</summary>
    public static SqlUsageLedger Create(string connectionStringOrPath, UsageLedgerOptions? options = null, ILogger? logger = null) =>
        CreateAsync(connectionStringOrPath, options, logger).GetAwaiter().GetResult();

    /// <summary>Tells which store a connection string names; throws <see cref="ArgumentException"/> when it names neither.</summary>
    public static UsageStoreKind Detect(string connectionStringOrPath) => Classify(connectionStringOrPath).Kind;

    private static (UsageStoreKind Kind, string ConnectionString) Classify(string value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(value);
        value = value.Trim();
        if (value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
        {
            return (UsageStoreKind.PostgreSql, PostgresUri.ToConnectionString(value));
        }

        if (!value.Contains('=', StringComparison.Ordinal))
        {
            return (UsageStoreKind.Sqlite, value);
        }

        var keys = new DbConnectionStringBuilder();
        try
        {
            keys.ConnectionString = value;
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"The usage store connection string is malformed: {e.Message}", nameof(value), e);
        }

        if (keys.ContainsKey("Host") || keys.ContainsKey("Server"))
        {
            return (UsageStoreKind.PostgreSql, value);
        }

        if (keys.ContainsKey("Data Source") || keys.ContainsKey("DataSource") || keys.ContainsKey("Filename"))
        {
            return (UsageStoreKind.Sqlite, value);
        }

        throw new ArgumentException(
            "The usage store connection string names neither PostgreSQL (Host=...) nor SQLite (Data Source=...).", nameof(value));
    }
}
