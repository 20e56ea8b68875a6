using Npgsql;
using Pacer.Usage;

namespace Pacer.PostgreSql.Tests;

public sealed class UsageLedgerFactoryTests
{
    [Theory]
    [InlineData("Host=db;Database=pacer;Username=pacer", UsageStoreKind.PostgreSql)]
    [InlineData("Server=db;Port=5433", UsageStoreKind.PostgreSql)]
    [InlineData("postgres://pacer:pw@db:5433/pacer", UsageStoreKind.PostgreSql)]
    [InlineData("postgresql://db/pacer?sslmode=require", UsageStoreKind.PostgreSql)]
    [InlineData("Data Source=/var/lib/pacer/usage.db", UsageStoreKind.Sqlite)]
    [InlineData("Filename=usage.db", UsageStoreKind.Sqlite)]
    [InlineData("usage.db", UsageStoreKind.Sqlite)]
    [InlineData("/var/lib/pacer/usage.db", UsageStoreKind.Sqlite)]
    public void Detect_ConnectionString_PicksStore(string connectionString, UsageStoreKind expected) =>
        UsageLedgerFactory.Detect(connectionString).ShouldBe(expected);

    [Theory]
    [InlineData("Database=pacer;Username=x")]
    [InlineData("Mode=ReadOnly")]
    [InlineData("   ")]
    public void Detect_NeitherStore_Throws(string connectionString) =>
        Should.Throw<ArgumentException>(() => UsageLedgerFactory.Detect(connectionString));

    [Fact]
    public void PostgresUri_Full_BecomesNpgsqlKeywords()
    {
        var builder = new NpgsqlConnectionStringBuilder(PostgresUri.ToConnectionString("postgres://pa%40cer:p%3Aw@db.internal:5433/usage?sslmode=verify-full"));

        (builder.Host, builder.Port, builder.Username, builder.Password, builder.Database, builder.SslMode)
            .ShouldBe(("db.internal", 5433, "pa@cer", "p:w", "usage", SslMode.VerifyFull));
    }

    [Fact]
    public async Task CreateAsync_FilePath_OpensSqlite()
    {
        var folder = Directory.CreateTempSubdirectory("pacer-factory-").FullName;
        try
        {
            await using var ledger = await UsageLedgerFactory.CreateAsync(Path.Combine(folder, "usage.db"), cancellationToken: TestContext.Current.CancellationToken);

            ledger.ShouldBeOfType<SqliteUsageLedger>();
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            Directory.Delete(folder, recursive: true);
        }
    }
}
