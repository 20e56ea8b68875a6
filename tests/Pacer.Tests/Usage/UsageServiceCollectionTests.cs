using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Pacer.Configuration;
using Pacer.Http;
using Pacer.Limiting;
using Pacer.Usage;

namespace Pacer.Tests.Usage;

public sealed class UsageServiceCollectionTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("pacer-di-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }

    private static IConfiguration Config(params (string Key, string? Value)[] pairs) =>
        new ConfigurationBuilder().AddInMemoryCollection(pairs.Select(p => new KeyValuePair<string, string?>(p.Key, p.Value))).Build();

    [Fact]
    public void Bind_EnvironmentWinsOverSection()
    {
        var options = UsageOptions.Bind(Config(
            ("PACER_USAGE_STORE", "/data/usage.db"),
            ("Pacer:Usage:Store", "ignored.db"),
            ("Pacer:Usage:PriceBookPath", "/etc/pacer/prices.json"),
            ("PACER_CREDIT_VALUE_USD", "0.001")));

        options.ShouldBe(new UsageOptions { Store = "/data/usage.db", PriceBookPath = "/etc/pacer/prices.json", CreditValueUsd = 0.001m });
        UsageOptions.Bind(Config()).ShouldBe(new UsageOptions());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("cent")]
    [InlineData("-1")]
    public void Bind_BadCreditValue_NamesTheVariable(string value)
    {
        var error = Should.Throw<PacerOptionsException>(() => UsageOptions.Bind(Config(("PACER_CREDIT_VALUE_USD", value))));

        error.Errors.Single().Field.ShouldBe("PACER_CREDIT_VALUE_USD");
    }

    [Fact]
    public async Task AddPacerUsage_Registered_RecorderObservesAndDisposalFlushes()
    {
        var store = Path.Combine(_folder, "usage.db");
        var services = new ServiceCollection().AddPacerUsage(Config(("PACER_USAGE_STORE", store)));
        await using (var provider = services.BuildServiceProvider())
        {
            provider.GetServices<IRequestObserver>().Single().ShouldBeOfType<UsageRecorder>();
            provider.GetRequiredService<BudgetGuard>().ShouldNotBeNull();
            provider.GetRequiredService<IRequestObserver>().OnCompleted(new RequestOutcome
            {
                Started = DateTimeOffset.UnixEpoch,
                User = "alice",
                Endpoint = "/api/generate-scene",
                Model = "claude-3-5-sonnet-20241022",
                Attempts = 1,
                StatusCode = 200,
                Usage = new TokenUsage(1500, 800),
                QueueTime = TimeSpan.Zero,
                Latency = TimeSpan.Zero,
            });
        }

        await using var reopened = await SqliteUsageLedger.OpenAsync(store, cancellationToken: Ct);
        (await reopened.QueryAsync(new UsageQuery(), Ct)).Total.Credits.ShouldBe(2);
    }

    [Fact]
    public void AddPacerUsage_PostgresStoreWithoutItsPackage_SaysWhatToDoWithoutEchoingThePassword()
    {
        var services = new ServiceCollection().AddPacerUsage(new UsageOptions { Store = "Host=db;Password=hunter2" });
        using var provider = services.BuildServiceProvider();

        var error = Should.Throw<InvalidOperationException>(() => provider.GetRequiredService<IUsageLedger>());

        error.Message.ShouldContain("UsageLedgerFactory.Create");
        error.Message.ShouldNotContain("hunter2");
    }

    [Fact]
    public void AddPacerUsage_BadPriceFile_FailsAtRegistration()
    {
        var path = Path.Combine(_folder, "prices.json");
        File.WriteAllText(path, "{ \"families\": 3 }");

        Should.Throw<PriceBookException>(() => new ServiceCollection().AddPacerUsage(new UsageOptions { PriceBookPath = path }))
            .Message.ShouldStartWith($"Price book '{path}'");
    }
}
