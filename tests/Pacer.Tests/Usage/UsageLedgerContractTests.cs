using Pacer.Usage;

namespace Pacer.Tests.Usage;

/// <summary>
/// The contract every usage store keeps. Run against SQLite (Pacer.Tests) and PostgreSQL (Pacer.PostgreSql.Tests,
/// which compiles this same file); each test gets a store of its own.
/// </summary>
public abstract class UsageLedgerContractTests
{
    protected static readonly DateTimeOffset Day1 = new(2025, 1, 1, 10, 0, 0, TimeSpan.Zero);
    protected static readonly DateTimeOffset Day2 = new(2025, 1, 2, 23, 59, 59, TimeSpan.Zero);
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    protected static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Opens this test's store; every call opens the same store again.</summary>
    protected abstract Task<SqlUsageLedger> OpenAsync(UsageLedgerOptions? options = null);

    protected static UsageRecord Record(
        string user = "alice",
        string endpoint = "/api/generate-scene",
        string model = "claude-3-5-sonnet-20241022",
        DateTimeOffset? time = null,
        int input = 1500,
        int output = 800,
        decimal? cost = 0.0165m,
        long? credits = 2,
        int status = 200) => new()
        {
            Time = time ?? Day1,
            User = user,
            Endpoint = endpoint,
            Model = model,
            RequestId = "req_011CTestRequest",
            Attempts = 1,
            StatusCode = status,
            InputTokens = input,
            OutputTokens = output,
            CostUsd = cost,
            Credits = credits,
            QueueTime = TimeSpan.FromMilliseconds(12),
            Latency = TimeSpan.FromMilliseconds(850),
        };

    private static UsageQuery Query(string? from = null, string? to = null, string? user = null, string? groupBy = null) =>
        UsageQuery.TryParse(from, to, user, groupBy, out var query, out var error) ? query : throw new InvalidOperationException(error);

    [Fact]
    public async Task AppendAsync_ConcurrentWriters_EveryRecordCommitted()
    {
        await using var ledger = await OpenAsync();
        const int Writers = 8, PerWriter = 250;

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var i = 1; i <= PerWriter; i++)
            {
                (await ledger.AppendAsync(Record(user: $"writer-{w}", input: i, output: 1), Ct)).ShouldBeTrue();
            }
        }, Ct))).WaitAsync(Wait, Ct);
        await ledger.FlushAsync(Ct).WaitAsync(Wait, Ct);

        var report = await ledger.QueryAsync(Query(groupBy: "user"), Ct).WaitAsync(Wait, Ct);
        report.Rows.Count.ShouldBe(Writers);
        report.Rows.ShouldAllBe(r => r.Requests == PerWriter && r.InputTokens == PerWriter * (PerWriter + 1) / 2);
        report.Total.Requests.ShouldBe(Writers * PerWriter);
        report.Total.Credits.ShouldBe(2 * Writers * PerWriter);
        ledger.Statistics.ShouldBe(new UsageLedgerStatistics(Writers * PerWriter, Writers * PerWriter, 0, 0, 0));
    }

    [Fact]
    public async Task DisposeAsync_RecordsStillBuffered_RestartKeepsEveryRecord()
    {
        const int Count = 3000;
        var first = await OpenAsync();
        for (var i = 0; i < Count; i++)
        {
            first.Append(Record(input: i));
        }

        await first.DisposeAsync().AsTask().WaitAsync(Wait, Ct);
        first.Statistics.Written.ShouldBe(Count);

        await using var reopened = await OpenAsync();
        var total = (await reopened.QueryAsync(Query(), Ct).WaitAsync(Wait, Ct)).Total;
        total.Requests.ShouldBe(Count);
        total.InputTokens.ShouldBe((long)Count * (Count - 1) / 2);
        total.CostUsd.ShouldBe(0.0165m * Count);
        total.Credits.ShouldBe(2L * Count);
    }

    [Fact]
    public async Task ReadAsync_AfterRestart_ReturnsEveryFieldAsWritten()
    {
        var full = new UsageRecord
        {
            Time = new DateTimeOffset(2025, 3, 4, 5, 6, 7, 890, TimeSpan.Zero),
            User = "Zoë, \"the\" user",
            Endpoint = "/api/generate-scene",
            Model = "claude-sonnet-4-5-20250929",
            RequestId = "req_011CSHoEeqs5C35K2UUqR7Fy",
            Attempts = 3,
            StatusCode = 200,
            Streamed = true,
            InputTokens = 1_000_000,
            OutputTokens = 64_000,
            CacheWrite5mTokens = 1234,
            CacheWrite1hTokens = 5678,
            CacheReadTokens = 91011,
            CostUsd = 0.000000015m,
            Credits = 1,
            QueueTime = TimeSpan.FromMicroseconds(1_234_567),
            Latency = TimeSpan.FromMicroseconds(98_765_432),
        };
        var unknown = Record(model: "claude-next", cost: null, credits: null, status: 529, time: full.Time.AddSeconds(1)) with { RequestId = null };
        await using (var ledger = await OpenAsync())
        {
            await ledger.AppendAsync(full, Ct);
            await ledger.AppendAsync(unknown, Ct);
        }

        await using var reopened = await OpenAsync();
        var records = await reopened.ReadAsync(Query(), cancellationToken: Ct).WaitAsync(Wait, Ct);

        records.ShouldBe([full, unknown]);
    }

    [Fact]
    public async Task QueryAsync_GroupedByUserAndDay_TotalsEachGroupInKeyOrder()
    {
        await using var ledger = await OpenAsync();
        await ledger.AppendAsync(Record(user: "bob", time: Day1), Ct);
        await ledger.AppendAsync(Record(user: "alice", time: Day1, input: 100, output: 10, cost: 0.00045m, credits: 1), Ct);
        await ledger.AppendAsync(Record(user: "alice", time: Day1.AddHours(1)), Ct);
        await ledger.AppendAsync(Record(user: "alice", time: Day2, status: 429, input: 0, output: 0, cost: 0m, credits: 0), Ct);
        await ledger.AppendAsync(Record(user: "alice", time: Day2.AddDays(5)), Ct);
        await ledger.FlushAsync(Ct).WaitAsync(Wait, Ct);

        var report = await ledger.QueryAsync(Query("2025-01-01", "2025-01-02", groupBy: "user,day"), Ct).WaitAsync(Wait, Ct);

        report.Rows.ShouldBe(
        [
            new UsageTotals { User = "alice", Day = new DateOnly(2025, 1, 1), Requests = 2, InputTokens = 1600, OutputTokens = 810, CostUsd = 0.01695m, Credits = 3 },
            new UsageTotals { User = "alice", Day = new DateOnly(2025, 1, 2), Requests = 1, FailedRequests = 1 },
            new UsageTotals { User = "bob", Day = new DateOnly(2025, 1, 1), Requests = 1, InputTokens = 1500, OutputTokens = 800, CostUsd = 0.0165m, Credits = 2 },
        ]);
        report.Total.ShouldBe(new UsageTotals { Requests = 4, FailedRequests = 1, InputTokens = 3100, OutputTokens = 1610, CostUsd = 0.03345m, Credits = 5 });
    }

    [Fact]
    public async Task QueryAsync_FilteredByUserAndGroupedByEndpointAndModel_CountsOnlyThatUser()
    {
        await using var ledger = await OpenAsync();
        await ledger.AppendAsync(Record(user: "alice", endpoint: "/b", model: "claude-haiku-4-5"), Ct);
        await ledger.AppendAsync(Record(user: "alice", endpoint: "/a", model: "claude-haiku-4-5"), Ct);
        await ledger.AppendAsync(Record(user: "alice", endpoint: "/a", model: "claude-3-5-sonnet-20241022"), Ct);
        await ledger.AppendAsync(Record(user: "alice", endpoint: "/a", model: "claude-next", cost: null, credits: null), Ct);
        await ledger.AppendAsync(Record(user: "bob", endpoint: "/a", model: "claude-haiku-4-5"), Ct);
        await ledger.FlushAsync(Ct).WaitAsync(Wait, Ct);

        var report = await ledger.QueryAsync(Query(user: "alice", groupBy: "endpoint,model"), Ct).WaitAsync(Wait, Ct);

        report.Rows.Select(r => (r.Endpoint, r.Model, r.Requests, r.UnpricedRequests, r.CostUsd)).ShouldBe(
        [
            ("/a", "claude-3-5-sonnet-20241022", 1L, 0L, 0.0165m),
            ("/a", "claude-haiku-4-5", 1L, 0L, 0.0165m),
            ("/a", "claude-next", 1L, 1L, 0m),
            ("/b", "claude-haiku-4-5", 1L, 0L, 0.0165m),
        ]);
        report.Rows.ShouldAllBe(r => r.User == null && r.Day == null);
        report.Total.Requests.ShouldBe(4);
        report.Total.UnpricedRequests.ShouldBe(1);
        report.Total.CostUsd.ShouldBe(0.0495m);
    }

    [Fact]
    public async Task QueryAsync_ManyCosts_SumExactly()
    {
        await using var ledger = await OpenAsync();
        for (var i = 0; i < 1000; i++)
        {
            ledger.Append(Record(cost: 0.000000123m + 0.0165m, credits: 2));
        }

        await ledger.FlushAsync(Ct).WaitAsync(Wait, Ct);

        var total = (await ledger.QueryAsync(Query(), Ct).WaitAsync(Wait, Ct)).Total;

        total.CostUsd.ShouldBe(16.500123m);
        total.Credits.ShouldBe(2000);
    }

    [Fact]
    public async Task QueryAsync_NothingInRange_ReturnsNoRowsAndZeroTotals()
    {
        await using var ledger = await OpenAsync();
        await ledger.AppendAsync(Record(time: Day1), Ct);
        await ledger.FlushAsync(Ct).WaitAsync(Wait, Ct);

        var report = await ledger.QueryAsync(Query("2025-02-01T00:00:00Z", "2025-02-02T00:00:00+01:00"), Ct).WaitAsync(Wait, Ct);

        report.Rows.ShouldBeEmpty();
        report.Total.ShouldBe(new UsageTotals());
    }

    [Fact]
    public async Task QueryAsync_UserWithSqlText_IsAValueNotSql()
    {
        await using var ledger = await OpenAsync();
        const string Hostile = "x' OR '1'='1'; DROP TABLE usage_records; --";
        await ledger.AppendAsync(Record(user: "alice"), Ct);
        await ledger.AppendAsync(Record(user: Hostile), Ct);
        await ledger.FlushAsync(Ct).WaitAsync(Wait, Ct);

        (await ledger.QueryAsync(Query(user: "' OR 1=1 --"), Ct)).Total.Requests.ShouldBe(0);
        var hostile = await ledger.QueryAsync(Query(user: Hostile, groupBy: "user"), Ct);
        hostile.Rows.Single().User.ShouldBe(Hostile);
        (await ledger.QueryAsync(Query(), Ct)).Total.Requests.ShouldBe(2);
    }

    [Fact]
    public async Task Budgets_SetGetListDelete_SurviveRestart()
    {
        await using (var ledger = await OpenAsync())
        {
            (await ledger.GetBudgetAsync("alice", Ct)).ShouldBeNull();
            await ledger.SetBudgetAsync(new UserBudget("bob", 500, BudgetPeriod.Month), Ct);
            await ledger.SetBudgetAsync(new UserBudget("alice", 100, BudgetPeriod.Day), Ct);
            await ledger.SetBudgetAsync(new UserBudget("alice", 250, BudgetPeriod.Day), Ct);
            await ledger.SetBudgetAsync(new UserBudget("carol", 7, BudgetPeriod.Day), Ct);
            (await ledger.DeleteBudgetAsync("carol", Ct)).ShouldBeTrue();
            (await ledger.DeleteBudgetAsync("carol", Ct)).ShouldBeFalse();
        }

        await using var reopened = await OpenAsync();
        (await reopened.GetBudgetAsync("alice", Ct)).ShouldBe(new UserBudget("alice", 250, BudgetPeriod.Day));
        (await reopened.ListBudgetsAsync(Ct)).ShouldBe([new UserBudget("alice", 250, BudgetPeriod.Day), new UserBudget("bob", 500, BudgetPeriod.Month)]);
    }
}
