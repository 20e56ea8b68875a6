using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using SQLitePCL;

namespace Pacer.Usage;

/// <summary>
/// The embedded usage ledger: one SQLite file in WAL mode (readers never block the writer), written in batches
/// by a background writer with <c>synchronous=NORMAL</c>: a committed batch survives a process crash; a power cut
/// may lose the last batches (<see cref="SqliteLedgerOptions.Synchronous"/> = FULL closes that gap).
/// </summary>
public sealed class SqliteUsageLedger : SqlUsageLedger
{
    private readonly string _connectionString;
    private readonly string _synchronous;

    // The writer's own connection and prepared insert, kept open across batches; used only by the ledger's writer thread.
    private SqliteConnection? _writer;
    private sqlite3_stmt? _insert;

    private SqliteUsageLedger(string connectionString, string path, string synchronous, UsageLedgerOptions? options, ILogger? logger)
        : base(options, logger)
    {
        _connectionString = connectionString;
        _synchronous = synchronous;
        Path = path;
    }

    /// <summary>Gets the database file.</summary>
    public string Path { get; }

    /// <inheritdoc />
    public override string Store => $"sqlite:{Path}";

    /// <inheritdoc />
    protected override string IdentityColumn => "INTEGER PRIMARY KEY";

    /// <summary>
    /// Opens (creating when missing) the ledger in <paramref name="pathOrConnectionString"/>: a file path, or a
    /// connection string with <c>Data Source=</c>. Creates or migrates the schema before returning.
    /// </summary>
    public static async Task<SqliteUsageLedger> OpenAsync(
        string pathOrConnectionString,
        UsageLedgerOptions? options = null,
        ILogger? logger = null,
        SqliteLedgerOptions? sqlite = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(pathOrConnectionString);
        var builder = pathOrConnectionString.Contains('=', StringComparison.Ordinal)
            ? new SqliteConnectionStringBuilder(pathOrConnectionString)
            : new SqliteConnectionStringBuilder { DataSource = pathOrConnectionString };
        if (string.IsNullOrWhiteSpace(builder.DataSource) || builder.DataSource == ":memory:" || builder.Mode == SqliteOpenMode.Memory)
        {
            throw new ArgumentException("The SQLite usage ledger needs a file (Data Source=PATH); an in-memory database would lose every record.", nameof(pathOrConnectionString));
        }

        builder.DataSource = System.IO.Path.GetFullPath(builder.DataSource);
        builder.Mode = SqliteOpenMode.ReadWriteCreate;
        builder.Pooling = true;
        if (System.IO.Path.GetDirectoryName(builder.DataSource) is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
        }

        var synchronous = (sqlite ?? new SqliteLedgerOptions()).Synchronous == SqliteSynchronous.Full ? "FULL" : "NORMAL";
        var ledger = new SqliteUsageLedger(builder.ToString(), builder.DataSource, synchronous, options, logger);
        try
        {
            await ledger.SetJournalModeAsync(cancellationToken).ConfigureAwait(false);
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
    protected override async ValueTask<DbConnection> OpenConnectionAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            var pragma = Command(connection, $"PRAGMA synchronous={_synchronous}; PRAGMA busy_timeout=5000;", null);
            await using (pragma.ConfigureAwait(false))
            {
                await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>
    /// Commits a batch on the writer's own connection, opened once with its pragmas and its insert prepared once, and
    /// kept open across batches: a batch opened a pooled connection, ran the two pragmas and prepared the insert
    /// again. The insert's values are bound by position on SQLite's own statement: the command API looks each of
    /// the 17 parameters up by name for every row (docs/BENCHMARKS.md, "Overhead"). After a failed batch the
    /// connection is closed and the retry opens a fresh one.
    /// </summary>
    protected override async Task WriteBatchAsync(IReadOnlyList<UsageRecord> records, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(records);
        try
        {
            var insert = await InsertAsync(cancellationToken).ConfigureAwait(false);
            using var transaction = _writer!.BeginTransaction();
            foreach (var record in records)
            {
                Insert(insert, UsageRows.Values(record));
            }

            transaction.Commit();
        }
        catch
        {
            CloseWriter();
            throw;
        }
    }

    /// <inheritdoc />
    protected override ValueTask DisposeStoreAsync()
    {
        // The writer thread has stopped by now.
        CloseWriter();
        // Pooled connections keep the file open (and the WAL unmerged) until cleared.
        using var connection = new SqliteConnection(_connectionString);
        SqliteConnection.ClearPool(connection);
        return ValueTask.CompletedTask;
    }

    private async ValueTask<sqlite3_stmt> InsertAsync(CancellationToken cancellationToken)
    {
        if (_insert is not null)
        {
            return _insert;
        }

        _writer = (SqliteConnection)await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rc = raw.sqlite3_prepare_v2(_writer.Handle, UsageSql.Insert, out var insert);
        if (rc != raw.SQLITE_OK || insert is null)
        {
            insert?.Dispose();
            SqliteException.ThrowExceptionForRC(rc, _writer.Handle);
            throw new InvalidOperationException("SQLite prepared no statement for the usage insert.");
        }

        _insert = insert;
        return insert;
    }

    // One row: the values in the insert's order (UsageSql.RecordColumns), bound by position from 1.
    private void Insert(sqlite3_stmt insert, (string Name, object? Value)[] values)
    {
        var db = _writer!.Handle;
        try
        {
            for (var i = 0; i < values.Length; i++)
            {
                var rc = values[i].Value switch
                {
                    null => raw.sqlite3_bind_null(insert, i + 1),
                    long number => raw.sqlite3_bind_int64(insert, i + 1, number),
                    int number => raw.sqlite3_bind_int64(insert, i + 1, number),
                    string text => raw.sqlite3_bind_text(insert, i + 1, text),
                    var other => throw new InvalidOperationException($"The usage column {values[i].Name} has a value of type {other.GetType().Name}, which the ledger does not store."),
                };
                SqliteException.ThrowExceptionForRC(rc, db);
            }

            var step = raw.sqlite3_step(insert);
            if (step != raw.SQLITE_DONE)
            {
                SqliteException.ThrowExceptionForRC(step, db);
            }
        }
        finally
        {
            raw.sqlite3_reset(insert);
        }
    }

    private void CloseWriter()
    {
        _insert?.Dispose();
        _insert = null;
        _writer?.Dispose();
        _writer = null;
    }

    private async Task SetJournalModeAsync(CancellationToken cancellationToken)
    {
        var connection = await OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using (connection.ConfigureAwait(false))
        {
            // WAL is a property of the file: set once, it stays.
            var command = Command(connection, "PRAGMA journal_mode=WAL;", null);
            await using (command.ConfigureAwait(false))
            {
                var mode = await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false) as string;
                if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException($"SQLite refused WAL mode for {Path} (journal mode is {mode}).");
                }
            }
        }
    }
}
