using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Pacer.Http;
using Pacer.Limiting;
using Pacer.Usage;

namespace Pacer.Tests.Usage;

/// <summary>Budgets on a real SQLite ledger, with fake time.</summary>
public sealed class BudgetGuardTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 1, 31, 22, 0, 0, TimeSpan.Zero));
    private TempLedger _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private SqliteUsageLedger Ledger => _store.Ledger;

    public async ValueTask InitializeAsync() => _store = await TempLedger.OpenAsync(new UsageLedgerOptions { TimeProvider = _time });

    public ValueTask DisposeAsync() => _store.DisposeAsync();

    private BudgetGuard Guard(IUsageLedger? ledger = null) => new(Ledger, ledger ?? Ledger, _time);

    private UsageRecord Spent(string user, long credits, DateTimeOffset? time = null) => new()
    {
        Time = time ?? _time.GetUtcNow(),
        User = user,
        Endpoint = "/api/generate-scene",
        Model = "claude-3-5-sonnet-20241022",
        StatusCode = 200,
        CostUsd = credits / 100m,
        Credits = credits,
    };

    [Fact]
    public async Task ReserveAsync_NoBudget_IsUnlimited()
    {
        var guard = Guard();

        using var reservation = await guard.ReserveAsync("alice", 1_000_000, Ct);

        reservation.IsLimited.ShouldBeFalse();
        (await guard.GetStatusAsync("alice", Ct)).ShouldBeNull();
    }

    [Fact]
    public async Task ReserveAsync_BudgetExhausted_RefusesNamingBudgetAndReset()
    {
        await Ledger.AppendAsync(Spent("alice", 10), Ct);
        var guard = Guard();
        await guard.SetBudgetAsync(new UserBudget("alice", 10, BudgetPeriod.Day), Ct);

        var refused = await Should.ThrowAsync<BudgetExceededException>(() => guard.ReserveAsync("alice", 0, Ct).AsTask());

        refused.Message.ShouldBe("User 'alice' has spent 10 credits of its 10-credit daily budget; this request may cost up to 0 credits. The budget resets at 2025-02-01T00:00:00Z.");
        refused.ResetsAt.ShouldBe(new DateTimeOffset(2025, 2, 1, 0, 0, 0, TimeSpan.Zero));
        refused.Budget.ShouldBe(new UserBudget("alice", 10, BudgetPeriod.Day));
    }

    [Fact]
    public async Task ReserveAsync_EstimateWouldPassBudget_RefusesButSmallerFits()
    {
        await Ledger.AppendAsync(Spent("alice", 7), Ct);
        var guard = Guard();
        await guard.SetBudgetAsync(new UserBudget("alice", 10, BudgetPeriod.Month), Ct);

        var refused = await Should.ThrowAsync<BudgetExceededException>(() => guard.ReserveAsync("alice", 4, Ct).AsTask());
        using var fits = await guard.ReserveAsync("alice", 3, Ct);

        refused.Message.ShouldContain("has spent 7 credits of its 10-credit monthly budget; this request may cost up to 4 credits");
        fits.IsLimited.ShouldBeTrue();
        (await guard.GetStatusAsync("alice", Ct))!.Remaining.ShouldBe(0);
    }

    [Fact]
    public async Task ReserveAsync_DayRollsOver_BudgetRestored()
    {
        var guard = Guard();
        await guard.SetBudgetAsync(new UserBudget("alice", 5, BudgetPeriod.Day), Ct);
        new UsageRecorder(Ledger, new CostCalculator(), guard).OnCompleted(Outcome("alice", new TokenUsage(100_000, 10_000))); // $0.45 = 45 credits
        await Should.ThrowAsync<BudgetExceededException>(() => guard.ReserveAsync("alice", 1, Ct).AsTask());

        _time.Advance(TimeSpan.FromHours(2)); // 2025-02-01T00:00Z
        using var reservation = await guard.ReserveAsync("alice", 5, Ct);

        var status = await guard.GetStatusAsync("alice", Ct);
        status!.Spent.ShouldBe(0);
        status.Reserved.ShouldBe(5);
        status.PeriodStart.ShouldBe(new DateTimeOffset(2025, 2, 1, 0, 0, 0, TimeSpan.Zero));
        status.ResetsAt.ShouldBe(new DateTimeOffset(2025, 2, 2, 0, 0, 0, TimeSpan.Zero));
    }

    [Fact]
    public async Task ReserveAsync_MonthRollsOver_BudgetRestoredOnTheFirst()
    {
        var guard = Guard();
        await guard.SetBudgetAsync(new UserBudget("bob", 100, BudgetPeriod.Month), Ct);
        await Ledger.AppendAsync(Spent("bob", 100, new DateTimeOffset(2025, 1, 2, 0, 0, 0, TimeSpan.Zero)), Ct);
        _time.Advance(TimeSpan.FromMinutes(1)); // past the refresh interval: the January spending is read
        var refused = await Should.ThrowAsync<BudgetExceededException>(() => guard.ReserveAsync("bob", 1, Ct).AsTask());
        refused.ResetsAt.ShouldBe(new DateTimeOffset(2025, 2, 1, 0, 0, 0, TimeSpan.Zero));

        _time.Advance(TimeSpan.FromHours(2));

        using var reservation = await guard.ReserveAsync("bob", 100, Ct);
        reservation.Credits.ShouldBe(100);
    }

    [Fact]
    public async Task ReserveAsync_ConcurrentRequests_NeverHoldMoreThanTheBudget()
    {
        var guard = Guard();
        await guard.SetBudgetAsync(new UserBudget("alice", 100, BudgetPeriod.Day), Ct);

        var attempts = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            try
            {
                return await guard.ReserveAsync("alice", 3, Ct);
            }
            catch (BudgetExceededException)
            {
                return null;
            }
        }, Ct))).WaitAsync(Wait, Ct);

        var admitted = attempts.OfType<BudgetReservation>().ToList();
        admitted.Count.ShouldBe(33);
        (await guard.GetStatusAsync("alice", Ct))!.Reserved.ShouldBe(99);
        admitted.ForEach(r => r.Dispose());
        admitted[0].Dispose(); // twice is harmless
        (await guard.GetStatusAsync("alice", Ct))!.Reserved.ShouldBe(0);
    }

    [Fact]
    public async Task Reconcile_RecordChargesActualAndDisposeReturnsTheHold()
    {
        var guard = Guard();
        await guard.SetBudgetAsync(new UserBudget("alice", 100, BudgetPeriod.Day), Ct);
        var recorder = new UsageRecorder(Ledger, new CostCalculator(), guard);

        using (await guard.ReserveAsync("alice", 20, Ct))
        {
            recorder.OnCompleted(Outcome("alice", new TokenUsage(1500, 800)));
            (await guard.GetStatusAsync("alice", Ct))!.ShouldSatisfyAllConditions(s => s.Spent.ShouldBe(2), s => s.Reserved.ShouldBe(20));
        }

        var status = await guard.GetStatusAsync("alice", Ct);
        (status!.Spent, status.Reserved, status.Remaining).ShouldBe((2L, 0L, 98L));
    }

    [Fact]
    public async Task GetStatusAsync_NewGuardAfterRestart_LoadsThePeriodsSpending()
    {
        var recorder = new UsageRecorder(Ledger, new CostCalculator());
        recorder.OnCompleted(Outcome("carol", new TokenUsage(1500, 800)));
        recorder.OnCompleted(Outcome("carol", new TokenUsage(1500, 800)));
        await Ledger.SetBudgetAsync(new UserBudget("carol", 50, BudgetPeriod.Day), Ct);
        await _store.ReopenAsync();

        var status = await Guard().GetStatusAsync("carol", Ct);

        status!.Spent.ShouldBe(4);
        status.Budget.Credits.ShouldBe(50);
    }

    [Fact]
    public async Task GetStatusAsync_AnotherInstanceSpends_SeenAfterTheRefreshInterval()
    {
        var guard = Guard();
        await guard.SetBudgetAsync(new UserBudget("dave", 50, BudgetPeriod.Day), Ct);
        await Ledger.AppendAsync(Spent("dave", 30), Ct); // written by another gateway sharing the store

        (await guard.GetStatusAsync("dave", Ct))!.Spent.ShouldBe(0);
        _time.Advance(BudgetGuard.DefaultRefreshInterval);
        (await guard.GetStatusAsync("dave", Ct))!.Spent.ShouldBe(30);
    }

    [Fact]
    public async Task ReserveAsync_StoreLostAtRefresh_KeepsEnforcingWhatItKnows()
    {
        var guard = Guard();
        await guard.SetBudgetAsync(new UserBudget("gina", 10, BudgetPeriod.Day), Ct);
        using var held = await guard.ReserveAsync("gina", 10, Ct);
        await Ledger.FlushAsync(Ct);
        SqliteConnection.ClearAllPools();
        foreach (var file in Directory.GetFiles(_store.Folder))
        {
            File.Delete(file); // the next connection finds an empty file: every query fails
        }

        _time.Advance(BudgetGuard.DefaultRefreshInterval);

        await Should.ThrowAsync<BudgetExceededException>(() => guard.ReserveAsync("gina", 1, Ct).AsTask());
        (await guard.GetStatusAsync("gina", Ct))!.Reserved.ShouldBe(10);
    }

    [Fact]
    public async Task Dispose_ReservationFromEndedPeriod_DoesNotFreeTheNewPeriod()
    {
        var guard = Guard();
        await guard.SetBudgetAsync(new UserBudget("erin", 10, BudgetPeriod.Day), Ct);
        var yesterday = await guard.ReserveAsync("erin", 8, Ct);
        _time.Advance(TimeSpan.FromHours(2));
        using var today = await guard.ReserveAsync("erin", 6, Ct);

        yesterday.Dispose();

        (await guard.GetStatusAsync("erin", Ct))!.Reserved.ShouldBe(6);
    }

    [Fact]
    public async Task DeleteBudgetAsync_UserBecomesUnlimited()
    {
        var guard = Guard();
        await guard.SetBudgetAsync(new UserBudget("frank", 0, BudgetPeriod.Day), Ct);
        await Should.ThrowAsync<BudgetExceededException>(() => guard.ReserveAsync("frank", 0, Ct).AsTask());

        (await guard.DeleteBudgetAsync("frank", Ct)).ShouldBeTrue();

        (await guard.ReserveAsync("frank", 1000, Ct)).IsLimited.ShouldBeFalse();
        (await guard.ListAsync(Ct)).ShouldBeEmpty();
    }

    [Fact]
    public void BillingErrorBody_HasAnthropicsShape()
    {
        var error = new BudgetExceededException(new UserBudget("alice", 10, BudgetPeriod.Day), 9, 1, 2, new DateTimeOffset(2025, 2, 1, 0, 0, 0, TimeSpan.Zero));

        using var json = JsonDocument.Parse(BillingErrorBody.ToJson(error, "req_pacer_1"));

        json.RootElement.GetProperty("type").GetString().ShouldBe("error");
        json.RootElement.GetProperty("error").GetProperty("type").GetString().ShouldBe("billing_error");
        json.RootElement.GetProperty("error").GetProperty("message").GetString().ShouldBe(
            "User 'alice' has spent 9 credits of its 10-credit daily budget and 1 are reserved by requests in flight; this request may cost up to 2 credits. The budget resets at 2025-02-01T00:00:00Z.");
        json.RootElement.GetProperty("request_id").GetString().ShouldBe("req_pacer_1");
        BillingErrorBody.StatusCode.ShouldBe(402);
    }

    [Theory]
    [InlineData("{\"credits\": 1000, \"period\": \"day\"}", 1000L, BudgetPeriod.Day)]
    [InlineData("{\"credits\": 0, \"period\": \"Month\"}", 0L, BudgetPeriod.Month)]
    public void BudgetRequest_Valid_Parses(string json, long credits, BudgetPeriod period)
    {
        BudgetRequest.TryParse("alice", System.Text.Encoding.UTF8.GetBytes(json), out var budget, out _).ShouldBeTrue();

        budget.ShouldBe(new UserBudget("alice", credits, period));
    }

    [Theory]
    [InlineData("alice", "{\"credits\": -1, \"period\": \"day\"}", "credits must be a whole number from 0 to 1000000000000.")]
    [InlineData("alice", "{\"credits\": 1.5, \"period\": \"day\"}", "credits must be a whole number")]
    [InlineData("alice", "{\"period\": \"day\"}", "credits must be a whole number")]
    [InlineData("alice", "{\"credits\": 10, \"period\": \"week\"}", "period must be \"day\" or \"month\" (UTC).")]
    [InlineData("alice", "[1]", "The body must be a JSON object")]
    [InlineData("alice", "{", "The body is not valid JSON")]
    [InlineData(" ", "{\"credits\": 10, \"period\": \"day\"}", "user must be 1 to 256 characters")]
    public void BudgetRequest_Invalid_NamesTheField(string user, string json, string expected)
    {
        BudgetRequest.TryParse(user, System.Text.Encoding.UTF8.GetBytes(json), out var budget, out var error).ShouldBeFalse();

        budget.ShouldBeNull();
        error.ShouldStartWith(expected);
    }

    private RequestOutcome Outcome(string user, TokenUsage usage) => new()
    {
        Started = _time.GetUtcNow(),
        User = user,
        Endpoint = "/api/generate-scene",
        Model = "claude-3-5-sonnet-20241022",
        Attempts = 1,
        StatusCode = 200,
        Usage = usage,
        QueueTime = TimeSpan.Zero,
        Latency = TimeSpan.FromMilliseconds(500),
    };
}
