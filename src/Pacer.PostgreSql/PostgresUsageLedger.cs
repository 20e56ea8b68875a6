using System.Data.Common;
using Microsoft.Extensions.Logging;
using Npgsql;
using NpgsqlTypes;
using Pacer.Usage;

namespace Pacer.PostgreSql;

/// <summary>
/// The usage ledger and budget store on PostgreSQL, for deployments that outgrow one machine: the same contract
/// and tables as <see cref="SqliteUsageLedger"/>; batches are written with binary <c>COPY</c> (one atomic
/// statement per batch); schema migration is serialized between instances by an advisory lock.
/// </summary>
public sealed class PostgresUsageLedger : SqlUsageLedger
{
    // Any fixed number: instances migrating the same database at once take turns on it.
    private const long SchemaLockKey = 0x5061_6365_7255;
    private readonly NpgsqlDataSource _dataSource;

    private PostgresUsageLedger(NpgsqlDataSource dataSource, string store, UsageLedgerOptions? options, ILogger? logger)
        : base(options, logger)
    {
        _dataSource = dataSource;
        Store = store;
    }

    /// <inheritdoc />
    public override string Store { get; }

    /// <inheritdoc />
    protected override string IdentityColumn => "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";

    /// <summary>
    /// Opens the ledger on the database of <paramref name="connectionString"/> (Npgsql keywords, for example
    /// <c>Host=db;Database=pacer;Username=pacer;Password=...</c>). Creates or migrates the schema before returning.
    /// </summary>
    public static async Task<PostgresUsageLedger> OpenAsync(
        string connectionString,
        UsageLedgerOptions? options = null,
        ILogger? logger = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var store = $"postgresql:{builder.Host}:{builder.Port}/{builder.Database ?? builder.Username}";
        var ledger = new PostgresUsageLedger(NpgsqlDataSource.Create(builder), store, options, logger);
        try
        {
            await ledger.InitializeAsync(cancellationToken).ConfigureAwait(false);
            return ledger;
        }
        catch
        {
            await ledger.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <inheritdoc />
    protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken) =>
        await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    protected override async Task LockSchemaAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var command = Command(connection, "SELECT pg_advisory_xact_lock(@key)", transaction, ("key", SchemaLockKey));
        await using (command.ConfigureAwait(false))
        {
            await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    protected override async Task WriteBatchAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var importer = await connection.BeginBinaryImportAsync(
                $"COPY usage_records ({string.Join(", ", RecordColumns)}) FROM STDIN (FORMAT BINARY)", cancellationToken).ConfigureAwait(false);
            await using (importer.ConfigureAwait(false))
            {
                foreach (var record in records)
                {
                    await importer.StartRowAsync(cancellationToken).ConfigureAwait(false);
                    foreach (var value in RecordValues(record))
                    {
                        await WriteAsync(importer, value, cancellationToken).ConfigureAwait(false);
                    }
                }

                await importer.CompleteAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <inheritdoc />
    protected override ValueTask DisposeStoreAsync() => _dataSource.DisposeAsync();

    private static Task WriteAsync(NpgsqlBinaryImporter importer, object? value, CancellationToken cancellationToken) => value switch
    {
        null => importer.WriteNullAsync(cancellationToken),
        long number => importer.WriteAsync(number, NpgsqlDbType.Bigint, cancellationToken),
        int number => importer.WriteAsync(number, NpgsqlDbType.Integer, cancellationToken),
        string text => importer.WriteAsync(text, NpgsqlDbType.Text, cancellationToken),
        _ => throw new InvalidOperationException($"No COPY mapping for {value.GetType()}."),
    };
}
