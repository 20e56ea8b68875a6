using Microsoft.Extensions.Time.Testing;
using Pacer.Configuration;
using Pacer.Http;
using Pacer.Limiting;
using Pacer.Tests.Support;
using Pacer.Usage;

namespace Pacer.Tests.Usage;

/// <summary>From an upstream response through the PacerHandler and the UsageRecorder to the ledger's priced record.</summary>
public sealed class UsageRecorderHandlerTests : IAsyncLifetime
{
    // claude-sonnet-4-5: input $3, output $15, 5-minute write $3.75, 1-hour write $6 per million tokens.
    // 100 × 3 + 50 × 15 + 1,000 × 3.75 + 2,000 × 6 = 16,800 per million.
    private const decimal SplitCost = 0.0168m;

    // The same 3,000 writes all priced as 5-minute writes: 100 × 3 + 50 × 15 + 3,000 × 3.75 = 12,300 per million.
    private const decimal FiveMinuteCost = 0.0123m;

    private TempLedger _store = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private SqliteUsageLedger Ledger => _store.Ledger;

    public async ValueTask InitializeAsync() => _store = await TempLedger.OpenAsync();

    public ValueTask DisposeAsync() => _store.DisposeAsync();

    [Fact]
    public async Task SendAsync_JsonResponseWithOneHourCacheWrites_RecordPricesThemAtTheOneHourRate()
    {
        var record = await SendAndRecordAsync(_ => Responses.Json(200, Responses.MessageWithCacheWrites(100, 50, cacheWrite5m: 1000, cacheWrite1h: 2000)));

        (record.Streamed, record.CacheWrite5mTokens, record.CacheWrite1hTokens, record.CostUsd, record.Credits).ShouldBe((false, 1000, 2000, (decimal?)SplitCost, (long?)2));
        await ShouldBeStoredAsync(record);
    }

    [Fact]
    public async Task SendAsync_StreamWithOneHourCacheWrites_RecordPricesThemAtTheOneHourRate()
    {
        var events = Sse.MessageStartWithCacheWrites(100, cacheWrite5m: 1000, cacheWrite1h: 2000) + Sse.BlockStart + Sse.Text("Hi") + Sse.BlockStop + Sse.MessageDelta(50) + Sse.Stop;

        var record = await SendAndRecordAsync(_ => Sse.Response(events), stream: true);

        (record.Streamed, record.InputTokens, record.OutputTokens).ShouldBe((true, 100, 50));
        (record.CacheWrite5mTokens, record.CacheWrite1hTokens, record.CostUsd, record.Credits).ShouldBe((1000, 2000, (decimal?)SplitCost, (long?)2));
        await ShouldBeStoredAsync(record);
    }

    [Fact]
    public async Task SendAsync_ResponseWithoutTheSplit_PricesEveryCacheWriteAsAFiveMinuteWrite()
    {
        var body = Responses.Message(100, 50).Replace("\"cache_creation_input_tokens\":0", "\"cache_creation_input_tokens\":3000", StringComparison.Ordinal);

        var record = await SendAndRecordAsync(_ => Responses.Json(200, body));

        (record.CacheWrite5mTokens, record.CacheWrite1hTokens, record.CostUsd).ShouldBe((3000, 0, (decimal?)FiveMinuteCost));
    }

    private async Task<UsageRecord> SendAndRecordAsync(Func<int, HttpResponseMessage> respond, bool stream = false)
    {
        using var limiter = new Limiter(new PacerOptions { MaxRequestsPerMinute = 1000, Burst = 100 }, new FakeTimeProvider());
        var recorder = new UsageRecorder(Ledger, new CostCalculator());
        using var handler = new PacerHandler(limiter, observers: [recorder]) { InnerHandler = new FakeUpstream(respond) };
        using var client = new HttpClient(handler) { BaseAddress = new Uri("https://api.anthropic.com") };
        using var capture = UsageCapture.Begin();

        using var response = await client.SendAsync(HandlerFixture.Messages(HandlerFixture.MessagesBody(stream: stream)), Ct).WaitAsync(HandlerFixture.Bound, Ct);
        await response.Content.ReadAsStringAsync(Ct).WaitAsync(HandlerFixture.Bound, Ct);

        return capture.Record.ShouldNotBeNull();
    }

    private async Task ShouldBeStoredAsync(UsageRecord record)
    {
        await Ledger.FlushAsync(Ct).WaitAsync(HandlerFixture.Bound, Ct);
        var stored = (await Ledger.ReadAsync(new UsageQuery(), cancellationToken: Ct)).ShouldHaveSingleItem();
        stored.ShouldBe(record);
    }
}
