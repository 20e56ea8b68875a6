using Microsoft.Data.Sqlite;
using Pacer.Usage;

namespace Pacer.Tests.Usage;

/// <summary>The ledger contract on SQLite, each test in a temp file of its own.</summary>
public sealed class SqliteUsageLedgerTests : UsageLedgerContractTests, IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pacer-ledger-").FullName;

    private string DatabasePath => Path.Combine(_folder, "usage.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    protected override async Task<SqlUsageLedger> OpenAsync(UsageLedgerOptions? options = null) =>
        await SqliteUsageLedger.OpenAsync(DatabasePath, options, cancellationToken: Ct).WaitAsync(TimeSpan.FromSeconds(30));

    [Fact]
    public async Task OpenAsync_NewFile_UsesWalAndRecordsSchemaVersion()
    {
        await using var ledger = await OpenAsync();

        Scalar("PRAGMA journal_mode").ShouldBe("wal");
        Scalar("SELECT version FROM pacer_schema_versions WHERE component = 'usage'").ShouldBe(1L);
        ledger.Store.ShouldBe($"sqlite:{DatabasePath}");
    }

    [Fact]
    public async Task OpenAsync_ConnectionStringWithDataSource_OpensThatFile()
    {
        await using var ledger = await SqliteUsageLedger.OpenAsync($"Data Source={DatabasePath};Cache=Shared", cancellationToken: Ct);

        ledger.Store.ShouldBe($"sqlite:{DatabasePath}");
        File.Exists(DatabasePath).ShouldBeTrue();
    }

    [Fact]
    public async Task OpenAsync_SchemaNewerThanPacer_FailsWithClearMessage()
    {
        await (await OpenAsync()).DisposeAsync();
        Scalar("UPDATE pacer_schema_versions SET version = 99 WHERE component = 'usage'");

        var error = await Should.ThrowAsync<InvalidOperationException>(() => OpenAsync());

        error.Message.ShouldContain("schema version 99, newer than this Pacer knows (1)");
    }

    [Theory]
    [InlineData(":memory:")]
    [InlineData("Data Source=:memory:")]
    [InlineData("Data Source=x;Mode=Memory")]
    public async Task OpenAsync_InMemory_IsRefused(string connectionString)
    {
        var error = await Should.ThrowAsync<ArgumentException>(() => SqliteUsageLedger.OpenAsync(connectionString, cancellationToken: Ct));

        error.Message.ShouldContain("in-memory database would lose every record");
    }

    [Fact]
    public async Task Append_BatchFailsOnTheWritersConnection_RetriedOnAFreshOneAndEveryRecordLands()
    {
        await using var ledger = await OpenAsync(new UsageLedgerOptions { WriteRetryDelay = TimeSpan.FromMilliseconds(1) });
        (await ledger.AppendAsync(Record(user: "before"), Ct)).ShouldBeTrue();
        await ledger.FlushAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        // Another connection changes the schema under the writer's prepared insert, and makes its next batch fail once.
        Scalar("CREATE TABLE fail_once (armed INTEGER)");
        Scalar("INSERT INTO fail_once VALUES (1)");
        Scalar("CREATE TRIGGER fail_once BEFORE INSERT ON usage_records WHEN (SELECT count(*) FROM fail_once) > 0 BEGIN SELECT RAISE(ABORT, 'refused once'); END");
        (await ledger.AppendAsync(Record(user: "during"), Ct)).ShouldBeTrue();
        await WaitUntilAsync(() => ledger.Statistics.WriteFailures >= 1);
        Scalar("DELETE FROM fail_once");
        (await ledger.AppendAsync(Record(user: "after"), Ct)).ShouldBeTrue();
        await ledger.FlushAsync(Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Scalar("SELECT group_concat(user_id, ',') FROM (SELECT user_id FROM usage_records ORDER BY id)").ShouldBe("before,during,after");
        ledger.Statistics.Lost.ShouldBe(0);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (!condition())
        {
            await Task.Delay(10, bound.Token);
        }
    }

    private object? Scalar(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={DatabasePath};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
