using Npgsql;
using Pacer.Tests.Usage;
using Pacer.Usage;

namespace Pacer.PostgreSql.Tests;

/// <summary>The ledger contract on a real PostgreSQL server, each test in a database of its own.</summary>
public sealed class PostgresUsageLedgerTests(PostgresServer server) : UsageLedgerContractTests, IAsyncLifetime
{
    private string _connectionString = string.Empty;

    public async ValueTask InitializeAsync() => _connectionString = await server.CreateDatabaseAsync().WaitAsync(TimeSpan.FromSeconds(30), Ct);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    protected override async Task<SqlUsageLedger> OpenAsync(UsageLedgerOptions? options = null) =>
        await PostgresUsageLedger.OpenAsync(_connectionString, options, cancellationToken: Ct).WaitAsync(TimeSpan.FromSeconds(30), Ct);

    [Fact]
    public async Task OpenAsync_ManyInstancesAtOnce_MigrateOnce()
    {
        var ledgers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => OpenAsync())).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        try
        {
            (await ScalarAsync("SELECT version FROM pacer_schema_versions WHERE component = 'usage'")).ShouldBe(1);
            (await ScalarAsync("SELECT COUNT(*) FROM information_schema.tables WHERE table_name IN ('usage_records', 'usage_budgets')")).ShouldBe(2L);
        }
        finally
        {
            foreach (var ledger in ledgers)
            {
                await ledger.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Store_DescribesServerWithoutPassword()
    {
        var withPassword = new NpgsqlConnectionStringBuilder(_connectionString) { Password = "s3cret-password" }.ConnectionString;
        await using var ledger = await PostgresUsageLedger.OpenAsync(withPassword, cancellationToken: Ct);

        ledger.Store.ShouldStartWith("postgresql:127.0.0.1:");
        ledger.Store.ShouldNotContain("s3cret");
    }

    [Fact]
    public async Task UsageLedgerFactory_HostConnectionString_OpensPostgres()
    {
        await using var ledger = await UsageLedgerFactory.CreateAsync(_connectionString, cancellationToken: Ct);

        ledger.ShouldBeOfType<PostgresUsageLedger>();
    }

    private async Task<object?> ScalarAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        return await command.ExecuteScalarAsync(Ct);
    }
}
