using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Pacer.Usage;

/// <summary>
/// A usage ledger and budget store on an ADO.NET database. The SQL is shared by every store (SQLite, PostgreSQL);
/// a store supplies its connections and its identity column, and may write batches its own faster way.
/// </summary>
public abstract class SqlUsageLedger : IUsageLedger, IBudgetStore, IDisposable
{
    private UsageWriter? _writer;

    /// <summary>Initializes the shared parts; call <see cref="InitializeAsync"/> before use.</summary>
    protected SqlUsageLedger(UsageLedgerOptions? options, ILogger? logger)
    {
        Options = options ?? new UsageLedgerOptions();
        Options.Validate();
        Logger = logger ?? NullLogger.Instance;
    }

    /// <inheritdoc />
    public abstract string Store { get; }

    /// <inheritdoc />
    public UsageLedgerStatistics Statistics => Writer.Statistics;

    /// <summary>Gets the buffering options.</summary>
    protected UsageLedgerOptions Options { get; }

    /// <summary>Gets the logger.</summary>
    protected ILogger Logger { get; }

    /// <summary>Gets the column definition of the <c>id</c> column, an auto-incrementing primary key.</summary>
    protected abstract string IdentityColumn { get; }

    private UsageWriter Writer => _writer ?? throw new InvalidOperationException("The usage ledger is not initialized.");

    /// <inheritdoc />
    public void Append(UsageRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Writer.Append(record);
    }

    /// <inheritdoc />
    public ValueTask<bool> AppendAsync(UsageRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return Writer.AppendAsync(record, cancellationToken);
    }

    /// <inheritdoc />
    public Task FlushAsync(CancellationToken cancellationToken = default) => Writer.FlushAsync(cancellationToken);

    /// <inheritdoc />
    public async Task<UsageReport> QueryAsync(UsageQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = Command(connection, UsageSql.Totals(query), null, QueryParameters(query));
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var rows = new List<UsageTotals>();
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        rows.Add(UsageRows.ReadTotals(reader, query.GroupBy));
                    }

                    return UsageRows.Report(query, rows);
                }
            }
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<UsageRecord>> ReadAsync(UsageQuery query, int limit = 1000, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 0);
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = Command(connection, UsageSql.Read(query), null, [.. QueryParameters(query), ("limit", (long)limit)]);
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var records = new List<UsageRecord>();
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        records.Add(UsageRows.ReadRecord(reader));
                    }

                    return records;
                }
            }
        }
    }

    /// <inheritdoc />
    public async Task<IReadOnlyList<UserBudget>> ListBudgetsAsync(CancellationToken cancellationToken = default) =>
        await ReadBudgetsAsync(UsageSql.SelectBudgets, [], cancellationToken).ConfigureAwait(false);

    /// <inheritdoc />
    public async Task<UserBudget?> GetBudgetAsync(string user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        var found = await ReadBudgetsAsync($"{UsageSql.SelectBudgets} WHERE user_id = @user_id", [("user_id", user)], cancellationToken).ConfigureAwait(false);
        return found.Count == 0 ? null : found[0];
    }

    /// <inheritdoc />
    public Task SetBudgetAsync(UserBudget budget, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(budget);
        ArgumentOutOfRangeException.ThrowIfNegative(budget.Credits);
        return ExecuteAsync(UsageSql.UpsertBudget, cancellationToken,
            ("user_id", budget.User), ("credits", budget.Credits), ("period", budget.PeriodName),
            ("updated_ms", Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds()));
    }

    /// <inheritdoc />
    public async Task<bool> DeleteBudgetAsync(string user, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(user);
        return await ExecuteAsync(UsageSql.DeleteBudget, cancellationToken, ("user_id", user)).ConfigureAwait(false) > 0;
    }

    /// <summary>Writes what is buffered (waiting up to <see cref="UsageLedgerOptions.CloseTimeout"/>), then closes the store.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync().ConfigureAwait(false);
        }

        await DisposeStoreAsync().ConfigureAwait(false);
        GC.SuppressFinalize(this);
    }

    /// <summary>Writes what is buffered and closes the store, blocking; prefer <see cref="DisposeAsync"/>.</summary>
    public void Dispose()
    {
        DisposeAsync().AsTask().GetAwaiter().GetResult();
        GC.SuppressFinalize(this);
    }

    /// <summary>Gets the columns of <c>usage_records</c> that <see cref="RecordValues"/> fills, in its order (for a bulk copy).</summary>
    protected static IReadOnlyList<string> RecordColumns => UsageSql.RecordColumns;

    /// <summary>Gets the values of <paramref name="record"/>'s row, in the order of <see cref="RecordColumns"/> (null, long, int or string).</summary>
    /// <param name="record">The record.</param>
    /// <returns>The row's values.</returns>
    protected static IEnumerable<object?> RecordValues(UsageRecord record) => UsageRows.Values(record).Select(v => v.Value);

    /// <summary>Opens a connection ready for use (pragmas and session settings applied).</summary>
    protected abstract ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken);

    /// <summary>Serializes schema migration between processes, inside the migration transaction; no-op by default.</summary>
    protected virtual Task LockSchemaAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken) =>
        Task.CompletedTask;

    /// <summary>Releases the store's resources after the buffer is written; nothing by default.</summary>
    protected virtual ValueTask DisposeStoreAsync() => ValueTask.CompletedTask;

    /// <summary>Commits a batch of records in one transaction (a prepared insert per record by default).</summary>
    protected virtual async Task WriteBatchAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                var command = Command(connection, UsageSql.Insert, transaction, UsageRows.Values(records[0]));
                await using (command.ConfigureAwait(false))
                {
                    await command.PrepareAsync(cancellationToken).ConfigureAwait(false);
                    foreach (var record in records)
                    {
                        var values = UsageRows.Values(record);
                        for (var i = 0; i < values.Length; i++)
                        {
                            command.Parameters[i].Value = values[i].Value ?? DBNull.Value;
                        }

                        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
                    }
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Creates or migrates the schema, then starts the background writer. Call once, before anything else.</summary>
    protected async Task InitializeAsync(CancellationToken cancellationToken)
    {
        var version = await MigrateAsync(cancellationToken).ConfigureAwait(false);
        _writer = new UsageWriter(WriteBatchAsync, Options, Logger);
        UsageLog.LedgerOpened(Logger, Store, version);
    }

    /// <summary>Creates a command with named parameters.</summary>
    protected static DbCommand Command(DbConnection connection, string sql, DbTransaction? transaction, params (string Name, object? Value)[] parameters)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(parameters);
        var command = connection.CreateCommand();
#pragma warning disable CA2100 // The SQL is Pacer's own text; every value is a parameter.
        command.CommandText = sql;
#pragma warning restore CA2100
        command.Transaction = transaction;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = "@" + name;
            parameter.Value = value ?? DBNull.Value;
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private static (string, object?)[] QueryParameters(UsageQuery query) =>
        query.User is null
            ? [("from", query.FromMilliseconds), ("to", query.ToMilliseconds)]
            : [("from", query.FromMilliseconds), ("to", query.ToMilliseconds), ("user", query.User)];

    private async Task<int> MigrateAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
            await using (transaction.ConfigureAwait(false))
            {
                await LockSchemaAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                await ExecuteAsync(connection, transaction, UsageSchema.VersionTable, cancellationToken).ConfigureAwait(false);
                var current = await CurrentVersionAsync(connection, transaction, cancellationToken).ConfigureAwait(false);
                if (current > UsageSchema.LatestVersion)
                {
                    throw new InvalidOperationException(
                        $"The usage store {Store} has schema version {current}, newer than this Pacer knows ({UsageSchema.LatestVersion}). Upgrade Pacer.");
                }

                foreach (var (version, statements) in UsageSchema.Migrations(IdentityColumn).Where(m => m.Version > current))
                {
                    foreach (var statement in statements)
                    {
                        await ExecuteAsync(connection, transaction, statement, cancellationToken).ConfigureAwait(false);
                    }

                    await ExecuteAsync(connection, transaction, UsageSql.UpsertVersion, cancellationToken,
                        ("component", UsageSchema.Component), ("version", (long)version),
                        ("applied_ms", Options.TimeProvider.GetUtcNow().ToUnixTimeMilliseconds())).ConfigureAwait(false);
                }

                await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
                return UsageSchema.LatestVersion;
            }
        }
    }

    private static async Task<int> CurrentVersionAsync(DbConnection connection, DbTransaction transaction, CancellationToken cancellationToken)
    {
        var command = Command(connection, UsageSql.SelectVersion, transaction, ("component", UsageSchema.Component));
        await using (command.ConfigureAwait(false))
        {
            var value = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
            return value is null or DBNull ? 0 : Convert.ToInt32(value, System.Globalization.CultureInfo.InvariantCulture);
        }
    }

    private async Task<int> ExecuteAsync(string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            return await ExecuteAsync(connection, null, sql, cancellationToken, parameters).ConfigureAwait(false);
        }
    }

    private static async Task<int> ExecuteAsync(
        DbConnection connection, DbTransaction? transaction, string sql, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var command = Command(connection, sql, transaction, parameters);
        await using (command.ConfigureAwait(false))
        {
            return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<UserBudget>> ReadBudgetsAsync(string sql, (string, object?)[] parameters, CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            var command = Command(connection, sql, null, parameters);
            await using (command.ConfigureAwait(false))
            {
                var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
                await using (reader.ConfigureAwait(false))
                {
                    var budgets = new List<UserBudget>();
                    while (await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
                    {
                        budgets.Add(UsageRows.ReadBudget(reader));
                    }

                    budgets.Sort((a, b) => string.CompareOrdinal(a.User, b.User));
                    return budgets;
                }
            }
        }
    }
}
