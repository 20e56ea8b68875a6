using Pacer.Http;
using Pacer.Limiting;
using Pacer.Usage;

namespace Pacer.Tests.Usage;

public sealed class UsageRecorderTests : IAsyncLifetime
{
    private TempLedger _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private SqliteUsageLedger Ledger => _store.Ledger;

    public async ValueTask InitializeAsync() => _store = await TempLedger.OpenAsync();

    public ValueTask DisposeAsync() => _store.DisposeAsync();

    private static RequestOutcome Outcome(string model, TokenUsage? usage, int status = 200) => new()
    {
        Started = new DateTimeOffset(2025, 1, 1, 12, 0, 0, TimeSpan.FromHours(2)),
        User = "alice",
        Endpoint = "/api/generate-scene",
        Model = model,
        RequestId = "req_1",
        Attempts = 2,
        StatusCode = status,
        Usage = usage,
        QueueTime = TimeSpan.FromMilliseconds(1247),
        Latency = TimeSpan.FromMilliseconds(3000),
        Streamed = true,
    };

    [Fact]
    public async Task OnCompleted_SeedRequest_AppendsPricedRecord()
    {
        var recorder = new UsageRecorder(Ledger, new CostCalculator());

        recorder.OnCompleted(Outcome("claude-3-5-sonnet-20241022", new TokenUsage(1500, 800, 100, 200)));
        await Ledger.FlushAsync(Ct);

        var record = (await Ledger.ReadAsync(new UsageQuery(), cancellationToken: Ct)).Single();
        record.ShouldBe(new UsageRecord
        {
            Time = new DateTimeOffset(2025, 1, 1, 10, 0, 0, TimeSpan.Zero),
            User = "alice",
            Endpoint = "/api/generate-scene",
            Model = "claude-3-5-sonnet-20241022",
            RequestId = "req_1",
            Attempts = 2,
            StatusCode = 200,
            Streamed = true,
            InputTokens = 1500,
            OutputTokens = 800,
            CacheWrite5mTokens = 100,
            CacheReadTokens = 200,
            CostUsd = 0.016935m, // 0.0165 + 100 × 3.75 + 200 × 0.30 per million
            Credits = 2,
            QueueTime = TimeSpan.FromMilliseconds(1247),
            Latency = TimeSpan.FromMilliseconds(3000),
        });
    }

    [Fact]
    public async Task OnCompleted_UnknownModel_KeepsTokensWithCostUnknown()
    {
        new UsageRecorder(Ledger, new CostCalculator()).OnCompleted(Outcome("claude-next", new TokenUsage(10, 20)));
        await Ledger.FlushAsync(Ct);

        var record = (await Ledger.ReadAsync(new UsageQuery(), cancellationToken: Ct)).Single();
        (record.InputTokens, record.OutputTokens, record.CostUsd, record.Credits).ShouldBe((10, 20, (decimal?)null, (long?)null));
    }

    [Fact]
    public async Task OnCompleted_NoUsage_RecordsTheFailureAtZeroCost()
    {
        new UsageRecorder(Ledger, new CostCalculator()).OnCompleted(Outcome("claude-3-5-sonnet-20241022", null, status: 529));
        await Ledger.FlushAsync(Ct);

        var totals = (await Ledger.QueryAsync(new UsageQuery(), Ct)).Total;
        (totals.Requests, totals.FailedRequests, totals.UnpricedRequests, totals.CostUsd).ShouldBe((1L, 1L, 0L, 0m));
    }

    [Fact]
    public void From_UsageWithoutCost_IsUnknownNotZero()
    {
        var record = UsageRecord.From(Outcome("claude-3-5-sonnet-20241022", new TokenUsage(5, 5)), cost: null);

        (record.InputTokens, record.CostUsd, record.Credits).ShouldBe((5, (decimal?)null, (long?)null));
    }

    [Fact]
    public async Task Record_InsideCapture_IsCaughtOnlyByTheFlowThatMadeIt()
    {
        var recorder = new UsageRecorder(Ledger, new CostCalculator());
        using var outer = UsageCapture.Begin();

        var inner = await Task.Run(() =>
        {
            using var capture = UsageCapture.Begin();
            recorder.OnCompleted(Outcome("claude-haiku-4-5", new TokenUsage(1, 1)));
            return capture.Record;
        }, Ct);

        inner!.Model.ShouldBe("claude-haiku-4-5");
        outer.Record.ShouldBeNull();
        recorder.Record(Outcome("claude-opus-4-1", new TokenUsage(1, 1)), new CacheCreation(0, 0), batch: true);
        outer.Record!.Model.ShouldBe("claude-opus-4-1");
    }
}
