using Microsoft.Data.Sqlite;

namespace Pacer.Gateway.Storage;

/// <summary>
/// The gateway's embedded SQLite store (WAL): persisted settings, managed keys and the installation's own secrets. A connection per operation,
/// pooled by the provider.
/// </summary>
internal sealed class GatewayDatabase
{
    private const string Schema = """
        CREATE TABLE IF NOT EXISTS settings (
            name TEXT PRIMARY KEY,
            value REAL NOT NULL,
            updated_at TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS managed_keys (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL,
            name TEXT NOT NULL,
            key_prefix TEXT NOT NULL,
            key_hash TEXT NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            revoked_at TEXT NULL);
        CREATE TABLE IF NOT EXISTS installation (
            name TEXT PRIMARY KEY,
            value TEXT NOT NULL,
            created_at TEXT NOT NULL);
        """;

    private readonly string _connectionString;

    public GatewayDatabase(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        FullPath = Path.GetFullPath(path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 10,
        }.ToString();
    }

    /// <summary>Gets the absolute path of the database file.</summary>
    public string FullPath { get; }

    /// <summary>Creates the file and tables when missing; throws <see cref="InvalidOperationException"/> with a clear message when it cannot.</summary>
    public void Initialize()
    {
        try
        {
            if (Path.GetDirectoryName(FullPath) is { Length: > 0 } directory)
            {
                Directory.CreateDirectory(directory);
            }

            using var connection = Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; " + Schema;
            command.ExecuteNonQuery();
        }
        catch (Exception error) when (error is SqliteException or IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"Cannot open the store at '{FullPath}' (set PACER_DB_PATH to a writable file): {error.Message}", error);
        }
    }

    /// <summary>Opens a connection.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    /// <summary>Returns null when the store answers a query, else why not.</summary>
    public string? Ping()
    {
        try
        {
            using var connection = Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM settings";
            command.ExecuteScalar();
            return null;
        }
        catch (SqliteException error)
        {
            return error.Message;
        }
    }
}
